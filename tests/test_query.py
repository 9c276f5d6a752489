"""The selection layer: aggregation that every page relies on."""

from __future__ import annotations

import pandas as pd

from valuechain.query import _sum_with_flags


def test_summed_regions_keep_every_distinct_flag() -> None:
    frame = pd.DataFrame(
        {
            "region_id": ["A", "A", "A", "B"],
            "value": [1.0, 2.0, 3.0, 4.0],
            "unit": ["u"] * 4,
            "source": ["s"] * 4,
            "flag": ["p", None, "e", None],
        }
    )
    out = _sum_with_flags(frame, ["region_id"]).set_index("region_id")
    assert out.loc["A", "value"] == 6.0 and out.loc["A", "flag"] == "ep"
    assert out.loc["B", "value"] == 4.0 and pd.isna(out.loc["B", "flag"])
