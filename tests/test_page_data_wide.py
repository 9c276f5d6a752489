"""Issue 10, item 8 on the Data page: the analyst picks a wide panel's value columns at once, each becomes its own
indicator (named after its column until renamed, defined in the form), the "keep rows where" choice offers no
numeric column, and one commit stores every indicator in one version."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_page_data import button, data_of, editor, report, upload

pytestmark = pytest.mark.usefixtures("app_db")

PANEL = (
    "REG_ID,Region,Year,Scope,GDP per head (EUR),R&D intensity,Patents per million\n"
    "SE33,Övre Norrland,2021,all,52000,2.1,120\n"
    "FI1D,Pohjois- ja Itä-Suomi,2021,all,38000,: c,95\n"
    "DK01,Hovedstaden,2021,all,71000,4.9,101\n"
    "DK01,Hovedstaden,2021,firms,70000,4.8,101\n"
)


def test_editor_picks_several_value_columns_and_commits_them_as_indicators(seeded_db: Path) -> None:
    at = editor()
    upload(at, "panel.csv", PANEL.encode())
    picker = at.multiselect(key="valuecols")
    assert picker.options == ["GDP per head (EUR)", "R&D intensity", "Patents per million"]
    keep = {s.label for s in at.selectbox if s.label.startswith("Keep rows where")}
    assert keep == {"Keep rows where Scope is", "Keep rows where Region is"}, "no numeric column is offered"
    picker.set_value(["GDP per head (EUR)", "R&D intensity"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="valueind_R&D intensity").value == "r_d_intensity"
    at.text_input(key="valueind_GDP per head (EUR)").input("gdp_pc").run()
    at.selectbox(key="filter_Scope").set_value("all").run()
    at.text_input(key="const_sector").input("TOTAL").run()
    # Both indicators are new: the form is there for each, named after its column until the analyst edits it.
    assert at.text_input(key="newind_name_gdp_pc").value == "GDP per head (EUR)"
    assert at.text_input(key="newind_name_r_d_intensity").value == "R&D intensity"
    at.text_input(key="newind_name_gdp_pc").input("GDP per inhabitant").run()
    at.text_input(key="newind_unit_gdp_pc").input("EUR").run()
    at.text_input(key="newind_unit_r_d_intensity").input("% of GDP").run()
    shown = report(at)
    assert set(shown["severity"]) == {"warning"}, shown
    missing = shown[shown["check"] == "rows:missing"]["message"].iat[0]
    assert "': c' 1; stored as missing values" in missing
    assert {m.label: m.value for m in at.metric}["New"] == "6"
    button(at, "Commit as a new version of 'panel'").click().run()
    assert not at.exception, [e.value for e in at.exception]
    data = data_of(seeded_db)
    assert data.indicator_table.at["gdp_pc", "name"] == "GDP per inhabitant"
    assert data.indicator_table.at["r_d_intensity", "unit"] == "% of GDP"
    stored = data["observations"].set_index(["region_id", "indicator"])
    assert stored.loc[("DK01", "gdp_pc"), "value"] == 71000 and stored.loc[("SE33", "r_d_intensity"), "value"] == 2.1
    assert stored.loc[("FI1D", "r_d_intensity"), "flag"] == "c", "confidential, stored without a number"
