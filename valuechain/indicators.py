"""Indicators computed from observations; each formula is stated here and on the About page.

All functions take plain DataFrames so they can be pinned on hand-computed examples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FORMULAS: dict[str, tuple[str, str]] = {
    "location_quotient": (
        "Location quotient",
        r"LQ_{r,s} = \frac{x_{r,s} / x_r}{x_{s} / x}",
    ),
    "share": ("Size (share of the BSR total)", r"\mathrm{share}_{r,s} = \frac{x_{r,s}}{\sum_{r'} x_{r',s}}"),
    "growth": ("Growth (compound annual rate)",
               r"g_{r,s} = \left(\frac{x_{r,s,t_1}}{x_{r,s,t_0}}\right)^{1/(t_1-t_0)} - 1"),
}
FORMULA_NOTES = {
    "location_quotient": (
        "x_{r,s}: the indicator (e.g. employment) of region r in sector or stage s; x_r: the region's total over "
        "all activities (NACE TOTAL); x_s and x: the same sums over the reference area, the BSR programme area at "
        "the selected NUTS level. LQ > 1 means the region is more specialised in s than the BSR as a whole; "
        "the app calls a region specialised from the threshold the user sets (1.0 or 1.25)."
    ),
    "share": "The region's part of the BSR total of the same indicator, sector or stage and year.",
    "growth": "Between the first and the last selected year; empty where the first year is zero or missing.",
}


def location_quotient(values: pd.Series, totals: pd.Series) -> pd.Series:
    """LQ per region for one sector or stage: (x_rs / x_r) / (x_s / x) over the regions given.

    `values` and `totals` are indexed by region; the reference area is the union of their regions.
    Regions with a zero or missing total, or an all-zero reference, get NaN (no quotient exists).
    """
    values, totals = values.astype(float).align(totals.astype(float), join="outer")
    reference_share = values.sum(skipna=True) / totals.sum(skipna=True) if totals.sum(skipna=True) else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        own_share = values / totals.where(totals > 0)
        lq = own_share / reference_share if reference_share and not np.isnan(reference_share) else own_share * np.nan
    return lq.rename("lq")


def share(values: pd.Series) -> pd.Series:
    """Each region's part of the total of `values` (NaN where the total is zero)."""
    total = values.sum(skipna=True)
    return (values / total if total else values * np.nan).rename("share")


def growth(first: pd.Series, last: pd.Series, years: int) -> pd.Series:
    """Compound annual growth rate between two years; NaN where it is undefined."""
    first, last = first.astype(float).align(last.astype(float), join="outer")
    if years <= 0:
        return (last * np.nan).rename("growth")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = last / first.where(first > 0)
    return (ratio ** (1 / years) - 1).rename("growth")
