"""valuechain.choropleth: classes and colours, values per region, location quotients, flow arcs, tooltips."""

from __future__ import annotations

from dataclasses import replace

import mapclassify
import numpy as np
import pandas as pd
import pytest

from valuechain import choropleth, colors
from valuechain.derived import LOCATION_QUOTIENT, REGISTRY
from valuechain.query import Data, Selection
from valuechain.schema import TOTAL_SECTOR

CHAIN = "circular_bioeconomy"


@pytest.fixture(scope="module")
def data(demo_data: dict) -> Data:
    return Data({**demo_data, "ideas": pd.DataFrame()})


@pytest.fixture(scope="module")
def year(data: Data) -> int:
    return max(data.years())


# --- classification --------------------------------------------------------------------------------

VALUES = pd.Series([1.0, 2, 3, 4, 5, 10, 20, 50, 100, np.nan], index=list("abcdefghij"))


@pytest.mark.filterwarnings("ignore:Numba not installed")
@pytest.mark.parametrize(
    ("scheme", "classifier"),
    [
        ("quantiles", mapclassify.Quantiles),
        ("natural_breaks", mapclassify.FisherJenks),
        ("equal_interval", mapclassify.EqualInterval),
    ],
)
def test_classes_follow_mapclassify_and_missing_values_get_no_class(scheme: str, classifier: type) -> None:
    number, classes = choropleth.classify(VALUES, scheme)
    expected = classifier(VALUES.dropna().to_numpy(), k=5)
    assert [c.upper for c in classes.classes] == pytest.approx(list(expected.bins))
    assert number.dropna().tolist() == list(expected.yb)
    assert number["j"] is pd.NA
    assert classes.no_data == 1
    assert sum(c.count for c in classes.classes) == 9
    assert classes.classes[0].lower == 1.0
    assert [c.color for c in classes.classes] == [colors.SEQUENTIAL[i] for i in (0, 2, 3, 5, 6)]


def test_natural_breaks_put_the_gaps_between_classes() -> None:
    number, classes = choropleth.classify(VALUES, "natural_breaks")
    assert [c.upper for c in classes.classes] == [5, 10, 20, 50, 100]
    assert [c.label for c in classes.classes] == ["1 – 5", "5 – 10", "10 – 20", "20 – 50", "50 – 100"]
    assert number["e"] == 0 and number["f"] == 1


def test_few_distinct_values_give_fewer_classes() -> None:
    number, classes = choropleth.classify(pd.Series([3.0, 3.0, 7.0]), "natural_breaks")
    assert [(c.lower, c.upper, c.count) for c in classes.classes] == [(3.0, 3.0, 2), (3.0, 7.0, 1)]
    assert number.tolist() == [0, 0, 1]
    _, single = choropleth.classify(pd.Series([4.0]), "quantiles")
    assert len(single.classes) == 1 and single.classes[0].color == colors.SEQUENTIAL[3]


def test_no_values_at_all_is_one_no_data_class() -> None:
    number, classes = choropleth.classify(pd.Series([np.nan, np.nan]), "quantiles")
    assert classes.classes == () and classes.no_data == 2
    assert choropleth.class_colors(number, classes).tolist() == [colors.NO_DATA, colors.NO_DATA]


def test_location_quotients_diverge_around_one() -> None:
    lq = pd.Series([0.5, 0.7, 0.8, 0.9, 0.95, 1.0, 1.1, 1.3, 1.6, 2.0, np.nan])
    number, classes = choropleth.classify(lq, "quantiles", diverging=True)
    below = [c for c in classes.classes if c.upper < 1]
    above = [c for c in classes.classes if c.lower >= 1]
    assert len(below) + len(above) == len(classes.classes) == 6
    assert above[0].lower == 1.0 and below[-1].upper == 0.95
    assert [c.color for c in below] == list(colors.DIVERGING[:3])
    assert [c.color for c in above] == list(colors.DIVERGING[4:])
    assert colors.DIVERGING[3] not in {c.color for c in classes.classes}  # no neutral class to mistake for 1
    fills = choropleth.class_colors(number, classes)
    assert fills.iloc[5] == colors.DIVERGING[4]  # exactly 1: the first class at or above the BSR average
    assert fills.iloc[0] == colors.DIVERGING[0] and fills.iloc[9] == colors.DIVERGING[6]
    assert fills.iloc[10] == colors.NO_DATA
    assert all(c.label.count(".") == 2 for c in classes.classes)  # two decimals on both bounds


def test_only_above_one_uses_only_the_purple_side() -> None:
    _, classes = choropleth.classify(pd.Series([1.2, 1.4, 1.5]), "equal_interval", diverging=True)
    assert {c.color for c in classes.classes} <= set(colors.DIVERGING[4:])
    assert classes.classes[0].lower == 1.0


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="scheme"):
        choropleth.classify(VALUES, "jenks")


def test_numbers_read_well() -> None:
    assert choropleth.format_number(1234567.0) == "1,234,567"
    assert choropleth.format_number(42.26) == "42.3"
    assert choropleth.format_number(0.6512) == "0.65"
    assert choropleth.format_number(3.0) == "3"
    assert choropleth.format_number(float("nan")) == "no data"
    assert choropleth.format_number(pd.NA) == "no data"
    assert choropleth.format_number(1.0, 2) == "1.00"


# --- values per region -------------------------------------------------------------------------------


def test_values_are_sums_over_the_stage_sectors(data: Data, year: int) -> None:
    sel = Selection(chain_id=CHAIN, year=year, stages=("processing",))
    table = choropleth.region_values(data, sel, "employment")
    assert len(table) == 56
    sectors = data.stage_sectors(CHAIN).query("stage_id == 'processing'")["nace"]
    obs = data["observations"]
    mine = obs[
        (obs["region_id"] == "FI1D")
        & (obs["indicator"] == "employment")
        & (obs["year"] == year)
        & obs["sector"].isin(sectors)
    ]
    row = table.set_index("region_id").loc["FI1D"]
    assert row["value"] == pytest.approx(float(mine["value"].sum()))
    assert row["unit"] == "persons" and "demo data (synthetic)" in row["source"]
    assert row["rank"] == (table["value"] > row["value"]).sum() + 1
    assert sorted(table["rank"]) == list(range(1, 57))


def test_values_sum_up_to_coarser_levels(data: Data, year: int) -> None:
    level2 = choropleth.region_values(data, Selection(chain_id=CHAIN, year=year), "enterprises")
    level1 = choropleth.region_values(data, Selection(chain_id=CHAIN, year=year, level=1), "enterprises")
    se3 = level2[level2["region_id"].str.startswith("SE3")]["value"].sum()
    assert level1.set_index("region_id").at["SE3", "value"] == pytest.approx(se3)


def test_location_quotient_uses_the_whole_bsr_as_reference(data: Data, year: int) -> None:
    sel = Selection(chain_id=CHAIN, year=year, stages=("biomass_supply",), countries=("EE", "LV"))
    table = choropleth.region_values(data, sel, LOCATION_QUOTIENT).set_index("region_id")
    assert list(table.index) == ["EE00", "LV00"]
    sectors = set(data.stage_sectors(CHAIN).query("stage_id == 'biomass_supply'")["nace"])
    obs = data["observations"]
    obs = obs[(obs["indicator"] == "employment") & (obs["year"] == year)]
    obs = obs[obs["region_id"].isin(data["regions"].query("level == 2 and bsr")["nuts_id"])]
    stage = obs[obs["sector"].isin(sectors)].groupby("region_id")["value"].sum()
    total = obs[obs["sector"] == TOTAL_SECTOR].groupby("region_id")["value"].sum()
    expected = (stage["EE00"] / total["EE00"]) / (stage.sum() / total.sum())
    assert table.at["EE00", "value"] == pytest.approx(float(expected))
    assert table.at["EE00", "size"] == pytest.approx(float(stage["EE00"]))
    assert table.at["EE00", "unit"] == REGISTRY[LOCATION_QUOTIENT].unit and table.at["EE00", "size_unit"] == "persons"
    assert set(table["rank"]) == {1, 2}
    base = choropleth.bsr_values(data, sel, "employment")
    assert choropleth.bsr_values(data, sel, LOCATION_QUOTIENT, base).equals(
        choropleth.bsr_values(data, sel, LOCATION_QUOTIENT)
    )  # the page passes its cached employment table


def test_tooltips_are_plain_text_with_rank_unit_and_source(data: Data, year: int) -> None:
    sel = Selection(chain_id=CHAIN, year=year, countries=("DK",))
    table = choropleth.region_values(data, sel, "patents")
    table.loc[0, "name"] = "<b>Hovedstaden</b>"
    table.loc[1, "value"] = np.nan
    tips = choropleth.region_tooltips(table, data, "Patent applications")
    first = tips.iloc[0].split("\n")
    assert first[0] == f"<b>Hovedstaden</b> ({table.at[0, 'region_id']})"
    assert first[1] == "Danmark"
    assert first[2] == f"Patent applications: {choropleth.format_number(table.at[0, 'value'])} patent applications"
    assert first[3] == f"rank {table.at[0, 'rank']} of 4 shown"
    assert first[4].startswith("Source: demo data (synthetic)")
    assert "Patent applications: no data" in tips.iloc[1]


def test_key_figures_of_a_region(data: Data, year: int) -> None:
    sel = Selection(chain_id=CHAIN, year=year, region="SE33")
    tables = {i: choropleth.region_values(data, sel, i) for i in choropleth.map_indicators(data)}
    figures = choropleth.region_figures(data, tables, "SE33").set_index("indicator")
    assert list(figures.index) == [
        "employment",
        "enterprises",
        "patents",
        "rd_projects",
        "eu_funding",
        *REGISTRY,
    ]
    emp = tables["employment"].set_index("region_id").loc["SE33"]
    assert figures.at["employment", "value"] == emp["value"] and figures.at["employment", "rank"] == emp["rank"]
    assert figures.at["employment", "of"] == 56
    assert figures.at[LOCATION_QUOTIENT, "name"] == "Location quotient (employment)"


def test_bubbles_have_area_proportional_to_value() -> None:
    radius = choropleth.bubble_radius(pd.Series([100.0, 25.0, 0.0, np.nan, 0.0001]), max_px=20, min_px=2)
    assert radius.iloc[0] == 20 and radius.iloc[1] == 10
    assert pd.isna(radius.iloc[2]) and pd.isna(radius.iloc[3])
    assert radius.iloc[4] == 2  # tiny but visible


# --- flows ------------------------------------------------------------------------------------------


def _flows(rows: list[tuple[str, str, str, str, float]], year: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "chain_id": CHAIN,
                "from_region": f,
                "from_stage": fs,
                "to_region": t,
                "to_stage": ts,
                "year": year,
                "kind": "goods",
                "value": v,
                "unit": "EUR million",
                "source": "test",
            }
            for f, fs, t, ts, v in rows
        ]
    )


@pytest.fixture
def flow_data(data: Data, year: int) -> Data:
    rows = [
        ("SE33", "biomass_supply", "FI1D", "processing", 10.0),
        ("SE33", "biomass_supply", "FI1D", "processing", 5.0),  # another stage pair, same regions: summed
        ("SE32", "biomass_supply", "SE33", "processing", 7.0),
        ("SE31", "biomass_supply", "SE32", "processing", 3.0),  # within SE3 at NUTS-1
        ("EE00", "biomass_supply", "LV00", "processing", 1.0),
        ("PL91", "use", "PL71", "processing", 50.0),
        ("FI1D", "biomass_supply", "FI1D", "processing", 99.0),
    ]  # within one region: no arc
    flows = _flows(rows, year)
    flows.loc[1, "from_stage"] = "processing"
    return Data({**data.frames, "flows": flows})


def test_flows_are_summed_per_pair_without_inner_flows(flow_data: Data, year: int) -> None:
    pairs = choropleth.region_flows(flow_data, Selection(chain_id=CHAIN, year=year), "goods")
    assert list(zip(pairs["from_region"], pairs["to_region"], pairs["value"], strict=True)) == [
        ("PL91", "PL71", 50.0),
        ("SE33", "FI1D", 15.0),
        ("SE32", "SE33", 7.0),
        ("SE31", "SE32", 3.0),
        ("EE00", "LV00", 1.0),
    ]
    level1 = choropleth.region_flows(flow_data, Selection(chain_id=CHAIN, year=year, level=1), "goods")
    assert list(zip(level1["from_region"], level1["to_region"], level1["value"], strict=True)) == [
        ("PL9", "PL7", 50.0),
        ("SE3", "FI1", 15.0),
        ("EE0", "LV0", 1.0),
    ]
    staged = choropleth.region_flows(flow_data, Selection(chain_id=CHAIN, year=year, stages=("use",)), "goods")
    assert staged["from_region"].tolist() == ["PL91"]


def test_arcs_keep_the_largest_and_the_selected_regions_flows(flow_data: Data, year: int) -> None:
    sel = Selection(chain_id=CHAIN, year=year)
    pairs = choropleth.region_flows(flow_data, sel, "goods")
    arcs = choropleth.flow_arcs(flow_data, pairs, sel, "goods", top_n=2)
    assert arcs["from_region"].tolist() == ["PL91", "SE33"]
    assert arcs["width"].tolist() == pytest.approx([13.5, 1.5 + 12 * 15 / 50])
    assert arcs.at[0, "from_color"] == colors.hex_to_rgb(choropleth.FLOW_FROM, 230)
    assert arcs.at[0, "to_color"] == colors.hex_to_rgb(choropleth.FLOW_TO, 230)
    assert arcs.at[1, "tooltip"].startswith("Övre Norrland (SE33) → Pohjois- ja Itä-Suomi (FI1D)\nGoods: 15 EUR")
    assert [arcs.at[0, "from_lon"], arcs.at[0, "from_lat"]] == pytest.approx(data_point(flow_data, "PL91"))

    chosen = replace(sel, region="EE00")
    arcs = choropleth.flow_arcs(flow_data, pairs, chosen, "goods", top_n=2)
    assert arcs["from_region"].tolist() == ["PL91", "SE33", "EE00"]
    assert arcs["selected"].tolist() == [False, False, True]
    assert [c[3] for c in arcs["from_color"]] == [choropleth.DIMMED_ALPHA, choropleth.DIMMED_ALPHA, 230]

    every = choropleth.flow_arcs(flow_data, pairs, sel, "goods", top_n=10)
    assert every["value"].tolist() == [50.0, 15.0, 7.0, 3.0, 1.0]
    swedish = choropleth.flow_arcs(flow_data, pairs, replace(sel, countries=("FI",)), "goods")
    assert swedish["to_region"].tolist() == ["FI1D"]  # an end in view is enough


def data_point(data: Data, code: str) -> list[float]:
    row = data["regions"].set_index("nuts_id").loc[code]
    return [float(row["lon"]), float(row["lat"])]


def test_partners_of_a_region(flow_data: Data, year: int) -> None:
    pairs = choropleth.region_flows(flow_data, Selection(chain_id=CHAIN, year=year), "goods")
    out, inc = choropleth.region_partners(flow_data, pairs, "SE33")
    assert out[["partner", "value"]].values.tolist() == [["FI1D", 15.0]]
    assert inc[["partner", "name", "value"]].values.tolist() == [["SE32", "Mellersta Norrland", 7.0]]


def test_flow_kinds_and_indicators_on_offer(data: Data) -> None:
    assert choropleth.flow_kinds(data, CHAIN) == ["goods", "knowledge", "investment"]
    assert choropleth.map_indicators(data)[-len(REGISTRY) :] == list(REGISTRY)
    assert choropleth.indicator_unit(data, "eu_funding") == "EUR"


@pytest.mark.parametrize("indicator", list(REGISTRY))
def test_every_derived_indicator_is_offered_labelled_and_computed_from_its_base(
    data: Data, year: int, indicator: str
) -> None:
    spec = REGISTRY[indicator]
    assert indicator in choropleth.map_indicators(data)
    base_name = data.indicator_table.at[spec.base, "name"]
    assert choropleth.indicator_label(data, indicator) == f"{spec.name} ({str(base_name).lower()})"
    assert choropleth.indicator_unit(data, indicator) == spec.unit
    sel = Selection(chain_id=CHAIN, year=year)
    base = choropleth.bsr_values(data, sel, spec.base)
    table = choropleth.bsr_values(data, sel, indicator)
    assert table["size"].equals(base["size"])  # bubbles keep the base's size
    assert table["value"].notna().any() and set(table["unit"]) == {spec.unit}
    without_base = Data({**data.frames, "indicators": data["indicators"].query("indicator_id != @spec.base")})
    assert indicator not in choropleth.map_indicators(without_base)
    assert spec.formula and spec.note and "{base}" in spec.method
