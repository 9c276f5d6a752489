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


# --- specialisation matrices, relatedness and partner scores ---------------------------------------------------
def frame(rows: dict[str, list[float]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns, dtype=float)


def test_specialisation_matrix_matches_the_single_quotient_and_the_threshold() -> None:
    # A: 20 + 10 of 100 jobs, B: 10 + 50 of 300. BSR: s1 30/400, s2 60/400.
    values = frame({"A": [20, 10], "B": [10, 50]}, ["s1", "s2"])
    totals = pd.Series({"A": 100.0, "B": 300.0})
    lq = indicators.specialisation(values, totals)
    assert lq.loc["A", "s1"] == pytest.approx((20 / 100) / (30 / 400))  # 2.667
    assert lq.loc["A", "s2"] == pytest.approx((10 / 100) / (60 / 400))  # 0.667
    assert lq.loc["B", "s2"] == pytest.approx((50 / 300) / (60 / 400))  # 1.111
    pd.testing.assert_series_equal(lq["s1"], indicators.location_quotient(values["s1"], totals), check_names=False)
    assert indicators.specialised(lq, 1.0).to_dict("index") == {
        "A": {"s1": 1.0, "s2": 0.0},
        "B": {"s1": 0.0, "s2": 1.0},
    }
    assert indicators.specialised(lq, 1.25).loc["B"].tolist() == [0.0, 0.0]  # 1.11 is below 1.25
    # Reaching the threshold exactly counts as specialised; no quotient never does.
    assert indicators.specialised(frame({"A": [1.25, float("nan")]}, ["s1", "s2"]), 1.25).loc["A"].tolist() == [1, 0]


def test_specialisation_edge_cases_zero_total_and_a_single_region() -> None:
    lq = indicators.specialisation(frame({"A": [0, 0], "B": [5, 5]}, ["s1", "s2"]), pd.Series({"A": 0.0, "B": 50.0}))
    assert lq.loc["A"].isna().all() and lq.loc["B"].tolist() == pytest.approx([1.0, 1.0])
    assert indicators.specialised(lq).loc["A"].tolist() == [0.0, 0.0]
    single = indicators.specialisation(frame({"A": [3, 6]}, ["s1", "s2"]), pd.Series({"A": 10.0}))
    assert single.loc["A"].tolist() == pytest.approx([1.0, 1.0])
    # A single region deviates from nothing: no similarity can be computed.
    assert indicators.profile_similarity(single).isna().all().all()


M4 = frame({"r1": [1, 1, 0], "r2": [1, 0, 0], "r3": [1, 1, 1], "r4": [0, 0, 1]}, ["i", "j", "k"])


def test_proximity_hand_computed() -> None:
    # k = (3, 2, 2). Together: i&j in r1, r3 → 2/max(3,2); i&k in r3 → 1/3; j&k in r3 → 1/2.
    phi = indicators.proximity(M4)
    assert phi.loc["i", "j"] == pytest.approx(2 / 3) and phi.loc["j", "i"] == pytest.approx(2 / 3)
    assert phi.loc["i", "k"] == pytest.approx(1 / 3)
    assert phi.loc["j", "k"] == pytest.approx(1 / 2)
    assert phi.to_numpy().diagonal().tolist() == [1.0, 1.0, 1.0]
    # An activity nobody is specialised in is related to nothing (0, not NaN).
    empty = indicators.proximity(M4.assign(z=0.0))
    assert empty["z"].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_relatedness_density_hand_computed() -> None:
    omega = indicators.relatedness_density(M4, indicators.proximity(M4))
    # r2 has i only. For j: (1·2/3 + 0·1/2) / (2/3 + 1/2) = 4/7; for k: (1/3) / (1/3 + 1/2) = 2/5; for i: 0.
    assert omega.loc["r2", "j"] == pytest.approx(4 / 7)
    assert omega.loc["r2", "k"] == pytest.approx(2 / 5)
    assert omega.loc["r2", "i"] == pytest.approx(0.0)
    # r4 has k only. For i: (1/3) / (2/3 + 1/3) = 1/3; for j: (1/2) / (2/3 + 1/2) = 3/7.
    assert omega.loc["r4", "i"] == pytest.approx(1 / 3)
    assert omega.loc["r4", "j"] == pytest.approx(3 / 7)
    # An activity related to nothing has no density.
    isolated = M4.assign(z=0.0)
    assert indicators.relatedness_density(isolated, indicators.proximity(isolated))["z"].isna().all()


def test_adjacent_stages_follow_the_chain_and_its_loop() -> None:
    stages = pd.DataFrame({"stage_id": ["s3", "s1", "s2"], "position": [3, 1, 2], "feeds_back_to": [None, None, None]})
    adj = indicators.adjacent_stages(stages)
    assert adj.index.tolist() == ["s1", "s2", "s3"]
    assert adj.loc["s1", "s2"] == adj.loc["s2", "s3"] == adj.loc["s3", "s2"] == 1.0
    assert adj.loc["s1", "s3"] == 0.0 and adj.to_numpy().diagonal().sum() == 0.0
    looped = indicators.adjacent_stages(stages.assign(feeds_back_to=["s1", None, None]))
    assert looped.loc["s3", "s1"] == looped.loc["s1", "s3"] == 1.0


CHAIN = indicators.adjacent_stages(
    pd.DataFrame({"stage_id": ["s1", "s2", "s3"], "position": [1, 2, 3], "feeds_back_to": [None, None, None]})
)
STAGE_M = frame({"A": [1, 0, 0], "B": [0, 1, 0], "C": [0, 0, 1], "D": [1, 1, 1]}, ["s1", "s2", "s3"])
DENSITY = frame({"A": [0, 0.2, 0.4], "B": [0, 0, 0], "C": [0, 0, 0], "D": [0, 0, 0]}, ["s1", "s2", "s3"])


def test_complementarity_hand_computed() -> None:
    c = indicators.complementarity(STAGE_M, CHAIN, DENSITY)
    # A is strong in s1; its gaps are s2 and s3. B fills s2, next to s1: 1 of 2 gaps.
    assert c.loc["A", "B"] == pytest.approx(1 / 2)
    # C fills s3, not next to s1, but A is related to s3 (density 0.4): 0.4 of 2 gaps.
    assert c.loc["A", "C"] == pytest.approx(0.4 / 2)
    # D fills both: (1 + 0.4) / 2.
    assert c.loc["A", "D"] == pytest.approx(1.4 / 2)
    # D has no gaps, so nobody complements it; nobody complements itself.
    assert c.loc["D"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert all(c.loc[r, r] == 0.0 for r in c.index)
    # B (strong in s2) finds A (s1) and C (s3) both adjacent: 1 of 2 gaps each.
    assert c.loc["B", "A"] == pytest.approx(1 / 2) and c.loc["B", "C"] == pytest.approx(1 / 2)


def test_complementarity_with_chosen_anchor_stages() -> None:
    # Looking for partners next to s3 (whatever A is strong in): s2 is adjacent, s3 itself is not.
    c = indicators.complementarity(STAGE_M, CHAIN, DENSITY, anchors=("s3",))
    assert c.loc["A", "B"] == pytest.approx(1 / 2)
    assert c.loc["A", "C"] == pytest.approx(0.4 / 2)


def test_pair_relatedness_hand_computed() -> None:
    m = frame({"A": [1, 0, 0], "B": [0, 1, 1], "C": [0, 0, 0]}, ["i", "j", "k"])
    omega = frame({"A": [0.0, 0.6, 0.2], "B": [0.5, 0.0, 0.0], "C": [0.1, 0.3, 0.9]}, ["i", "j", "k"])
    r = indicators.pair_relatedness(m, omega)
    assert r.loc["A", "B"] == pytest.approx((0.6 + 0.2) / 2)  # B is strong in j and k
    assert r.loc["B", "A"] == pytest.approx(0.5)
    assert r.loc["A", "C"] == 0.0  # C is specialised in nothing


def test_profile_similarity_hand_computed() -> None:
    lq = frame({"A": [2.0, 0.5], "B": [1.5, 0.8], "C": [0.5, 2.0], "D": [1.0, 1.0]}, ["s1", "s2"])
    sim = indicators.profile_similarity(lq)
    # Deviations: A (1, -0.5), B (0.5, -0.2), C (-0.5, 1).
    assert sim.loc["A", "B"] == pytest.approx((0.5 + 0.1) / (math.sqrt(1.25) * math.sqrt(0.29)))
    assert sim.loc["A", "C"] == pytest.approx(-1.0 / 1.25)
    assert sim.loc["A", "A"] == pytest.approx(1.0)
    assert math.isnan(sim.loc["A", "D"])  # D is exactly average


def test_priority_overlap_jaccard_and_shared_counts() -> None:
    inc = indicators.incidence(
        pd.Series(["A", "A", "A", "B", "B", "B", "X"]),
        pd.Series(["p1", "p2", "p3", "p2", "p3", "p4", "p9"]),
        ["A", "B", "C"],
    )
    assert inc.index.tolist() == ["A", "B", "C"] and "p9" not in inc.columns  # X is not a region in view
    assert indicators.shared_counts(inc).loc["A", "B"] == 2.0
    j = indicators.jaccard(inc)
    assert j.loc["A", "B"] == pytest.approx(2 / 4)
    assert j.loc["A", "C"] == 0.0  # C has none: nothing shared of A's three
    assert math.isnan(j.loc["C", "C"])  # neither has any


def test_existing_links_counts_both_directions_relative_to_the_best_partner() -> None:
    counts = indicators.pair_counts(
        pd.Series(["A", "B", "A", "A", "A"]), pd.Series(["B", "A", "C", "A", "Z"]), ["A", "B", "C", "D"]
    )
    assert counts.loc["A", "B"] == counts.loc["B", "A"] == 2.0  # A→B and B→A
    assert counts.loc["A", "C"] == 1.0 and counts.loc["A", "A"] == 0.0  # within-region flows are not links
    e = indicators.existing_links(counts)
    assert e.loc["A"].tolist() == [0.0, 1.0, 0.5, 0.0]
    assert e.loc["C", "A"] == 1.0
    assert e.loc["D"].tolist() == [0.0, 0.0, 0.0, 0.0]  # no links at all


def test_closeness_and_partner_score() -> None:
    d = frame({"A": [0.0, 500.0, float("nan")]}, ["A", "B", "C"])
    close = indicators.closeness(d)
    assert close.loc["A"].tolist() == pytest.approx([1.0, math.exp(-1), 0.0])
    x1 = frame({"A": [0.2, 1.0]}, ["A", "B"])
    x2 = frame({"A": [0.6, 0.0]}, ["A", "B"])
    score = indicators.partner_score({"c": x1, "d": x2}, {"c": 3, "d": 1})
    assert score.loc["A", "A"] == pytest.approx((3 * 0.2 + 0.6) / 4)
    assert score.loc["A", "B"] == pytest.approx(3 / 4)
    only_d = indicators.partner_score({"c": x1 * float("nan"), "d": x2}, {"c": 0, "d": 2})
    assert only_d.loc["A"].tolist() == pytest.approx([0.6, 0.0])  # a zero weight drops the component
    with pytest.raises(ValueError, match="above zero"):
        indicators.partner_score({"c": x1}, {"c": 0})


def test_every_new_formula_is_on_the_about_page_list() -> None:
    for key in (
        "specialised",
        "proximity",
        "relatedness_density",
        "similarity",
        "complementarity",
        "pair_relatedness",
        "priority_overlap",
        "existing_links",
        "closeness",
        "partner_score",
    ):
        assert key in indicators.FORMULAS and indicators.FORMULA_NOTES[key]
