"""Derived indicators: map indicators computed from one base indicator of the data, each one entry here.

A new one is one `Derived` in REGISTRY plus a test: the map offers it whenever its base indicator is
loaded, and its label, unit, colour scale (diverging around 1 or sequential), tooltips, legend, side
panel, value table, method caption and the About page's formula all follow from the entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from valuechain import indicators
from valuechain.query import Data, Selection, total_by_region

# values: the base indicator per region (index region_id) over the whole programme area → the derived values
Compute = Callable[[Data, Selection, str, pd.Series], pd.Series]


@dataclass(frozen=True)
class Derived:
    """One derived indicator: what it is called, how it is made, what it is made from, how it is coloured."""

    name: str  # "Location quotient"; the map adds the base indicator's name in brackets
    formula: str  # LaTeX, on the map under the chart and on the About page
    note: str  # what the formula's symbols mean (About page)
    method: str  # the map's caption; {base}, {scope}, {year} and {level} are filled in
    base: str  # indicator_id it is computed from
    unit: str
    diverging: bool  # True: classes and colours diverge around 1 (the BSR average); False: sequential
    compute: Compute


def _location_quotient(data: Data, reference: Selection, base: str, values: pd.Series) -> pd.Series:
    totals = total_by_region(data, reference, base).astype(float).reindex(values.index)
    return indicators.location_quotient(values, totals.where(values.notna()))


LOCATION_QUOTIENT = "location_quotient"
REGISTRY: dict[str, Derived] = {
    LOCATION_QUOTIENT: Derived(
        name="Location quotient",
        formula=r"LQ_{r,s} = \frac{x_{r,s} / x_r}{x_{s} / x}",
        note=(
            "x_{r,s}: the indicator (e.g. employment) of region r in sector or stage s; x_r: the region's total "
            "over all activities (NACE TOTAL); x_s and x: the same sums over the reference area, the BSR programme "
            "area at the selected NUTS level. LQ > 1 means the region is more specialised in s than the BSR as a "
            "whole; the app calls a region specialised from the threshold the user sets (1.0 or 1.25)."
        ),
        method=(
            "x_r,s: {base} of region r in {scope}, {year}; x_r: its {base} over all activities; x_s and x: the "
            "same sums over the whole BSR programme area at NUTS {level}, the reference area even when fewer "
            "countries are shown. Above 1: more specialised than the BSR."
        ),
        base="employment",  # as in the demo's priorities
        unit="index, BSR average = 1",
        diverging=True,
        compute=_location_quotient,
    ),
}
