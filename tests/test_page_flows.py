"""AppTest of the flows page: the plotly JSON (node labels in stage order, link values equal to the
filtered flows) for several filter combinations, drill-down, downloads and the empty state."""

from __future__ import annotations

import html
import itertools
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.state import Flows
from valuechain import demo
from valuechain.query import Data
from valuechain.store import open_store

from .apptest import open_app
from .expected import select_flows

PAGE = "pages/flows.py"
BIO = ["Biomass supply", "Processing", "Bio-based products", "Use & markets", "End-of-life & recovery"]
WIND = [
    "Materials & components",
    "Equipment manufacturing",
    "Installation & logistics",
    "Operation, maintenance & grid",
    "Decommissioning & recycling",
]
REGION_VIEW = "Region → stage → region"
pytestmark = pytest.mark.usefixtures("app_db")


@pytest.fixture(scope="module")
def flows(data: Data) -> pd.DataFrame:
    return data["flows"]


def sankey(at: AppTest) -> dict:
    specs = at.get("plotly_chart")
    assert len(specs) == 1
    return json.loads(specs[0].proto.spec)["data"][0]


def links_by_label(trace: dict) -> dict[tuple[str, str], float]:
    labels = trace["node"]["label"]
    out: dict[tuple[str, str], float] = {}
    for s, t, v in zip(trace["link"]["source"], trace["link"]["target"], trace["link"]["value"], strict=True):
        out[(labels[s], labels[t])] = out.get((labels[s], labels[t]), 0.0) + v
    return out


def esc(names: list[str]) -> list[str]:
    return [html.escape(n, quote=False) for n in names]


def expected_stage_links(f: pd.DataFrame, stages: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Stage → stage sums with plain pandas; a link back along the chain starts at "Recovered from …"."""
    name = dict(zip(stages["stage_id"], stages["name"], strict=True))
    pos = dict(zip(stages["stage_id"], stages["position"], strict=True))
    out = {}
    for (a, b), v in f.groupby(["from_stage", "to_stage"])["value"].sum().items():
        source = f"Recovered from {name[a]}" if pos[b] <= pos[a] else name[a]
        out[(html.escape(source, quote=False), html.escape(name[b], quote=False))] = float(v)
    return out


def approx(d: dict) -> dict:
    return {k: pytest.approx(v, rel=1e-9) for k, v in d.items()}


def test_default_view_stage_order_and_link_values(data: Data, flows: pd.DataFrame) -> None:
    at = open_app(PAGE)
    trace = sankey(at)
    assert trace["node"]["label"] == esc(["Recovered from End-of-life & recovery", *BIO])
    xs = trace["node"]["x"]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)  # left to right in stage order
    f = select_flows(flows, "circular_bioeconomy", 2023, "goods")
    assert links_by_label(trace) == approx(expected_stage_links(f, data.stages("circular_bioeconomy")))
    captions = " ".join(c.value for c in at.caption)
    assert "demo data (synthetic)" in captions
    assert f"{f['value'].sum():,.1f} EUR million of goods in {len(f):,} flows" in captions
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download flows (CSV)",
        "Download chart (HTML, works offline)",
    ]
    assert [t.label for t in at.tabs] == ["Sankey", "Direction-wise summary", "Largest flows"]
    assert not at.dataframe  # the tables of the other tabs are not even computed


def test_offshore_wind_two_countries_an_earlier_year_and_knowledge(data: Data, flows: pd.DataFrame) -> None:
    at = open_app(PAGE, chain="Offshore wind energy", country=["SE", "DK"], year="2020", **{Flows.KIND: "Knowledge"})
    trace = sankey(at)
    assert trace["node"]["label"] == esc(["Recovered from Decommissioning & recycling", *WIND])
    f = select_flows(flows, "offshore_wind", 2020, "knowledge", ("SE", "DK"))
    assert links_by_label(trace) == approx(expected_stage_links(f, data.stages("offshore_wind")))
    assert "joint projects of knowledge" in " ".join(c.value for c in at.caption)


def test_stage_filter_keeps_flows_leaving_or_entering_the_stage(data: Data, flows: pd.DataFrame) -> None:
    at = open_app(PAGE, stage=["Processing"], country=["FI"], **{Flows.KIND: "Investment"})
    trace = sankey(at)
    assert trace["node"]["label"] == esc(["Biomass supply", "Processing", "Bio-based products"])
    f = select_flows(flows, "circular_bioeconomy", 2023, "investment", ("FI",), ("processing",))
    assert links_by_label(trace) == approx(expected_stage_links(f, data.stages("circular_bioeconomy")))
    assert "No flows in this selection for" in " ".join(c.value for c in at.caption)


def test_region_view_at_country_level_with_other_regions(data: Data, flows: pd.DataFrame) -> None:
    at = open_app(PAGE, level="0", country=["EE"], **{Flows.VIEW: REGION_VIEW, Flows.TOP: "3"})
    trace = sankey(at)
    labels = trace["node"]["label"]
    f = select_flows(flows, "circular_bioeconomy", 2023, "goods", ("EE",))
    f = f.assign(from_country=f["from_region"].str[:2], to_country=f["to_region"].str[:2])
    suppliers = f.groupby("from_country")["value"].sum().sort_values(ascending=False)
    top = [f"{c} {data.region_names[c]}" for c in suppliers.index[:3]]
    assert labels[:4] == [*top, f"Other regions ({len(suppliers) - 3})"]
    assert labels[4:9] == esc(
        [f"{a} → {b}" for a, b in itertools.pairwise(BIO)] + ["End-of-life & recovery → Biomass supply (recovered)"]
    )
    got = links_by_label(trace)
    total = f["value"].sum()
    into_middle = sum(v for (s, t), v in got.items() if t in labels[4:9])
    out_of_middle = sum(v for (s, t), v in got.items() if s in labels[4:9])
    assert into_middle == pytest.approx(total) and out_of_middle == pytest.approx(total)
    ee = f[f["from_country"] == "EE"]
    to_processing = ee[ee["from_stage"] == "biomass_supply"]["value"].sum()
    assert got[("EE Eesti", "Biomass supply → Processing")] == pytest.approx(to_processing)


def test_all_kinds_draw_one_link_per_kind_in_its_colour(flows: pd.DataFrame) -> None:
    at = open_app(PAGE, country=["LT"], **{Flows.KIND: "All kinds"})
    trace = sankey(at)
    f = select_flows(flows, "circular_bioeconomy", 2023, None, ("LT",))
    assert len(trace["link"]["value"]) == f.groupby(["from_stage", "to_stage", "kind"]).ngroups
    assert sum(trace["link"]["value"]) == pytest.approx(f["value"].sum())  # only a check: never shown summed
    hovers = trace["link"]["customdata"]
    assert any("joint projects knowledge" in h for h in hovers) and any("EUR million investment" in h for h in hovers)
    assert len(set(trace["link"]["color"])) == 3


def test_focus_region_drills_down_to_partners_map_and_flows(flows: pd.DataFrame) -> None:
    at = open_app(PAGE, region="SE33 Övre Norrland")
    f = select_flows(flows, "circular_bioeconomy", 2023, "goods")
    own = f[(f["from_region"] == "SE33") | (f["to_region"] == "SE33")]
    assert sum(sankey(at)["link"]["value"]) == pytest.approx(own["value"].sum())
    assert [s.value for s in at.subheader] == ["Partners of SE33 Övre Norrland"]
    partners = at.dataframe[0].value
    outflow = partners[partners["direction"] == "outflow"].set_index("region_id")["value"].sort_index()
    sent = own[own["from_region"] == "SE33"].groupby("to_region")["value"].sum().sort_index()
    assert outflow.to_dict() == pytest.approx(sent.to_dict())
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    points = next(layer for layer in deck["layers"] if layer["@@type"] == "ScatterplotLayer")["data"]
    assert len(points) == len(partners)  # one bubble per partner region and direction (goods only)
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip) == {"text": "{text}"}  # text, never HTML
    node_flows = at.dataframe[1].value
    assert len(node_flows) == len(own)


def test_drill_down_picked_on_the_page(flows: pd.DataFrame) -> None:
    at = open_app(PAGE, country=["LV"])
    at.selectbox(key=Flows.NODE).set_value("stage:processing").run()
    f = select_flows(flows, "circular_bioeconomy", 2023, "goods", ("LV",))
    trace = sankey(at)
    assert trace["node"]["label"] == ["Biomass supply", "Processing", "Bio-based products"]
    into = f[(f["from_stage"] == "processing") | (f["to_stage"] == "processing")]
    assert sum(trace["link"]["value"]) == pytest.approx(into["value"].sum())
    assert [s.value for s in at.subheader] == ["Partners of Processing"]
    assert len(at.dataframe[-1].value) == len(into)


def test_direction_wise_summary_tab(flows: pd.DataFrame) -> None:
    at = open_app(PAGE, country=["LV"], **{Flows.TAB: "Direction-wise summary"})
    assert not at.get("plotly_chart")  # only the open tab runs
    f = select_flows(flows, "circular_bioeconomy", 2023, "goods", ("LV",))
    summary = at.dataframe[0].value
    assert set(summary["region_id"]) == {"LV00"}
    assert summary["stage"].tolist() == BIO
    row = summary[summary["stage"] == "Processing"].iloc[0]
    inflow = f[(f["to_region"] == "LV00") & (f["to_stage"] == "processing")]["value"].sum()
    outflow = f[(f["from_region"] == "LV00") & (f["from_stage"] == "processing")]["value"].sum()
    assert (row["inflow"], row["outflow"], row["net"]) == pytest.approx((inflow, outflow, outflow - inflow))
    assert "demo data (synthetic)" in " ".join(c.value for c in at.caption)


def test_largest_flows_tab(flows: pd.DataFrame) -> None:
    at = open_app(PAGE, **{Flows.TAB: "Largest flows"})
    f = select_flows(flows, "circular_bioeconomy", 2023, "goods")
    table = at.dataframe[0].value
    assert len(f) > 300 and len(table) == 300
    assert table["value"].tolist() == sorted(f["value"].astype(float), reverse=True)[: len(table)]
    assert table["share"].iloc[0] == pytest.approx(f["value"].max() / f["value"].sum())
    assert f"Flows of the selection\\: the 300 largest of {len(f):,} rows" in " ".join(c.value for c in at.caption)


def test_a_year_without_flows_says_so_instead_of_drawing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = demo.generate()
    data["flows"] = data["flows"][data["flows"]["year"] != 2019].reset_index(drop=True)
    path = tmp_path / "no2019.duckdb"
    store = open_store(path=path)
    demo.seed_store(store, data)
    store.close()
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(path))
    at = open_app(PAGE, year="2019")
    assert not at.get("plotly_chart")
    assert [i.value for i in at.info] == [
        "No goods flows of Circular bioeconomy in 2019. Choose another year, flow kind, country or stage."
    ]
