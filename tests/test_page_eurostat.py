"""AppTest: an editor loads a regional Eurostat dataset through the Data page's "From Eurostat" tab (served
from recorded answers on loopback), and the map, the About page and the badge then show it with its source."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components import layout, state
from components.chart_style import esc
from valuechain import choropleth, demo, matching
from valuechain.query import Data, Selection
from valuechain.store import open_store

from .apptest import open_app
from .eurostat_server import RECORDED_UPDATE, Behaviour
from .test_eurostat import SBS_TOTAL, recorded, sbs_loaded
from .test_page_data import button, editor

pytestmark = pytest.mark.usefixtures("app_db")

GERD = "R&D intensity (GERD in % of GDP)"
SPOT_CHECKS = (("SE33", 2021), ("FI1D", 2019), ("DK01", 2015))  # region, year: from the recorded answer


def test_editor_loads_a_regional_dataset_and_every_page_shows_it(api: Behaviour, seeded_db: Path) -> None:
    at = editor()
    at.selectbox(key="eurostat_entry").set_value("gerd_pc_gdp").run()
    info = " ".join(i.value for i in at.info)
    assert "Stages it cannot speak for:" in info and "sector of performance" in info
    button(at, "Fetch from Eurostat").click().run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert f"Source: Eurostat tgs00042 · last update {layout.plain(RECORDED_UPDATE)}" in captions
    assert f"Left out: {layout.plain('4 rows without a value stored as missing values, flags kept')}" in captions
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows in the file"] == f"{len(recorded('TGS00042')) + 4:,}", "4 rows stored as missing values"
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["data"][0]["type"] == "bar" and "gerd_pc_gdp, 2024" in chart["layout"]["title"]["text"]
    button(at, "Commit as a new version of 'Eurostat tgs00042 · gerd_pc_gdp'").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Stored version" in s.value and "Every page shows it now" in s.value for s in at.success)
    store = open_store(path=seeded_db)
    loaded = store.versions("observations").query("source_code == 'tgs00042'")
    store.close()
    assert len(loaded) == 1 and loaded["source_updated"].iat[0] == "2023-01-23T11:00:00+0100"

    expected = recorded("TGS00042")
    for region, year in SPOT_CHECKS:
        page = open_app("pages/map.py", **{state.YEAR: str(year)})
        page.selectbox(key=state.Map.INDICATOR).set_value("gerd_pc_gdp").run()
        spec = json.loads(page.get("deck_gl_json_chart")[0].proto.json)
        regions = next(x for x in spec["layers"] if x["id"].startswith("regions"))
        shown = {f["properties"]["nuts_id"]: f["properties"] for f in regions["data"]["features"]}
        assert shown[region]["value"] == pytest.approx(expected[(region, year)])
        assert "Source: Eurostat tgs00042, last update 2023-01-23" in shown[region]["tooltip"]
        captions = " ".join(c.value for c in page.caption)
        assert "whole economy (sector TOTAL)" in captions and "cannot speak for any stage" in captions
        assert "Mixed: demo data (synthetic) and real data." in captions  # said on the page itself
    names = {"SE33": "Övre Norrland", "FI1D": "Pohjois- ja Itä-Suomi", "DK01": "Hovedstaden"}
    for region, year in SPOT_CHECKS:
        # The whole-economy table is in the profile's peers tab and in matchmaking's closer look at one pair.
        tabs = {
            "pages/profile.py": (state.Profile.TAB, state.Profile.TABS[1]),
            "pages/matchmaking.py": (state.Matchmaking.TAB, state.Matchmaking.TABS[2]),
        }
        for page_path, (tab_key, tab) in tabs.items():
            query = {state.REGION: f"{region} {names[region]}", state.YEAR: str(year), tab_key: tab}
            page = open_app(page_path, **query)
            table = whole_economy(page)
            row = table[(table["region"] == names[region]) & (table["name"] == GERD)]
            assert row["value"].tolist() == [choropleth.value_text(expected[(region, year)], None)], page_path
            assert row["source"].tolist() == ["Eurostat tgs00042, last update 2023-01-23"]
            captions = " ".join(c.value for c in page.caption)
            assert "speak for no stage of the chain" in captions, page_path

    home = open_app()  # app.py's sidebar badge is kept on the first run only (see tests/apptest.py)
    badge = " ".join(c.value for c in home.caption)
    assert "Demo data (synthetic) + Eurostat — synthetic and real figures are mixed" in badge

    about = open_app("pages/about.py")
    table = next(d.value for d in about.dataframe if "source_code" in d.value.columns)
    row = table.iloc[0]
    assert (row["source_code"], row["source_updated"], row["licence"]) == (
        "tgs00042",
        "2023-01-23T11:00:00+0100",
        "Source: Eurostat",
    )
    assert row["title"] == "Intramural R&D expenditure (GERD) by NUTS 2 region"


def whole_economy(at) -> pd.DataFrame:
    """The profile's or the pair view's table of whole-economy figures."""
    return next(d.value for d in at.dataframe if list(d.value.columns)[:3] == ["region", "name", "value"])


def test_offline_message_on_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUECHAIN_EUROSTAT_URL", "http://127.0.0.1:9")
    at = editor()
    at.selectbox(key="eurostat_entry").set_value("gerd_pc_gdp").run()
    button(at, "Fetch from Eurostat").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Eurostat cannot be reached" in errors and "Check the internet connection" in errors


def another_dataset(code: str, indicator: str, name: str, unit: str) -> AppTest:
    """The editor's page with a dataset code outside the catalogue typed in, and the indicator it becomes."""
    at = editor()
    at.selectbox(key="eurostat_entry").set_value("Another dataset code…").run()
    at.text_input(key="eurostat_code").input(code)
    at.text_input(key="eurostat_indicator").input(indicator)
    at.text_input(key="eurostat_indicator_name").input(name)
    at.text_input(key="eurostat_unit").input(unit).run()
    return at


def test_any_dataset_code_can_be_fetched_and_checked(api: Behaviour) -> None:
    at = another_dataset("nama_10r_2gdp", "gdp_nuts2", "GDP by NUTS 2 region", "million EUR")
    at.text_input(key="eurostat_filters").input("unit=MIO_EUR").run()
    button(at, "Fetch from Eurostat").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No errors in estat\\_nama\\_10r\\_2gdp.csv" in s.value for s in at.success)
    metrics = {m.label: m.value for m in at.metric}
    gdp = recorded("NAMA_10R_2GDP")
    assert metrics["Rows in the file"] == f"{sum(len(region) == 4 for region, _ in gdp):,}"  # NUTS-2 only
    assert button(at, "Commit as a new version of 'Eurostat nama_10r_2gdp · gdp_nuts2'").disabled is False


def test_profile_and_matchmaking_show_stage_scores_from_eurostat_division_data(
    api: Behaviour, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Persons employed by NACE division from Eurostat (demo switched off) give the stage bars on the profile and the
    partner list on matchmaking, with Eurostat as the source (the sbs_r_nuts2021 answer is constructed: no real
    one was found)."""
    path = tmp_path / "sbs.duckdb"
    store = open_store(path=path)
    demo.seed_store(store)
    frame, year = sbs_loaded(api, store)
    data = Data.load(store)
    store.close()
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(path))
    sel = Selection(chain_id="circular_bioeconomy", year=year, region="SE33")
    bench = matching.benchmark(data, sel)
    totals = frame[frame["nace_r2"] == SBS_TOTAL].set_index("geo")["value"]
    processing = frame[frame["nace_r2"].isin(["C10", "C16", "C17"])].groupby("geo")["value"].sum()
    lq = (processing["SE33"] / totals["SE33"]) / (processing.sum() / totals.sum())  # straight from the answer

    page = open_app("pages/profile.py", **{state.REGION: "SE33 Övre Norrland", state.YEAR: str(year)})
    bars = json.loads(page.get("plotly_chart")[0].proto.spec)["data"][0]
    shown = dict(zip(bars["y"], bars["x"], strict=True))
    assert shown[esc("Processing")] == pytest.approx(round(lq, 3))
    assert list(shown.values())[1:] == pytest.approx(bench.stage_lq.loc["SE33"].round(3).tolist()[1:])
    assert shown[esc("Biomass supply")] is None  # SBS has no section A: no bar, not zero
    captions = " ".join(c.value for c in page.caption)
    assert "Eurostat sbs\\_r\\_nuts2021" in captions or "Eurostat sbs_r_nuts2021" in captions
    assert "demo data (synthetic)" not in captions.lower()

    match = open_app("pages/matchmaking.py", **{state.REGION: "SE33 Övre Norrland", state.YEAR: str(year)})
    pairs = matching.pair_scores(data, bench, sel)
    ranked = matching.rank_partners(pairs, "SE33", bench.regions["nuts_id"], matching.DEFAULT_WEIGHTS, top=10)
    table = next(d.value for d in match.dataframe if "why" in d.value.columns)
    assert table["region_id"].tolist() == ranked["region_id"].tolist()
    assert set(table["region_id"]) >= {"DK01", "EE00", "FI1D"}  # the regions with Eurostat figures are suggested


def test_dimension_picker_keeps_one_code_of_a_dimension_that_splits_the_answer(api: Behaviour, seeded_db: Path) -> None:
    """pat_ep_rtot without a unit filter answers in two units (recorded: NR and P_MHAB): the page asks for one, shows
    only that one's rows, and commits them."""
    at = another_dataset(
        "pat_ep_rtot", "patents_per_mhab", "Patent applications per million inhabitants", "per million inhabitants"
    )
    at.number_input(key="eurostat_since_Another dataset code…").set_value(2000).run()
    button(at, "Fetch from Eurostat").click().run()
    assert not at.exception, [e.value for e in at.exception]
    picker = at.selectbox(key="eurostat_keep_unit")
    assert picker.options == ["NR", "P_MHAB"] and picker.value == "NR"  # SDMX-CSV 1.0: codes without labels
    assert "The answer holds several codes of these dimensions: keep one of each." in [c.value for c in at.caption]
    keys = {s.key for s in at.selectbox}
    assert "eurostat_keep_freq" not in keys and "eurostat_keep_geo" not in keys  # one code; the regions stay
    nr = {k: v for k, v in recorded("PAT_EP_RTOT", unit=("NR",)).items() if len(k[0]) == 4}  # NUTS 2: DK03, DK04
    assert {m.label: m.value for m in at.metric}["Rows in the file"] == f"{len(nr):,}"  # the kept unit's rows
    captions = " ".join(c.value for c in at.caption)
    assert layout.plain(f"6 of {len(nr) + 6} records not kept by the dimension choices") in captions

    picker.set_value("P_MHAB").run()
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric}["Rows in the file"] == "6"
    recipe = next(b for b in at.get("download_button") if b.proto.label == "Download recipe")
    assert recipe.proto.url.endswith(".json")  # the choices as a recipe (its content: test_eurostat, recipes)
    button(at, "Commit as a new version of 'Eurostat pat_ep_rtot · patents_per_mhab'").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Stored version" in s.value and "(6 rows)" in s.value for s in at.success)
    store = open_store(path=seeded_db)
    obs = store.current("observations").query("indicator == 'patents_per_mhab'").set_index(["region_id", "year"])
    store.close()
    expected = recorded("PAT_EP_RTOT", unit=("P_MHAB",), geo=("DK04",))
    assert len(obs) == len(expected) == 6
    assert obs.at[("DK04", 2011), "value"] == pytest.approx(expected[("DK04", 2011)]) == pytest.approx(334.942)
    assert obs.at[("DK04", 2012), "flag"] == "p"
