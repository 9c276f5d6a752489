"""Issue 10, item 8: a real wide panel (one column per indicator) loads through the command line with its recipe;
each picked value column becomes its own indicator in one version, and for each of them three stored values are
compared with the raw file, read here with the csv module only. Provenance: tests/real_files/README.md."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from tests.test_real_files import FILES, Expected, load_with_recipe

PANEL = "datacommons_eurostat_gdp_nuts_wide_bsr.csv"
# 11 regions (DEG0P, nine Danish ones and Denmark, `country/DNK`, recoded from ISO-3 to DK) × 3 years × 3 value
# columns; DEG0P has no 2022 values (3 empty cells: missing values); nothing is left out.
EXPECTED = Expected(
    rows=99,
    values=(("DK011", 2021), ("DK014", 2022), ("DK0", 2020)),
    missing={"": 3},
)


def panel_cell(path: Path, geo: str, year: int, column: str) -> float | None:
    """One cell of the panel, by its Data Commons region id (`nuts/DK011`), year and column."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["geo"] in (f"nuts/{geo}", f"country/{geo}") and row["time"] == str(year):
                return float(row[column]) if row[column].strip() else None
    raise AssertionError(f"{geo} {year} not in {path.name}")


def test_a_wide_panel_loads_one_indicator_per_value_column(cli_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipe, stored = load_with_recipe(PANEL, EXPECTED, cli_store, capsys)
    columns = recipe["values"]
    assert len(columns) == 3
    mine = stored[stored["source"] == recipe["constants"]["source"]]
    assert set(mine["indicator"]) == set(columns.values()) and len(mine) == EXPECTED.rows
    for column, indicator in columns.items():
        of_one = mine[mine["indicator"] == indicator]
        assert len(of_one) == EXPECTED.rows // 3
        for geo, year in EXPECTED.values:
            row = of_one[(of_one["region_id"] == geo) & (of_one["year"] == year)]
            assert len(row) == 1, (indicator, geo, year)
            assert row["value"].iat[0] == pytest.approx(panel_cell(FILES / PANEL, geo, year, column))
        denmark = of_one[(of_one["region_id"] == "DK") & (of_one["year"] == 2021)]
        assert denmark["value"].iat[0] == pytest.approx(panel_cell(FILES / PANEL, "DNK", 2021, column))
        gap = of_one[(of_one["region_id"] == "DEG0P") & (of_one["year"] == 2022)]
        assert len(gap) == 1 and pd.isna(gap["value"].iat[0]), "an empty cell is a missing value, not left out"
    units = dict(zip(mine["indicator"], mine["unit"], strict=False))
    assert units["gdp_eur_hab"] == "EUR per inhabitant", "each indicator takes its own unit from its definition"
