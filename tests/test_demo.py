"""The demo generator: reproducible, schema-valid, and shaped like the BSR economy it stands in for."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from valuechain import demo, geo, schema
from valuechain.schema import LIST_SEPARATOR, TOTAL_SECTOR

YEARS = list(range(2018, 2024))
PARTNERS = {  # name → (type, NUTS-2, NUTS-3)
    "Region Västerbotten": ("public", "SE33", "SE331"),
    "Baltic Institute of Finland": ("research", "FI19", "FI197"),
    "Aalto University": ("research", "FI1B", "FI1B1"),
    "LAB University of Applied Sciences": ("research", "FI1C", "FI1C3"),
    "Hamburg Institute of International Economics (HWWI)": ("research", "DE60", "DE600"),
    "Lithuanian Agency for Science, Innovation and Technology (MITA)": ("public", "LT01", "LT011"),
    "Trøndelag County Council": ("public", "NO06", "NO060"),
}


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return demo.generate()


@pytest.fixture(scope="module")
def data_nuts3() -> dict[str, pd.DataFrame]:
    return demo.generate(level=3)


def known_values(data: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    """Valid values of every referenced column, taken from the generated reference tables."""
    return {
        "regions.nuts_id": set(data["regions"]["nuts_id"]),
        "sectors.nace": set(data["sectors"]["nace"]),
        "indicators.indicator_id": set(data["indicators"]["indicator_id"]),
        "value_chains.chain_id": set(data["value_chains"]["chain_id"]),
        "stages.stage_id": set(data["stages"]["stage_id"]),
        "actors.actor_id": set(data["actors"]["actor_id"]),
    }


def bsr_regions(data: dict[str, pd.DataFrame], level: int) -> set[str]:
    r = data["regions"]
    return set(r.loc[(r["level"] == level) & r["bsr"].astype(bool), "nuts_id"])


def split(cell: object) -> list[str]:
    return [] if pd.isna(cell) else str(cell).split(LIST_SEPARATOR)


# --- reproducibility ---------------------------------------------------------------------------------
def test_same_seed_gives_identical_frames(data: dict[str, pd.DataFrame]) -> None:
    again = demo.generate(demo.DEMO_SEED)
    assert list(again) == list(schema.LOAD_ORDER)
    for name in schema.LOAD_ORDER:
        pd.testing.assert_frame_equal(data[name], again[name], obj=name)


def test_other_seed_gives_other_values(data: dict[str, pd.DataFrame]) -> None:
    other = demo.generate(demo.DEMO_SEED + 1)
    for name in ("observations", "flows", "actors", "priorities", "projects"):
        assert not data[name].equals(other[name]), name
    # the definition tables are data, not randomness
    for name in ("regions", "value_chains", "stages", "sectors", "stage_sectors", "indicators"):
        pd.testing.assert_frame_equal(data[name], other[name], obj=name)
    assert other["observations"]["source"].str.endswith(f"seed {demo.DEMO_SEED + 1}").all()


# --- schema ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", schema.LOAD_ORDER)
def test_every_table_passes_validation(data: dict[str, pd.DataFrame], name: str) -> None:
    frame = data[name]
    assert list(frame.columns) == schema.TABLES[name].column_names
    assert len(frame) > 0
    report = schema.validate(frame, schema.TABLES[name], known=known_values(data))
    assert report.ok, report.summary() + "\n" + report.errors.head(10).to_string()


@pytest.mark.parametrize("name", ["observations", "flows", "actors", "priorities", "projects"])
def test_nuts3_tables_pass_validation(data_nuts3: dict[str, pd.DataFrame], name: str) -> None:
    report = schema.validate(data_nuts3[name], schema.TABLES[name], known=known_values(data_nuts3))
    assert report.ok, report.summary()


def test_definitions_keep_codes_as_text() -> None:
    defs = demo.load_definitions()
    regions = defs["regions"].set_index("nuts_id")
    assert regions.loc["NO0A", "name"] == "Vestlandet"
    assert regions.loc["DE30", "level"] == 2
    assert pd.isna(regions.loc["DE", "parent_id"])
    assert len(regions) == 685
    assert defs["sectors"]["nace"].map(type).eq(str).all()


# --- definitions -------------------------------------------------------------------------------------
def test_sectors_are_all_nace_divisions_plus_total(data: dict[str, pd.DataFrame]) -> None:
    sectors = data["sectors"]
    divisions = sectors[sectors["nace"] != TOTAL_SECTOR]
    assert len(divisions) == 88  # NACE Rev. 2 has 88 divisions, 01 to 99
    assert (divisions["section"] == divisions["nace"].str[0]).all()
    assert divisions["nace"].is_unique
    total = sectors[sectors["nace"] == TOTAL_SECTOR].iloc[0]
    assert total["name"] == "All NACE activities" and pd.isna(total["section"])
    assert sectors.set_index("nace").loc["C16", "name"].startswith("Manufacture of wood and of products of wood")


def test_stage_positions_and_sector_mapping(data: dict[str, pd.DataFrame]) -> None:
    stages, mapping = data["stages"], data["stage_sectors"]
    assert set(data["value_chains"]["chain_id"]) == {"circular_bioeconomy", "offshore_wind"}
    for chain_id, group in stages.groupby("chain_id"):
        assert sorted(group["position"]) == list(range(1, len(group) + 1)), chain_id
        ids = set(group["stage_id"])
        assert group["feeds_back_to"].dropna().isin(ids).all(), chain_id
        assert group["feeds_back_to"].notna().any(), f"{chain_id} has no loop"
        chain_map = mapping[mapping["chain_id"] == chain_id]
        assert set(chain_map["stage_id"]) == ids, f"{chain_id}: every stage needs a division"
        assert chain_map["nace"].is_unique, f"{chain_id}: a division maps to two stages"
        assert chain_map["rationale"].notna().all()
    assert mapping["nace"].isin(data["sectors"]["nace"]).all()
    assert mapping.duplicated("nace").any(), "some division (e.g. M72) should serve both chains"
    bio = mapping[mapping["chain_id"] == "circular_bioeconomy"].set_index("nace")["stage_id"]
    assert bio["A02"] == "biomass_supply" and bio["C17"] == "processing" and bio["E38"] == "end_of_life"


# --- observations ------------------------------------------------------------------------------------
def test_observations_cover_every_nuts2_region_sector_indicator_and_year(data: dict[str, pd.DataFrame]) -> None:
    obs = data["observations"]
    regions = bsr_regions(data, 2)
    assert len(regions) == 56
    assert set(obs["region_id"]) == regions
    sectors = set(data["stage_sectors"]["nace"]) | {TOTAL_SECTOR}
    assert set(obs["sector"]) == sectors
    assert set(obs["year"]) == set(YEARS)
    counts = obs.groupby(["region_id", "year"]).size()
    assert len(counts) == 56 * len(YEARS)
    assert (counts == len(sectors) * len(data["indicators"])).all()
    assert not obs.duplicated(list(schema.OBSERVATIONS.key)).any()


def test_total_is_at_least_the_sum_of_sectors(data: dict[str, pd.DataFrame]) -> None:
    obs = data["observations"]
    total = obs[obs["sector"] == TOTAL_SECTOR].set_index(["region_id", "indicator", "year"])["value"]
    parts = obs[obs["sector"] != TOTAL_SECTOR].groupby(["region_id", "indicator", "year"])["value"].sum()
    joined = pd.concat([total.rename("total"), parts.rename("parts")], axis=1)
    assert len(joined) == 56 * len(YEARS) * 5
    assert (joined["total"] >= joined["parts"]).all()
    employment = joined.xs("employment", level="indicator")
    assert (employment["parts"] / employment["total"]).between(0.1, 0.9).all()


def test_observation_values_units_and_flags(data: dict[str, pd.DataFrame]) -> None:
    obs = data["observations"]
    assert (obs["value"] >= 0).all()
    counts = obs[obs["indicator"].isin(["employment", "enterprises", "patents", "rd_projects"])]["value"]
    assert (counts == counts.round()).all()
    units = data["indicators"].set_index("indicator_id")["unit"]
    assert (obs["unit"] == obs["indicator"].map(units)).all()
    flagged = obs[obs["flag"].notna()]
    assert set(flagged["flag"]) == {"p"}
    assert (flagged["year"] == YEARS[-1]).all()
    assert 0 < len(flagged) < 0.05 * len(obs)
    assert (obs["source"] == f"demo data (synthetic), generator valuechain.demo seed {demo.DEMO_SEED}").all()


def test_capitals_are_large_and_sectors_specialise_plausibly(data: dict[str, pd.DataFrame]) -> None:
    obs = data["observations"]
    emp = obs[(obs["indicator"] == "employment") & (obs["year"] == YEARS[-1])]
    table = emp.pivot(index="region_id", columns="sector", values="value").astype(float)
    total = table[TOTAL_SECTOR]
    capitals = ["DK01", "EE00", "FI1B", "LV00", "LT01", "NO08", "PL91", "SE11", "DE30", "DE60"]
    assert total[capitals].median() > total.drop(capitals).median()
    share = table.div(total, axis=0)
    country = share.index.str[:2]
    north = country.isin(["FI", "SE", "NO", "EE", "LV"]) & (share.index != "NO0B")
    assert share.loc[north, "A02"].mean() > 2 * share.loc[country.isin(["DE", "PL", "DK"]), "A02"].mean()
    farming = country.isin(["PL", "DK", "LT"])
    assert share.loc[farming, "A01"].mean() > share.loc[country.isin(["NO", "SE"]), "A01"].mean()
    assert share.loc[country == "NO", "A03"].mean() > 3 * share.loc[country == "PL", "A03"].mean()
    # smooth trends: no region's total employment jumps by more than 10 % from one year to the next
    totals = obs[(obs["indicator"] == "employment") & (obs["sector"] == TOTAL_SECTOR)]
    series = totals.pivot(index="region_id", columns="year", values="value").astype(float)
    assert (series.pct_change(axis=1).iloc[:, 1:].abs() < 0.1).all().all()


# --- flows -------------------------------------------------------------------------------------------
def test_flows_follow_stage_order_and_include_loops(data: dict[str, pd.DataFrame]) -> None:
    flows, stages = data["flows"], data["stages"]
    for chain_id, group in stages.groupby("chain_id"):
        ordered = group.sort_values("position")["stage_id"].tolist()
        allowed = set(itertools.pairwise(ordered))
        loops = {(s, b) for s, b in zip(group["stage_id"], group["feeds_back_to"], strict=True) if not pd.isna(b)}
        assert loops, chain_id
        chain_flows = flows[flows["chain_id"] == chain_id]
        pairs = set(zip(chain_flows["from_stage"], chain_flows["to_stage"], strict=True))
        assert pairs <= allowed | loops, chain_id
        assert loops <= pairs, f"{chain_id}: missing loop flows"
        for from_stage, to_stage in loops:
            loop = chain_flows[(chain_flows["from_stage"] == from_stage) & (chain_flows["to_stage"] == to_stage)]
            assert set(loop["kind"]) == set(schema.FLOW_KINDS)
            assert set(loop["year"]) == set(YEARS)


def test_flow_sizes_kinds_and_units(data: dict[str, pd.DataFrame]) -> None:
    flows = data["flows"]
    per_year = flows.groupby("year").size()
    assert set(per_year.index) == set(YEARS)
    assert per_year.between(1000, 10000).all()  # a few thousand a year at NUTS-2
    assert (flows["value"] > 0).all()
    assert dict(flows.groupby("kind")["unit"].unique().map(list)) == {k: [u] for k, u in demo.FLOW_UNITS.items()}
    knowledge = flows.loc[flows["kind"] == "knowledge", "value"]
    assert (knowledge == knowledge.round()).all()
    assert (flows["from_region"] == flows["to_region"]).any(), "some within-region flows"
    assert (flows["from_region"] != flows["to_region"]).mean() > 0.5
    assert not flows.duplicated(list(schema.FLOWS.key)).any()


def test_flows_decay_with_distance(data: dict[str, pd.DataFrame]) -> None:
    """Nearest third of the kept links carries clearly more than the farthest third.

    Investment alone is not checked: each origin keeps one investment link, and rich distant origins
    investing in lower-cost regions (by design) make that selection noisy.
    """
    regions = data["regions"].set_index("nuts_id")
    flows = data["flows"][data["flows"]["year"] == YEARS[-1]]
    for kind in ("goods", "knowledge", None):
        subset = flows if kind is None else flows[flows["kind"] == kind]
        a, b = regions.loc[subset["from_region"]], regions.loc[subset["to_region"]]
        km = geo.haversine_km(
            a["lon"].to_numpy(float), a["lat"].to_numpy(float), b["lon"].to_numpy(float), b["lat"].to_numpy(float)
        )
        ordered = subset["value"].to_numpy(float)[np.argsort(km, kind="stable")]
        third = len(ordered) // 3
        assert ordered[:third].mean() > 1.2 * ordered[-third:].mean(), kind or "all kinds"


# --- actors, priorities, projects --------------------------------------------------------------------
def test_real_partners_are_present_with_their_regions(
    data: dict[str, pd.DataFrame], data_nuts3: dict[str, pd.DataFrame]
) -> None:
    for frame, column in ((data["actors"], 1), (data_nuts3["actors"], 2)):
        by_name = frame.set_index("name")
        for name, facts in PARTNERS.items():
            assert name in by_name.index, name
            assert by_name.loc[name, "type"] == facts[0]
            assert by_name.loc[name, "region_id"] == facts[column]
            competences = by_name.loc[name, "competences"]
            assert pd.isna(competences) or competences.endswith("(demo)")


def test_synthetic_actors(data: dict[str, pd.DataFrame]) -> None:
    actors = data["actors"]
    synthetic = actors[~actors["name"].isin(PARTNERS)]
    assert synthetic["name"].str.startswith("Demo ").all()
    assert synthetic["website"].isna().all()
    assert synthetic["competences"].str.endswith("(demo)").all()
    per_region = synthetic.groupby("region_id").size()
    assert set(per_region.index) == bsr_regions(data, 2)
    assert per_region.between(2, 6).all()
    assert set(synthetic["type"]) == set(schema.ACTOR_TYPES)
    assert (synthetic.groupby("region_id")["type"].apply(set).map(lambda t: "business" in t)).all()
    stages = data["stages"]
    for chain_id, cell in zip(synthetic["chain_id"], synthetic["stages"], strict=True):
        assert set(split(cell)) <= set(stages.loc[stages["chain_id"] == chain_id, "stage_id"])


def test_priorities(data: dict[str, pd.DataFrame]) -> None:
    priorities = data["priorities"]
    per_region = priorities.groupby("region_id").size()
    assert set(per_region.index) == bsr_regions(data, 2)
    assert per_region.between(2, 5).all()
    assert set(priorities["dimension"]) == set(schema.PRIORITY_DIMENSIONS)
    assert priorities["label"].str.endswith("(demo)").all()
    assert priorities["description"].str.contains("Synthetic").all()
    economic = priorities[priorities["dimension"] == "economic"]["code"].str.removeprefix("NACE:")
    assert economic.isin(data["stage_sectors"]["nace"]).all()


def test_projects(data: dict[str, pd.DataFrame]) -> None:
    projects = data["projects"]
    assert len(projects) == 150
    assert projects["title"].str.endswith(" (demo)").all()
    assert (projects["public_funding_eur"] <= projects["budget_eur"]).all()
    assert (projects["budget_eur"] > 0).all()
    assert projects["start_year"].between(2014, 2027).all() and projects["end_year"].between(2014, 2027).all()
    assert (projects["end_year"] >= projects["start_year"]).all()
    assert projects["programme"].nunique() >= 4
    actor_region = data["actors"].set_index("actor_id")["region_id"]
    stages = data["stages"]
    for _, p in projects.iterrows():
        regions = split(p["partner_regions"])
        assert 2 <= len(regions) <= 6 and len(set(regions)) == len(regions)
        assert {actor_region[a] for a in split(p["partner_actors"])} <= set(regions)
        assert set(split(p["stages"])) <= set(stages.loc[stages["chain_id"] == p["chain_id"], "stage_id"])
    national = projects[projects["programme"].isin(["ERDF regional programme", "National innovation funding"])]
    assert national["partner_regions"].map(lambda c: len({r[:2] for r in split(c)}) == 1).all()


# --- NUTS-3, other definitions, store, command line --------------------------------------------------
def test_nuts3_generates_248_regions(data_nuts3: dict[str, pd.DataFrame]) -> None:
    regions = bsr_regions(data_nuts3, 3)
    assert len(regions) == 248
    assert set(data_nuts3["observations"]["region_id"]) == regions
    flows = data_nuts3["flows"]
    assert set(flows["from_region"]) | set(flows["to_region"]) <= regions
    assert set(data_nuts3["actors"]["region_id"]) == regions


def test_a_third_chain_needs_no_code_change() -> None:
    defs = demo.load_definitions()
    extra = {
        "value_chains": pd.DataFrame({"chain_id": ["batteries"], "name": ["Batteries"]}),
        "stages": pd.DataFrame(
            {
                "chain_id": ["batteries"] * 3,
                "stage_id": ["mining", "cells", "recycling"],
                "position": [1, 2, 3],
                "name": ["Mining", "Cells", "Recycling"],
                "feeds_back_to": [None, None, "mining"],
            }
        ),
        "stage_sectors": pd.DataFrame(
            {
                "chain_id": ["batteries"] * 4,
                "stage_id": ["mining", "cells", "cells", "recycling"],
                "nace": ["B07", "C27", "C26", "E38"],
            }
        ),
    }
    for name, frame in extra.items():
        defs[name] = schema.coerce(pd.concat([defs[name], frame], ignore_index=True), schema.TABLES[name])
    out = demo.generate(5, definitions=defs, n_projects=20)
    assert {"B07", "C26"} <= set(out["observations"]["sector"])
    flows = out["flows"][out["flows"]["chain_id"] == "batteries"]
    assert {("mining", "cells"), ("cells", "recycling"), ("recycling", "mining")} == set(
        zip(flows["from_stage"], flows["to_stage"], strict=True)
    )
    for name in ("observations", "flows", "actors", "priorities", "projects"):
        assert schema.validate(out[name], schema.TABLES[name], known=known_values(out)).ok, name


def test_seed_store_commits_every_table_as_the_demo_dataset(store, data: dict[str, pd.DataFrame]) -> None:
    demo.seed_store(store, data)
    versions = store.versions()
    assert set(versions["table_name"]) == set(schema.LOAD_ORDER)
    assert (versions["dataset"] == demo.DEMO_DATASET).all()
    assert (versions["origin"] == "demo").all()
    assert (versions["file_name"] == f"valuechain.demo seed {demo.DEMO_SEED}").all()
    for name in ("regions", "observations", "flows", "actors"):
        assert len(store.current(name)) == len(data[name]), name
    stored = store.current("regions").set_index("nuts_id")
    assert stored.loc["NO0A", "name"] == "Vestlandet"


def test_command_line_writes_one_csv_per_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo.main(["--out", str(tmp_path), "--seed", "3", "--first-year", "2022", "--last-year", "2023"])
    assert sorted(p.stem for p in tmp_path.glob("*.csv")) == sorted(schema.LOAD_ORDER)
    obs = pd.read_csv(tmp_path / "observations.csv", dtype=str, keep_default_na=False)
    assert set(obs["year"]) == {"2022", "2023"}
    assert "NO0A" in set(obs["region_id"])
    assert "observations:" in capsys.readouterr().out
