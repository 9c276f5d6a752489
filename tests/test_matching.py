"""Benchmark and matchmaking domain: a tiny hand-made region set with known answers, then the demo data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from valuechain import demo, export, geo, indicators, matching, schema
from valuechain.query import Data, Selection, indicator_by_region, split_list, total_by_region
from valuechain.store import Identity, Store

CHAIN = "test_chain"
DIMENSIONS = {"NACE": "economic", "FOS": "scientific", "POL": "policy"}


def tables(**frames: list[dict]) -> dict[str, pd.DataFrame]:
    return {
        name: schema.coerce(pd.DataFrame(rows, columns=schema.TABLES[name].column_names), schema.TABLES[name])
        for name, rows in frames.items()
    }


def employment(region: str, year: int, a01: float, c16: float, c20: float, total: float) -> list[dict]:
    return [
        {
            "region_id": region,
            "sector": s,
            "indicator": "employment",
            "year": year,
            "value": v,
            "unit": "persons",
            "source": "hand-made test data",
        }
        for s, v in (("A01", a01), ("C16", c16), ("C20", c20), ("TOTAL", total))
    ]


@pytest.fixture(scope="module")
def tiny() -> Data:
    """Three regions, each strong in one stage of a three-stage chain (LQ 2 where 40 of 100 jobs); a fourth
    region without data. SE01 and SE02 share three priorities; SE01 and FI01 share a project and a flow."""
    frames = tables(
        regions=[
            {"nuts_id": "SE01", "name": "Alpha", "country": "SE", "level": 2, "bsr": True, "lon": 18.0, "lat": 60.0},
            {"nuts_id": "SE02", "name": "Beta", "country": "SE", "level": 2, "bsr": True, "lon": 18.0, "lat": 61.0},
            {"nuts_id": "FI01", "name": "Gamma", "country": "FI", "level": 2, "bsr": True, "lon": 25.0, "lat": 62.0},
            {"nuts_id": "NO01", "name": "Delta", "country": "NO", "level": 2, "bsr": True, "lon": 10.0, "lat": 60.0},
            {"nuts_id": "DE01", "name": "Outside", "country": "DE", "level": 2, "bsr": False, "lon": 9.0, "lat": 50.0},
        ],
        value_chains=[{"chain_id": CHAIN, "name": "Test chain"}],
        stages=[
            {"chain_id": CHAIN, "stage_id": "supply", "position": 1, "name": "Biomass supply"},
            {"chain_id": CHAIN, "stage_id": "processing", "position": 2, "name": "Processing"},
            {"chain_id": CHAIN, "stage_id": "products", "position": 3, "name": "Bio-based products"},
        ],
        sectors=[
            {"nace": "A01", "name": "Farming", "section": "A"},
            {"nace": "C16", "name": "Wood", "section": "C"},
            {"nace": "C20", "name": "Chemicals", "section": "C"},
            {"nace": "TOTAL", "name": "All"},
        ],
        stage_sectors=[
            {"chain_id": CHAIN, "stage_id": "supply", "nace": "A01"},
            {"chain_id": CHAIN, "stage_id": "processing", "nace": "C16"},
            {"chain_id": CHAIN, "stage_id": "products", "nace": "C20"},
        ],
        indicators=[
            {
                "indicator_id": "employment",
                "name": "Employment",
                "unit": "persons",
                "additive": True,
                "nonnegative": True,
            }
        ],
        observations=[
            *employment("SE01", 2023, 40, 10, 10, 100),
            *employment("SE02", 2023, 10, 40, 10, 100),
            *employment("FI01", 2023, 10, 10, 40, 100),
            *employment("SE01", 2022, 30, 10, 10, 100),
            *employment("DE01", 2023, 90, 0, 0, 100),
        ],
        flows=[
            {
                "chain_id": CHAIN,
                "from_region": "SE01",
                "from_stage": "supply",
                "to_region": "FI01",
                "to_stage": "processing",
                "year": 2023,
                "kind": "goods",
                "value": 5.0,
                "unit": "EUR million",
                "source": "test",
            },
            {
                "chain_id": CHAIN,
                "from_region": "SE01",
                "from_stage": "supply",
                "to_region": "SE02",
                "to_stage": "processing",
                "year": 2022,
                "kind": "goods",
                "value": 5.0,
                "unit": "EUR million",
                "source": "test",
            },
        ],
        actors=[
            {
                "actor_id": "coop",
                "name": "Forest coop",
                "type": "business",
                "region_id": "SE01",
                "chain_id": CHAIN,
                "stages": "supply",
            },
            {
                "actor_id": "uni",
                "name": "Wood university",
                "type": "research",
                "region_id": "SE02",
                "chain_id": CHAIN,
                "stages": "processing",
            },
            {
                "actor_id": "agency",
                "name": "Chemicals agency",
                "type": "public",
                "region_id": "SE02",
                "chain_id": CHAIN,
                "stages": "products",
            },
        ],
        priorities=[
            {"region_id": r, "code": c, "dimension": DIMENSIONS[c.split(":")[0]], "label": c}
            for r, codes in (
                ("SE01", ("NACE:A01", "FOS:4.1", "POL:bio", "POL:wood")),
                ("SE02", ("NACE:A01", "FOS:4.1", "POL:bio")),
                ("FI01", ("POL:chem",)),
            )
            for c in codes
        ],
        projects=[
            {
                "project_id": "p1",
                "title": "Together",
                "programme": "Interreg",
                "budget_eur": 1e6,
                "partner_regions": "SE01;FI01",
                "chain_id": CHAIN,
                "stages": "supply",
                "start_year": 2020,
                "end_year": 2022,
                "source": "test",
            },
            {
                "project_id": "p2",
                "title": "Later",
                "programme": "Interreg",
                "budget_eur": 1e6,
                "partner_regions": "SE01;SE02",
                "chain_id": CHAIN,
                "start_year": 2024,
                "end_year": 2026,
                "source": "test",
            },
        ],
        ideas=[],
    )
    return Data(frames)


SEL = Selection(chain_id=CHAIN, year=2023)


@pytest.fixture(scope="module")
def tiny_pairs(tiny: Data) -> matching.PairScores:
    return matching.pair_scores(tiny, matching.benchmark(tiny, SEL), SEL)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(geo.haversine_km(a[0], a[1], b[0], b[1]))


def test_benchmark_on_hand_computed_regions(tiny: Data) -> None:
    bench = matching.benchmark(tiny, SEL)
    # The reference area is the programme area: DE01 (not in the BSR) and its jobs are left out.
    assert bench.regions["nuts_id"].tolist() == ["FI01", "NO01", "SE01", "SE02"]
    assert bench.stage_lq.loc["SE01"].tolist() == pytest.approx([2.0, 0.5, 0.5])  # 40/100 over 60/300
    assert bench.stage_lq.loc["FI01", "products"] == pytest.approx(2.0)
    assert bench.stage_lq.loc["NO01"].isna().all()  # no data: no quotient, not specialised
    assert bench.stage_m.sum().tolist() == [1.0, 1.0, 1.0]
    assert bench.stage_list(["products", "supply"]) == "biomass supply and bio-based products"
    assert bench.stage_list(["processing"], lq_of="SE02") == "processing (LQ 2.00)"
    # The 1.25 threshold keeps LQ 2 specialised.
    assert matching.benchmark(tiny, SEL, threshold=1.25).stage_m.loc["SE01"].tolist() == [1.0, 0.0, 0.0]


def test_size_growth_and_ranks_with_a_missing_year(tiny: Data) -> None:
    bench = matching.benchmark(tiny, SEL)
    sizes = matching.size_and_growth(bench, ["A01", "C16", "C20"], since=2022)
    assert sizes.loc["SE01", "value"] == 60 and sizes.loc["SE01", "share"] == pytest.approx(60 / 180)
    assert sizes.loc["SE01", "growth"] == pytest.approx(60 / 50 - 1)  # one year, 50 → 60
    assert math.isnan(sizes.loc["SE02", "growth"])  # SE02 has no 2022 value
    assert sizes.loc["SE01", "rank_size"] == 1 and sizes.loc["SE02", "rank_size"] == 1  # ties share the rank
    assert sizes["ranked"].iloc[0] == 3  # NO01 has no value and no rank
    assert math.isnan(sizes.loc["NO01", "rank_size"])
    assert matching.size_and_growth(bench, ["A01"], since=2019)["growth"].isna().all()  # year not in the data
    stages = matching.stage_profile(bench, "SE01", since=2022)
    assert stages["specialised"].tolist() == [True, False, False]
    assert stages.loc[0, "growth"] == pytest.approx(40 / 30 - 1)
    assert stages.loc[0, "rank"] == 1 and stages.loc[0, "of"] == 3


def test_explanations_read_like_the_method(tiny_pairs: matching.PairScores) -> None:
    near = km((18.0, 60.0), (18.0, 61.0))
    assert matching.explain(tiny_pairs, "SE01", "SE02") == (
        f"strong in processing (LQ 2.00) where you are strong in biomass supply; 3 shared priorities; "
        f"no project together yet; {near:,.0f} km apart"
    )
    far = km((18.0, 60.0), (25.0, 62.0))
    # Gamma is strong in products, two stages away and unrelated; one project (2020) and one flow in 2023.
    assert matching.explain(tiny_pairs, "SE01", "FI01") == (
        f"no stage that fills a gap next to your strengths; no shared priority; 1 project together, "
        f"1 flow in 2023; {far:,.0f} km apart"
    )
    assert matching.explain(tiny_pairs, "SE01", "SE02", you="Alpha").startswith(
        "strong in processing (LQ 2.00) where Alpha is strong in biomass supply;"
    )


def test_components_on_hand_computed_regions(tiny_pairs: matching.PairScores) -> None:
    c = tiny_pairs.components
    assert c["complementarity"].loc["SE01", "SE02"] == pytest.approx(1 / 2)  # one of two gaps, next door
    assert c["complementarity"].loc["SE01", "FI01"] == 0.0
    assert c["priorities"].loc["SE01", "SE02"] == pytest.approx(3 / 4)
    assert tiny_pairs.flows.loc["SE01", "FI01"] == 1 and tiny_pairs.flows.loc["SE01", "SE02"] == 0  # 2022 flow
    assert tiny_pairs.projects.loc["SE01", "FI01"] == 1 and tiny_pairs.projects.loc["SE01", "SE02"] == 0  # 2024
    assert c["links"].loc["SE01", "FI01"] == 1.0 and c["links"].loc["SE01", "SE02"] == 0.0
    assert c["closeness"].loc["SE01", "SE02"] == pytest.approx(math.exp(-km((18, 60), (18, 61)) / 500))


def test_ranking_and_weights(tiny_pairs: matching.PairScores) -> None:
    candidates = ["FI01", "NO01", "SE01", "SE02"]
    ranked = matching.rank_partners(tiny_pairs, "SE01", candidates, matching.DEFAULT_WEIGHTS)
    assert ranked["region_id"].tolist() == ["SE02", "FI01", "NO01"] and ranked["rank"].tolist() == [1, 2, 3]
    row = ranked.iloc[0]
    w = matching.DEFAULT_WEIGHTS
    assert row["score"] == pytest.approx(sum(w[c] * row[c] for c in matching.COMPONENTS) / sum(w.values()))
    assert row["why"] == matching.explain(tiny_pairs, "SE01", "SE02")
    # Existing links alone put the region SE01 already works with first.
    links_only = matching.rank_partners(tiny_pairs, "SE01", candidates, {"links": 1})
    assert links_only["region_id"].tolist()[0] == "FI01"
    # Candidates limit the list (the countries in view); the region never suggests itself.
    assert matching.rank_partners(tiny_pairs, "SE01", ["SE01", "SE02"], w)["region_id"].tolist() == ["SE02"]
    assert matching.rank_partners(tiny_pairs, "SE01", ["SE01"], w).empty


def test_synergy_matrix_orders_by_country_and_keeps_the_best_partners(tiny_pairs: matching.PairScores) -> None:
    full = matching.synergy_matrix(
        tiny_pairs, matching.DEFAULT_WEIGHTS, ["SE02", "FI01", "SE01", "NO01"], "SE01", limit=10
    )
    assert full.index.tolist() == ["FI01", "NO01", "SE01", "SE02"] == full.columns.tolist()
    assert np.isnan(np.diag(full.to_numpy())).all()
    expected = matching.scores(tiny_pairs, matching.DEFAULT_WEIGHTS, ["SE01"], ["SE02"]).iloc[0, 0]
    assert full.loc["SE01", "SE02"] == pytest.approx(expected)
    small = matching.synergy_matrix(
        tiny_pairs, matching.DEFAULT_WEIGHTS, ["SE02", "FI01", "SE01", "NO01"], "SE01", limit=2
    )
    assert small.index.tolist() == ["SE01", "SE02"]  # SE01 and its best partner


def test_matched_actors_meet_along_the_chain(tiny: Data, tiny_pairs: matching.PairScores) -> None:
    pairs = matching.matched_actors(tiny, tiny_pairs.bench, "SE01", "SE02")
    # The coop (supply) supplies the university (processing); the agency (products) is two stages away.
    assert pairs[["actor_a", "relation", "actor_b"]].values.tolist() == [["Forest coop", "supplies", "Wood university"]]
    reverse = matching.matched_actors(tiny, tiny_pairs.bench, "SE02", "SE01")
    assert reverse["relation"].tolist() == ["is supplied by"]
    assert matching.matched_actors(tiny, tiny_pairs.bench, "SE01", "FI01").empty


def test_profile_tables(tiny: Data) -> None:
    assert matching.priorities_of(tiny, "SE02")["code"].tolist() == ["NACE:A01", "POL:bio", "FOS:4.1"]
    assert matching.actors_of(tiny, "SE02", CHAIN)["helix"].tolist() == ["Research", "Public authorities"]
    assert matching.projects_of(tiny, "SE01", CHAIN)["project_id"].tolist() == ["p2", "p1"]
    flows = matching.flows_of(tiny, SEL, "SE01")
    assert flows[["direction", "partner", "value"]].values.tolist() == [["out", "FI01", 5.0]]
    assert matching.flows_of(tiny, SEL, "FI01")["direction"].tolist() == ["in"]
    summary = matching.flow_summary(flows)
    assert summary[["kind", "direction", "value", "partners"]].values.tolist() == [["goods", "out", 5.0, 1]]


def test_levels_nest_by_prefix() -> None:
    codes = pd.Series(["SE332", "SE33", "SE3", None])
    assert matching.to_level(codes, 2).tolist()[:3] == ["SE33", "SE33", pd.NA]
    assert matching.to_level(codes, 2).isna().tolist() == [False, False, True, True]


# --- the demo data ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data(demo_data: dict) -> Data:
    return Data({**demo_data, **tables(ideas=[])})


@pytest.fixture(scope="module")
def sel(data: Data) -> Selection:
    return Selection(chain_id="circular_bioeconomy", year=max(data.years()), region="FI1D")


@pytest.fixture(scope="module")
def pairs(data: Data, sel: Selection) -> matching.PairScores:
    return matching.pair_scores(data, matching.benchmark(data, sel), sel)


def test_demo_stage_quotients_agree_with_the_query_layer(
    data: Data, sel: Selection, pairs: matching.PairScores
) -> None:
    totals = total_by_region(data, sel, "employment")
    for stage in data.stages(sel.chain_id)["stage_id"]:
        values = indicator_by_region(
            data, Selection(chain_id=sel.chain_id, year=sel.year, stages=(stage,)), "employment"
        ).set_index("region_id")["value"]
        expected = indicators.location_quotient(values, totals)
        assert pairs.bench.stage_lq.loc["FI1D", stage] == pytest.approx(expected["FI1D"])
    # Countries in view do not change the reference area.
    sweden = matching.benchmark(data, Selection(chain_id=sel.chain_id, year=sel.year, countries=("SE",)))
    pd.testing.assert_frame_equal(sweden.stage_lq, pairs.bench.stage_lq)


def test_demo_links_distance_and_priorities_agree_with_the_tables(
    data: Data, sel: Selection, pairs: matching.PairScores
) -> None:
    f = data["flows"]
    f = f[(f["chain_id"] == sel.chain_id) & (f["year"] == sel.year)]
    between = ((f["from_region"] == "FI1D") & (f["to_region"] == "SE33")) | (
        (f["from_region"] == "SE33") & (f["to_region"] == "FI1D")
    )
    assert pairs.flows.loc["FI1D", "SE33"] == between.sum() > 0
    p = data["projects"]
    both = p["partner_regions"].map(lambda c: {"FI1D", "SE33"} <= set(split_list(c)))
    fits = (p["chain_id"].isna() | (p["chain_id"] == sel.chain_id)) & (p["start_year"] <= sel.year)
    assert pairs.projects.loc["FI1D", "SE33"] == (both & fits).sum()
    r = data["regions"].set_index("nuts_id")
    expected_km = km((r.at["FI1D", "lon"], r.at["FI1D", "lat"]), (r.at["SE33", "lon"], r.at["SE33", "lat"]))
    assert pairs.distance_km.loc["FI1D", "SE33"] == pytest.approx(expected_km)
    prio = {r: set(g) for r, g in data["priorities"].groupby("region_id")["code"]}
    for other in ("SE33", "NO06", "PL84"):
        assert pairs.shared_priorities.loc["FI1D", other] == len(prio["FI1D"] & prio[other])


def test_demo_ranking_for_fi1d(data: Data, pairs: matching.PairScores) -> None:
    candidates = pairs.bench.regions["nuts_id"].tolist()
    ranked = matching.rank_partners(pairs, "FI1D", candidates, matching.DEFAULT_WEIGHTS)
    assert len(ranked) == 55 and "FI1D" not in set(ranked["region_id"])
    assert ranked["score"].is_monotonic_decreasing
    bench = pairs.bench
    for row in ranked.head(5).itertuples():
        # Every "strong in X where you are strong in Y" names stages the partner has and FI1D lacks.
        filled = [
            s
            for s in bench.stages["stage_id"]
            if bench.stage_m.at[row.region_id, s] == 1 and bench.stage_m.at["FI1D", s] == 0
        ]
        if row.complementarity > 0:
            assert any(bench.stage_names[s].lower() in row.why for s in filled)
        n = int(pairs.shared_priorities.at["FI1D", row.region_id])
        assert (f"{n} shared priorit" in row.why) if n else ("no shared priority" in row.why)
    closest = matching.rank_partners(pairs, "FI1D", candidates, {"closeness": 1})
    assert closest["distance_km"].is_monotonic_increasing


def test_demo_similar_regions(pairs: matching.PairScores) -> None:
    bench = pairs.bench
    sectors = bench.sector_lq.columns.tolist()
    peers = matching.similar_regions(bench, "FI1D", sectors, bench.regions["nuts_id"].tolist(), n=5)
    assert len(peers) == 5 and "FI1D" not in set(peers["region_id"])
    assert peers["similarity"].is_monotonic_decreasing
    sim = indicators.profile_similarity(bench.sector_lq)
    assert peers.loc[0, "similarity"] == pytest.approx(sim.loc["FI1D"].drop("FI1D").max())
    table = matching.peer_comparison(
        bench, "FI1D", peers["region_id"].tolist(), sectors, matching.size_and_growth(bench, sectors, since=2018)
    )
    assert table["region_id"].tolist()[0] == "FI1D" and table.loc[0, "similarity"] == 1.0


def test_nuts3_benchmark_covers_the_programme_area() -> None:
    frames = demo.generate(level=3, years=range(2022, 2024), n_projects=40)
    data3 = Data({**frames, **tables(ideas=[])})
    sel3 = Selection(chain_id="circular_bioeconomy", year=2023, level=3)
    pairs3 = matching.pair_scores(data3, matching.benchmark(data3, sel3), sel3)
    n = len(pairs3.bench.regions)
    assert n == len(matching.bsr_regions(data3, 3)) > 200
    matrix = matching.synergy_matrix(
        pairs3, matching.DEFAULT_WEIGHTS, pairs3.bench.regions["nuts_id"], "SE332", limit=60
    )
    assert matrix.shape == (60, 60) and "SE332" in matrix.index
    # NUTS-2 priorities (the demo's are at the generated level) still reach the NUTS-3 regions they cover.
    inc = matching._priority_incidence(
        Data(
            {
                **frames,
                "priorities": tables(
                    priorities=[{"region_id": "SE33", "code": "POL:bio", "dimension": "policy", "label": "Bio"}]
                )["priorities"],
            }
        ),
        pairs3.bench.regions["nuts_id"].tolist(),
        3,
    )
    assert inc.index[inc["POL:bio"] > 0].tolist() == ["SE331", "SE332"]


# --- idea cards ------------------------------------------------------------------------------------------------
def test_idea_checks_and_record() -> None:
    assert matching.check_idea({"title": " ", "regions": ["SE33"]}) == [
        "Give the idea a title.",
        "A joint idea needs at least two regions.",
    ]
    assert matching.check_idea({"title": "Pilot", "regions": ["SE33", "FI1D"]}) == []
    record = matching.idea_record(
        {
            "title": " Pilot ",
            "regions": ["SE33", "FI1D"],
            "actors": [],
            "stages": ["processing"],
            "description": "",
            "chain_id": CHAIN,
            "idea_id": 4,
        }
    )
    assert record == {
        "regions": "SE33;FI1D",
        "actors": None,
        "stages": "processing",
        "title": "Pilot",
        "description": None,
        "next_steps": None,
        "chain_id": CHAIN,
        "idea_id": 4,
    }


def test_suggested_idea_names_the_stages_that_meet(tiny_pairs: matching.PairScores) -> None:
    idea = matching.suggested_idea(tiny_pairs, "SE01", "SE02", actors=["coop", "uni", "coop"])
    assert idea["regions"] == ["SE01", "SE02"] and idea["actors"] == ["coop", "uni"]
    assert idea["stages"] == ["supply", "processing"]
    assert idea["title"] == "Alpha and Beta: joint biomass supply and processing pilot"
    assert str(idea["description"]).startswith("Beta for Alpha: strong in processing (LQ 2.00) where Alpha is strong")
    assert matching.check_idea(idea) == []


def test_saved_ideas_list_and_export(store: Store, tiny: Data) -> None:
    editor = Identity("anna", "editor")
    first = store.save_idea(
        matching.idea_record(
            {
                "title": "Lignin *pilot* <b>",
                "chain_id": CHAIN,
                "regions": ["SE01", "SE02"],
                "actors": ["coop"],
                "stages": ["supply"],
                "description": "Line one\nline two",
            }
        ),
        who=editor,
    )
    store.save_idea(
        matching.idea_record({"title": '=HYPERLINK("http://x")', "chain_id": CHAIN, "regions": ["SE01", "FI01"]}),
        who=editor,
    )
    data = Data({**tiny.frames, "ideas": store.current("ideas")})
    view = matching.ideas_view(data, CHAIN)
    assert view["idea_id"].tolist() == [first + 1, first]  # newest first
    lignin = view.iloc[1]
    assert lignin["regions"] == "SE01 Alpha; SE02 Beta" and lignin["actors"] == "Forest coop"
    assert lignin["stages"] == "Biomass supply" and lignin["created_by"] == "anna"
    md = matching.ideas_markdown(view, "Joint investment ideas – Test chain")
    assert md.startswith("# Joint investment ideas – Test chain\n")
    assert f"## {first}. Lignin \\*pilot\\* \\<b\\>" in md  # user text never becomes markup
    assert "Line one  \nline two" in md
    csv = matching.ideas_csv(view).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and csv == export.to_csv_bytes(view).decode("utf-8-sig")
    assert matching.ideas_view(data, "other_chain").empty


def test_a_year_with_only_missing_values_is_marked_but_has_no_panel_column(tiny: Data) -> None:
    gaps = pd.DataFrame(
        [
            {**row, "year": 2021, "value": None, "flag": "c"}
            for row in employment("SE01", 2021, 0, 0, 0, 0) + employment("FI01", 2021, 0, 0, 0, 0)
            if row["sector"] in ("C16", "A01")
        ]
    )
    obs = pd.concat([tiny["observations"], schema.coerce(gaps, schema.OBSERVATIONS)], ignore_index=True)
    bench = matching.benchmark(Data({**tiny.frames, "observations": schema.coerce(obs, schema.OBSERVATIONS)}), SEL)
    assert 2021 not in bench.panel.columns.get_level_values("year")  # no value at all that year
    assert bench.missing.loc["SE01", (2021, "C16")] and bench.missing.loc["FI01", (2021, "A01")]
    assert not bench.missing.loc["SE02", (2021, "C16")] and not bench.missing.loc["SE01", (2023, "C16")]
    assert bench.panel.loc["SE01", (2023, "A01")] == 40 and math.isnan(bench.panel.loc["NO01", (2023, "A01")])
    assert bench.panel.columns.is_monotonic_increasing and bench.missing.columns.is_monotonic_increasing
