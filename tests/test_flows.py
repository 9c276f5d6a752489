"""The Sankey builder: totals conserved, no link lost, loops without cycles, "other" keeps totals, empty states."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from valuechain import colors, schema
from valuechain import flows as F
from valuechain.query import Data, Selection

from .expected import select_flows

CHAIN = "circular_bioeconomy"
YEAR = 2023
BIO_STAGES = ["Biomass supply", "Processing", "Bio-based products", "Use & markets", "End-of-life & recovery"]


def bundle(demo_data: dict, flows: pd.DataFrame | None = None) -> Data:
    """A fresh Data (own caches) on the demo tables, optionally with other flows."""
    frames = dict(demo_data)
    if flows is not None:
        frames["flows"] = schema.coerce(flows.reset_index(drop=True), schema.FLOWS)
    return Data(frames)


def raw(
    demo_data: dict,
    *,
    kind: str | None = "goods",
    countries: tuple[str, ...] = (),
    stages: tuple[str, ...] = (),
    chain: str = CHAIN,
    year: int = YEAR,
) -> pd.DataFrame:
    """The expected selection, written independently of the module with plain pandas."""
    return select_flows(demo_data["flows"], chain, year, kind, countries, stages)


def per_measure(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(str(k), str(u)): float(v) for (k, u), v in frame.groupby(["kind", "unit"])["value"].sum().items()}


def layer_sums(links: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(k, u): float(v) for (k, u), v in links.groupby(["kind", "unit"])["value"].sum().items()}


def approx(d: dict) -> dict:
    return {k: pytest.approx(v, rel=1e-9) for k, v in d.items()}


@pytest.mark.parametrize(
    ("kind", "countries", "stages"),
    [
        ("goods", (), ()),
        ("knowledge", ("SE", "FI"), ()),
        (None, ("EE",), ("processing",)),
        ("investment", (), ("end_of_life", "biomass_supply")),
    ],
)
def test_stage_view_conserves_totals_and_loses_no_link(demo_data: dict, kind, countries, stages) -> None:
    data = bundle(demo_data)
    sel = Selection(CHAIN, YEAR, countries=countries, stages=stages)
    view = F.flow_view(data, sel, F.FlowOptions(kind=kind))
    expected = raw(demo_data, kind=kind, countries=countries, stages=stages)
    links = view.sankey.links
    assert layer_sums(links) == approx(per_measure(expected))
    assert links["n_flows"].sum() == len(expected)
    assert len(view.flows) == len(expected)
    # every (from stage, to stage, measure) of the data is one link with exactly its value
    by_pair = expected.groupby(["from_stage", "to_stage", "kind"])["value"].sum()
    assert len(links) == len(by_pair)
    for (a, b, k), value in by_pair.items():
        source = f"recovered:{a}" if (a, b) == ("end_of_life", "biomass_supply") else f"stage:{a}"
        row = links[(links["source_id"] == source) & (links["target_id"] == f"stage:{b}") & (links["kind"] == k)]
        assert float(row["value"].iloc[0]) == pytest.approx(float(value))
    # shares are of the total of each measure
    assert links.groupby("kind")["share"].sum().to_dict() == pytest.approx({k: 1.0 for k in links["kind"].unique()})


def test_stage_nodes_follow_the_chain_and_the_loop_starts_left(demo_data: dict) -> None:
    sk = F.flow_view(bundle(demo_data), Selection(CHAIN, YEAR), F.FlowOptions()).sankey
    assert sk.nodes["name"].tolist() == ["Recovered from End-of-life & recovery", *BIO_STAGES]
    assert sk.nodes["label"].tolist()[-1] == "End-of-life &amp; recovery"  # plotly reads HTML: escaped
    assert sk.nodes["x"].is_monotonic_increasing and sk.nodes["x"].is_unique
    assert sk.nodes["color"].tolist()[1:] == [colors.stage_color(p) for p in range(1, 6)]
    assert sk.nodes["color"].iloc[0] == colors.stage_color(5)  # recovered material keeps its stage's colour
    # no cycle: every link runs left to right
    x = sk.nodes["x"].to_numpy()
    assert all(x[s] < x[t] for s, t in zip(sk.links["source"], sk.links["target"], strict=True))
    loop = sk.links[sk.links["source_id"] == "recovered:end_of_life"]
    assert loop["target_id"].tolist() == ["stage:biomass_supply"] and loop["value"].iloc[0] > 0
    assert any("End-of-life & recovery → Biomass supply" in n for n in sk.notes)


def test_backward_same_stage_and_unknown_stage_flows_are_drawn_not_dropped(demo_data: dict) -> None:
    rows = [
        ("SE33", "biomass_supply", "FI1D", "processing", 10.0),
        ("SE33", "processing", "FI1D", "processing", 4.0),  # within one stage
        ("FI1D", "use", "SE33", "processing", 3.0),  # backward, not a declared loop
        ("FI1D", "end_of_life", "SE33", "biomass_supply", 2.0),  # the declared loop
        ("FI1D", "processing", "SE33", "packaging_design", 1.5),  # a stage the chain does not define
    ]
    flows = pd.DataFrame(
        [
            {
                "chain_id": CHAIN,
                "from_region": a,
                "from_stage": b,
                "to_region": c,
                "to_stage": d,
                "year": YEAR,
                "kind": "goods",
                "value": v,
                "unit": "EUR million",
                "source": "test",
            }
            for a, b, c, d, v in rows
        ]
    )
    sk = F.flow_view(bundle(demo_data, flows), Selection(CHAIN, YEAR), F.FlowOptions()).sankey
    assert sk.links["value"].sum() == pytest.approx(20.5)
    assert sk.links["n_flows"].sum() == 5
    names = sk.nodes["name"].tolist()
    assert names[:3] == [
        "Fed back from Processing",
        "Fed back from Use & markets",
        "Recovered from End-of-life & recovery",
    ]
    assert names[3:] == ["Biomass supply", "Processing", "packaging_design"]
    assert sk.nodes.set_index("name").at["packaging_design", "color"] == colors.NO_DATA
    x = sk.nodes["x"].to_numpy()
    assert all(x[s] < x[t] for s, t in zip(sk.links["source"], sk.links["target"], strict=True))


@pytest.mark.parametrize("kind", ["goods", None])
def test_region_view_keeps_top_regions_and_merges_the_rest_into_other(demo_data: dict, kind) -> None:
    view = F.flow_view(bundle(demo_data), Selection(CHAIN, YEAR), F.FlowOptions(view=F.REGION_VIEW, kind=kind, top_n=5))
    sk = view.sankey
    expected = raw(demo_data, kind=kind)
    first = sk.links[sk.links["target_id"].str.startswith("transition:")]
    second = sk.links[sk.links["source_id"].str.startswith("transition:")]
    assert len(first) + len(second) == len(sk.links)
    for layer in (first, second):
        assert layer_sums(layer) == approx(per_measure(expected))
        assert layer["n_flows"].sum() == len(expected)
    n_from = expected["from_region"].nunique()
    left = sk.nodes[sk.nodes["column"] == 0]
    assert len(left) == 6 and left["name"].iloc[-1] == f"Other regions ({n_from - 5})"
    assert left["color"].iloc[-1] == colors.NO_DATA
    # "other" carries exactly the flows of the regions not shown by name
    named = {n.split(" ")[0] for n in left["name"].iloc[:-1]}
    hidden = expected[~expected["from_region"].isin(named)]
    other = first[first["source_id"] == "other:from"]
    assert layer_sums(other) == approx(per_measure(hidden))
    middle = sk.nodes[sk.nodes["column"] == 1]["name"].tolist()
    assert middle == [f"{a} → {b}" for a, b in itertools.pairwise(BIO_STAGES)] + [
        "End-of-life & recovery → Biomass supply (recovered)"
    ]


def test_all_kinds_keep_one_link_per_unit_and_never_add_units(demo_data: dict) -> None:
    view = F.flow_view(bundle(demo_data), Selection(CHAIN, YEAR), F.FlowOptions(view=F.REGION_VIEW, kind=None, top_n=3))
    sk = view.sankey
    assert set(zip(sk.totals["kind"], sk.totals["unit"], strict=True)) == {
        ("goods", "EUR million"),
        ("knowledge", "joint projects"),
        ("investment", "EUR million"),
    }
    kind_colors = {
        k: colors.rgba(c, a) for k, c in colors.FLOW_KIND_COLORS.items() for a in (F.LINK_ALPHA, F.OTHER_LINK_ALPHA)
    }
    assert all(
        color.rsplit(",", 1)[0] == kind_colors[k].rsplit(",", 1)[0]
        for k, color in zip(sk.links["kind"], sk.links["color"], strict=True)
    )
    # each amount in a hover names one kind and one unit: nothing adds EUR million and joint projects
    for hover in [*sk.nodes["hover"], *sk.links["hover"]]:
        for line in hover.split("<br>"):
            if "% of all" in line:
                assert line.count("EUR million") + line.count("joint projects") == 1


def test_a_second_unit_of_one_kind_stays_a_separate_link(demo_data: dict) -> None:
    base = raw(demo_data, kind="goods").iloc[:3].copy()
    other = base.iloc[:1].assign(unit="EUR thousand", value=5000.0, to_stage="bio_products", from_stage="processing")
    sk = F.flow_view(bundle(demo_data, pd.concat([base, other])), Selection(CHAIN, YEAR), F.FlowOptions()).sankey
    assert set(zip(sk.totals["kind"], sk.totals["unit"], strict=True)) == {
        ("goods", "EUR million"),
        ("goods", "EUR thousand"),
    }
    thousand = sk.links[sk.links["unit"] == "EUR thousand"]
    assert thousand["value"].tolist() == [5000.0] and thousand["share"].tolist() == [1.0]


def test_countries_select_flows_that_start_or_end_there_and_levels_roll_up(demo_data: dict) -> None:
    data = bundle(demo_data)
    sel = Selection(CHAIN, YEAR, level=0, countries=("LV",))
    got = F.selected_flows(data, sel, "goods")
    expected = raw(demo_data, countries=("LV",))
    assert got["n_flows"].sum() == len(expected)
    assert set(got["from_region"].astype(str)) | set(got["to_region"].astype(str)) >= {"LV"}
    assert all(len(c) == 2 for c in got["from_region"].astype(str))
    assert ((got["from_country"] == "LV") | (got["to_country"] == "LV")).all()
    assert per_measure(got) == approx(per_measure(expected))
    # rows merged by the roll-up are unique per key
    assert not got.duplicated(F.KEY).any()


def test_rollup_lists_every_source_of_merged_rows(demo_data: dict) -> None:
    f = raw(demo_data, countries=("EE",)).copy()
    f.loc[f.index[::2], "source"] = "Regional input-output estimate"
    got = F.selected_flows(bundle(demo_data, f), Selection(CHAIN, YEAR, level=0), "goods")
    expected = (
        f.assign(from_region=f["from_region"].str[:2], to_region=f["to_region"].str[:2])
        .groupby(F.KEY)["source"]
        .agg(lambda s: "; ".join(sorted(set(s))))
    )
    shown = got.set_index(F.KEY)["source"].astype(str)
    assert shown.sort_index().tolist() == expected.sort_index().tolist()
    assert any("; " in s for s in shown)


@pytest.mark.parametrize(
    "sel",
    [
        Selection(CHAIN, 1990),
        Selection(CHAIN, YEAR, countries=("EE",), stages=("nowhere",)),
    ],
)
def test_empty_selection_gives_an_empty_result_with_a_message(demo_data: dict, sel: Selection) -> None:
    view = F.flow_view(bundle(demo_data), sel, F.FlowOptions(view=F.REGION_VIEW))
    assert view.empty and view.sankey.nodes.empty and view.flows.empty
    assert F.direction_summary(view.flows, view.chain, sel.countries).empty
    assert view.message is not None
    assert view.message.startswith(f"No goods flows of Circular bioeconomy in {sel.year}")
    if sel.countries:
        assert "starting or ending in EE" in view.message and "leaving or entering nowhere" in view.message
    assert view.drill is None and view.node_options == {}


def test_drill_down_to_a_region_shows_its_flows_and_partners(demo_data: dict) -> None:
    data = bundle(demo_data)
    view = F.flow_view(data, Selection(CHAIN, YEAR, region="SE33"), F.FlowOptions())  # focus region = default
    expected = raw(demo_data)
    own = expected[(expected["from_region"] == "SE33") | (expected["to_region"] == "SE33")]
    assert view.drill is not None and view.drill.label == "SE33 Övre Norrland"
    assert len(view.drill.flows) == len(own)
    assert view.sankey.links["value"].sum() == pytest.approx(own["value"].sum())
    p = view.drill.partners
    received = own[own["to_region"] == "SE33"].groupby("from_region")["value"].sum()
    inflow = p[p["direction"] == "inflow"].set_index("region_id")["value"]
    assert inflow.sort_index().to_dict() == pytest.approx(received.sort_index().to_dict())
    sent = own[own["from_region"] == "SE33"].groupby("to_region")["value"].sum()
    outflow = p[p["direction"] == "outflow"].set_index("region_id")["value"]
    assert outflow.sort_index().to_dict() == pytest.approx(sent.sort_index().to_dict())
    assert p.groupby("direction")["share"].sum().to_dict() == pytest.approx({"inflow": 1.0, "outflow": 1.0})
    assert p[["lon", "lat"]].notna().all().all()
    # the page's pick wins over the focus region
    picked = F.flow_view(data, Selection(CHAIN, YEAR, region="SE33"), F.FlowOptions(node="stage:processing"))
    assert picked.drill is not None
    into = expected[(expected["from_stage"] == "processing") | (expected["to_stage"] == "processing")]
    assert picked.drill.label == "Processing" and len(picked.drill.flows) == len(into)
    suppliers = picked.drill.partners[picked.drill.partners["direction"] == "inflow"]
    assert suppliers["value"].sum() == pytest.approx(into.loc[into["to_stage"] == "processing", "value"].sum())


def test_unknown_drill_down_node_keeps_the_whole_chart_and_says_so(demo_data: dict) -> None:
    view = F.flow_view(bundle(demo_data), Selection(CHAIN, YEAR, countries=("EE",)), F.FlowOptions(node="region:SE33"))
    assert view.drill is None and not view.empty
    assert "SE33 Övre Norrland has no flows in this selection" in " ".join(view.notes)


def test_direction_summary_inflow_outflow_net(demo_data: dict) -> None:
    view = F.flow_view(bundle(demo_data), Selection(CHAIN, YEAR, countries=("FI",)), F.FlowOptions())
    s = F.direction_summary(view.flows, view.chain, ("FI",))
    assert set(s["region_id"].str[:2]) == {"FI"}
    expected = raw(demo_data, countries=("FI",))
    row = s[(s["region_id"] == "FI1D") & (s["stage"] == "Processing")].iloc[0]
    inflow = expected[(expected["to_region"] == "FI1D") & (expected["to_stage"] == "processing")]["value"].sum()
    outflow = expected[(expected["from_region"] == "FI1D") & (expected["from_stage"] == "processing")]["value"].sum()
    assert (row["inflow"], row["outflow"], row["net"]) == pytest.approx((inflow, outflow, outflow - inflow))
    assert s["net"].to_numpy() == pytest.approx((s["outflow"] - s["inflow"]).to_numpy())
    # summed over regions of FI, inflows equal the flows ending in FI
    assert s["inflow"].sum() == pytest.approx(expected.loc[expected["to_region"].str[:2] == "FI", "value"].sum())


def test_flow_table_names_shares_and_text_stays_text(demo_data: dict) -> None:
    f = raw(demo_data, countries=("EE",)).copy()
    regions = demo_data["regions"].copy()
    regions.loc[regions["nuts_id"] == "EE00", "name"] = "<b>Eesti</b> =cmd"
    data = bundle(demo_data, f)
    data.frames["regions"] = regions
    view = F.flow_view(data, Selection(CHAIN, YEAR, countries=("EE",)), F.FlowOptions(view=F.REGION_VIEW))
    table = F.flow_table(view.flows, view.chain, limit=5)
    assert len(table) == 5 and table["value"].is_monotonic_decreasing
    assert table.columns.tolist() == F.TABLE_COLUMNS
    assert table["share"].iloc[0] == pytest.approx(table["value"].iloc[0] / f["value"].sum())
    assert "EE00 &lt;b&gt;Eesti&lt;/b&gt; =cmd" in view.sankey.nodes["label"].tolist()
    assert "<b>Eesti</b>" not in " ".join(view.sankey.links["hover"])


def test_options_list_stages_in_order_then_regions(demo_data: dict) -> None:
    options = F.drill_options(bundle(demo_data), Selection(CHAIN, YEAR, countries=("LV",)), "goods")
    keys = list(options)
    assert keys[:5] == [
        "stage:biomass_supply",
        "stage:processing",
        "stage:bio_products",
        "stage:use",
        "stage:end_of_life",
    ]
    assert "region:LV00" in keys and options["region:LV00"] == "LV00 Latvija"
    assert keys[5:] == sorted(keys[5:])


def test_chain_year_cuts_are_cached_but_bounded(demo_data: dict) -> None:
    data = bundle(demo_data)
    first = F.chain_year_flows(data, CHAIN, YEAR, 2)
    assert F.chain_year_flows(data, CHAIN, YEAR, 2) is first  # a filter change reuses the cut
    for year in range(2018, 2024):
        for level in (0, 1, 2):
            F.chain_year_flows(data, CHAIN, year, level)
    assert len(data._cache["flows:cuts"]) == F.MAX_CUTS
    assert (CHAIN, 2018, 0) not in data._cache["flows:cuts"]  # the least recently used went first


def test_a_focus_region_change_reuses_the_selection_but_drills_into_the_new_region(demo_data: dict) -> None:
    data = bundle(demo_data)
    opts = F.FlowOptions(kind="goods")
    first = F.flow_view(data, Selection(CHAIN, YEAR, countries=("LV", "EE"), region="LV00"), opts)
    second = F.flow_view(data, Selection(CHAIN, YEAR, countries=("LV", "EE"), region="EE00"), opts)
    assert second.flows is first.flows  # the selection's flows are kept per selection, not per focus region
    assert second.node_options == first.node_options
    assert second.node_options is not first.node_options  # each view gets its own choices
    assert first.drill is not None and first.drill.node == "region:LV00"
    assert second.drill is not None and second.drill.node == "region:EE00"
    fresh = F.flow_view(bundle(demo_data), Selection(CHAIN, YEAR, countries=("LV", "EE"), region="EE00"), opts)
    assert fresh.drill is not None
    pd.testing.assert_frame_equal(second.drill.partners, fresh.drill.partners)
    pd.testing.assert_frame_equal(second.sankey.links, fresh.sankey.links)
    other = F.flow_view(data, Selection(CHAIN, YEAR, countries=("LV",), region="LV00"), opts)
    assert other.flows is not first.flows  # another selection (here: other countries) gets its own
