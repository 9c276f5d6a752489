"""AppTest of the map page: the deck JSON carries the right regions, values and colours for the filters."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import mapclassify
import numpy as np
import pandas as pd
import pytest

from components import nav
from components.map import clicked_region
from components.state import Map
from valuechain import choropleth, colors, demo, derived
from valuechain.derived import LOCATION_QUOTIENT
from valuechain.query import Data, Selection, indicator_by_region
from valuechain.store import open_store

from .apptest import open_app

pytestmark = pytest.mark.usefixtures("app_db")

PAGE = "pages/map.py"
CHAIN = "circular_bioeconomy"


def deck(at) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def layer(spec: dict, layer_id: str) -> dict:
    return next(x for x in spec["layers"] if x["id"].split("-")[0] == layer_id)


def features(spec: dict) -> dict[str, dict]:
    return {f["properties"]["nuts_id"]: f["properties"] for f in layer(spec, "regions")["data"]["features"]}


def expected_fills(values: pd.Series, classifier: type) -> pd.Series:
    """Class colours computed straight from mapclassify and the palette, as the legend promises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bins = classifier(values.to_numpy(dtype=float), k=5).bins
    spread = [colors.SEQUENTIAL[i] for i in (0, 2, 3, 5, 6)]
    return pd.Series(
        [colors.hex_to_rgb(spread[int(np.searchsorted(bins, v, side="left"))], 235) for v in values], index=values.index
    )


def test_default_map_has_every_region_with_its_value_and_class_colour(data: Data) -> None:
    at = open_app(PAGE, **{Map.TABLE: "true"})
    spec = deck(at)
    shown = features(spec)
    year = max(data.years())
    expected = indicator_by_region(data, Selection(chain_id=CHAIN, year=year), "employment").set_index("region_id")
    assert set(shown) == set(expected.index) and len(shown) == 56
    for code in ("SE33", "FI1D", "PL91", "DE60"):
        assert shown[code]["value"] == pytest.approx(float(expected.at[code, "value"]))
    fills = expected_fills(expected["value"].astype(float), mapclassify.Quantiles)
    assert {code: p["fill"] for code, p in shown.items()} == fills.to_dict()
    tip = shown["PL91"]["tooltip"].split("\n")
    assert tip[:2] == ["Warszawski stołeczny (PL91)", "Polska"]
    assert tip[2] == f"Employment: {choropleth.format_number(expected.at['PL91', 'value'])} persons"
    assert tip[3] == "rank 1 of 56 shown" and tip[4].startswith("Source: demo data (synthetic)")
    assert spec["initialViewState"]["latitude"] < 63  # Svalbard left out of the fitted view
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)["text"] == "{tooltip}"
    legend = str(at.get("html")[-1].proto)
    assert "Employment, " in legend and "persons · Quantiles" in legend
    captions = " ".join(c.value for c in at.caption)
    assert "© EuroGeographics for the administrative boundaries" in captions
    assert "demo data (synthetic)" in captions
    table = at.dataframe[0].value
    assert table["region"].iloc[0] == "PL91" and table["rank"].iloc[0] == 1
    assert set(table["class"]) <= {c.label for c in choropleth.classify(expected["value"])[1].classes}
    assert at.get("download_button")[0].proto.label == "Download the mapped values (CSV)"


def test_the_value_table_is_drawn_only_when_opened() -> None:
    at = open_app(PAGE)
    assert len(at.dataframe) == 0 and at.expander[0].label == "Table of the mapped values (56 regions)"
    assert at.get("download_button")[0].proto.label == "Download the mapped values (CSV)"


def test_nuts2_deck_stays_small() -> None:
    at = open_app(PAGE, region="SE33 Övre Norrland", **{Map.FLOWS: "Goods flows"})
    assert len(at.get("deck_gl_json_chart")[0].proto.json) < 200_000


def test_country_filter_changes_the_features() -> None:
    at = open_app(PAGE, country=["EE", "LV", "LT"])
    shown = features(deck(at))
    assert set(shown) == {"EE00", "LV00", "LT01", "LT02"}
    assert sorted(int(p["tooltip"].split("rank ")[1].split(" ")[0]) for p in shown.values()) == [1, 2, 3, 4]
    assert all("of 4 shown" in p["tooltip"] for p in shown.values())


def test_level_filter_draws_coarser_regions() -> None:
    shown = features(deck(open_app(PAGE, level="1", country=["SE"])))
    assert set(shown) == {"SE1", "SE2", "SE3"}
    countries = features(deck(open_app(PAGE, level="0", **{Map.FLOWS: "Goods flows"})))
    assert set(countries) == {"DK", "EE", "FI", "LT", "LV", "NO", "PL", "SE"}  # Germany is only partly in the BSR


def test_selected_region_comes_from_the_url_and_gets_its_panel() -> None:
    at = open_app(PAGE, region="SE33 Övre Norrland", **{Map.FLOWS: "Goods flows"})
    spec = deck(at)
    chosen = layer(spec, "selected")["data"]["features"]
    assert [f["properties"]["nuts_id"] for f in chosen] == ["SE33"]
    arcs = layer(spec, "flows")["data"]
    own = [a for a in arcs if "SE33" in (a["from_region"], a["to_region"])]
    assert own and all(a["from_color"][3] == 230 for a in own)
    assert all(a["from_color"][3] == choropleth.DIMMED_ALPHA for a in arcs if a not in own)
    assert [s.value for s in at.subheader][:1] == ["Övre Norrland"]
    panel = " ".join(m.value for m in at.markdown)
    assert "**Employment:**" in panel and "**Location quotient (employment):**" in panel
    assert "**Patent applications:**" not in panel  # every indicator only on demand
    assert "rank" in panel and "**Largest flows out** (goods)" in panel
    assert any(b.label == "Clear the selection" for b in at.button)
    links = [x.proto for x in at.get("page_link")]
    if any(spec.path == "pages/profile.py" for spec in nav.PAGES):  # another engineer's page, once it exists
        assert [(x.label, x.page, x.query_string) for x in links] == [
            ("Open its profile", "profile", "region=SE33")
        ]  # global filters only; a short label the region card's narrow column does not cut
        assert "Övre Norrland" in links[0].help
    else:
        assert links == []


def test_every_indicator_of_the_selected_region_on_demand(data: Data) -> None:
    at = open_app(PAGE, region="SE33 Övre Norrland", **{Map.PANEL_ALL: "true"})
    panel = " ".join(m.value for m in at.markdown)
    year = max(data.years())
    patents = choropleth.region_values(data, Selection(chain_id=CHAIN, year=year), "patents").set_index("region_id")
    value, rank = patents.at["SE33", "value"], patents.at["SE33", "rank"]
    expected = f"**Patent applications:** {choropleth.format_number(value)} patent applications · rank {rank} of 56"
    assert expected in panel
    for name in ("Enterprises", "R\\&D projects", "EU funding"):  # Markdown source: data text escaped
        assert f"**{name}:**" in panel


def test_location_quotient_is_diverging_around_one(data: Data) -> None:
    at = open_app(PAGE, country=["FI"])
    at.selectbox(key=Map.INDICATOR).set_value(LOCATION_QUOTIENT).run()
    shown = features(deck(at))
    year = max(data.years())
    expected = choropleth.region_values(
        data, Selection(chain_id=CHAIN, year=year, countries=("FI",)), LOCATION_QUOTIENT
    ).set_index("region_id")
    for code, props in shown.items():
        assert props["value"] == pytest.approx(expected.at[code, "value"])
        side = colors.DIVERGING[:3] if props["value"] < 1 else colors.DIVERGING[4:]
        assert props["fill"] in [colors.hex_to_rgb(c, 235) for c in side]
    assert set(shown) == {"FI19", "FI1B", "FI1C", "FI1D", "FI20"}  # the URL's country filter survives the rerun
    assert derived.REGISTRY[LOCATION_QUOTIENT].formula in " ".join(x.value for x in at.latex)
    legend = str(at.get("html")[-1].proto)
    assert "Below 1: less specialised than the BSR" in legend or "1 and above: more specialised" in legend


def test_scheme_switch_reclassifies(data: Data) -> None:
    at = open_app(PAGE)
    at.selectbox(key=Map.CLASSES).set_value("natural_breaks").run()
    shown = features(deck(at))
    values = pd.Series({code: p["value"] for code, p in shown.items()})
    assert {c: p["fill"] for c, p in shown.items()} == expected_fills(values, mapclassify.FisherJenks).to_dict()
    assert "Natural breaks (Fisher–Jenks)" in str(at.get("html")[-1].proto)


def test_bubbles_and_flow_arcs_from_the_url() -> None:
    at = open_app(PAGE, **{Map.BUBBLES: "true", Map.FLOWS: "Goods flows", Map.TOP: "Largest 10"})
    spec = deck(at)
    bubbles = layer(spec, "bubbles")
    assert bubbles["@@type"] == "ScatterplotLayer" and bubbles["radiusUnits"] == "pixels"
    radii = [b["radius"] for b in bubbles["data"]]
    assert len(radii) == 56 and max(radii) == 26 and radii == sorted(radii, reverse=True)
    assert {tuple(p["fill"]) for p in features(spec).values()} == {tuple(colors.hex_to_rgb("#F2F2F2", 235))}
    arcs = layer(spec, "flows")
    assert arcs["@@type"] == "ArcLayer" and len(arcs["data"]) == 10
    widths = [a["width"] for a in arcs["data"]]
    assert widths == sorted(widths) and max(widths) == 13.5
    assert all(a["from_color"][:3] == colors.hex_to_rgb(choropleth.FLOW_FROM)[:3] for a in arcs["data"])
    assert all(" → " in a["tooltip"] and "EUR million" in a["tooltip"] for a in arcs["data"])
    assert "Goods flows from" in str(at.get("html")[-1].proto)


def test_regions_without_data_are_grey_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_data: dict
) -> None:
    path = tmp_path / "gaps.duckdb"
    frames = dict(demo_data)
    obs = frames["observations"]
    gone = obs["region_id"].isin(["EE00", "LV00"]) | obs["region_id"].str.startswith("PL")
    frames["observations"] = obs[~gone].reset_index(drop=True)
    store = open_store(path=path)
    demo.seed_store(store, frames)
    store.close()
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(path))
    at = open_app(PAGE, country=["EE", "LV", "LT"])
    shown = features(deck(at))
    assert shown["EE00"]["fill"] == colors.hex_to_rgb(colors.NO_DATA, 235) and shown["EE00"]["value"] is None
    assert "Employment: no data" in shown["LV00"]["tooltip"]
    assert shown["LT01"]["fill"] != shown["EE00"]["fill"]
    assert "No data" in str(at.get("html")[-1].proto)
    assert any(c.value == "No data (2): Eesti, Latvija" for c in at.caption)
    everywhere = [c.value for c in open_app(PAGE).caption if c.value.startswith("No data")]
    polish = (frames["regions"].query("level == 2 and country == 'PL'")).shape[0]
    assert len(everywhere) == 1 and everywhere[0].startswith(f"No data ({polish + 2}): ")
    assert everywhere[0].endswith(f" and {polish + 2 - 12} more (class “No data” in the table)")


def test_a_click_selects_the_region_and_a_second_click_clears_it() -> None:
    def state(layer_id: str, obj: dict) -> dict:
        return {"selection": {"indices": {layer_id: [0]}, "objects": {layer_id: [obj]}}}

    feature = {"type": "Feature", "properties": {"nuts_id": "FI1D", "tooltip": "…"}}
    assert clicked_region(state("regions-none", feature), None) == "FI1D"
    assert clicked_region(state("regions-SE33", feature), "SE33") == "FI1D"
    assert clicked_region(state("bubbles-SE33", {"nuts_id": "PL91"}), "SE33") == "PL91"
    assert clicked_region(state("regions-FI1D", feature), "FI1D") is None
    assert clicked_region(state("flows-SE33", {"from_region": "SE33", "to_region": "FI1D"}), "SE33") == "SE33"
    assert clicked_region({"selection": {"indices": {}, "objects": {}}}, "SE33") == "SE33"
    assert clicked_region(None, None) is None
