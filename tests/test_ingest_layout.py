"""Tables inside files with rows around them (issue 10, item 4), in the layouts of real exports: a PXWeb CSV
(title line, blank line), a GENESIS CSV (preamble, header over three rows, footer below a rule), a list whose
every line ends in a stray delimiter, and a Eurostat Data Browser sheet (built with openpyxl)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from valuechain import cli_import, ingest

# Statistics Sweden's PXWeb "comma-separated with heading": the title, a blank line, then the table.
PXWEB = (
    '"Gross regional domestic product (GRDP), SEK million by region and year"\n'
    "\n"
    '"region","2020","2021"\n'
    '"SE11 Stockholm",1713155,1838245\n'
    '"SE33 Övre Norrland",151384,165617\n'
)
# Destatis GENESIS table 82111-0001 as its CSV export lays it out (Latin-1, semicolons).
GENESIS = (
    "GENESIS-Tabelle: 82111-0001\n"
    "Bruttoinlandsprodukt: Bundesländer, Jahre\n"
    "Volkswirtschaftliche Gesamtrechnungen der Länder\n"
    ";Bruttoinlandsprodukt zu Marktpreisen\n"
    ";Mill. EUR\n"
    ";2020;2021\n"
    "Hamburg;118587;123270\n"
    "Mecklenburg-Vorpommern;48010;50112\n"
    "__________\n"
    "(C)opyright Statistisches Bundesamt (Destatis), 2023 | Stand: 25.03.2023 / 11:00:45\n"
)


def test_pxweb_title_line_is_skipped_and_the_comma_found() -> None:
    parsed = ingest.read(PXWEB.encode(), "px.csv")
    assert parsed.ok, parsed.failures
    assert parsed.delimiter == "," and parsed.header_row == 3
    assert "1 row above the header skipped (title, metadata)" in parsed.notes
    first = parsed.frame.iloc[0]
    assert (first["region"], first["year"], first["value"]) == ("SE11 Stockholm", "2020", "1713155")
    assert parsed.rows.tolist() == [4, 5, 4, 5]


def test_a_comma_file_with_a_title_line_never_claims_no_delimiter() -> None:
    text = "Employment by region\nregion_id,year,value\nSE33,2021,5\n"
    parsed = ingest.read(text.encode(), "t.csv")
    assert parsed.ok and parsed.delimiter == ","
    assert not parsed.failures["message"].str.contains("delimiter").any()
    assert parsed.frame["region_id"].tolist() == ["SE33"]


def test_genesis_preamble_header_over_three_rows_and_footer() -> None:
    parsed = ingest.read(GENESIS.encode("latin-1"), "82111-0001.csv")
    assert parsed.ok, parsed.failures
    assert parsed.delimiter == ";" and parsed.header_row == 4
    assert parsed.notes[:3] == [
        "header over rows 4–6",
        "3 rows above the header skipped (title, metadata)",
        "2 rows after the table left out (footer)",
    ]
    rows = parsed.frame.set_index(["row label", "year"])["value"]
    assert rows[("Mecklenburg-Vorpommern", "2021")] == "50112" and rows[("Hamburg", "2020")] == "118587"
    assert sorted(set(parsed.rows.tolist())) == [7, 8]


def test_a_reference_date_in_a_header_row_is_part_of_the_header() -> None:
    """Regionalstatistik writes the reference date (`31.12.2018`) in a header row of its own: a date names its
    column, it is no value, so the header spans the three rows and the data start below them."""
    text = (
        "GENESIS-Tabelle: 12411-01-01-4\n"
        "Bevölkerungsstand (Anzahl);;;;\n"
        ";;Stichtag;Stichtag;Stichtag\n"
        ";;31.12.2018;31.12.2018;31.12.2018\n"
        ";;Insgesamt;männlich;weiblich\n"
        "01001;      Flensburg, Kreisfreie Stadt;89504;44599;44905\n"
        "01002;      Kiel, Landeshauptstadt, Kreisfreie Stadt;247548;120566;126982\n"
        "__________\n"
        "Stand: 21.03.2020 / 12:15:06\n"
    )
    parsed = ingest.read(text.encode("latin-1"), "12411-01-01-4.csv")
    assert parsed.ok, parsed.failures
    assert parsed.header_row == 3 and "header over rows 3–5" in parsed.notes
    assert parsed.columns[:3] == ["row label 1", "row label 2", "Stichtag 31.12.2018 Insgesamt"]
    assert parsed.frame["Stichtag 31.12.2018 Insgesamt"].tolist() == ["89504", "247548"]


def test_a_delimiter_ending_every_line_is_not_the_delimiter() -> None:
    text = "Koodi,Rahasto,Myönnetty;\nA70301,EAKR,443909,,;\nA70302,EAKR,280000,,;\n"
    parsed = ingest.read(text.encode(), "fi.csv")
    assert parsed.ok, parsed.failures
    assert parsed.delimiter == "," and parsed.columns == ["Koodi", "Rahasto", "Myönnetty"]
    assert parsed.frame["Myönnetty"].tolist() == ["443909", "280000"]


def test_a_ragged_last_line_without_a_rule_is_an_error_not_a_footer() -> None:
    text = "Employment by region\nregion_id,year,value\nSE33,2021,5\nFI1D;2021;4\n"
    parsed = ingest.read(text.encode(), "t.csv")
    assert not parsed.ok and parsed.failures["row"].tolist() == [4]


def data_browser_sheet() -> bytes:
    """A Data Browser spreadsheet: a summary sheet first, then metadata, TIME row with a flag column after each
    year, GEO (Codes) / GEO (Labels), the regions, a blank row and the legend."""
    book = Workbook()
    book.active.title = "Summary"
    book.active.append(["Gross domestic expenditure on R&D (GERD) [tgs00042]"])
    sheet = book.create_sheet("Sheet 1")
    for line in (["GERD by NUTS 2 region [tgs00042]"], [], ["Source of data:", "Eurostat"], []):
        sheet.append(line)
    sheet.append(["TIME", None, "2021", None, "2022", None])
    sheet.append(["GEO (Codes)", "GEO (Labels)"])
    sheet.append(["DE80", "Mecklenburg-Vorpommern", 1.98, None, 2.01, "p"])
    sheet.append(["LVZZ", "Extra-Regio NUTS 2", ":", None, ":", None])
    sheet.append([])
    for line in (["Special value:"], [":", "not available"], ["Observation flags:"], ["p", "provisional"]):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_data_browser_sheet_flags_join_their_year_and_the_legend_is_left_out() -> None:
    parsed = ingest.read(data_browser_sheet(), "tgs00042.xlsx")
    assert parsed.ok, parsed.failures
    assert parsed.sheet == "Sheet 1" and parsed.header_row == 5
    assert "4 rows after the table left out (footer)" in parsed.notes
    cells = parsed.frame[["GEO (Codes)", "year", "value", "flag"]].astype(object)
    assert cells.where(cells.notna(), None).to_numpy().tolist() == [
        ["DE80", "2021", "1.98", None],
        ["LVZZ", "2021", ":", None],  # kept as typed: the checks store it as a missing value (or leave LVZZ out)
        ["DE80", "2022", "2.01", "p"],
        ["LVZZ", "2022", ":", None],
    ]


def test_the_analyst_sets_header_row_header_lines_and_footer() -> None:
    text = "note\nregion_id;year;value\nunits;;EUR\nSE33;2021;5\nFI1D;2021;4\nend of file;x\n"
    chosen = ingest.ReadOptions(header_row=2, header_lines=1, footer_rows=1)
    parsed = ingest.read(text.encode(), "t.csv", chosen)
    assert parsed.frame["region_id"].tolist() == ["units", "SE33", "FI1D"]  # one header line: units are data
    parsed = ingest.read(text.encode(), "t.csv", ingest.ReadOptions(header_row=2, header_lines=2, footer_rows=1))
    assert parsed.ok, parsed.failures
    assert parsed.columns == ["region_id units", "year", "value EUR"]
    assert parsed.frame["region_id units"].tolist() == ["SE33", "FI1D"] and parsed.rows.tolist() == [4, 5]


def test_command_line_header_row_reads_and_goes_into_the_recipe(
    tmp_path: Path, cli_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "px.csv"
    path.write_text(PXWEB, encoding="utf-8")
    recipe = tmp_path / "recipe.json"
    argv = [str(path), "--header-row", "3", "--footer-rows", "0", "--dry-run", "--json", "--save-recipe", str(recipe)]
    cli_import.main(argv)
    report = json.loads(capsys.readouterr().out)
    assert report["read_as"] == "CSV · UTF-8 · comma-separated · 4 records"
    assert json.loads(recipe.read_text(encoding="utf-8"))["read"] == {"header_row": 3, "footer_rows": 0}
    assert cli_import.main([str(path), "--header-row", "0", "--dry-run"]) == 2
