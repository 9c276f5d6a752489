"""Indicator formulas pinned on small hand-computed cases and edge cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from valuechain import indicators


def test_location_quotient_hand_computed() -> None:
    # Region A: 20 of 100 jobs in the sector; region B: 10 of 300. BSR: 30 of 400 = 0.075.
    values = pd.Series({"A": 20.0, "B": 10.0})
    totals = pd.Series({"A": 100.0, "B": 300.0})
    lq = indicators.location_quotient(values, totals)
    assert lq["A"] == pytest.approx((20 / 100) / (30 / 400))  # 2.6667
    assert lq["B"] == pytest.approx((10 / 300) / (30 / 400))  # 0.4444
    # Employment-weighted mean of LQs over the reference area is 1 by construction.
    assert (lq * totals).sum() / totals.sum() == pytest.approx(1.0)


def test_location_quotient_edge_cases() -> None:
    # A region with zero total has no quotient; a single region is exactly 1.
    lq = indicators.location_quotient(pd.Series({"A": 0.0, "B": 5.0}), pd.Series({"A": 0.0, "B": 50.0}))
    assert math.isnan(lq["A"]) and lq["B"] == pytest.approx(1.0)
    single = indicators.location_quotient(pd.Series({"A": 3.0}), pd.Series({"A": 9.0}))
    assert single["A"] == pytest.approx(1.0)
    zero = indicators.location_quotient(pd.Series({"A": 0.0, "B": 0.0}), pd.Series({"A": 10.0, "B": 10.0}))
    assert zero.isna().all()
    missing = indicators.location_quotient(pd.Series({"A": 2.0}), pd.Series({"A": 10.0, "B": 10.0}))
    assert missing["A"] == pytest.approx(2.0) and math.isnan(missing["B"])


def test_share_and_growth() -> None:
    s = indicators.share(pd.Series({"A": 1.0, "B": 3.0}))
    assert s.to_dict() == {"A": 0.25, "B": 0.75}
    assert indicators.share(pd.Series({"A": 0.0})).isna().all()
    g = indicators.growth(pd.Series({"A": 100.0, "B": 0.0}), pd.Series({"A": 121.0, "B": 5.0}), years=2)
    assert g["A"] == pytest.approx(0.10)
    assert math.isnan(g["B"])
    assert indicators.growth(pd.Series({"A": 1.0}), pd.Series({"A": 2.0}), years=0).isna().all()


def test_every_formula_has_a_note() -> None:
    assert set(indicators.FORMULAS) == set(indicators.FORMULA_NOTES)
