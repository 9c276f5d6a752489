"""Reading analysts' files (every format and encoding), mapping, checking, previewing and committing them."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import zipfile
from contextlib import suppress
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from valuechain import demo, ingest, schema
from valuechain.query import Data
from valuechain.store import Identity, Load, PermissionDenied, Restored, Store

from .test_store import assert_unchanged, snapshot

EDITOR = Identity("analyst", "editor")
HEADER = ["region_id", "sector", "indicator", "year", "value", "unit", "source"]
ROWS = [
    ["SE33", "C16", "employment", "2021", "1234.5", "persons", "Länsstyrelsen Norrbotten"],
    ["FI1D", "C17", "employment", "2021", "50", "persons", "Tilastokeskus Ålands"],
]
TSV = (
    "freq,nace_r2,unit,geo\\TIME_PERIOD\t2019 \t2020 \t2021 \n"
    "A,C16,THS_PER,SE33\t1.2 \t1.3 p\t: \n"
    "A,C16,THS_PER,FI1D\t2.5 e\t: c\t2.7 \n"
    "A,C17,THS_PER,SE33\t0.4 \t0.5 \t0.6 p\n"
)


@pytest.fixture(scope="module")
def definitions(demo_data: dict) -> dict[str, pd.DataFrame]:
    data = ("observations", "flows", "actors", "priorities", "projects")
    return demo.load_definitions() | {name: demo_data[name].head(200) for name in data}


def context(frames: dict, table: str = "observations") -> ingest.Context:
    return ingest.Context.from_frames(frames, table)


def csv_bytes(delimiter: str = ",", encoding: str = "utf-8", decimal: str = ".", end: str = "\n") -> bytes:
    lines = [delimiter.join(HEADER)]
    for row in ROWS:
        cells = [c.replace(".", decimal) if c.replace(".", "").isdigit() else c for c in row]
        lines.append(delimiter.join(f'"{c}"' if delimiter in c else c for c in cells))
    return (end.join(lines) + end).encode(encoding)


def read_and_check(data: bytes, name: str, frames: dict, **kwargs: object) -> ingest.Checked:
    parsed = ingest.read(data, name)
    assert parsed.ok, parsed.failures
    mapping = ingest.auto_map(parsed, "observations")
    return ingest.check(parsed, "observations", mapping, context(frames), dataset="Test", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "decimal"),
    [
        (",", "utf-8", "."),
        (";", "utf-8-sig", ","),
        ("\t", "utf-16", ","),
        ("|", "cp1252", "."),
        (";", "cp1252", ","),
        (",", "latin-1", "."),
        ("\t", "utf-8", "."),
    ],
)
def test_csv_dialects_and_encodings_give_the_same_rows(
    delimiter: str, encoding: str, decimal: str, definitions: dict
) -> None:
    checked = read_and_check(csv_bytes(delimiter, encoding, decimal, end="\r\n"), "f.csv", definitions)
    assert checked.ok, checked.report.errors
    assert checked.parsed.delimiter == delimiter
    assert checked.decimal == decimal
    clean = checked.rows
    assert clean["value"].tolist() == [1234.5, 50.0]
    assert clean["source"].tolist() == ["Länsstyrelsen Norrbotten", "Tilastokeskus Ålands"]


def test_cp1250_is_detected_for_polish_text(definitions: dict) -> None:
    data = "region_id;sector;indicator;year;value;unit;source\nPL91;C16;employment;2021;5;persons;Główny Urząd\n"
    parsed = ingest.read(data.encode("cp1250"), "pl.csv")
    assert parsed.encoding == "cp1250"
    assert parsed.frame["source"].iat[0] == "Główny Urząd"


def test_chosen_encoding_overrides_detection() -> None:
    data = "region_id;source\nSE33;Göteborg\n".encode("cp1252")
    parsed = ingest.read(data, "f.csv", ingest.ReadOptions(encoding="latin-1"))
    assert parsed.encoding == "latin-1"
    assert parsed.frame["source"].iat[0] == "Göteborg"


def test_thousands_separators_and_spaces_in_numbers(definitions: dict) -> None:
    data = (
        b"region_id;sector;indicator;year;value;unit;source\n"
        b"SE33;C16;employment;2021;1.234,5;persons;x\n"
        b"SE33;C17;employment;2021;12 345,25;persons;x\n"
        b"SE33;C10;employment;2021;7;persons;x\n"
    )
    checked = read_and_check(data, "f.csv", definitions)
    assert checked.ok, checked.report.errors
    assert checked.rows["value"].tolist() == [1234.5, 12345.25, 7.0]


def test_eurostat_bulk_tsv_gzip_keeps_flags_and_stores_missing_values(definitions: dict) -> None:
    parsed = ingest.read(gzip.compress(TSV.encode()), "estat_sbs_r_nuts2021.tsv.gz")
    assert parsed.kind == "Eurostat bulk TSV"
    assert parsed.source_name == "Eurostat sbs_r_nuts2021"
    mapping = ingest.auto_map(parsed, "observations")
    assert mapping.columns == {
        "region_id": "geo",
        "sector": "nace_r2",
        "year": "TIME_PERIOD",
        "value": "value",
        "unit": "unit",
        "flag": "flag",
    }
    assert ingest.new_indicator_ids(parsed, mapping, context(definitions)) == []
    mapping.constants["indicator"] = "employment"
    checked = ingest.check(parsed, "observations", mapping, context(definitions), dataset="Eurostat SBS")
    assert checked.ok, checked.report.errors
    rows = checked.rows.sort_values(["region_id", "sector", "year"]).reset_index(drop=True)
    assert len(rows) == 9, "':' and ': c' are stored as missing values, not left out"
    fi = rows[rows["region_id"] == "FI1D"]
    assert fi["year"].tolist() == [2019, 2020, 2021] and fi["flag"].tolist()[:2] == ["e", "c"]
    assert pd.isna(fi["value"].iat[1]), "confidential: no number, flag c kept"
    se = rows[(rows["region_id"] == "SE33") & (rows["sector"] == "C16") & (rows["year"] == 2021)]
    assert pd.isna(se["value"].item()) and pd.isna(se["flag"].item())
    (group,) = [g for g in checked.groups if g.kind == "missing"]
    assert group.rows == 2 and dict(group.markers) == {":": 1, ": c": 1} and not group.left_out
    assert "':' 1, ': c' 1; stored as missing values" in group.message
    assert checked.left_out_counts == {}
    assert (
        rows.loc[(rows["region_id"] == "SE33") & (rows["sector"] == "C16") & (rows["year"] == 2020), "flag"].item()
        == "p"
    )
    warnings = checked.report.warnings
    assert set(warnings["check"]) >= {"flag", "unit"}, "provisional flags and a unit other than persons warn"
    flag = warnings[warnings["message"].str.contains("provisional")].iloc[0]
    assert flag["message"].startswith("2 values are flagged 'p'")


def test_eurostat_errors_name_the_year_column_and_file_row(definitions: dict) -> None:
    tsv = TSV.replace("1.3 p", "1.3x!")
    parsed = ingest.read(tsv.encode(), "estat_x.tsv")
    mapping = ingest.auto_map(parsed, "observations")
    mapping.constants["indicator"] = "employment"
    checked = ingest.check(parsed, "observations", mapping, context(definitions), dataset="E")
    error = checked.report.errors.iloc[0]
    assert (error["row"], error["column"], error["value"]) == (2, "2020 (value)", "1.3x!")


def test_sdmx_csv_with_labels(definitions: dict) -> None:
    data = (
        "DATAFLOW,LAST UPDATE,freq,unit,nace_r2: NACE,geo: Geopolitical entity,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
        "ESTAT:SBS_R_NUTS2021(1.0),01/01/24,A,NR,C16: Wood,SE33: Övre Norrland,2021,120,p\n"
        "ESTAT:SBS_R_NUTS2021(1.0),01/01/24,A,NR,C16: Wood,FI1D: Pohjois- ja Itä-Suomi,2021,,c\n"
    )
    parsed = ingest.read(data.encode(), "sbs.csv")
    assert parsed.kind == "Eurostat SDMX-CSV"
    assert parsed.source_key == "sdmx:sbs_r_nuts2021"
    mapping = ingest.auto_map(parsed, "observations")
    mapping.constants["indicator"] = "enterprises"
    checked = ingest.check(parsed, "observations", mapping, context(definitions), dataset="SBS")
    assert checked.ok, checked.report.errors
    rows = checked.rows[["region_id", "sector", "year", "value", "flag"]].astype(object)
    assert rows.where(rows.notna(), None).values.tolist() == [
        ["SE33", "C16", 2021, 120.0, "p"],
        ["FI1D", "C16", 2021, None, "c"],  # confidential: a missing value that keeps its flag
    ]


def test_oecd_sdmx_csv_with_label_columns(definitions: dict) -> None:
    """The OECD Data Explorer writes each label in a column of its own right after its code (`MEASURE,Measure`,
    `TIME_PERIOD,Time period`): the label column is named apart instead of stopping the read as a repeated name,
    the code columns are mapped (REF_AREA is the region), the source is the OECD's, and the observation status
    A ("normal value") is no flag."""
    data = (
        "STRUCTURE,STRUCTURE_ID,REF_AREA,Reference area,MEASURE,Measure,TIME_PERIOD,Time period,OBS_VALUE,"
        "Observation value,OBS_STATUS,Observation status\n"
        "DATAFLOW,OECD.CFE.EDS:DSD_REG_DEMO@DF_DEATH_5Y(2.0),PL428,Szczecinski,MORT,Deaths,2014,,550,,A,Normal value\n"
        "DATAFLOW,OECD.CFE.EDS:DSD_REG_DEMO@DF_DEATH_5Y(2.0),PL428,Szczecinski,MORT,Deaths,2022,,580,,P,Provisional\n"
    )
    parsed = ingest.read(data.encode(), "oecd.csv")
    assert parsed.ok, parsed.failures
    assert parsed.kind == "OECD SDMX-CSV" and parsed.source_name == "OECD df_death_5y"
    assert "Measure (label)" in parsed.columns and "Time period" in parsed.columns
    mapping = ingest.auto_map(parsed, "observations")
    assert (mapping.columns["region_id"], mapping.columns["year"]) == ("REF_AREA", "TIME_PERIOD")
    mapping.columns.pop("indicator")
    mapping.constants |= {"indicator": "enterprises", "sector": "TOTAL", "unit": "deaths"}
    checked = ingest.check(parsed, "observations", mapping, context(definitions), dataset="OECD")
    assert checked.ok, checked.report.errors
    assert checked.rows[["region_id", "year", "value"]].values.tolist() == [
        ["PL428", 2014, 550.0],
        ["PL428", 2022, 580.0],
    ]
    assert checked.rows["flag"].isna().tolist() == [True, False] and checked.rows["flag"].iat[1] == "P"


def test_wide_csv_with_one_column_per_year(definitions: dict) -> None:
    data = (
        "Region;Indicator;NACE;Unit;2019;2020;2021\n"
        "SE33;employment;C16;persons;1 200;..;1 300\n"
        "FI1D;employment;C16;persons;900;950,5;\n"
    ).encode("cp1252")
    checked = read_and_check(data, "wide.csv", definitions)
    assert checked.ok, checked.report.errors
    rows = checked.rows.sort_values(["region_id", "year"])[["region_id", "year", "value"]].astype(object)
    assert rows.where(rows.notna(), None).values.tolist() == [
        ["FI1D", 2019, 900.0],
        ["FI1D", 2020, 950.5],
        ["FI1D", 2021, None],  # empty cell: a missing value
        ["SE33", 2019, 1200.0],
        ["SE33", 2020, None],  # '..': a missing value
        ["SE33", 2021, 1300.0],
    ]


def test_xlsx_sheet_choice_and_title_rows(definitions: dict) -> None:
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Read me first"])
    sheet = book.create_sheet("Data 2021")
    sheet.append(["Employment by region (source: national offices)"])
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(["SE33", "C16", "employment", 2021, 1234.5, "persons", "SCB"])
    out = io.BytesIO()
    book.save(out)
    parsed = ingest.read(out.getvalue(), "book.xlsx", ingest.ReadOptions(sheet="Data 2021"))
    assert parsed.ok, parsed.failures
    assert parsed.sheets == ("Notes", "Data 2021")
    assert parsed.rows.tolist() == [4]
    checked = ingest.check(
        parsed, "observations", ingest.auto_map(parsed, "observations"), context(definitions), dataset="X"
    )
    assert checked.ok and checked.rows["year"].tolist() == [2021]
    first = ingest.read(out.getvalue(), "book.xlsx")  # no sheet chosen: the first one holding a table
    assert first.ok and first.sheet == "Data 2021" and first.rows.tolist() == [4]


def test_excel_values_are_the_same_through_calamine_and_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workbooks without formulas are read by calamine, those with formulas by openpyxl: every kind of cell,
    the corpus' workbooks and the templates come out the same either way (text, file rows, problems)."""
    from datetime import date, datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["Title row"])
    sheet.append([])
    sheet.append([None, "region_id", "year", "value", "when", "flag", "note"])
    sheet.append([None, "SE33", 2021, 1234.5, date(2021, 3, 1), True, "Ålands landskapsregering"])
    sheet.append([None, "FI1D", 2022.0, -0.25, datetime(2021, 3, 1, 12, 30), False, None])
    sheet.append([])
    sheet.append([None, "EE00", "2023", 10**15, None, None, "1,5"])
    sheet["D5"].number_format = "0.00%"
    out = io.BytesIO()
    book.save(out)
    corpus = Path(__file__).parent / "bad_files"
    workbooks = (
        {"kinds.xlsx": out.getvalue()}
        | {p.name: p.read_bytes() for p in corpus.glob("*.xlsx")}
        | {f"{t}.xlsx": ingest.template_xlsx(t) for t in ingest.UPLOADABLE}
    )
    for name, data in workbooks.items():
        with suppress(zipfile.BadZipFile), zipfile.ZipFile(io.BytesIO(data)) as archive:
            if ingest._has_formulas(archive):
                continue  # openpyxl reads it either way
        fast = ingest.read(data, name)
        monkeypatch.setattr(ingest.excel, "_has_formulas", lambda archive: True)
        slow = ingest.read(data, name)
        monkeypatch.undo()
        pd.testing.assert_frame_equal(fast.frame, slow.frame, obj=name)
        assert fast.rows.tolist() == slow.rows.tolist(), name
        pd.testing.assert_frame_equal(fast.failures, slow.failures, obj=name)
    kinds = ingest.read(workbooks["kinds.xlsx"], "kinds.xlsx")
    assert kinds.rows.tolist() == [4, 5, 7]
    assert kinds.frame.astype(object).values.tolist() == [
        ["SE33", "2021", "1234.5", "2021-03-01", "true", "Ålands landskapsregering"],
        ["FI1D", "2022", "-0.25", "2021-03-01 12:30:00", "false", ""],
        ["EE00", "2023", "1000000000000000", "", "", "1,5"],
    ]


def test_every_cell_with_bad_characters_is_reported() -> None:
    """Several converted-twice letters and control characters in one column: each cell gets its own line."""
    lines = ["region_id,sector,indicator,year,value,unit,source"] + [
        f"SE33,C16,employment,{2010 + i},1,persons,{text}"
        for i, text in enumerate(["LÃ¤nsstyrelsen", "Tilastokeskus", "SCB\x07", "Ã…lands"])
    ]
    parsed = ingest.read(("\n".join(lines) + "\n").encode(), "bad_letters.csv")
    shown = parsed.failures.sort_values("row")
    assert shown[["row", "check"]].values.tolist() == [[2, "encoding"], [4, "control"], [5, "encoding"]]
    assert set(shown["column"]) == {"source"}


def test_row_numbers_stay_right_with_blank_lines_and_line_breaks_in_cells(definitions: dict) -> None:
    data = (
        b"region_id,sector,indicator,year,value,unit,source\n"
        b'SE33,C16,employment,2021,1,persons,"two\nlines"\n'
        b"\n"
        b"SE99,C16,employment,2021,1,persons,x\n"
    )
    checked = read_and_check(data, "f.csv", definitions)
    error = checked.report.errors.iloc[0]
    assert (error["row"], error["column"], error["value"]) == (5, "region_id", "SE99")


def test_remembered_mapping_is_used_for_the_next_upload_of_the_source(store: Store, definitions: dict) -> None:
    demo.seed_store(store, definitions)
    data = "Kod;Branża;Rok;Liczba;Jednostka\nPL91;C16;2021;5;persons\n".encode()
    parsed = ingest.read(data, "gus.csv")
    mapping = ingest.auto_map(parsed, "observations", store.mapping(parsed.source_key, "observations"))
    assert "region_id" not in mapping.columns
    mapping.columns |= {"region_id": "Kod", "sector": "Branża", "year": "Rok", "value": "Liczba", "unit": "Jednostka"}
    mapping.constants |= {"indicator": "employment", "source": "GUS"}
    checked = ingest.check(
        parsed, "observations", mapping, ingest.Context.from_store(store, "observations"), dataset="GUS"
    )
    ingest.commit(store, checked, EDITOR)
    again = ingest.read("Kod;Branża;Rok;Liczba;Jednostka\nPL92;C16;2022;6;persons\n".encode(), "gus-2022.csv")
    remembered = ingest.auto_map(again, "observations", store.mapping(again.source_key, "observations"))
    assert remembered.columns["region_id"] == "Kod" and remembered.constants["indicator"] == "employment"


def test_preview_counts_added_changed_unchanged_and_taken(store: Store, definitions: dict) -> None:
    demo.seed_store(store, definitions)
    on_screen = store.current("observations").head(3).reset_index(drop=True)
    frame = on_screen.astype({"year": "string", "value": "string"}).astype("string")
    frame.loc[0, "value"] = "999999"
    new = frame.iloc[[0]].assign(year="2030")
    upload = pd.concat([frame, new], ignore_index=True).drop(columns=["flag"])
    data = upload.to_csv(index=False).encode()
    checked = ingest.load_file(store, data, "fix.csv", "observations", dataset="Corrections")
    assert checked.ok, checked.report.errors
    p = checked.preview
    assert p is not None
    assert (p.rows, p.added, p.changed, p.unchanged) == (4, 1, 1, 2)
    assert p.taken == {demo.DEMO_DATASET: 3}
    assert "3 rows of dataset 'Demo data (synthetic)' are replaced" in p.summary()


def test_commit_with_a_new_indicator_takes_over_rows_and_rolls_back(store: Store, definitions: dict) -> None:
    demo.seed_store(store, definitions)
    demo_rows = len(store.current("observations"))
    parsed = ingest.read(gzip.compress(TSV.encode()), "estat_sbs_r_nuts2021.tsv.gz")
    mapping = ingest.auto_map(parsed, "observations")
    mapping.constants["indicator"] = "sbs_employment"
    ctx = ingest.Context.from_store(store, "observations")
    assert ingest.new_indicator_ids(parsed, mapping, ctx) == ["sbs_employment"]
    without = ingest.check(parsed, "observations", mapping, ctx, dataset="Eurostat SBS")
    assert "unknown indicator 'sbs_employment'" in " ".join(without.report.errors["message"])
    definition = pd.DataFrame(
        [
            {
                "indicator_id": "sbs_employment",
                "name": "Employment (SBS)",
                "unit": "THS_PER",
                "additive": "true",
                "nonnegative": "true",
            }
        ]
    )
    checked = ingest.check(parsed, "observations", mapping, ctx, dataset="Eurostat SBS", new_indicators=definition)
    assert checked.ok, checked.report.errors
    revision = store.revision()
    versions = ingest.commit(store, checked, EDITOR)
    assert [v.table for v in versions] == ["indicators", "observations"]
    assert store.revision() == revision + 1, "one transaction, one revision"
    data = Data.load(store)
    assert "sbs_employment" in set(data["indicators"]["indicator_id"])
    assert len(data["observations"]) == demo_rows + 9, "7 values and 2 missing values (':', ': c')"
    listed = store.versions("observations")
    assert listed.iloc[0]["file_name"] == "estat_sbs_r_nuts2021.tsv.gz"
    assert listed.iloc[0]["created_by"] == "analyst" and listed.iloc[0]["rows"] == 9
    store.delete_version(versions[1].version_id, who=EDITOR)
    assert len(store.current("observations")) == demo_rows


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(schema.OBSERVATIONS.key)).reset_index(drop=True)


def test_rolling_back_a_takeover_gives_the_rows_back(store: Store, definitions: dict) -> None:
    """A fix of one demo row takes it over (the demo dataset gets a version without it); deleting the fix, or
    rolling its dataset back to an earlier version, gives the demo dataset its version from before."""
    demo.seed_store(store, definitions)
    before = store.current("observations")
    extra = before.iloc[[1]].assign(year=2031)  # a row no other dataset has
    first = store.commit_loads([Load("observations", extra, "Fix", take_over=True)], who=EDITOR)
    assert len(first) == 1
    fix = before.iloc[[0]].assign(value=42.0)
    own, shrunk = store.commit_loads([Load("observations", fix, "Fix", mode="replace", take_over=True)], who=EDITOR)
    assert shrunk.taken_over_by == own.version_id and shrunk.rows == len(before) - 1
    assert 42.0 in store.current("observations")["value"].tolist()
    restored = store.set_current(first[0].version_id, who=EDITOR)
    assert restored == [Restored(shrunk.dataset, shrunk.replaced_version, shrunk.version_id)]  # type: ignore[arg-type]
    assert "has its rows back" in restored[0].message()
    pd.testing.assert_frame_equal(
        sorted_rows(store.current("observations")),
        sorted_rows(pd.concat([before, schema.coerce(extra, schema.OBSERVATIONS)])),
    )
    assert store.delete_version(first[0].version_id, who=EDITOR) == []  # took nothing over
    pd.testing.assert_frame_equal(sorted_rows(store.current("observations")), sorted_rows(before))


def test_rows_given_back_never_collide_with_rows_shown_from_another_dataset(store: Store, definitions: dict) -> None:
    demo.seed_store(store, definitions)
    before = store.current("observations")
    own, shrunk = store.commit_loads(
        [Load("observations", before.iloc[[0]].assign(value=42.0), "Fix", take_over=True)], who=EDITOR
    )
    store.commit_loads([Load("observations", before.iloc[[0]].assign(value=7.0), "Other")], who=EDITOR)
    restored = store.delete_version(own.version_id, who=EDITOR)
    assert restored == [Restored(shrunk.dataset, shrunk.replaced_version, shrunk.version_id, 1)]  # type: ignore[arg-type]
    assert "was not made current again because 1 of its rows collide" in restored[0].message()
    shown = store.current("observations")
    assert len(shown) == len(before) and 7.0 in shown["value"].tolist() and 42.0 not in shown["value"].tolist()


def test_update_mode_keeps_other_rows_and_replace_mode_drops_them(store: Store, definitions: dict) -> None:
    demo.seed_store(store, definitions)
    first = pd.DataFrame(
        {
            "region_id": ["SE33", "SE33"],
            "sector": ["C16", "C16"],
            "indicator": ["patents"] * 2,
            "year": [2020, 2021],
            "value": [1.0, 2.0],
            "unit": ["x"] * 2,
            "source": ["s"] * 2,
        }
    )
    store.commit_loads([Load("observations", first, "P")], who=EDITOR)
    added = first.iloc[[1]].assign(year=2022, value=3.0)
    store.commit_loads([Load("observations", added, "P", mode="update")], who=EDITOR)
    mine = store.current_with_versions("observations").query("dataset == 'P'")
    assert sorted(mine["year"].tolist()) == [2020, 2021, 2022]
    store.commit_loads([Load("observations", added, "P", mode="replace")], who=EDITOR)
    mine = store.current_with_versions("observations").query("dataset == 'P'")
    assert mine["year"].tolist() == [2022]


def test_viewer_cannot_commit_an_upload(store: Store, definitions: dict) -> None:
    demo.seed_store(store, definitions)
    checked = ingest.load_file(store, csv_bytes(), "f.csv", "observations", dataset="T")
    assert checked.ok
    before = snapshot(store)
    with pytest.raises(PermissionDenied):
        ingest.commit(store, checked, Identity("visitor", "viewer"))
    assert_unchanged(before, snapshot(store))


@pytest.mark.parametrize("table", ingest.UPLOADABLE)
def test_templates_round_trip_without_errors(table: str, demo_data: dict) -> None:
    """The CSV and Excel templates of every table, uploaded unchanged, pass validation against the demo data."""
    ctx = ingest.Context.from_frames(demo_data, table)
    for name, data in ((f"{table}.csv", ingest.template_csv(table)), (f"{table}.xlsx", ingest.template_xlsx(table))):
        parsed = ingest.read(data, name)
        assert parsed.ok, parsed.failures
        checked = ingest.check(parsed, table, ingest.auto_map(parsed, table), ctx, dataset="Template")
        assert checked.ok, checked.report.errors
        assert len(checked.rows) == 1
    guide = load_workbook(io.BytesIO(ingest.template_xlsx(table)))["Columns"]
    described = [row[0].value for row in guide.iter_rows(min_row=2)]
    assert described == schema.TABLES[table].column_names


def test_column_guide_says_what_each_column_accepts() -> None:
    guide = ingest.column_guide("flows").set_index("column")
    assert guide.at["kind", "allowed values"] == "one of: goods, knowledge, investment"
    assert guide.at["value", "allowed values"] == "from 0"
    assert guide.at["year", "allowed values"] == "1990–2100"
    assert guide.at["chain_id", "part of the key"] == "yes"


def test_failures_are_capped_per_check_with_a_count(definitions: dict) -> None:
    rows = "\n".join(f"SE99,C16,employment,{1990 + i % 30},{i},persons,x" for i in range(1500))
    data = ("region_id,sector,indicator,year,value,unit,source\n" + rows + "\n").encode()
    parsed = ingest.read(data, "many.csv")
    mapping = ingest.auto_map(parsed, "observations")
    errors = ingest.check(parsed, "observations", mapping, context(definitions), dataset="X").report.errors
    regions = errors[errors["column"] == "region_id"]
    assert len(regions) == ingest.FAILURES_PER_CHECK + 1
    assert regions.iloc[-1]["message"] == "… and 500 more rows with the same problem"


def test_nuts_hints() -> None:
    names = {"NO082": "Viken", "NO020": "Innlandet", "SE33": "Övre Norrland", "SE32": "Mellersta Norrland"}
    pool = sorted(names)
    assert "use NO082 Viken" in str(ingest.nuts_hint("NO031", pool, names))
    assert ingest.nuts_hint("se33", pool, names) == "did you mean 'SE33'?"
    assert "outside the Interreg BSR programme area" in str(ingest.nuts_hint("DE21X", pool, names))
    assert "country IT" in str(ingest.nuts_hint("ITC4", pool, names))
    # statistical offices' own keys and unmatched names are named as such, not taken for foreign NUTS codes
    assert "is a national region key" in str(ingest.nuts_hint("01001", pool, names))
    assert "map the column with the region names" in str(ingest.nuts_hint("13", pool, names))
    hint = str(ingest.nuts_hint("Kreisfreie Stadt Greifswald, Hansestadt", pool, names))
    assert "neither a NUTS code nor the name of a NUTS 2021 region" in hint and "country" not in hint


def test_nuts_hints_follow_the_correspondence_before_similarity() -> None:
    """Issue 10, item 2: an old PL11 is today's PL71 (code change only, so recodable); LT00 was split and is never
    recoded; a code Excel turned into a date is named as such; a NUTS 2024 code points back to NUTS 2021."""
    names = {"PL71": "Łódzkie", "PL11X": "x", "LT01": "Sostinės regionas", "LT02": "Vidurio", "DEC0": "Saarland"}
    pool = sorted(names)
    assert "only its code changed: in NUTS 2021 it is PL71 Łódzkie" in str(ingest.nuts_hint("PL11", pool, names))
    pl11, lt00 = ingest.nuts_change("PL11"), ingest.nuts_change("LT00")
    assert pl11 is not None and lt00 is not None
    assert pl11.recodable and pl11.codes_2021 == ("PL71",)
    assert lt00.kind == "split" and set(lt00.codes_2021) == {"LT01", "LT02"} and not lt00.recodable
    assert "cannot be recoded" in str(ingest.nuts_hint("LT00", pool, names))
    assert "turned into a date by Excel" in str(ingest.nuts_hint("dec-00", pool, names))
    assert "a NUTS 2024 code" in str(ingest.nuts_hint("NL361", pool, names))
    table = ingest.nuts_correspondence()
    assert {"2010", "2013", "2016", "2021"} <= set(table["old_version"])
    assert set(table["change"]) <= {"recoded", "split", "merged", "boundary shift", "discontinued"}


def test_a_code_excel_made_a_date_cell_of_a_workbook_is_named_as_such(definitions: dict, tmp_path: Path) -> None:
    """Issue 10, item 2: DEC0 typed into Excel becomes 1 Dec 2000 (shown 'Dec-00'); a workbook holds the date
    cell, read as '2000-12-01'. The report names the damage and the code, not a 'neither code nor name'."""
    book = Workbook()
    book.active.append(["region_id", "sector", "indicator", "year", "value", "unit", "source"])
    book.active.append(["SE33", "C16", "employment", 2021, 1, "persons", "t"])
    book.active.append([dt.datetime(2000, 12, 1), "C16", "employment", 2021, 2, "persons", "t"])
    book.active["A3"].number_format = "mmm-yy"
    path = tmp_path / "typed.xlsx"
    book.save(path)
    parsed = ingest.read(path, path.name)
    context = ingest.Context.from_frames(definitions, "observations")
    checked = ingest.check(parsed, "observations", ingest.auto_map(parsed, "observations"), context, dataset="T")
    (error,) = checked.report.errors.itertuples()
    assert error.row == 3 and "is the code DEC0 (Saarland) turned into a date by Excel" in error.message
    names = {"DEC0": "Saarland", "DEC01": "Regionalverband Saarbrücken"}
    assert "the code DEC01" in str(ingest.nuts_hint("2001-12-01 00:00:00", sorted(names), names))
    assert "turned into a date" not in str(ingest.nuts_hint("2000-13-01", sorted(names), names))


def test_size_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ingest.MAX_UPLOAD_ENV, "2.5")
    assert ingest.max_upload_bytes() == int(2.5 * 1024 * 1024)
    monkeypatch.setenv(ingest.MAX_UPLOAD_ENV, "lots")
    assert ingest.max_upload_mb() == ingest.DEFAULT_MAX_UPLOAD_MB


def test_files_on_disk_are_read_without_loading_them_first(tmp_path: Path, definitions: dict) -> None:
    path = tmp_path / "big.csv.gz"
    lines = [",".join(HEADER)] + [f"SE33,C16,employment,{1990 + i},{i},persons,x" for i in range(100)]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    parsed = ingest.read(path, path.name)
    assert parsed.ok and len(parsed.frame) == 100 and parsed.rows[-1] == 101
