"""AppTest of the region profile on the demo data: numbers and charts equal what the domain computes."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.proto.Block_pb2 import Block

from components.chart_style import esc
from components.layout import plain
from components.state import PICKED_REGION, SELECTION, Profile
from valuechain import cli_import, matching
from valuechain.query import Data, Selection, sectors_in_selection
from valuechain.store import open_store

from .apptest import open_app, plotly_spec

pytestmark = pytest.mark.usefixtures("app_db")

REGION, REGION_LABEL = "SE33", "SE33 Övre Norrland"
PEERS: dict[str, Any] = {Profile.PEERS: ["FI1D Pohjois- ja Itä-Suomi", "PL84 Podlaskie"]}  # chosen in the URL


def domain(seeded_db: Path) -> tuple[Data, Selection, matching.Benchmark]:
    """What the page should show, computed by the domain package from the same database."""
    store = open_store(path=seeded_db)
    data = Data.load(store)
    store.close()
    sel = Selection(chain_id="circular_bioeconomy", year=max(data.years()), region=REGION)
    return data, sel, matching.benchmark(data, sel)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart(at, index: int) -> dict:
    return plotly_spec(at.get("plotly_chart")[index])


def numbers(array: object) -> list[float]:
    """A plotly data array as a list: plain JSON, or plotly's typed array {"dtype", "bdata"} (base64)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)  # type: ignore[call-overload]


def test_profile_from_a_deep_link(seeded_db: Path) -> None:
    at = open_app("pages/profile.py", region=REGION_LABEL)
    data, sel, bench = domain(seeded_db)
    assert at.header[0].value == plain(REGION_LABEL)
    since = min(data.years())
    sizes = matching.size_and_growth(bench, sectors_in_selection(data, sel), since)
    stages = matching.stage_profile(bench, REGION, since)
    shown = metrics(at)
    assert shown["Size (share of BSR)"] == f"{sizes.at[REGION, 'share']:.1%}"
    assert shown["Growth a year"] == f"{sizes.at[REGION, 'growth']:+.1%}"
    assert shown["Rank by size"] == f"{int(sizes.at[REGION, 'rank_size'])}"
    assert shown["Specialised stages"] == f"{int(stages['specialised'].sum())}/5"

    # Stage chart: the region's LQs as bars in chain order, the five most similar regions as markers.
    spec = chart(at, 0)
    bars = spec["data"][0]
    assert bars["type"] == "bar" and bars["name"] == REGION_LABEL
    assert numbers(bars["x"]) == pytest.approx(bench.stage_lq.loc[REGION].round(3).tolist())
    assert bars["y"] == [esc(n) for n in bench.stages["name"]]  # "&" travels as "&amp;", plotly shows "&"
    peers = matching.similar_regions(bench, REGION, sectors_in_selection(data, sel), bench.regions["nuts_id"])
    assert [t["name"] for t in spec["data"][1:]] == [matching.label(c, bench.names) for c in peers["region_id"]]
    assert {s["x0"] for s in spec["layout"]["shapes"]} == {1.0}  # the BSR reference line
    assert spec["layout"]["xaxis"]["title"]["text"] == "Location quotient (solid line: BSR = 1)"
    # Sector chart: one bar trace per stage, LQs of its divisions.
    sectors = chart(at, 1)
    assert [t["name"] for t in sectors["data"]] == [esc(n) for n in bench.stages["name"]]
    assert numbers(sectors["data"][0]["x"]) == pytest.approx(
        bench.sector_lq.loc[REGION, ["A01", "A02", "A03"]].round(3).tolist()
    )

    captions = " ".join(c.value for c in at.caption)
    assert "demo data (synthetic)" in captions
    assert "reference: all 56 BSR regions at NUTS 2" in captions
    assert f"of 56 BSR regions · LQ {sizes.at[REGION, 'lq']:.2f}" in captions
    assert [t.label for t in at.tabs] == list(Profile.TABS)
    assert len(at.dataframe) == 1  # the stage table; the other tabs' tables are not even computed

    # The other tabs, each opened by its link.
    at = open_app("pages/profile.py", region=REGION_LABEL, **{Profile.TAB: "Regions like this one"})
    peer_table = at.dataframe[1].value
    assert peer_table["region_id"].tolist() == [REGION, *peers["region_id"]]
    assert peer_table["similarity"].tolist()[1:] == pytest.approx(peers["similarity"].tolist())
    assert len(at.get("plotly_chart")) == 1  # the sector chart's tab is closed
    at = open_app("pages/profile.py", region=REGION_LABEL, **{Profile.TAB: "Priorities and actors"})
    assert at.dataframe[1].value["code"].tolist() == matching.priorities_of(data, REGION)["code"].tolist()
    assert "Demo data (synthetic)" in " ".join(c.value for c in at.caption)  # the priorities' dataset


def test_threshold_and_growth_period_are_page_widgets(seeded_db: Path) -> None:
    at = open_app("pages/profile.py", region=REGION_LABEL)
    at.radio(key=Profile.BENCHMARK.threshold).set_value(1.25).run()
    data, sel, _ = domain(seeded_db)
    strict = matching.benchmark(data, sel, threshold=1.25)
    expected = int(strict.stage_m.loc[REGION].sum())
    assert metrics(at)["Specialised stages"] == f"{expected}/5"
    assert expected < int(matching.benchmark(data, sel).stage_m.loc[REGION].sum())
    shapes = chart(at, 0)["layout"]["shapes"]
    assert sorted(s["x0"] for s in shapes) == [1.0, 1.25]  # the threshold line joins the reference

    at.selectbox(key=Profile.SINCE).set_value(2021).run()
    sizes = matching.size_and_growth(strict, sectors_in_selection(data, sel), 2021)
    assert metrics(at)["Growth a year"] == f"{sizes.at[REGION, 'growth']:+.1%}"
    assert "since 2021" in [c.value for c in at.caption]


def test_chosen_peers_and_stages_come_from_the_url(seeded_db: Path) -> None:
    at = open_app(
        "pages/profile.py",
        region=REGION_LABEL,
        stage=["Processing", "Bio-based products"],
        **PEERS,
    )
    spec = chart(at, 0)
    assert spec["data"][0]["y"] == ["Processing", "Bio-based products"]
    assert [t["name"] for t in spec["data"][1:]] == ["FI1D Pohjois- ja Itä-Suomi", "PL84 Podlaskie"]
    assert at.dataframe[0].value["stage"].tolist() == ["Processing", "Bio-based products"]
    # Sectors follow the stages in view: C10, C11, C16, C17 and C20, C22, C31, M72.
    assert [t["name"] for t in chart(at, 1)["data"]] == ["Processing", "Bio-based products"]


def test_without_a_region_the_page_shows_the_largest_and_asks_for_one(seeded_db: Path) -> None:
    at = open_app("pages/profile.py")
    _, _, bench = domain(seeded_db)
    largest = bench.stage_values.sum(axis=1).idxmax()
    label = matching.label(largest, bench.names)
    assert f"Showing **{plain(label)}**, the largest region" in at.info[0].value
    assert "Choose a region to see its profile" in at.info[0].value
    assert at.selectbox(key=PICKED_REGION).options[0] == "DE30 Berlin"
    assert at.header[0].value == plain(label)
    assert chart(at, 0)["data"][0]["name"] == label  # the page opens on a chart, not on a question
    assert at.session_state[SELECTION].region is None  # the focus region stays unset until one is chosen


def test_the_first_year_has_no_growth(seeded_db: Path) -> None:
    data, _, _ = domain(seeded_db)
    at = open_app("pages/profile.py", region=REGION_LABEL, year=str(min(data.years())))
    assert metrics(at)["Growth a year"] == "–"
    assert "no earlier year in the data" in [c.value for c in at.caption]
    assert all(s.key != "since" for s in at.selectbox)


def test_whole_economy_figures_say_confidential_and_no_data_in_words(
    monkeypatch: pytest.MonkeyPatch, seeded_db: Path, tmp_path: Path
) -> None:
    """A whole-economy figure the source keeps confidential reads "confidential (c)", one without a value "no data"
    (the map's words), a flag is spelled out: no empty cell, no "None"."""
    db = tmp_path / "app.duckdb"
    shutil.copy(seeded_db, db)
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(db))
    figures = tmp_path / "gdp.csv"
    figures.write_text("region_id,year,value\nSE33,2023,2.51\nFI1D,2023,: c\nPL84,2023,:\nSE33,2022,3.1 p\n")
    new = ["--new-indicator", "gdp_test", "GDP per head", "EUR", "rate"]
    settings = ["--set", "sector=TOTAL", "--set", "indicator=gdp_test", "--set", "unit=EUR", "--set", "source=Test"]
    assert cli_import.main([str(figures), *settings, *new, "--dataset", "GDP", "--editor", "x"]) == 0

    shown: dict[tuple[str, str], str] = {}
    for year in ("2023", "2022"):
        at = open_app("pages/profile.py", region=REGION_LABEL, year=year, **PEERS, **{Profile.TAB: Profile.TABS[1]})
        table = next(d.value for d in at.dataframe if list(d.value.columns)[:3] == ["region", "name", "value"])
        assert list(table.columns) == ["region", "name", "value", "unit", "source"], "no column of empty flags"
        assert table["name"].eq("GDP per head").all() and table["source"].eq("Test").all()
        shown |= {(year, r): v for r, v in zip(table["region"], table["value"], strict=True)}
    # The funding tab names the sources of its projects and of the funding indicator, each once, and no other.
    at = open_app("pages/profile.py", region=REGION_LABEL, **{Profile.TAB: "Projects and funding"})
    (caption,) = [c.value for c in at.caption if "public funding: whole projects" in c.value]
    assert caption.count("demo data (synthetic)") == 1 and "Test" not in caption, caption
    # Labels short enough for large type at 1280 px; the indicator, threshold and growth inputs line up at the bottom
    # when the threshold's label takes two lines.
    assert [m.label for m in at.metric][-3:] == ["Projects", "Public funding", "EU funding received in 2023"]
    controls = [c for c in at.main.columns if len(c.selectbox) or len(c.radio)][:3]
    assert [Block.Column.VerticalAlignment.Name(c.proto.vertical_alignment) for c in controls] == ["BOTTOM"] * 3
    assert shown == {
        ("2023", "Övre Norrland"): "2.51",
        ("2023", "Pohjois- ja Itä-Suomi"): "confidential (c)",
        ("2023", "Podlaskie"): "no data",
        ("2022", "Övre Norrland"): "3.10 (p: provisional)",
    }
