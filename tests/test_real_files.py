"""Real public files (BSR cuts in tests/real_files, provenance in its README) load through the command line with
their recipe in tests/recipes; per file, three stored values are compared with the raw file, read here without
the ingest code, and the rows left out are counted by kind."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from valuechain import cli_import
from valuechain.store import DuckDBBackend, Store

HERE = Path(__file__).resolve().parent
FILES = HERE / "real_files"
RECIPES = HERE / "recipes"


@dataclass(frozen=True)
class Expected:
    rows: int
    values: tuple[tuple[str, int], ...]  # (region, year) pairs whose value and flag are compared with the raw file
    left_out: dict[str, int] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)  # rows stored as missing values, by marker as typed


def eurostat_tsv(path: Path, geo: str, year: int, keep: dict[str, str]) -> tuple[float, str | None]:
    """The value and flag of one cell of a Eurostat bulk TSV (either layout), read directly."""
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    dims = head[0].split("\\")[0].split(",")
    years = [h.strip() for h in head[1:]]
    for line in lines[1:]:
        cells = line.split("\t")
        key = dict(zip(dims, cells[0].split(","), strict=True))
        if key["geo"] == geo and all(key[k] == v for k, v in keep.items()):
            number, _, flag = cells[1 + years.index(str(year))].strip().partition(" ")
            return float(number), flag or None
    raise AssertionError(f"{geo} {year} not in {path.name}")


def sdmx_csv(path: Path, geo: str, year: int, keep: dict[str, str]) -> tuple[float, str | None]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["geo"] == geo and row["TIME_PERIOD"] == str(year) and all(row[k] == v for k, v in keep.items()):
                return float(row["OBS_VALUE"]), row["OBS_FLAG"] or None
    raise AssertionError(f"{geo} {year} not in {path.name}")


def data_browser_xlsx(path: Path, geo: str, year: int, keep: dict[str, str]) -> tuple[float, str | None]:
    """A Data Browser sheet read with openpyxl: the TIME row names the year columns, each followed by its flags."""
    from openpyxl import load_workbook

    rows = [[c for c in r] for r in load_workbook(path, read_only=True)["Sheet 1"].iter_rows(values_only=True)]
    years = next(r for r in rows if r and r[0] == "TIME")
    column = years.index(str(year))
    line = next(r for r in rows if r and r[0] == geo)
    return float(line[column]), line[column + 1] or None


CASES = {
    "data_browser_tgs00042_gerd_bsr.xlsx": (
        data_browser_xlsx,
        Expected(
            rows=142,
            values=(("DE80", 2021), ("FI1B", 2022), ("PL91", 2021)),
            left_out={"extra-regio": 2},
            missing={":": 45},
        ),
    ),
    "eurostat_tsv2023_nama_10r_3empers_bsr.tsv": (
        eurostat_tsv,
        Expected(rows=84, values=(("FI1D3", 2021), ("DED2F", 2020), ("DEB15", 2000)), missing={":": 18}),
    ),
    "sdmxcsv_tgs00042_gerd_bsr.csv": (
        sdmx_csv,
        Expected(rows=97, values=(("DE80", 2021), ("FI1B", 2022), ("PL91", 2021)), left_out={"extra-regio": 2}),
    ),
    "sdmxcsv_nama_10r_2gdp_bsr.csv": (
        sdmx_csv,
        Expected(rows=117, values=(("DK01", 2022), ("SE33", 2022), ("PL71", 2022)), left_out={"extra-regio": 8}),
    ),
    "eurostat_tsv_old_edat_lfse_04_de.tsv": (
        eurostat_tsv,
        Expected(rows=260, values=(("DE30", 2019), ("DE60", 2004), ("DEF", 2014)), missing={":": 5}),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_file_loads_through_the_command_line_with_its_recipe(
    name: str, cli_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, expected = CASES[name]
    check_loads(name, raw, expected, cli_store, capsys)


Reader = Callable[[Path, str, int, dict[str, str]], tuple[float, str | None]]


def run_recipe(
    name: str, table: str, cli_store: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[dict, dict, pd.DataFrame, pd.Series]:
    """A real file through the command line with its recipe, stored by the test analyst; returns the recipe, the
    report, the table's stored rows and the file's version record. Shared by every real-file module."""
    recipe_path = RECIPES / f"{Path(name).stem}.json"
    recipe = json.loads(recipe_path.read_text(encoding="utf-8"))
    code = cli_import.main([str(FILES / name), "--recipe", str(recipe_path), "--json", "--editor", "test analyst"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report["errors"]
    assert report["stored"]
    store = Store(DuckDBBackend(str(cli_store)))
    try:
        stored = store.current(table)
        versions = store.versions(table)
    finally:
        store.close()
    version = versions[versions["dataset"] == recipe["dataset"]].iloc[0]
    assert version["created_by"] == "test analyst" and version["file_name"] == name
    return recipe, report, stored, version


def load_with_recipe(
    name: str, expected: Expected, cli_store: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[dict, pd.DataFrame]:
    """An observations file through `run_recipe`, checked against the report's counts; returns the recipe and the
    stored observations."""
    recipe, report, stored, _ = run_recipe(name, "observations", cli_store, capsys)
    assert report["rows"] == expected.rows
    assert report["left_out"] == expected.left_out
    assert report["missing_values"] == expected.missing
    return recipe, stored


def check_loads(
    name: str, raw: Reader, expected: Expected, cli_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One real observations file through the command line with its recipe: the report's counts, the version's
    record, and three stored values and flags against the raw file read by `raw`. Shared by every real-file module."""
    recipe, stored = load_with_recipe(name, expected, cli_store, capsys)
    mine = stored[stored["indicator"] == recipe["constants"]["indicator"]]
    assert len(mine) == expected.rows
    for geo, year in expected.values:
        value, flag = raw(FILES / name, geo, year, recipe["keep"])
        row = mine[(mine["region_id"] == geo) & (mine["year"] == year)]
        assert len(row) == 1, (geo, year)
        assert row["value"].iat[0] == pytest.approx(value)
        stored_flag = row["flag"].iat[0]
        assert (None if pd.isna(stored_flag) else stored_flag) == flag


def test_finnish_erdf_list_is_read_by_its_commas_and_its_damaged_rows_are_left_out_as_unusable(
    cli_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every line of the published list ends in a stray ';': the file is comma-separated all the same. The two rows
    whose cells the publisher shifted (a comma inside a name, a missing date) fail their checks; the recipe leaves
    them out as `unusable` (one group, offered with its rows and what is wrong), counted in the report and in the
    version's record with their cells; the other nine projects are stored with the values of the raw file."""
    name = "erdf_2014_2020_fi_projektilista.csv"
    recipe = RECIPES / f"{Path(name).stem}.json"
    code = cli_import.main([str(FILES / name), "--recipe", str(recipe), "--json", "--editor", "test analyst"])
    report = json.loads(capsys.readouterr().out)
    assert report["read_as"] == "CSV · UTF-8 · comma-separated · 11 records"
    assert code == 0, report["errors"]
    assert report["stored"] and report["rows"] == 9 and report["left_out"] == {"unusable": 2}
    group = report["warnings"]["rows:unusable"]["examples"][0]["message"]
    assert group.startswith("2 rows have values the explorer cannot use")
    assert (
        "row 11, Myönnetty EU- ja valtion rahoitus (public_funding_eur): 'AVOIN YHTIÖ' is not a valid number" in group
    )
    assert "; row 12, Aloituspvm (start_year): '425180' must be at most 2100" in group and "left out as chosen" in group
    with (FILES / name).open(encoding="utf-8", newline="") as handle:
        raw = {r[0]: r for r in list(csv.reader(handle))[1:]}
    assert raw["A70356"][9] == " AVOIN YHTIÖ" and raw["A70359"][6] == "425180"  # the two shifted rows, as published
    store = Store(DuckDBBackend(str(cli_store)))
    try:
        projects = store.current("projects").set_index("project_id")
        versions = store.versions("projects")
        version = versions[versions["dataset"] == "ERDF FI 2014-2020"].iloc[0]
        left = pd.read_csv(io.StringIO(store.left_out_rows(int(version["version_id"]))), dtype=str)
    finally:
        store.close()
    mine = projects[projects["programme"] == "ERDF Finland 2014-2020"]
    assert sorted(mine.index) == sorted(k.lower() for k in raw if k not in ("A70356", "A70359"))
    assert mine.at["a70301", "budget_eur"] == float(raw["A70301"][11])  # Suunniteltu julkinen rahoitus yhteensä
    assert mine.at["a70306", "public_funding_eur"] == float(raw["A70306"][9])  # Myönnetty EU- ja valtion rahoitus
    assert mine.at["a70303", "start_year"] == int(raw["A70303"][6][-4:])  # Aloituspvm 1.1.2015
    assert int(version["left_out"]) == 2 and version["left_out_kinds"] == "unusable 2"
    assert list(left["file_row"]) == ["11", "12"] and set(left["left_out_as"]) == {"unusable"}


def test_keeping_rows_by_any_value_of_any_dimension_of_every_real_file_never_crashes(demo_data: dict) -> None:
    """Issue 10, item 10, for the real files (tests/test_ingest_corpus.py does the bad-file corpus): each real file
    with its recipe, its rows kept by each value of each dimension the "keep rows where" choice offers (the recipe's
    own keep for that column set aside), gives a report; when it passes, every kept row is stored, left out by kind
    or a missing value: none is lost."""
    from valuechain import demo, ingest
    from valuechain.recipe import Recipe

    frames = demo.load_definitions() | {n: demo_data[n].head(60) for n in ("observations", "projects", "actors")}
    checks = 0
    for recipe_path in sorted(RECIPES.glob("*.json")):
        recipe = Recipe.load(recipe_path)
        file = next(FILES.glob(f"{recipe_path.stem}.*"))
        parsed = ingest.read(file, file.name, recipe.read_options())
        context = ingest.Context.from_frames(frames, recipe.table)
        base = ingest.auto_map(parsed, recipe.table, recipe.column_map())
        unfiltered = ingest.ColumnMap(dict(base.columns), dict(base.constants), {}, dict(base.values))
        for col, values in ingest.unmapped_dimensions(parsed, unfiltered).items():
            for value in values:
                mapping = ingest.ColumnMap(
                    dict(base.columns), dict(base.constants), base.filters | {col: value}, dict(base.values)
                )
                checked = ingest.check(
                    parsed, recipe.table, mapping, context, dataset=recipe.dataset, mode=recipe.mode,
                    new_indicators=recipe.definitions(), decimal=recipe.read_options().decimal, choices=recipe.choices,
                )  # fmt: skip
                checks += 1
                if checked.ok and recipe.table == "observations":
                    kept = pd.Series(True, index=parsed.frame.index)
                    for c, v in mapping.filters.items():
                        kept &= parsed.frame[c].astype("str").str.strip() == str(v).strip()
                    expected = int(kept.sum()) * max(1, len(mapping.values))
                    assert len(checked.rows) + len(checked.left_out) == expected, (file.name, col, value)
    assert checks > 150, checks
