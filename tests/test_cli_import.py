"""Recipes and `python -m valuechain import`: exit codes, the JSON report, recipes saved, loaded and remembered."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from valuechain import cli_import, ingest
from valuechain.__main__ import main as dispatch
from valuechain.ingest import ColumnMap, IngestError, RowChoices
from valuechain.recipe import Recipe, remembered
from valuechain.store import DuckDBBackend, Store

TSV = (
    "freq,nace_r2,unit,geo\\TIME_PERIOD\t2019 \t2020 \t2021 \n"
    "A,C16,THS_PER,SE33\t1.2 \t1.3 p\t: \n"
    "A,C16,THS_PER,FI1D\t2.5 e\t: c\t2.7 \n"
)
BAD = "freq,nace_r2,unit,geo\\TIME_PERIOD\t2021 \nA,C16,THS_PER,SE33\t1.2 \nA,C16,THS_PER,XX99\t2.0 \n"
NEW = ["--set", "indicator=wood_ths", "--new-indicator", "wood_ths", "Wood employment", "thousand persons", "sum"]


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch, seeded_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "cli.duckdb"
    shutil.copy(seeded_db, path)
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(path))
    monkeypatch.delenv(cli_import.EDITOR_ENV, raising=False)
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = cli_import.main(argv)
    out = capsys.readouterr().out
    return code, json.loads(out) if "--json" in argv and out else {}


def stored(db: Path, indicator: str) -> list[tuple]:
    store = Store(DuckDBBackend(str(db)))
    try:
        rows = store.current("observations")
    finally:
        store.close()
    rows = rows[rows["indicator"] == indicator].sort_values(["region_id", "year"])
    return [
        (r, y, None if pd.isna(v) else v) for r, y, v in rows[["region_id", "year", "value"]].itertuples(index=False)
    ]


def test_dry_run_reports_what_would_be_stored_and_stores_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, "wood.tsv", TSV)
    code, report = run([str(file), *NEW, "--dry-run", "--json"], capsys)
    assert code == 0
    assert report["ok"] and not report["stored"] and report["dry_run"]
    assert report["rows"] == 6 and report["errors"] == {}, "4 values and 2 missing values"
    assert "flag" in report["warnings"]
    assert stored(db, "wood_ths") == []


def test_import_stores_through_the_store_as_the_named_editor(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli_import.EDITOR_ENV, "Kari Analyst")
    file = write(tmp_path, "wood.tsv", TSV)
    code, report = run([str(file), *NEW, "--dataset", "Wood", "--json"], capsys)
    assert code == 0 and report["stored"]
    assert stored(db, "wood_ths") == [
        ("FI1D", 2019, 2.5),
        ("FI1D", 2020, None),  # ': c', confidential
        ("FI1D", 2021, 2.7),
        ("SE33", 2019, 1.2),
        ("SE33", 2020, 1.3),
        ("SE33", 2021, None),  # ':'
    ]
    store = Store(DuckDBBackend(str(db)))
    try:
        version = store.versions("observations").iloc[0]
    finally:
        store.close()
    assert (version["dataset"], version["created_by"], version["file_name"]) == ("Wood", "Kari Analyst", "wood.tsv")


def test_errors_block_with_exit_1_and_are_grouped_by_kind_with_examples(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, "bad.tsv", BAD)
    code, report = run([str(file), *NEW, "--editor", "x", "--json"], capsys)
    assert code == 1
    assert not report["ok"] and not report["stored"] and report["rows"] == 0
    reference = report["errors"]["reference"]
    assert reference["count"] == 1
    assert reference["examples"][0]["value"] == "XX99" and reference["examples"][0]["row"] == 3
    assert stored(db, "wood_ths") == []


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--no-such-option"],
        ["{file}", "--map", "geo"],
        ["{file}", "--set", "nonsense=1"],
        ["{file}", "--new-indicator", "x", "X", "u", "average"],
        ["{file}", "--recipe", "{missing}"],
        ["{file}", "--leave-out", "martians"],
        ["{missing}"],
        ["{file}"],  # no editor named, and not a dry run
    ],
)
def test_usage_errors_exit_2_and_store_nothing(
    argv: list[str], db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, "wood.tsv", TSV)
    args = [a.format(file=file, missing=tmp_path / "missing.json") for a in argv]
    assert cli_import.main(args) == 2
    assert capsys.readouterr().err.strip()
    assert stored(db, "wood_ths") == []


def test_the_dispatcher_runs_the_import_command(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path, "wood.tsv", TSV)
    assert dispatch(["import", str(file), *NEW, "--dry-run"]) == 0
    assert "would store 6 rows" in capsys.readouterr().out


def test_a_saved_recipe_loads_next_years_file_in_one_step(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = tmp_path / "wood.json"
    first = write(tmp_path, "wood.tsv", TSV)
    code, _ = run([str(first), *NEW, "--keep", "unit=THS_PER", "--dry-run", "--save-recipe", str(recipe)], capsys)
    assert code == 0
    saved = Recipe.load(recipe)
    assert saved.constants["indicator"] == "wood_ths" and saved.keep == {"unit": "THS_PER"}
    assert saved.new_indicators[0]["additive"] is True
    next_year = write(tmp_path, "wood_2025.tsv", TSV.replace("2021 ", "2022 "))
    code, report = run([str(next_year), "--recipe", str(recipe), "--editor", "x", "--json"], capsys)
    assert code == 0 and report["stored"]
    assert ("FI1D", 2022, 2.7) in stored(db, "wood_ths")


def test_the_recipe_is_remembered_per_source_with_the_mapping(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, "wood.tsv", TSV)
    assert cli_import.main([str(file), *NEW, "--dataset", "Wood", "--editor", "x"]) == 0
    capsys.readouterr()
    store = Store(DuckDBBackend(str(db)))
    try:
        parsed = ingest.read(file, file.name)
        again = remembered(store, parsed.source_key, "observations")
        mapping = ColumnMap.from_stored(store.mapping(parsed.source_key, "observations"))
    finally:
        store.close()
    assert again.dataset == "Wood" and again.constants["indicator"] == "wood_ths"
    assert again.new_indicators[0]["indicator_id"] == "wood_ths"
    assert mapping.constants["indicator"] == "wood_ths"  # the page's mapping memory reads the same entry
    code, report = run([str(file), "--editor", "x", "--json"], capsys)  # no options: the remembered recipe
    assert code == 0 and report["dataset"] == "Wood" and report["rows"] == 6


def test_recipe_json_round_trip_and_clear_messages_for_bad_recipes() -> None:
    recipe = Recipe(
        table="observations",
        read={"sheet": "Data", "decimal": ","},
        columns={"region_id": "geo"},
        constants={"sector": "TOTAL"},
        keep={"unit": "THS_PER"},
        dataset="Eurostat x",
        choices=RowChoices(leave_out=frozenset({"extra-regio"}), missing=(":", "NA")),
        extra={"comment": "kept as given"},
    )
    again = Recipe.from_json(recipe.to_json())
    assert again == recipe
    assert again.read_options().sheet == "Data" and again.column_map().filters == {"unit": "THS_PER"}
    for text, words in [
        ("[]", "JSON object"),
        ("{", "not valid JSON"),
        ('{"table": "regions_typo"}', "cannot be loaded"),
        ('{"read": {"colour": "red"}}', "unknown reading option"),
        ('{"columns": {"nuts": "geo"}}', "not column.s. of observations"),
        ('{"mode": "merge"}', "update"),
        ('{"recipe": 99}', "format"),
        ('{"leave_out": ["everything"]}', "not known"),
    ]:
        with pytest.raises(IngestError, match=words):
            Recipe.from_json(text)


def workbook(tmp_path: Path) -> Path:
    """An office's workbook: a notes sheet first, the data on sheet 'Data' below a title and a blank row, decimal
    commas, 'x' for a missing value, and a region value of every kind the report groups."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Employment in wood products, persons; x = not published"])
    sheet = book.create_sheet("Data")
    sheet.append(["Employment in wood products"])
    sheet.append([])
    sheet.append(["REG_ID", "Year", "Persons"])
    for region, value in [
        ("SE33", "1 234,5"),
        ("FI1D", "x"),
        ("DKZZ", "5"),  # extra-regio
        ("EU27_2020", "5"),  # aggregate
        ("DNK", "7,5"),  # ISO-3 → DK
        ("PL11", "2,5"),  # NUTS 2013, only the code changed → PL71
        ("LT00", "3"),  # NUTS 2013, split into LT01 and LT02: never recoded
        ("ITC4", "5"),  # outside the programme area
        ("SE99", "5"),  # no NUTS version knows it
        ("hello", "5"),  # no region at all
    ]:
        sheet.append([region, "2021", value])
    path = tmp_path / "office.xlsx"
    book.save(path)
    return path


def test_every_reading_and_row_option_of_the_command_line(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--sheet, --header-row, --decimal, --missing, every --leave-out kind, --recode iso3 and old-nuts, --mode: the
    report counts every row by kind, and undecided groups name the options that decide them."""
    file = workbook(tmp_path)
    given = [str(file), *NEW, "--set", "sector=C16", "--set", "unit=persons", "--set", "source=office"]
    given += ["--sheet", "Data", "--header-row", "3", "--decimal", "comma", "--map", "Persons=value", "--json"]
    code, blocked = run([*given, "--dry-run"], capsys)
    assert code == 1 and not blocked["ok"]
    assert blocked["undecided"]["iso3"] == {
        "rows": 1,
        "examples": ["DNK"],
        "options": ["--leave-out iso3", "--recode iso3"],
    }
    assert blocked["undecided"]["old-nuts"]["options"] == ["--leave-out old-nuts", "--recode old-nuts"]
    assert set(blocked["undecided"]) == {
        "extra-regio", "aggregate", "iso3", "old-nuts", "outside-area", "unknown-region", "unusable",
    }  # fmt: skip
    by_value = {e["value"]: e["message"] for e in blocked["errors"]["dtype"]["examples"]}
    assert "'x' is not a valid number" in by_value["x"], "x is no missing marker unless named"
    hints = {e["value"]: e["message"] for e in blocked["errors"]["reference"]["examples"]}
    assert "extra-regio code" in hints["DKZZ"] and "aggregate of countries" in hints["EU27_2020"]
    assert "ISO-3 code of the country DK" in hints["DNK"]

    kinds = ["extra-regio", "aggregate", "old-nuts", "outside-area", "unknown-region", "unusable"]
    chosen = [*given, "--missing", "x", "--recode", "iso3", "--recode", "old-nuts"]
    chosen += [a for kind in kinds for a in ("--leave-out", kind)]
    code, report = run([*chosen, "--editor", "Kari Analyst", "--mode", "replace"], capsys)
    assert code == 0 and report["ok"] and report["stored"] and report["mode"] == "replace"
    assert report["undecided"] == {} and report["missing_values"] == {"x": 1}
    assert report["left_out"] == {k: 1 for k in kinds}, "LT00 is left out as old-nuts, never recoded"
    assert report["rows"] + sum(report["left_out"].values()) == 10, "no row dropped without being counted"
    assert stored(db, "wood_ths") == [
        ("DK", 2021, 7.5),
        ("FI1D", 2021, None),
        ("PL71", 2021, 2.5),
        ("SE33", 2021, 1234.5),
    ]


def test_an_empty_database_is_a_usage_error_naming_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the reference tables every region would be 'unknown': the command says to run init instead."""
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(tmp_path / "empty.duckdb"))
    file = write(tmp_path, "wood.tsv", TSV)
    assert cli_import.main([str(file), *NEW, "--dry-run"]) == 2
    assert "python -m valuechain init" in capsys.readouterr().err
