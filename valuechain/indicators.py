"""Indicators computed from observations; each formula is stated here and on the About page.

All functions take plain DataFrames so they can be pinned on hand-computed examples.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

DISTANCE_SCALE_KM = 500.0  # d_0 of the closeness formula

FORMULAS: dict[str, tuple[str, str]] = {
    "share": ("Size (share of the BSR total)", r"\mathrm{share}_{r,s} = \frac{x_{r,s}}{\sum_{r'} x_{r',s}}"),
    "growth": (
        "Growth (compound annual rate)",
        r"g_{r,s} = \left(\frac{x_{r,s,t_1}}{x_{r,s,t_0}}\right)^{1/(t_1-t_0)} - 1",
    ),
    "specialised": (
        "Specialised (yes/no)",
        r"M_{r,s} = \begin{cases} 1 & LQ_{r,s} \ge \tau \\ 0 & \text{otherwise} "
        r"\end{cases}",
    ),
    "proximity": (
        "Relatedness between sectors or stages (proximity)",
        r"\varphi_{ij} = \frac{\sum_r M_{r,i}\, M_{r,j}}{\max(k_i, k_j)}, \quad k_i = \sum_r M_{r,i}",
    ),
    "relatedness_density": (
        "Relatedness density of a region",
        r"\omega_{r,j} = \frac{\sum_{i \ne j} M_{r,i}\, \varphi_{ij}}"
        r"{\sum_{i \ne j} \varphi_{ij}}",
    ),
    "similarity": (
        "Profile similarity (regions like mine)",
        r"\mathrm{sim}_{A,B} = \frac{\sum_s (LQ_{A,s} - 1)(LQ_{B,s} - 1)}"
        r"{\lVert LQ_A - 1 \rVert \, \lVert LQ_B - 1 \rVert}",
    ),
    "complementarity": (
        "Complementarity of region B for region A",
        r"C_{A,B} = \frac{\sum_s M_{B,s}\,(1 - M_{A,s})\, \max(\mathrm{adj}_{A,s},\ \omega_{A,s})}"
        r"{\sum_s (1 - M_{A,s})}",
    ),
    "pair_relatedness": (
        "Relatedness of region B's strengths to region A",
        r"R_{A,B} = \frac{\sum_j M_{B,j}\, \omega_{A,j}}{\sum_j M_{B,j}}",
    ),
    "priority_overlap": ("Priority overlap (Jaccard)", r"J_{A,B} = \frac{|P_A \cap P_B|}{|P_A \cup P_B|}"),
    "existing_links": (
        "Existing links",
        r"E_{A,B} = \frac{n_{A,B}}{\max_{B'} n_{A,B'}}, \quad "
        r"n_{A,B} = \text{flows}_{A \leftrightarrow B} + \text{shared projects}_{A,B}",
    ),
    "closeness": ("Closeness", r"D_{A,B} = e^{-d_{A,B} / d_0}, \quad d_0 = 500\ \mathrm{km}"),
    "partner_score": (
        "Partner score",
        r"S_{A,B} = \frac{\sum_c w_c\, X^c_{A,B}}{\sum_c w_c}, \quad "
        r"X \in \{C, R, J, E, D\}",
    ),
}
FORMULA_NOTES = {
    "share": "The region's part of the BSR total of the same indicator, sector or stage and year.",
    "growth": "Between the first and the last selected year; empty where the first year is zero or missing.",
    "specialised": (
        "A region counts as specialised in a sector or stage when its location quotient reaches the threshold "
        "τ the user sets (1.0 or 1.25). Regions without a quotient (no data) count as not specialised."
    ),
    "proximity": (
        "Co-specialisation across regions (Hidalgo et al., 2007): of the k_i regions specialised in i and the k_j "
        "specialised in j, how many are specialised in both, divided by the larger of the two counts, so a "
        "ubiquitous activity is not related to everything. 0 = never together, 1 = always together; computed "
        "over all BSR regions at the selected NUTS level, separately for the sectors and for the stages."
    ),
    "relatedness_density": (
        "How much of what is related to j a region already has: the proximity-weighted share of the other "
        "sectors or stages related to j in which region r is specialised (0 to 1). High density where a region "
        "is not yet specialised points to an easy next step or a good partner."
    ),
    "similarity": (
        "Cosine of the two regions' deviations from the BSR average (LQ − 1) over the sectors in view: 1 = the "
        "same pattern of strengths and weaknesses, 0 = unrelated, −1 = opposite. Missing quotients count as "
        "average. Used to suggest peer regions for the benchmark."
    ),
    "complementarity": (
        "Of the stages region A is not specialised in (its gaps), the share B is specialised in, each counted "
        "fully when it is adjacent (directly up- or downstream, or the end-of-life loop) to one of A's anchor "
        "stages, otherwise by A's relatedness density in it. Anchor stages are A's specialised stages, or the "
        "stages chosen in the sidebar. 0 when A has no gaps or B fills none."
    ),
    "pair_relatedness": (
        "The mean relatedness density of A over the sectors B is specialised in: how close B's strengths are "
        "to A's capabilities (0 to 1; 0 when B is specialised in no sector of the chain)."
    ),
    "priority_overlap": (
        "P_A: the S3 priority codes (NACE, Frascati field or policy objective) of region A, including those of "
        "the strategies of regions containing it. Empty when neither region has a priority recorded."
    ),
    "existing_links": (
        "n_{A,B}: flows of the value chain between A and B in either direction in the selected year plus the "
        "projects with both as partners that started up to that year, relative to A's best-connected partner."
    ),
    "closeness": (
        "Great-circle distance d between the regions' label points; 500 km apart gives 0.37, 1500 km gives 0.05."
    ),
    "partner_score": (
        "The weighted mean of complementarity C, relatedness R, priority overlap J, existing links E and "
        "closeness D, each between 0 and 1, with the weights w_c the user sets on the matchmaking page. "
        "Each suggestion says in one sentence where its score comes from."
    ),
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


# --- specialisation, relatedness and partner scores over matrices ----------------------------------------
# Matrices are DataFrames: regions as rows, activities (sectors or stages) as columns, or regions × regions.


def specialisation(values: pd.DataFrame, totals: pd.Series) -> pd.DataFrame:
    """Location quotients of every region (rows) in every sector or stage (columns).

    The reference area is the union of the regions given, exactly as in `location_quotient` (the same
    arithmetic on all columns at once: a benchmark computes it for every sector and stage on each filter change).
    """
    index = values.index.union(totals.index)
    x = values.reindex(index).to_numpy(float).T  # one row per activity, contiguous: sums as Series.sum gives them
    total = totals.reindex(index).to_numpy(float)
    total_sum = np.where(np.isnan(total), 0.0, total).sum()
    reference = np.where(np.isnan(x), 0.0, x).sum(axis=1) / total_sum if total_sum else np.full(len(x), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        own_share = x / np.where(total > 0, total, np.nan)
        usable = (reference != 0) & ~np.isnan(reference)
        lq = np.where(usable[:, None], own_share / np.where(usable, reference, 1.0)[:, None], np.nan)
    return pd.DataFrame(lq.T, index=index, columns=values.columns)


def specialised(lq: pd.DataFrame, threshold: float = 1.0) -> pd.DataFrame:
    """M: 1 where the quotient reaches `threshold`, 0 elsewhere (also where no quotient exists)."""
    return (lq >= threshold).astype(float)


def proximity(m: pd.DataFrame) -> pd.DataFrame:
    """phi_ij = sum_r M_ri M_rj / max(k_i, k_j): activities regions are specialised in together.

    0 where neither activity has a specialised region (no evidence of relatedness).
    """
    a = m.fillna(0).to_numpy(float)
    together = a.T @ a
    k = a.sum(axis=0)
    larger = np.maximum.outer(k, k)
    phi = np.divide(together, larger, out=np.zeros_like(together), where=larger > 0)
    return pd.DataFrame(phi, index=m.columns, columns=m.columns)


def relatedness_density(m: pd.DataFrame, phi: pd.DataFrame) -> pd.DataFrame:
    """omega_rj: proximity-weighted share of the activities related to j that region r is specialised in.

    j itself is left out, so the density says how close j is to the region's *other* strengths. NaN where j
    is related to nothing.
    """
    p = phi.loc[m.columns, m.columns].to_numpy(float).copy()
    np.fill_diagonal(p, 0.0)
    weighted = m.fillna(0).to_numpy(float) @ p
    related = p.sum(axis=0)
    omega = np.divide(weighted, related, out=np.full_like(weighted, np.nan), where=related > 0)
    return pd.DataFrame(omega, index=m.index, columns=m.columns)


def profile_similarity(lq: pd.DataFrame) -> pd.DataFrame:
    """Cosine of the regions' deviations from the reference (LQ - 1); NaN for a region without deviation."""
    dev = (lq - 1.0).fillna(0.0).to_numpy(float)
    norm = np.sqrt((dev**2).sum(axis=1))
    outer = np.outer(norm, norm)
    sim = np.divide(dev @ dev.T, outer, out=np.full((len(lq), len(lq)), np.nan), where=outer > 0)
    return pd.DataFrame(np.clip(sim, -1.0, 1.0), index=lq.index, columns=lq.index)


def adjacent_stages(stages: pd.DataFrame) -> pd.DataFrame:
    """1 where two stages of one chain follow each other (either way), including a feeds_back_to loop."""
    ordered = stages.sort_values(["position", "stage_id"])
    ids = ordered["stage_id"].astype(str).tolist()
    adj = pd.DataFrame(0.0, index=ids, columns=ids)
    loops = zip(ids, ordered["feeds_back_to"], strict=True)
    links = [*itertools.pairwise(ids), *((s, str(b)) for s, b in loops if isinstance(b, str) and b in ids)]
    for a, b in links:
        if a != b:
            adj.loc[a, b] = adj.loc[b, a] = 1.0
    return adj


def complementarity(
    m: pd.DataFrame, adjacency: pd.DataFrame, density: pd.DataFrame, anchors: Sequence[str] = ()
) -> pd.DataFrame:
    """C[A, B]: the share of A's gaps B fills, counted fully next to A's anchor stages, else by relatedness.

    `m` and `density` are regions × stages; `anchors` are stages to find partners for (default: each
    region's own specialised stages). Rows are A (who looks), columns B (the candidate partner).
    """
    stages = list(m.columns)
    spec = m.fillna(0).to_numpy(float)
    anchor = np.tile(np.isin(stages, list(anchors)).astype(float), (len(m), 1)) if anchors else spec
    reach = ((anchor @ adjacency.loc[stages, stages].to_numpy(float)) > 0).astype(float)
    omega = density.reindex(index=m.index, columns=stages).fillna(0.0).to_numpy(float)
    gap = 1.0 - spec
    filled = (gap * np.maximum(reach, omega)) @ spec.T
    gaps = gap.sum(axis=1, keepdims=True)
    c = np.divide(filled, gaps, out=np.zeros_like(filled), where=gaps > 0)
    return pd.DataFrame(c, index=m.index, columns=m.index)


def pair_relatedness(m: pd.DataFrame, density: pd.DataFrame) -> pd.DataFrame:
    """R[A, B]: A's mean relatedness density over the activities B is specialised in (0 if none)."""
    spec = m.fillna(0).to_numpy(float)
    omega = density.reindex(index=m.index, columns=m.columns).fillna(0.0).to_numpy(float)
    k = spec.sum(axis=1)
    r = np.divide(omega @ spec.T, k[None, :], out=np.zeros((len(m), len(m))), where=k[None, :] > 0)
    return pd.DataFrame(r, index=m.index, columns=m.index)


def incidence(rows: pd.Series, items: pd.Series, index: Sequence[str]) -> pd.DataFrame:
    """1 where the row (a region) has the item (e.g. a priority code); rows outside `index` are dropped."""
    pairs = pd.DataFrame({"row": rows.astype(str).to_numpy(), "item": items.astype(str).to_numpy()})
    pairs = pairs[pairs["row"].isin(list(index))].drop_duplicates()
    table = pd.crosstab(pairs["row"], pairs["item"]).clip(upper=1).astype(float)
    return table.reindex(index=list(index), fill_value=0.0)


def shared_counts(inc: pd.DataFrame) -> pd.DataFrame:
    """|P_A ∩ P_B|: how many items (priorities) two rows have in common."""
    a = inc.to_numpy(float)
    return pd.DataFrame(a @ a.T, index=inc.index, columns=inc.index)


def jaccard(inc: pd.DataFrame) -> pd.DataFrame:
    """|P_A ∩ P_B| / |P_A ∪ P_B|; NaN where neither row has an item."""
    a = inc.to_numpy(float)
    both = a @ a.T
    k = a.sum(axis=1)
    union = k[:, None] + k[None, :] - both
    j = np.divide(both, union, out=np.full_like(both, np.nan), where=union > 0)
    return pd.DataFrame(j, index=inc.index, columns=inc.index)


def pair_counts(a: pd.Series, b: pd.Series, index: Sequence[str]) -> pd.DataFrame:
    """How often each unordered pair of different regions occurs in (a, b); symmetric, zero diagonal."""
    idx = list(index)
    out = np.zeros((len(idx), len(idx)))
    rows = pd.Index(idx)
    i, j = rows.get_indexer(a.astype(str)), rows.get_indexer(b.astype(str))  # -1: not in the index (or missing)
    keep = (i >= 0) & (j >= 0) & (i != j)
    np.add.at(out, (i[keep], j[keep]), 1.0)
    out = out + out.T
    return pd.DataFrame(out, index=idx, columns=idx)


def existing_links(counts: pd.DataFrame) -> pd.DataFrame:
    """E[A, B] = n_AB / max_B' n_AB': links relative to A's best-connected partner (0 if A has none)."""
    n = counts.to_numpy(float)
    best = n.max(axis=1, keepdims=True) if n.size else np.zeros((len(counts), 1))
    e = np.divide(n, best, out=np.zeros_like(n), where=best > 0)
    return pd.DataFrame(e, index=counts.index, columns=counts.columns)


def closeness(distance_km: pd.DataFrame, scale_km: float = DISTANCE_SCALE_KM) -> pd.DataFrame:
    """D = exp(-d / d_0); 0 where the distance is unknown."""
    return np.exp(-distance_km / scale_km).fillna(0.0)


def partner_score(components: Mapping[str, pd.DataFrame], weights: Mapping[str, float]) -> pd.DataFrame:
    """S = sum_c w_c X_c / sum_c w_c over the components with a weight; raises if no weight is positive."""
    used = {c: float(w) for c, w in weights.items() if w and w > 0}
    if not used:
        raise ValueError("At least one weight must be above zero.")
    total = sum(used.values())
    score: Any = 0  # the terms added in the same order as sum() over the frames, on arrays (the frames share labels)
    for c, w in used.items():
        x = components[c].to_numpy(float)
        score = score + np.where(np.isnan(x), 0.0, x) * (w / total)
    frame = components[next(iter(used))]
    return pd.DataFrame(score, index=frame.index, columns=frame.columns)
