"""Issue 10, item 8: wide panels, one column per indicator. The analyst picks several value columns at once; each
becomes its own indicator in one version, errors name the file column, the "keep rows where" choice offers only
dimension-like columns, and the same choice is a recipe field and a command-line option."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.test_cli_import import db, write  # noqa: F401 (db is a fixture)
from valuechain import cli_import, demo, ingest
from valuechain.recipe import Recipe
from valuechain.store import DuckDBBackend, Store

# A research panel: region and year, then one column per indicator (and a label and a unit dimension).
PANEL = (
    "REG_ID,Region,Year,Scope,GDP per head (EUR),R&D intensity,Patents per million\n"
    "SE33,Övre Norrland,2021,all,52000,2.1,120\n"
    "FI1D,Pohjois- ja Itä-Suomi,2021,all,38000,:,95\n"
    "DK01,Hovedstaden,2021,all,71000,4.9,NA\n"
    "DK01,Hovedstaden,2021,firms,70000,4.8,101\n"
)


@pytest.fixture(scope="module")
def context() -> ingest.Context:
    return ingest.Context.from_frames(demo.load_definitions(), "observations")


def definitions(*ids: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"indicator_id": i, "name": i, "unit": f"{i} unit", "additive": "false", "nonnegative": "true"} for i in ids]
    )


def test_value_columns_are_found_and_numeric_columns_are_no_keep_filter() -> None:
    parsed = ingest.read(PANEL.encode(), "panel.csv")
    mapping = ingest.auto_map(parsed, "observations")
    assert mapping.columns["region_id"] == "REG_ID", "the code column, not the label column"
    assert ingest.value_column_candidates(parsed, mapping) == [
        "GDP per head (EUR)",
        "R&D intensity",
        "Patents per million",
    ]
    offered = ingest.unmapped_dimensions(parsed, mapping)
    assert offered["Scope"] == ["all", "firms"] and set(offered) == {"Scope", "Region"}, "no numeric column offered"
    assert ingest.indicator_id_for("GDP per head (EUR)") == "gdp_per_head_eur"


def test_each_value_column_becomes_its_own_indicator_in_one_check(context: ingest.Context) -> None:
    parsed = ingest.read(PANEL.encode(), "panel.csv")
    mapping = ingest.auto_map(parsed, "observations")
    mapping.constants |= {"sector": "TOTAL"}
    mapping.filters["Scope"] = "all"
    mapping.values = {"GDP per head (EUR)": "gdp_pc", "R&D intensity": "gerd", "Patents per million": "patents_pm"}
    assert ingest.new_indicator_ids(parsed, mapping, context) == ["gdp_pc", "gerd", "patents_pm"]
    checked = ingest.check(
        parsed,
        "observations",
        mapping,
        context,
        dataset="Panel",
        new_indicators=definitions("gdp_pc", "gerd", "patents_pm"),
    )
    assert checked.ok, checked.report.errors
    rows = checked.rows.set_index(["region_id", "indicator"])
    assert len(rows) == 9 and rows.loc[("SE33", "gerd"), "value"] == 2.1
    assert rows.loc[("DK01", "gdp_pc"), "value"] == 71000 and rows.loc[("DK01", "gdp_pc"), "unit"] == "gdp_pc unit"
    assert pd.isna(rows.loc[("FI1D", "gerd"), "value"]) and pd.isna(rows.loc[("DK01", "patents_pm"), "value"])
    (missing,) = [g for g in checked.groups if g.kind == "missing"]
    assert dict(missing.markers) == {":": 1, "NA": 1}
    assert checked.mapping.values["R&D intensity"] == "gerd", "the analyst's mapping is kept as chosen"


def test_an_error_names_the_value_column_it_is_in(context: ingest.Context) -> None:
    parsed = ingest.read(PANEL.replace("4.9", "4.9!").encode(), "panel.csv")
    mapping = ingest.auto_map(parsed, "observations")
    mapping.constants["sector"] = "TOTAL"
    mapping.filters["Scope"] = "all"
    mapping.values = {"GDP per head (EUR)": "gdp_pc", "R&D intensity": "gerd"}
    checked = ingest.check(
        parsed, "observations", mapping, context, dataset="P", new_indicators=definitions("gdp_pc", "gerd")
    )
    error = checked.report.errors.iloc[0]
    assert (error["row"], error["column"], error["value"]) == (4, "R&D intensity (value)", "4.9!")


def test_the_recipe_holds_the_value_columns(tmp_path: Path) -> None:
    recipe = Recipe(values={"R&D intensity": "gerd"}, constants={"sector": "TOTAL"})
    path = tmp_path / "r.json"
    recipe.save(path)
    again = Recipe.load(path)
    assert again.values == {"R&D intensity": "gerd"} and again.column_map().values == {"R&D intensity": "gerd"}
    assert Recipe.from_stored(recipe.stored(), "observations").values == {"R&D intensity": "gerd"}
    with pytest.raises(ingest.IngestError, match="for observations"):
        Recipe.from_dict({"table": "flows", "values": {"x": "y"}})


def test_the_command_line_takes_value_columns(
    db: Path,  # noqa: F811 (the fixture)
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    file = write(tmp_path, "panel.csv", PANEL)
    argv = [str(file), "--set", "sector=TOTAL", "--keep", "Scope=all", "--editor", "x", "--json"]
    argv += ["--value-column", "GDP per head (EUR)=gdp_pc", "--value-column", "R&D intensity"]
    argv += ["--new-indicator", "gdp_pc", "GDP per head", "EUR", "rate"]
    argv += ["--new-indicator", "r_d_intensity", "R&D intensity", "% of GDP", "rate"]
    argv += ["--save-recipe", str(tmp_path / "panel.json")]
    assert cli_import.main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["stored"] and report["rows"] == 6 and report["missing_values"] == {":": 1}
    store = Store(DuckDBBackend(str(db)))
    try:
        rows = store.current("observations")
    finally:
        store.close()
    mine = rows[rows["indicator"].isin(["gdp_pc", "r_d_intensity"])]
    assert sorted(mine["indicator"].unique()) == ["gdp_pc", "r_d_intensity"] and len(mine) == 6
    saved = json.loads((tmp_path / "panel.json").read_text(encoding="utf-8"))
    assert saved["values"] == {"GDP per head (EUR)": "gdp_pc", "R&D intensity": "r_d_intensity"}
    assert cli_import.main([str(file), "--table", "flows", "--value-column", "x", "--dry-run"]) == 2
