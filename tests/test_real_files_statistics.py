"""Real statistics files (BSR cuts in tests/real_files, provenance at the end of its README) of the kinds analysts
download from statistical offices' table tools: each loads through the command line with its recipe, three stored
values are compared with the raw file (read here without the ingest code) and the rows left out are counted by
kind (see `check_loads` in tests/test_real_files.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.test_real_files import FILES, RECIPES, Expected, Reader, check_loads, eurostat_tsv
from valuechain import cli_import


def data_explorer_csv(path: Path, geo: str, year: int, keep: dict[str, str]) -> tuple[float, str | None]:
    """Old Eurostat Data Explorer CSV: quoted, one row per observation, thousands grouped by commas (`27,600`)."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["GEO"] == geo and row["TIME"] == str(year):
                return float(row["Value"].replace(",", "")), row["Flag and Footnotes"] or None
    raise AssertionError(f"{geo} {year} not in {path.name}")


# The district and Land keys of the GENESIS tables for the regions compared (German official keys, AGS).
_GENESIS_KEYS = {
    "DEF01": "01001",
    "DE80K": "13072",
    "DE8": "13",
    "DEF0B": "01058",
    "DE803": "13003",
    "DE91C": "03159",
    "DE91": "031",
}


def _genesis_row(path: Path, encoding: str, geo: str) -> list[str]:
    """The cells of a GENESIS table's row of the region's official key (the key is in the first or second cell)."""
    rows = [line.split(";") for line in path.read_text(encoding=encoding).splitlines()]
    return next(row for row in rows if _GENESIS_KEYS[geo] in row[:2])


def genesis_population_csv(path: Path, geo: str, year: int, keep: dict[str, str]) -> tuple[float, str | None]:
    """Regionalstatistik 12411-01-01-4 (Latin-1, `;`): the reference date heads the columns, 'Insgesamt' first."""
    assert path.read_text(encoding="latin-1").splitlines()[6].split(";")[2] == f"31.12.{year}"
    return float(_genesis_row(path, "latin-1", geo)[2]), None


def genesis_hospitals_csv(path: Path, geo: str, year: int, keep: dict[str, str]) -> tuple[float, str | None]:
    """Regionalstatistik 23111-01-04-4 (`;`): the reference date opens each row, beds (annual average) follow the
    number of hospitals."""
    row = _genesis_row(path, "utf-8", geo)
    assert row[0] == f"31.12.{year}"
    return float(row[4]), None


def genesis_area_csv(path: Path, geo: str, year: int, keep: dict[str, str]) -> tuple[float, str | None]:
    """Regionalstatistik 11111-01-01-4 (Latin-1, `;`): the reference date opens each row, the area in km² with a
    decimal comma follows key and name."""
    row = _genesis_row(path, "latin-1", geo)
    assert row[0] == f"31.12.{year}"
    return float(row[3].replace(",", ".")), None


def oecd_sdmx_csv(path: Path, geo: str, year: int, keep: dict[str, str]) -> tuple[float, str | None]:
    """OECD Data Explorer SDMX-CSV: codes and labels in columns of their own (`MEASURE,Measure`), the region in
    REF_AREA; observation status A ("normal value") is no flag."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        head = next(rows)
        at = {name: head.index(name) for name in ("REF_AREA", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", *keep)}
        for row in rows:
            wanted = {"REF_AREA": geo, "TIME_PERIOD": str(year), **keep}
            if all(row[at[k]] == v for k, v in wanted.items()):
                status = row[at["OBS_STATUS"]]
                return float(row[at["OBS_VALUE"]]), None if status == "A" else status
    raise AssertionError(f"{geo} {year} not in {path.name}")


def pxweb_csv(path: Path, geo: str, year: int, keep: dict[str, str]) -> tuple[float, str | None]:
    """PXWeb "comma-separated with heading": a title line and a blank line above the header; one column per year.
    The table is national (the recipe sets the region), so `geo` only names where it was stored."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0].startswith("128c -- ") and rows[1] == []
    head = rows[2]
    row = next(r for r in rows[3:] if all(r[head.index(k)] == v for k, v in keep.items()))
    return float(row[head.index(str(year))]), None


CASES: dict[str, tuple[Reader, Expected]] = {
    "eurostat_dataexplorer_nama_10r_3gdp_bsr.csv": (
        data_explorer_csv,
        Expected(
            rows=78,
            values=(("DK014", 2014), ("DE80J", 2014), ("EE008", 2014)),
            left_out={"extra-regio": 3, "old-nuts": 2, "aggregate": 1},
        ),
    ),
    "eurostat_dataexplorer_nama_10r_2hhinc_bsr.csv": (
        data_explorer_csv,
        Expected(
            rows=18,
            values=(("DK01", 2007), ("DEF0", 2007), ("LV00", 2007)),
            left_out={"outside-area": 1, "extra-regio": 1},
            missing={":": 2},  # LT01 and LT02: stored as missing values
        ),
    ),
    "eurostat_dataexplorer_demo_r_pjanaggr3_bsr.csv": (
        data_explorer_csv,
        Expected(rows=22, values=(("DK014", 2016), ("DE300", 2016), ("DE", 2016)), left_out={"aggregate": 4}),
    ),
    "oecd_sdmxcsv_regional_deaths_pl428.csv": (
        oecd_sdmx_csv,
        Expected(rows=7, values=(("PL428", 2014), ("PL428", 2020), ("PL428", 2016))),
    ),
    "eurostat_tsv_demo_r_gind3_sample_bsr.tsv": (
        eurostat_tsv,
        Expected(
            rows=48,
            values=(("DE804", 2011), ("PL518", 2021), ("PL518", 2005)),
            left_out={"outside-area": 120},  # their ':' cells are rows too (left out with their region)
        ),
    ),
    "pxweb_statfin_128c_income_deciles_fi.csv": (
        pxweb_csv,
        Expected(rows=4, values=(("FI", 2020), ("FI", 2021), ("FI", 2023))),
    ),
    "genesis_regionalstatistik_12411-01-01-4_bsr.csv": (
        genesis_population_csv,
        Expected(rows=47, values=(("DEF01", 2018), ("DE80K", 2018), ("DE8", 2018)), left_out={"unusable": 8}),
    ),
    "genesis_regionalstatistik_11111-01-01-4_bsr.csv": (
        genesis_area_csv,
        # The recipe maps the official keys, read through data/district_keys_nuts3_de.csv (districts, Länder,
        # statistical regions; NRW's three rows too, NUTS 2021 regions outside the area): 'DG' (Germany) is no NUTS
        # code, outside the area; 19 districts dissolved by a reform (Göttingen and Osterode 2016, Kreis Aachen 2009,
        # Mecklenburg-Vorpommern 2011) are `old-district`; four municipalities' eight-digit keys (Hannover, Aachen,
        # two Berlin Bezirke) are unusable.
        Expected(
            rows=72,
            values=(("DE91C", 2018), ("DE80K", 2018), ("DE91", 2018)),
            left_out={"outside-area": 1, "old-district": 19, "unusable": 4},
        ),
    ),
    "genesis_regionalstatistik_23111-01-04-4_bsr.csv": (
        genesis_hospitals_csv,
        Expected(
            rows=27,
            values=(("DEF0B", 2017), ("DE803", 2017), ("DE8", 2017)),
            # GENESIS writes '-' for "nothing there", not for a missing figure: the recipe does not take it as a
            # missing marker, so the district dissolved in 2011 that shares its name with today's
            # (Nordwestmecklenburg) is left out as unusable instead of clashing with it as a missing value
            left_out={"unusable": 16},
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_statistics_file_loads_through_the_command_line_with_its_recipe(
    name: str, cli_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, expected = CASES[name]
    check_loads(name, raw, expected, cli_store, capsys)


def test_genesis_key_column_reads_as_nuts_and_names_dissolved_districts(
    cli_store: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An analyst who maps the GENESIS key column (`01001`, `13`) instead of the names gets the same districts: the
    keys are read through the shipped correspondence, each reading listed; the districts Mecklenburg-Vorpommern
    dissolved in 2011 are an `old-district` group whose rows say what became of them (never recoded), the Berlin
    Bezirke's eight-digit keys are named as national keys; nothing is stored until they are left out."""
    name = "genesis_regionalstatistik_12411-01-01-4_bsr.csv"
    recipe = json.loads((RECIPES / f"{Path(name).stem}.json").read_text(encoding="utf-8"))
    recipe["columns"]["region_id"] = "row label 1"
    recipe["leave_out"] = []
    mine = tmp_path / "recipe.json"
    mine.write_text(json.dumps(recipe), encoding="utf-8")
    argv = [str(FILES / name), "--recipe", str(mine), "--json", "--editor", "test analyst"]
    code = cli_import.main(argv)
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and not report["stored"]
    read = " ".join(e["message"] for e in report["warnings"]["region_name"]["examples"])
    assert "region German district key '01' read as DEF (Schleswig-Holstein)" in read
    assert report["warnings"]["rows:old-district"]["examples"][0]["value"].startswith("13001")
    blocked = report["errors"]["reference"]
    assert blocked["count"] == 9, "DG, the two Bezirke and the six dissolved districts"
    assert "is a national region key" in {e["value"]: e["message"] for e in blocked["examples"]}["11001001"]
    code = cli_import.main(
        [*argv, "--leave-out", "old-district", "--leave-out", "outside-area", "--leave-out", "unusable"]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report["errors"]
    assert report["rows"] == 46 and report["left_out"] == {"outside-area": 1, "old-district": 6, "unusable": 2}
