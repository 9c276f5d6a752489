"""Expected values written with plain pandas, independently of valuechain, for tests to compare against."""

from __future__ import annotations

import pandas as pd


def select_flows(
    flows: pd.DataFrame,
    chain: str,
    year: int,
    kind: str | None = "goods",
    countries: tuple[str, ...] = (),
    stages: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Flows of one chain and year (and kind), touching the countries and stages as the flows page states."""
    f = flows[(flows["chain_id"] == chain) & (flows["year"] == year)]
    if kind:
        f = f[f["kind"] == kind]
    if countries:
        f = f[f["from_region"].str[:2].isin(countries) | f["to_region"].str[:2].isin(countries)]
    if stages:
        f = f[f["from_stage"].isin(stages) | f["to_stage"].isin(stages)]
    return f
