"""Writes the bad-file corpus and its manifest (tests/bad_files/manifest.csv).

Run once after changing a case: `.venv/bin/python tests/bad_files/make_corpus.py`. The files are kept in
git so the tests read exactly what an analyst would upload; this script documents how each was made.
Manifest columns: file, table, options (`&`-separated key=value: encoding, delimiter, decimal, sheet,
max_mb, dataset, const.COLUMN, filter.COLUMN), check (the failure's check), message (a fragment of its
message), row (the file row it must name, if any), column (a fragment of the column it must name).
"""

from __future__ import annotations

import csv
import gzip
import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
OBS = "region_id,sector,indicator,year,value,unit,source,flag"
GOOD = "SE33,C16,employment,2021,100,persons,test,"
GOOD2 = "FI1D,C17,employment,2021,50,persons,test,"
FLOWS = "chain_id,from_region,from_stage,to_region,to_stage,year,kind,value,unit,source"
FLOW = "circular_bioeconomy,SE33,biomass_supply,FI1D,processing,2021,goods,12.5,EUR million,test"
ACTORS = "actor_id,name,type,region_id,chain_id,stages,competences,website"
ACTOR = "demo-actor-x,Demo actor X,research,FI1B,circular_bioeconomy,processing,Fibres,https://example.org"
TSV_HEAD = "freq,nace_r2,unit,geo\\TIME_PERIOD\t2019 \t2020 \t2021 "
EMPLOYMENT = "const.indicator=employment"

CASES: list[tuple[str, object, str, str, str, str, str, str]] = []


def case(
    file: str, content: object, table: str, options: str, check: str, message: str, row: object = "", column: str = ""
) -> None:
    CASES.append((file, content, table, options, check, message, str(row), column))


def lines(*rows: str, end: str = "\n") -> bytes:
    return (end.join(rows) + end).encode()


def xlsx(
    rows: Sequence[Sequence[object]],
    *,
    formats: dict[str, str] | None = None,
    sheet: str = "Data",
    empty_first: bool = False,
) -> bytes:
    book = Workbook()
    ws = book.active
    if empty_first:
        ws.title = "Empty"
        ws = book.create_sheet(sheet)
    else:
        ws.title = sheet
    for r in rows:
        ws.append(r)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def inflated_xlsx(size: int) -> bytes:
    """A valid workbook whose sheet XML is `size` bytes of identical rows (no `r` attributes, so it compresses
    about 500:1): small to upload, large to unpack."""
    small = io.BytesIO(xlsx([OBS.split(",")]))
    out = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>SE33</t></is></c><c><v>1</v></c></row>'
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _, rest = data.partition(b"</row>")
                n = size // len(row)
                head = head.replace(b'<dimension ref="A1:H1" />', f'<dimension ref="A1:H{n + 1}" />'.encode())
                data = head + b"</row>" + row * n + rest
            target.writestr(info.filename, data)
    return out.getvalue()


def truncated_gigabyte_gzip() -> bytes:
    """1 GiB of CSV lines gzip-compressed (about 1 MB), cut after 64 KB: the end marker never comes."""
    line = (GOOD + "\n").encode()
    block = line * (8 * 1024 * 1024 // len(line))
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = bytearray(packer.compress(lines(OBS)))
    produced = 0
    while produced < 1 << 30 and len(out) < 64 * 1024:
        out += packer.compress(block)
        produced += len(block)
    return bytes(out[: 64 * 1024])


def wrong_length_gzip() -> bytes:
    """A complete gzip whose trailer claims 1 GiB of content (ISIZE) while it holds a few bytes."""
    packed = bytearray(gzip.compress(lines(OBS, GOOD), mtime=0))
    packed[-4:] = struct.pack("<I", (1 << 30) % (1 << 32))
    return bytes(packed)


def build() -> None:
    # --- empty, truncated, not a table --------------------------------------------------------------------
    case("empty.csv", b"", "observations", "", "empty", "the file is empty (0 bytes)", "", "(file)")
    case("blank_lines.csv", b"\n\n   \r\n\n", "observations", "", "empty", "only blank lines", "", "(file)")
    case("header_only.csv", lines(OBS), "observations", "", "no_rows", "header row but no data rows", "", "(file)")
    case("header_only.xlsx", xlsx([OBS.split(",")]), "observations", "", "no_rows", "header row but no data rows")
    case("empty_sheet.xlsx", xlsx([]), "observations", "", "empty", "has no table")
    case(
        "missing_sheet.xlsx",
        xlsx([OBS.split(","), GOOD.split(",")]),
        "observations",
        "sheet=Data 2023",
        "sheet",
        "there is no sheet named 'Data 2023'",
    )
    case(
        "binary_image.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "observations",
        "",
        "format",
        "not a text file",
    )
    case(
        "saved_web_page.csv",
        b"<!DOCTYPE html>\n<html><head><title>Eurostat</title></head><body>Data</body></html>",
        "observations",
        "",
        "format",
        "web page",
    )
    case(
        "report.pdf.csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "observations",
        "",
        "format",
        "PDF document",
    )
    case(
        "old_format.xls",
        bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504,
        "observations",
        "",
        "format",
        "Excel 97–2003",
    )
    archive = io.BytesIO()
    with __import__("zipfile").ZipFile(archive, "w") as z:
        z.writestr("data.csv", lines(OBS, GOOD).decode())
    case("data.zip", archive.getvalue(), "observations", "", "format", "ZIP archive, not an Excel workbook")
    whole = xlsx([OBS.split(","), GOOD.split(",")])
    case("damaged.xlsx", whole[: len(whole) // 2], "observations", "", "format", "damaged or incomplete")
    case(
        "one_column.csv",
        lines("region sector value", "SE33 C16 1"),
        "observations",
        "",
        "delimiter",
        "found only one column",
    )
    # --- gzip ---------------------------------------------------------------------------------------------
    case("truncated_1gb.csv.gz", truncated_gigabyte_gzip(), "observations", "", "gzip", "gzip file is truncated")
    case("claims_1gb.csv.gz", wrong_length_gzip(), "observations", "", "gzip", "gzip file is damaged")
    case(
        "unpacks_too_large.csv.gz",
        gzip.compress(lines(OBS) + (GOOD + "\n").encode() * 60_000, mtime=0),
        "observations",
        "max_mb=1",
        "file_size",
        "larger than the limit of 1 MB",
    )
    case(
        "too_large.csv",
        lines(OBS, *[GOOD] * 400),
        "observations",
        "max_mb=0.01",
        "file_size",
        "more than the limit of 0.01 MB",
    )
    # --- encodings and characters ----------------------------------------------------------------------------
    case(
        "cp1252_read_as_utf8.csv",
        lines(OBS, GOOD, "SE33,C17,employment,2021,5,persons,Länsstyrelsen,").replace(
            "Länsstyrelsen".encode(), "Länsstyrelsen".encode("cp1252")
        ),
        "observations",
        "encoding=utf-8",
        "encoding",
        "not valid UTF-8",
        3,
    )
    case(
        "double_encoded.csv",
        lines(OBS, "SE33,C16,employment,2021,5,persons," + "Länsstyrelsen".encode().decode("cp1252") + ","),
        "observations",
        "",
        "encoding",
        "converted twice",
        2,
        "source",
    )
    mixed = lines(
        OBS, "SE33,C16,employment,2021,5,persons,Länsstyrelsen,"
    ) + "SE33,C17,employment,2021,6,persons,Länsstyrelsen,\n".encode("cp1252")
    case("mixed_encodings.csv", mixed, "observations", "", "encoding", "mixes encodings", 3, "(file)")
    case(
        "control_character.csv",
        lines(OBS, "SE33,C16,employment,2021,5,persons,te\x07st,"),
        "observations",
        "",
        "control",
        "control character 0x07",
        2,
        "source",
    )
    utf16 = (
        "\t".join(OBS.split(","))
        + "\r\n"
        + "\t".join(GOOD.split(","))
        + "\r\n"
        + "SE99,C17,employment,2021,7,persons,SCB,".replace(",", "\t")
        + "\r\n"
    ).encode("utf-16")
    case("excel_unicode_text.txt", utf16, "observations", "", "reference", "unknown region 'SE99'", 3, "region_id")
    polish = lines(
        OBS.replace(",", ";"),
        "PL91;C16;employment;2021;5,5;persons;Główny Urząd Statystyczny;",
        "PL99;C16;employment;2021;6,5;persons;Główny Urząd Statystyczny;",
    ).replace("Główny Urząd Statystyczny".encode(), "Główny Urząd Statystyczny".encode("cp1250"))
    case("cp1250_polish.csv", polish, "observations", "", "reference", "unknown region 'PL99'", 3, "region_id")
    # --- structure ------------------------------------------------------------------------------------------
    case(
        "mixed_delimiters.csv",
        lines(OBS, GOOD, "FI1D;C17;employment;2021;50;persons;test;"),
        "observations",
        "",
        "fields",
        "mixes delimiters",
        3,
    )
    case(
        "unquoted_comma.csv",
        lines(OBS, "SE33,C16,employment,2021,5,persons,Statistics Sweden, SCB,"),
        "observations",
        "",
        "fields",
        "without quotes",
        2,
    )
    case(
        "unclosed_quote.csv",
        lines(OBS, GOOD, 'FI1D,C17,employment,2021,50,persons,"Statistics Finland,', GOOD2),
        "observations",
        "",
        "quote",
        "never closed",
        3,
    )
    case(
        "duplicate_header.csv",
        lines(OBS + ",year", GOOD + ",2022"),
        "observations",
        "",
        "header",
        "column 'year' appears twice",
        1,
    )
    case("unnamed_column.csv", lines(OBS + ",", GOOD + ",note"), "observations", "", "header", "no name", 2)
    case(
        "missing_value_column.csv",
        lines(OBS.replace(",value", ""), GOOD.replace(",100", "")),
        "observations",
        "",
        "column_present",
        "required column 'value' is missing",
        "",
        "value",
    )
    case(
        "empty_required_cells.csv",
        lines(OBS, ",C16,employment,2021,5,persons,test,"),
        "observations",
        "",
        "not_null",
        "'region_id' must not be empty",
        2,
        "region_id",
    )
    case(
        "duplicate_keys.csv",
        lines(OBS, GOOD, GOOD2, GOOD.replace(",100,", ",101,")),
        "observations",
        "",
        "unique_key",
        "duplicate of an earlier row",
        4,
    )
    # --- codes ------------------------------------------------------------------------------------------------
    case(
        "unknown_region.csv",
        lines(OBS, "SE99,C16,employment,2021,5,persons,test,"),
        "observations",
        "",
        "reference",
        "unknown region 'SE99'",
        2,
        "region_id",
    )
    case(
        "lower_case_region.csv",
        lines(OBS, "se33,C16,employment,2021,5,persons,test,"),
        "observations",
        "",
        "reference",
        "did you mean 'SE33'",
        2,
        "region_id",
    )
    case(
        "nuts2016_norway.csv",
        lines(OBS, "NO01,C16,employment,2019,5,persons,test,", "NO043,C16,employment,2019,5,persons,test,"),
        "observations",
        "",
        "reference",
        "NO01 (Oslo og Akershus) is a NUTS 2016 code",
        2,
        "region_id",
    )
    case(
        "nuts2016_estonia.csv",
        lines(OBS, "EE006,C16,employment,2019,5,persons,test,"),
        "observations",
        "",
        "reference",
        "use EE009",
        2,
        "region_id",
    )
    case(
        "outside_bsr.csv",
        lines(OBS, "FR10,C16,employment,2021,5,persons,test,"),
        "observations",
        "",
        "reference",
        "outside the Interreg BSR programme area (country FR",
        2,
        "region_id",
    )
    case(
        "eu_aggregate.csv",
        lines(OBS, "EU27_2020,C16,employment,2021,5,persons,test,"),
        "observations",
        "",
        "reference",
        "aggregate of countries",
        2,
        "region_id",
    )
    case(
        "division_without_letter.csv",
        lines(OBS, "SE33,16,employment,2021,5,persons,test,"),
        "observations",
        "",
        "reference",
        "did you mean 'C16'",
        2,
        "sector",
    )
    case(
        "nace_group.csv",
        lines(OBS, "SE33,C16.1,employment,2021,5,persons,test,"),
        "observations",
        "",
        "reference",
        "groups and classes are not used",
        2,
        "sector",
    )
    case(
        "nace_section.csv",
        lines(OBS, "SE33,B-E,employment,2021,5,persons,test,"),
        "observations",
        "",
        "reference",
        "section or aggregate",
        2,
        "sector",
    )
    case(
        "unknown_indicator.csv",
        lines(OBS, "SE33,C16,gdp_pps,2021,5,persons,test,"),
        "observations",
        "",
        "reference",
        "unknown indicator 'gdp_pps'",
        2,
        "indicator",
    )
    case(
        "unknown_stage.csv",
        lines(FLOWS, FLOW.replace(",processing,", ",procesing,")),
        "flows",
        "",
        "reference",
        "did you mean 'processing'",
        2,
        "to_stage",
    )
    case(
        "stage_of_other_chain.csv",
        lines(FLOWS, FLOW.replace(",processing,", ",installation,")),
        "flows",
        "",
        "stage_chain",
        "is not a stage of value chain 'circular_bioeconomy'",
        2,
        "to_stage",
    )
    case(
        "unknown_list_item.csv",
        lines(ACTORS, ACTOR.replace(",processing,", ",processing;recyling,")),
        "actors",
        "",
        "reference",
        "unknown stage 'recyling'",
        2,
        "stages",
    )
    # --- values -------------------------------------------------------------------------------------------------
    case(
        "negative_employment.csv",
        lines(OBS, "SE33,C16,employment,2021,-120,persons,test,"),
        "observations",
        "",
        "nonnegative",
        "cannot be negative",
        2,
        "value",
    )
    case(
        "negative_flow.csv",
        lines(FLOWS, FLOW.replace(",12.5,", ",-3,")),
        "flows",
        "",
        "min",
        "must be at least 0",
        2,
        "value",
    )
    case(
        "huge_numbers.csv",
        lines(OBS, "SE33,C16,employment,2021,320000000000000000,persons,test,"),
        "observations",
        "",
        "magnitude",
        "implausibly large",
        2,
        "value",
    )
    case(
        "infinite_value.csv",
        lines(OBS, "SE33,C16,employment,2021,1e400,persons,test,"),
        "observations",
        "",
        "dtype",
        "'1e400' is not a valid number",
        2,
        "value",
    )
    case(
        "huge_year.csv",
        lines(OBS, "SE33,C16,employment,99999999999999999999,5,persons,test,"),
        "observations",
        "",
        "dtype",
        "not a valid whole number",
        2,
        "year",
    )
    case(
        "year_out_of_range.csv",
        lines(OBS, "SE33,C16,employment,1850,5,persons,test,"),
        "observations",
        "",
        "min",
        "must be at least 1990",
        2,
        "year",
    )
    # A date in a year column (2021-12-31, 24.04.2014) is reduced to its year since issue 10, item 6.
    case(
        "year_as_date.xlsx",
        xlsx([OBS.split(","), ["SE33", "C16", "employment", 2021, 5, "persons", "test"]], formats={"D2": "yyyy-mm-dd"}),
        "observations",
        "",
        "date_not_year",
        "Excel shows the number 2021",
        2,
        "year",
    )
    # --- XLSX bombs (issue 15, item 2): a tiny file whose reading would take the whole server ------------------
    far = Workbook()
    far.active.title = "Data"
    far.active.append(OBS.split(","))
    far.active.append(GOOD.split(","))
    far.active["XFD1048576"] = 1
    out = io.BytesIO()
    far.save(out)
    case(
        "cell_at_xfd1048576.xlsx",
        out.getvalue(),
        "observations",
        "",
        "sheet_size",
        "reaches cell XFD1048576: 1,048,576 rows × 16,384 columns",
    )
    case(
        "unpacks_too_large.xlsx",
        inflated_xlsx(2 << 20),
        "observations",
        "max_mb=1",
        "file_size",
        "unpacked, the Excel file unpacks_too_large.xlsx is",
    )
    case(
        "formula_cells.xlsx",
        xlsx([OBS.split(","), ["SE33", "C16", "employment", 2021, "=5*20", "persons", "t"]]),
        "observations",
        "",
        "formula",
        "cell E2 holds a formula",
        2,
        "value",
    )
    case(
        "text_in_numbers.csv",
        lines(OBS, "SE33,C16,employment,2021,about 5,persons,test,"),  # n/a, NA, ':' are missing-value markers
        "observations",
        "",
        "dtype",
        "'about 5' is not a valid number",
        2,
        "value",
    )
    case(
        "html_in_names.csv",
        lines(ACTORS, ACTOR.replace("Demo actor X", "<script>alert(1)</script>")),
        "actors",
        "",
        "html",
        "HTML or script markup",
        2,
        "name",
    )
    case(
        "formula_in_names.csv",
        lines(ACTORS, ACTOR.replace("Demo actor X", '"=HYPERLINK(""http://x"",""y"")"')),
        "actors",
        "",
        "formula",
        "starts like a spreadsheet formula",
        2,
        "name",
    )
    case(
        "javascript_website.csv",
        lines(ACTORS, ACTOR.replace("https://example.org", "javascript:alert(1)")),
        "actors",
        "",
        "pattern",
        "is not a valid Web address",
        2,
        "website",
    )
    case(
        "too_long_text.csv",
        lines(ACTORS, ACTOR.replace("Fibres", "x" * 2500)),
        "actors",
        "",
        "text_length",
        "longer than 2,000 characters",
        2,
        "competences",
    )
    case(
        "bad_actor_type.csv",
        lines(ACTORS, ACTOR.replace(",research,", ",university,")),
        "actors",
        "",
        "choices",
        "must be one of: business, research, public, civil_society",
        2,
        "type",
    )
    case(
        "bad_boolean.csv",
        lines("nuts_id,name,country,level,parent_id,bsr,lon,lat", "SE33,Övre Norrland,SE,2,SE3,maybe,18.9,65.6"),
        "regions",
        "",
        "dtype",
        "'maybe' is not a valid true/false value",
        2,
        "bsr",
    )
    case(
        "bad_nuts_pattern.csv",
        lines("nuts_id,name,country,level,parent_id,bsr,lon,lat", "se-33,Övre Norrland,SE,2,SE3,true,18.9,65.6"),
        "regions",
        "",
        "pattern",
        "is not a valid NUTS 2021 code",
        2,
        "nuts_id",
    )
    case(
        "priority_bad_code.csv",
        lines("region_id,code,dimension,label,description", "SE33,NACE C16,economic,Wood,"),
        "priorities",
        "",
        "pattern",
        "is not a valid Domain code",
        2,
        "code",
    )
    case(
        "project_years_reversed.csv",
        lines(
            "project_id,title,programme,budget_eur,public_funding_eur,partner_regions,partner_actors,chain_id,stages,"
            "start_year,end_year,source",
            "p-1,Pilot,Interreg,1000,500,SE33;FI1D,,,,2023,2020,keep.eu",
        ),
        "projects",
        "",
        "year_order",
        "end_year is before start_year",
        2,
        "end_year",
    )
    case(
        "reserved_dataset_name.csv",
        lines(OBS, GOOD),
        "observations",
        "dataset=Demo data (synthetic)",
        "dataset",
        "reserved for the generated demo data",
        "",
        "(dataset)",
    )
    # --- Eurostat ----------------------------------------------------------------------------------------------
    case(
        "estat_quarterly.tsv",
        lines("unit,nace_r2,geo\\time\t2020Q1 \t2020Q2 ", "NR,C16,SE33\t1 \t2 "),
        "observations",
        EMPLOYMENT,
        "frequency",
        "only annual data can be loaded",
        1,
    )
    case(
        "estat_all_missing.tsv",
        lines(TSV_HEAD, "A,C16,NR,SE33\t: \t: c\t: "),
        "observations",
        EMPLOYMENT,
        "no_values",
        "none of the 3 cells has a value",
    )
    case(
        "estat_bad_dimensions.tsv",
        lines(TSV_HEAD, "A,C16,NR,SE33\t1 \t2 \t3 ", "A,C16,FI1D\t1 \t2 \t3 "),
        "observations",
        EMPLOYMENT,
        "dimensions",
        "has 3 codes where the header names 4",
        3,
    )
    case(
        "estat_bad_value.tsv",
        lines(TSV_HEAD, "A,C16,NR,SE33\t1 \t2x! \t3 "),
        "observations",
        EMPLOYMENT,
        "dtype",
        "'2x!' is not a valid number",
        2,
        "2020",
    )
    case(
        "estat_sex_dimension.tsv",
        lines(
            "freq,sex,nace_r2,unit,geo\\TIME_PERIOD\t2021 ",
            "A,F,C16,NR,SE33\t5 ",
            "A,M,C16,NR,SE33\t6 ",
            "A,T,C16,NR,SE33\t11 ",
        ),
        "observations",
        EMPLOYMENT,
        "unmapped_dimension",
        "choose one value of 'sex' to load",
        "",
        "sex",
    )
    case(
        "estat_nuts2016.tsv",
        lines(TSV_HEAD, "A,C16,NR,NO05\t1 \t2 \t3 "),
        "observations",
        EMPLOYMENT,
        "reference",
        "NO05 (Vestlandet) is a NUTS 2016 code",
        2,
        "geo",
    )
    case(
        "sdmx_quarterly.csv",
        lines(
            "DATAFLOW,LAST UPDATE,freq,unit,nace_r2,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG",
            "ESTAT:X(1.0),01/01/24,Q,NR,C16,SE33,2021-Q1,5,",
        ),
        "observations",
        EMPLOYMENT,
        "frequency",
        "frequency 'Q' is not annual",
        2,
        "freq",
    )
    case(
        "sdmx_no_values.csv",
        lines(
            "DATAFLOW,LAST UPDATE,freq,unit,nace_r2,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG",
            "ESTAT:X(1.0),01/01/24,A,NR,C16,SE33,2021,,c",
        ),
        "observations",
        EMPLOYMENT,
        "no_values",
        "no row has a value in OBS_VALUE",
    )


def main() -> None:
    build()
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "file names must be unique"
    for old in HERE.iterdir():
        if old.name not in ("make_corpus.py", "manifest.csv") and old.is_file():
            old.unlink()
    with open(HERE / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["file", "table", "options", "check", "message", "row", "column"])
        for file, content, *rest in CASES:
            (HERE / file).write_bytes(content if isinstance(content, bytes) else str(content).encode())
            writer.writerow([file, *rest])
    print(f"{len(CASES)} bad files written to {HERE}")


if __name__ == "__main__":
    main()
