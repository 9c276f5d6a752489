"""Issue 10, item 3: a missing value (':', 'NA', confidential ': c') is stored as a row without a number that keeps
its flag, on both backends and in a database made before, and every consumer is honest about it: sums with a
missing part are missing, quotients are not computed from a gap, the map says "confidential (c)"."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tests.test_matching import SEL, employment, tables
from valuechain import choropleth, demo, derived, ingest, matching, schema
from valuechain.query import Data, _sum_with_flags, indicator_by_region
from valuechain.store import Identity, Store, ddl

EDITOR = Identity("analyst", "editor")


def test_a_sum_with_a_missing_part_is_missing_and_keeps_the_flag() -> None:
    frame = pd.DataFrame(
        {
            "region_id": ["A", "A", "B", "B", "C"],
            "value": [1.0, np.nan, 2.0, 3.0, np.nan],
            "unit": ["u"] * 5,
            "source": ["s"] * 5,
            "flag": [None, "c", "p", None, None],
        }
    )
    out = _sum_with_flags(frame, ["region_id"]).set_index("region_id")
    assert pd.isna(out.loc["A", "value"]) and out.loc["A", "flag"] == "c", "not 1: a confidential part is unknown"
    assert out.loc["B", "value"] == 5.0 and out.loc["B", "flag"] == "p"
    assert pd.isna(out.loc["C", "value"]), "all parts missing: missing, not 0"


@pytest.fixture(scope="module")
def secret() -> Data:
    """The matching test's regions, with SE02's wood-processing (C16) employment confidential."""
    from tests.test_matching import CHAIN

    rows = [*employment("SE01", 2023, 40, 10, 10, 100), *employment("SE02", 2023, 10, 40, 10, 100)]
    rows += employment("FI01", 2023, 10, 10, 40, 100)
    for r in rows:
        if r["region_id"] == "SE02" and r["sector"] == "C16":
            r["value"], r["flag"] = None, "c"
    regions = [
        {"nuts_id": c, "name": c, "country": c[:2], "level": 2, "bsr": True, "lon": 18.0, "lat": 60.0 + i}
        for i, c in enumerate(("SE01", "SE02", "FI01"))
    ]
    frames = tables(
        regions=regions,
        value_chains=[{"chain_id": CHAIN, "name": "Test chain"}],
        stages=[
            {"chain_id": CHAIN, "stage_id": "supply", "position": 1, "name": "Supply"},
            {"chain_id": CHAIN, "stage_id": "processing", "position": 2, "name": "Processing"},
            {"chain_id": CHAIN, "stage_id": "products", "position": 3, "name": "Products"},
        ],
        sectors=[{"nace": n, "name": n} for n in ("A01", "C16", "C20", "TOTAL")],
        stage_sectors=[
            {"chain_id": CHAIN, "stage_id": s, "nace": n}
            for s, n in (("supply", "A01"), ("processing", "C16"), ("products", "C20"))
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
        observations=rows,
        flows=[],
        actors=[],
        priorities=[],
        projects=[],
        ideas=[],
    )
    return Data(frames)


def test_quotients_and_stage_sums_are_not_computed_from_a_confidential_value(secret: Data) -> None:
    bench = matching.benchmark(secret, SEL)
    assert pd.isna(bench.sector_values.loc["SE02", "C16"]), "confidential, not 0"
    assert pd.isna(bench.stage_values.loc["SE02", "processing"]) and pd.isna(bench.stage_lq.loc["SE02", "processing"])
    assert bench.stage_lq.loc["SE01", "supply"] == pytest.approx((40 / 100) / (60 / 300))
    assert bench.stage_m.loc["SE02", "processing"] == 0.0, "no quotient: not counted as specialised"
    sizes = matching.size_and_growth(bench, ["A01", "C16", "C20"], since=2023)
    assert pd.isna(sizes.loc["SE02", "value"]) and sizes.loc["SE01", "value"] == 60, "a total without C16 is unknown"
    assert sizes["ranked"].iloc[0] == 2
    profile = matching.stage_profile(bench, "SE02", since=2023).set_index("stage_id")
    assert pd.isna(profile.loc["processing", "lq"]) and profile.loc["supply", "lq"] == pytest.approx(0.5)


def test_the_map_says_confidential_instead_of_a_number(secret: Data) -> None:
    sel = replace(SEL, sectors=("C16",))
    table = indicator_by_region(secret, sel, "employment").set_index("region_id")
    assert pd.isna(table.loc["SE02", "value"]) and table.loc["SE02", "flag"] == "c"
    assert table.loc["SE01", "value"] == 10
    values = choropleth.region_values(secret, sel, "employment")
    tips = choropleth.region_tooltips(values, secret, "Employment")
    tip = tips[values["region_id"] == "SE02"].iat[0]
    assert "Employment: confidential (c)" in tip and "not ranked" in tip
    assert "Employment: 10 persons" in tips[values["region_id"] == "SE01"].iat[0]
    assert choropleth.confidential(values["value"], values["flag"]).tolist() == [
        r == "SE02" for r in values["region_id"]
    ]
    lq = choropleth.region_values(secret, sel, derived.LOCATION_QUOTIENT).set_index("region_id")
    # the reference leaves SE02 out entirely (its C16 is unknown): (10 / 100) / (20 / 200) = 1
    assert pd.isna(lq.loc["SE02", "value"]) and lq.loc["SE02", "flag"] == "c"
    assert lq.loc["SE01", "value"] == pytest.approx(1.0)


def test_a_missing_value_is_stored_with_its_flag_on_both_backends(store: Store, demo_data: dict) -> None:
    text = (
        "region_id,sector,indicator,year,value,unit,source,flag\n"
        "SE33,TOTAL,pop,2021,5,persons,test,\n"
        "FI1D,TOTAL,pop,2021,: c,persons,test,\n"
        "FI1C,TOTAL,pop,2021,NA,persons,test,\n"
    )
    data = ("observations", "flows", "actors", "priorities", "projects")
    demo.seed_store(store, demo.load_definitions() | {name: demo_data[name].head(20) for name in data})
    definition = pd.DataFrame(
        [{"indicator_id": "pop", "name": "Population", "unit": "persons", "additive": "true", "nonnegative": "true"}]
    )
    parsed = ingest.read(text.encode(), "pop.csv")
    mapping = ingest.auto_map(parsed, "observations")
    checked = ingest.check(
        parsed, "observations", mapping, ingest.Context.from_store(store, "observations"), dataset="Pop",
        new_indicators=definition,
    )  # fmt: skip
    assert checked.ok, checked.report.errors
    ingest.commit(store, checked, EDITOR)
    rows = store.current("observations").set_index("region_id")
    assert rows.loc["SE33", "value"] == 5
    assert pd.isna(rows.loc["FI1D", "value"]) and rows.loc["FI1D", "flag"] == "c"
    assert pd.isna(rows.loc["FI1C", "value"]) and pd.isna(rows.loc["FI1C", "flag"])


def test_the_value_column_never_had_a_not_null_constraint_so_older_databases_take_missing_values() -> None:
    """The store's DDL declares no NOT NULL on data columns (checks live in ingest), so a database file made
    before this change stores missing values as it is: nothing to migrate."""
    statement = ddl(schema.OBSERVATIONS)
    assert "value DOUBLE PRECISION," in statement and "value DOUBLE PRECISION NOT NULL" not in statement
    assert schema.OBSERVATIONS.column("value").required, "the column itself must still be in the file"


@pytest.mark.parametrize(
    ("value", "flag", "text"),
    [
        (2.51, None, "2.51"),
        (3.1, "p", "3.10 (p: provisional)"),
        (118518.73, "pe", "118,519 (pe: provisional, estimated)"),
        (-0.4, np.nan, "\u22120.40"),  # U+2212: never read as a formula in a copied table
        (np.nan, "c", "confidential (c)"),
        (None, None, "no data"),
        (np.nan, "u", "no data"),
    ],
)
def test_a_table_cell_says_what_a_gap_is_in_the_maps_words(value: object, flag: object, text: str) -> None:
    assert choropleth.value_text(value, flag) == text
