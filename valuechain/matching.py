"""Benchmark and match (BSR S3 steps 1–4): region profiles, peers, partner suggestions with reasons, idea cards.

Pages hand a `Data` bundle and a `Selection` to these functions and show the frames they return. The
reference area is always every programme-area region at the selected NUTS level (the BSR), whatever
countries are in view: countries only limit which regions are shown, benchmarked and suggested, so a
location quotient means the same on every screen. All formulas are in `indicators` (and on the About page).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from valuechain import export, geo, indicators
from valuechain.query import Data, Selection, ancestor, observations_at_level, region_level, split_list
from valuechain.schema import ACTOR_TYPES, LIST_SEPARATOR, TOTAL_SECTOR

COMPONENTS: dict[str, str] = {
    "complementarity": "Complementarity",
    "relatedness": "Relatedness",
    "priorities": "Priority overlap",
    "links": "Existing links",
    "closeness": "Closeness",
}
COMPONENT_HELP: dict[str, str] = {
    "complementarity": "The partner is strong in stages you lack next to your strong stages (or related to them).",
    "relatedness": "The partner's strong sectors are close to what your region already does.",
    "priorities": "Shared S3 priority codes (Jaccard overlap).",
    "links": "Flows and projects you already share.",
    "closeness": "Nearby partners score higher (500 km apart gives 0.37).",
}
DEFAULT_WEIGHTS: dict[str, int] = {"complementarity": 3, "relatedness": 2, "priorities": 2, "links": 1, "closeness": 1}
THRESHOLDS = (1.0, 1.25)
DEFAULT_INDICATOR = "employment"
DEFAULT_PEERS = 5
MAX_PEERS = 10
HELIX_LABELS = {
    "business": "Business",
    "research": "Research",
    "public": "Public authorities",
    "civil_society": "Civil society",
}
IDEA_TEXT_FIELDS = ("title", "description", "next_steps")
MEMO_SIZE = 8  # sector sets whose similarity matrix a benchmark remembers


def label(code: str, names: Mapping[str, str]) -> str:
    """How a region is named in lists: "SE33 Övre Norrland"."""
    return f"{code} {names.get(code, '')}".strip()


def _rank_in(matrix: np.ndarray, row: int) -> np.ndarray:
    """Each column's rank of one row (1 = largest; ties share the best rank; NaN where the row has no value), as
    DataFrame.rank(ascending=False, method="min") gives it, without ranking every other row."""
    own = matrix[row]
    with np.errstate(invalid="ignore"):
        above = (matrix > own).sum(axis=0)
    return np.where(np.isnan(own), np.nan, above + 1.0)


def _in_sentence(name: str) -> str:
    """A name inside a sentence: "Bio-based products" → "bio-based products", but "R&D" stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def bsr_regions(data: Data, level: int) -> pd.DataFrame:
    """Every programme-area region at `level` (the reference area), sorted by code."""
    r = data["regions"]
    keep = (r["level"] == level) & r["bsr"].fillna(False).astype(bool)
    return r[keep].sort_values("nuts_id").reset_index(drop=True)


def to_level(codes: pd.Series, level: int) -> pd.Series:
    """Codes at `level`: finer regions become their ancestor, coarser ones NA (they cannot be split)."""
    codes = codes.astype("string")
    return ancestor(codes, level).where(region_level(codes) >= level)


# --- the benchmark: every BSR region's specialisation -------------------------------------------------------
@dataclass(frozen=True)
class _Cube:
    """The panel and its missing marks as arrays, regions × years × sectors (in chain order): sums over any set of
    sectors without pandas' label lookups (a profile asks for two on each filter change)."""

    values: np.ndarray
    gaps: np.ndarray  # True where the source has the row but no value
    years: dict[int, int]
    sectors: dict[str, int]


def _cube(panel: pd.DataFrame, missing: pd.DataFrame, sectors: Sequence[str]) -> _Cube:
    years = sorted(set(panel.columns.get_level_values(0)))
    cols = pd.MultiIndex.from_product([years, list(sectors)])
    shape = (len(panel.index), len(years), len(sectors))
    values = panel.reindex(columns=cols).to_numpy(float).reshape(shape)
    gaps = (
        missing.reindex(index=panel.index, columns=cols).eq(True).to_numpy(bool).reshape(shape)
        if not missing.empty
        else np.zeros(shape, dtype=bool)
    )
    return _Cube(values, gaps, {y: i for i, y in enumerate(years)}, {s: i for i, s in enumerate(sectors)})


@dataclass(frozen=True)
class Benchmark:
    """Specialisation of every BSR region at one level, year and indicator: the basis of profiles and matching.

    Matrices have the BSR regions as rows and the chain's stages or sectors (in chain order) as columns.
    """

    chain_id: str
    year: int
    level: int
    indicator: str
    threshold: float
    regions: pd.DataFrame  # nuts_id, name, country, lon, lat
    stages: pd.DataFrame  # stage_id, name, position, feeds_back_to, in chain order
    sector_stage: pd.Series  # nace → stage_id
    sector_names: pd.Series  # nace → title
    panel: pd.DataFrame  # regions × (year, sector): the indicator per year, the basis of size and growth
    totals: pd.Series  # x_r: the whole economy (TOTAL) in the year
    stage_values: pd.DataFrame
    sector_values: pd.DataFrame
    stage_lq: pd.DataFrame
    sector_lq: pd.DataFrame
    stage_m: pd.DataFrame
    sector_m: pd.DataFrame
    stage_density: pd.DataFrame
    sector_density: pd.DataFrame
    adjacency: pd.DataFrame
    unit: str
    source: str
    cube: _Cube  # the panel and missing marks as arrays
    # regions × (year, sector): True where the source has the row but no value (':', confidential 'c'); a sum
    # over such a sector is missing too, where a sector without any row simply adds nothing
    missing: pd.DataFrame = field(default_factory=pd.DataFrame)
    stage_sums: pd.DataFrame = field(default_factory=pd.DataFrame)  # regions × (year, stage), every year's stage values
    _memo: dict[tuple[str, ...], pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)
    _sizes: dict[tuple[tuple[str, ...], int], pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    def similarity(self, sectors: Collection[str]) -> pd.DataFrame:
        """Profile similarity of all regions over `sectors`, remembered for the few sector sets a user picks."""
        cols = tuple(s for s in self.sector_lq.columns if s in set(sectors))
        if cols not in self._memo:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[cols] = indicators.profile_similarity(self.sector_lq[list(cols)])
        return self._memo[cols]

    @cached_property
    def row(self) -> dict[str, int]:
        """Row number of each region in every regions × stages or sectors matrix (they share one region order)."""
        return {r: i for i, r in enumerate(self.regions["nuts_id"])}

    @cached_property
    def sector_totals(self) -> pd.Series:
        """The BSR total of each sector (the denominator of a region's share)."""
        return self.sector_values.sum()

    @cached_property
    def stage_arrays(self) -> dict[str, np.ndarray]:
        """The stage matrices as arrays (rows: self.row, columns: the chain's stages), for lookups by position."""
        frames = {"values": self.stage_values, "lq": self.stage_lq, "m": self.stage_m, "density": self.stage_density}
        return {k: f.to_numpy(float) for k, f in frames.items()}

    @cached_property
    def neighbours(self) -> dict[str, set[str]]:
        """The stages next to each stage along the chain (self.adjacency as sets)."""
        return {s: set(row.index[row.to_numpy() != 0]) for s, row in self.adjacency.iterrows()}

    @cached_property
    def names(self) -> dict[str, str]:
        return dict(zip(self.regions["nuts_id"], self.regions["name"], strict=True))

    @cached_property
    def stage_names(self) -> dict[str, str]:
        return dict(zip(self.stages["stage_id"], self.stages["name"], strict=True))

    def stage_list(self, stage_ids: Collection[str], lq_of: str | None = None) -> str:
        """Stage names joined for a sentence, in chain order: "processing and bio-based products".

        With `lq_of` (a region), each stage is followed by that region's location quotient.
        """
        lq = self.stage_arrays["lq"][self.row[lq_of]] if lq_of else None
        words = [
            _in_sentence(self.stage_names[s]) + (f" (LQ {lq[j]:.2f})" if lq is not None else "")
            for j, s in enumerate(self.stage_names)
            if s in stage_ids
        ]
        return " and ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True)
class _Base:
    """What a benchmark needs that does not depend on the year or threshold: computed once per data bundle,
    chain, level and indicator, so a year or threshold change only recomputes the quotients."""

    regions: pd.DataFrame
    stages: pd.DataFrame
    sector_stage: pd.Series
    sector_names: pd.Series
    panel: pd.DataFrame
    adjacency: pd.DataFrame
    unit: str
    source: str
    missing: pd.DataFrame  # as Benchmark.missing
    cube: _Cube
    stage_sums: pd.DataFrame  # regions × (year, stage): each stage the sum of its sectors (_stage_sums)


def _stage_sums(panel: pd.DataFrame, missing: pd.DataFrame, sector_stage: pd.Series) -> pd.DataFrame:
    """Sectors summed into their stage for every year at once (one groupby per chain, level and indicator, not one
    per year and caller): NaN where a region has none of them, or where one of them is missing in the source (a
    stage without its confidential sector would look smaller than it is). Sectors are added in chain order."""
    years = sorted(set(panel.columns.get_level_values(0)))
    if not years:
        return pd.DataFrame(index=panel.index)
    cols = pd.MultiIndex.from_product([years, sector_stage.index])
    keys = [cols.get_level_values(0), sector_stage.reindex(cols.get_level_values(1)).to_numpy()]
    summed = panel.reindex(columns=cols).T.groupby(keys).sum(min_count=1).T
    gaps = missing.reindex(index=panel.index, columns=cols).eq(True) if not missing.empty else None
    if gaps is None:
        return summed
    gap = gaps.T.groupby(keys).any().T
    return summed.mask(gap.reindex(index=summed.index, columns=summed.columns, fill_value=False))


def _stage_year(stage_sums: pd.DataFrame, year: int, index: Sequence[str], stage_ids: Sequence[str]) -> pd.DataFrame:
    """Regions × stages of one year from _stage_sums (NaN where the year has no data)."""
    if year not in stage_sums.columns.get_level_values(0):
        return pd.DataFrame(np.nan, index=list(index), columns=list(stage_ids))
    return stage_sums[year].reindex(columns=list(stage_ids))


def _base(data: Data, chain_id: str, level: int, indicator: str) -> _Base:
    key = ("benchmark_base", chain_id, level, indicator)
    if key in data._cache:
        return data._cache[key]
    regions = bsr_regions(data, level)
    ids = regions["nuts_id"].tolist()
    stages = data.stages(chain_id)[["stage_id", "name", "position", "feeds_back_to"]]
    mapping = data.stage_sectors(chain_id).merge(stages[["stage_id", "position"]], on="stage_id")
    mapping = mapping.sort_values(["position", "nace"])
    sectors = mapping["nace"].tolist()
    sector_stage = pd.Series(mapping["stage_id"].to_numpy(), index=sectors, name="stage_id")
    titles = data["sectors"].set_index("nace")["name"]
    obs = observations_at_level(data, indicator, level)
    obs = obs[obs["region_id"].isin(ids) & obs["sector"].isin([*sectors, TOTAL_SECTOR])]
    obs = obs.assign(value=obs["value"].astype("float64"))  # NaN rather than pd.NA in every matrix
    # one row per key: "first" keeps a missing value missing, where "sum" would turn it into 0; values and missing
    # marks in one group-by, each then shaped as its own pivot_table would (sorted columns; the panel without a
    # (year, sector) column that has no value at all, the marks with it)
    cells = (
        obs.assign(missing=obs["value"].isna())
        .groupby(["region_id", "year", "sector"])
        .agg(value=("value", "first"), missing=("missing", "any"))
    )
    panel = cells["value"].unstack(["year", "sector"]).dropna(how="all", axis=1).sort_index(axis=1).reindex(index=ids)
    # False where a region has no row of that year and sector
    missing = cells["missing"].unstack(["year", "sector"]).sort_index(axis=1).reindex(index=ids).eq(True)
    units = obs["unit"].dropna()
    sources = sorted(obs["source"].dropna().unique())
    base = _Base(
        regions=regions[["nuts_id", "name", "country", "lon", "lat"]],
        stages=stages.reset_index(drop=True),
        sector_stage=sector_stage,
        sector_names=titles.reindex(sectors).fillna(""),
        panel=panel,
        adjacency=indicators.adjacent_stages(stages),
        unit=str(units.iloc[0]) if len(units) else "",
        source="; ".join(sources) or "no data",
        missing=missing,
        cube=_cube(panel, missing, sectors),
        stage_sums=_stage_sums(panel, missing, sector_stage),
    )
    data._cache[key] = base
    return base


def benchmark(
    data: Data, sel: Selection, indicator: str = DEFAULT_INDICATOR, threshold: float = THRESHOLDS[0]
) -> Benchmark:
    """Location quotients, specialisations and relatedness of all BSR regions for the selection's chain and year.

    Stage values are the sums of their sectors; the countries, stages and sectors of `sel` do not change it.
    The year's values are the panel's (the same sums per region, year and sector).
    """
    base = _base(data, sel.chain_id, sel.level, indicator)
    ids = base.regions["nuts_id"].tolist()
    sectors = base.sector_stage.index.tolist()
    stage_ids = base.stages["stage_id"].tolist()
    years = base.panel.columns.get_level_values(0)
    this_year = base.panel.loc[:, years == sel.year]
    this_year.columns = this_year.columns.get_level_values(1)
    sector_values = this_year.drop(columns=TOTAL_SECTOR, errors="ignore").reindex(columns=sectors)
    totals = this_year[TOTAL_SECTOR] if TOTAL_SECTOR in this_year.columns else pd.Series(np.nan, index=ids)
    totals = totals.rename("value").rename_axis("region_id")
    stage_values = _stage_year(base.stage_sums, sel.year, ids, stage_ids)
    stage_lq = indicators.specialisation(stage_values, totals).reindex(ids)
    sector_lq = indicators.specialisation(sector_values, totals).reindex(ids)
    stage_m = indicators.specialised(stage_lq, threshold)
    sector_m = indicators.specialised(sector_lq, threshold)
    return Benchmark(
        chain_id=sel.chain_id,
        year=sel.year,
        level=sel.level,
        indicator=indicator,
        threshold=threshold,
        regions=base.regions,
        stages=base.stages,
        sector_stage=base.sector_stage,
        sector_names=base.sector_names,
        panel=base.panel,
        totals=totals,
        stage_values=stage_values,
        sector_values=sector_values,
        stage_lq=stage_lq,
        sector_lq=sector_lq,
        stage_m=stage_m,
        sector_m=sector_m,
        stage_density=indicators.relatedness_density(stage_m, indicators.proximity(stage_m)),
        sector_density=indicators.relatedness_density(sector_m, indicators.proximity(sector_m)),
        adjacency=base.adjacency,
        unit=base.unit,
        source=base.source,
        cube=base.cube,
        missing=base.missing,
        stage_sums=base.stage_sums,
    )


def values_over(bench: Benchmark | _Base, year: int, sectors: Sequence[str]) -> pd.Series:
    """The indicator summed over `sectors` per region in `year`: NaN where a region has none of them, or where one of
    them is missing in the source. Summed as pandas sums a frame's rows (sector after sector, in the order given)."""
    cube = bench.cube
    if year not in cube.years:
        return pd.Series(np.nan, index=bench.panel.index)
    y, cols = cube.years[year], [cube.sectors[s] for s in sectors if s in cube.sectors]
    block = np.ascontiguousarray(cube.values[:, y, cols].T)
    empty = np.isnan(block)
    total = np.where(empty, 0.0, block).sum(axis=0)
    total[(~empty).sum(axis=0) < 1] = np.nan
    total[cube.gaps[:, y, cols].any(axis=1)] = np.nan
    return pd.Series(total, index=bench.panel.index)


def indicator_over(data: Data, sel: Selection, indicator: str, sectors: Sequence[str]) -> pd.Series:
    """`values_over` of the indicator's benchmark for the selection's year, without computing its quotients
    (the profile shows the EU funding a region received this way)."""
    return values_over(_base(data, sel.chain_id, sel.level, indicator), sel.year, sectors)


def size_and_growth(bench: Benchmark, sectors: Sequence[str], since: int) -> pd.DataFrame:
    """Per BSR region: value, share of the BSR total, growth since `since`, LQ and ranks (1 = first).

    Covers the `sectors` given (the selection's). Ranks count regions with a value; ties share the best rank.
    The same for every region: remembered per sector set and start year, so a region change reuses it (read-only).
    """
    key = (tuple(sectors), since)
    if key not in bench._sizes:
        if len(bench._sizes) >= MEMO_SIZE:
            bench._sizes.clear()
        bench._sizes[key] = _size_and_growth(bench, sectors, since)
    return bench._sizes[key]


def _size_and_growth(bench: Benchmark, sectors: Sequence[str], since: int) -> pd.DataFrame:
    value = values_over(bench, bench.year, sectors)
    first = values_over(bench, since, sectors)
    lq = indicators.location_quotient(value, bench.totals)
    out = pd.DataFrame(
        {
            "value": value,
            "share": indicators.share(value),
            "growth": indicators.growth(first, value, bench.year - since),
            "lq": lq,
        }
    )
    out["rank_size"] = out["value"].rank(ascending=False, method="min")
    out["rank_lq"] = out["lq"].rank(ascending=False, method="min")
    out["ranked"] = int(out["value"].notna().sum())
    return out


def _stage_panel(bench: Benchmark, year: int) -> pd.DataFrame:
    """Regions × stages in `year`: each stage the sum of its sectors (NaN where a region has none)."""
    return _stage_year(bench.stage_sums, year, bench.panel.index, bench.stages["stage_id"])


def stage_profile(bench: Benchmark, region: str, since: int, stages: Sequence[str] = ()) -> pd.DataFrame:
    """The region's specialisation by stage with the BSR reference (LQ 1), its share, growth and rank."""
    r = bench.row[region]
    arrays = bench.stage_arrays
    first = _stage_panel(bench, since).loc[region]
    now = bench.stage_values.iloc[r]
    out = pd.DataFrame(
        {
            "stage_id": bench.stages["stage_id"].to_numpy(),
            "stage": bench.stages["name"].to_numpy(),
            "position": bench.stages["position"].to_numpy(),
            "value": arrays["values"][r],
            "lq": arrays["lq"][r],
            "specialised": arrays["m"][r] == 1,
            "share": (now / bench.stage_values.sum(min_count=1)).to_numpy(),
            "growth": indicators.growth(first, now, bench.year - since).to_numpy(),
            "rank": _rank_in(arrays["lq"], r),
            "of": (~np.isnan(arrays["lq"])).sum(axis=0),
            "density": arrays["density"][r],
        }
    )
    return out[out["stage_id"].isin(stages)].reset_index(drop=True) if stages else out


def sector_profile(bench: Benchmark, region: str, sectors: Sequence[str]) -> pd.DataFrame:
    """The region's specialisation in each sector in view, with its stage, share of the BSR and rank."""
    wanted = set(sectors)
    keep = np.array([nace in wanted for nace in bench.sector_values.columns], dtype=bool)
    cols = [nace for nace in bench.sector_values.columns if nace in wanted]
    stage_ids = [str(bench.sector_stage[nace]) for nace in cols]
    r = bench.row[region]
    lq = bench.sector_lq.to_numpy(float)[:, keep]
    value = bench.sector_values.to_numpy(float)[r, keep]
    total = bench.sector_totals.to_numpy(float)[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = value / np.where(total != 0, total, np.nan)
    return pd.DataFrame(
        {
            "nace": cols,
            "sector": [bench.sector_names.get(nace, "") for nace in cols],
            "stage": [bench.stage_names.get(stage, "") for stage in stage_ids],
            "stage_id": stage_ids,
            "value": value,
            "lq": lq[r],
            "specialised": bench.sector_m.to_numpy(float)[r, keep] != 0,
            "share": share,
            "rank": _rank_in(lq, r),
            "of": (~np.isnan(lq)).sum(axis=0),
        },
        columns=["nace", "sector", "stage", "stage_id", "value", "lq", "specialised", "share", "rank", "of"],
    )


def similar_regions(
    bench: Benchmark, region: str, sectors: Sequence[str], candidates: Sequence[str], n: int | None = DEFAULT_PEERS
) -> pd.DataFrame:
    """Regions like mine: candidates ordered by profile similarity over the sectors in view (best first)."""
    sim = bench.similarity(sectors)
    row = bench.row
    others = [c for c in candidates if c != region and c in row]
    values = sim.to_numpy(float)[row[region], [row[c] for c in others]]
    known = ~np.isnan(values)
    codes, values = np.array(others, dtype=object)[known], values[known]
    order = np.lexsort((codes.astype(str), -values))  # best first, ties by code
    if n is not None:
        order = order[:n]
    return pd.DataFrame(
        {
            "region_id": codes[order],
            "similarity": values[order],
            "name": [bench.names[c] for c in codes[order]],
        }
    )


def peer_comparison(
    bench: Benchmark, region: str, peers: Sequence[str], sectors: Sequence[str], sg: pd.DataFrame
) -> pd.DataFrame:
    """The region and its peers side by side: similarity, size, growth, LQ and specialised stages.

    `sg` is `size_and_growth` for the same sectors.
    """
    codes = [region, *[p for p in peers if p != region]]
    sim = bench.similarity(sectors)
    rows = []
    for code in codes:
        strong = [s for s in bench.stages["stage_id"] if bench.stage_m.at[code, s] == 1]
        rows.append(
            {
                "region_id": code,
                "name": bench.names.get(code, ""),
                "similarity": 1.0 if code == region else sim.at[region, code],
                "share": sg.at[code, "share"],
                "growth": sg.at[code, "growth"],
                "lq": sg.at[code, "lq"],
                "rank_size": sg.at[code, "rank_size"],
                "specialised_in": bench.stage_list(strong) or "none",
            }
        )
    return pd.DataFrame(rows)


def stage_lq_long(bench: Benchmark, codes: Sequence[str], stages: Sequence[str] = ()) -> pd.DataFrame:
    """Stage LQs of several regions in long form (region_id, stage_id, lq, stage, position) for charts."""
    keep = np.array([not stages or s in stages for s in bench.stage_names], dtype=bool)
    rows = [bench.row[c] for c in codes]
    table = bench.stages[keep]
    n = len(codes)
    return pd.DataFrame(
        {
            "region_id": np.repeat(np.array(list(codes), dtype=object), len(table)),
            "stage_id": np.tile(table["stage_id"].to_numpy(), n),
            "lq": bench.stage_arrays["lq"][rows][:, keep].ravel(),
            "stage": np.tile(table["name"].to_numpy(), n),
            "position": np.tile(table["position"].to_numpy(), n),
        }
    )


# --- what the region has: priorities, actors, projects, flows ------------------------------------------------
def _related_codes(codes: pd.Series, region: str) -> pd.Series:
    """Rows whose region is `region`, inside it, or contains it (a national or NUTS-2 strategy applies)."""
    codes = codes.astype("string").fillna("")
    return codes.str.startswith(region) | pd.Series(
        [region.startswith(c) and c != "" for c in codes], index=codes.index
    )


def priorities_of(data: Data, region: str) -> pd.DataFrame:
    """The region's S3 priorities (its own and those of strategies for regions containing it)."""
    p = data["priorities"]
    return p[_related_codes(p["region_id"], region)].sort_values(["dimension", "code"]).reset_index(drop=True)


def actors_of(data: Data, region: str, chain_id: str) -> pd.DataFrame:
    """Key actors seated in the region that work in the chain (or in no particular chain), by helix type."""
    key = ("chain_actors", chain_id)
    if key not in data._cache:  # the chain's actors in order, once per bundle (the sort is stable: ties keep order)
        a = data["actors"]
        a = a[a["chain_id"].isna() | (a["chain_id"] == chain_id)]
        order = {t: i for i, t in enumerate(ACTOR_TYPES)}
        a = a.assign(helix=a["type"].map(HELIX_LABELS), _order=a["type"].map(order))
        a = a.sort_values(["_order", "name"]).drop(columns="_order")
        data._cache[key] = (a, a["region_id"].astype("string").fillna("").tolist())
    a, codes = data._cache[key]
    return a[[c.startswith(region) for c in codes]].reset_index(drop=True)


def projects_of(data: Data, region: str, chain_id: str) -> pd.DataFrame:
    """Projects with the region (or a region inside it) as partner, of the chain or of no particular chain."""
    p = data["projects"]
    partner = p["partner_regions"].map(lambda cell: any(c.startswith(region) for c in split_list(cell))).astype(bool)
    p = p[partner & (p["chain_id"].isna() | (p["chain_id"] == chain_id))]
    return p.sort_values(["start_year", "project_id"], ascending=[False, True]).reset_index(drop=True)


def _flows_at_level(data: Data, chain_id: str, year: int, level: int) -> pd.DataFrame:
    """The chain's flows of the year with both ends at the level (origin, destination), once per bundle (the ends
    are moved to the level once for every year of the chain)."""
    key = ("flows_at_level", chain_id, year, level)
    if key not in data._cache:
        every_year = ("chain_flows_at_level", chain_id, level)
        if every_year not in data._cache:
            f = data["flows"]
            f = f[f["chain_id"] == chain_id]
            origin, destination = to_level(f["from_region"], level), to_level(f["to_region"], level)
            data._cache[every_year] = f.assign(origin=origin, destination=destination)
        f = data._cache[every_year]
        data._cache[key] = f[(f["year"] == year).fillna(False).to_numpy(bool)]
    return data._cache[key]


def _project_pairs(data: Data, chain_id: str, level: int) -> pd.DataFrame:
    """Every pair of partner regions (a, b at the level) of each project of the chain or of no particular chain, with
    the project's start year and stages: the year- and anchor-independent part of the existing links, once per
    bundle."""
    key = ("project_pairs", chain_id, level)
    if key not in data._cache:
        p = data["projects"]
        p = p[p["chain_id"].isna() | (p["chain_id"] == chain_id)]
        rows = [
            (a, b, start, tuple(split_list(stages)))
            for cell, start, stages in zip(p["partner_regions"], p["start_year"], p["stages"], strict=True)
            for a, b in combinations(sorted({c[: 2 + level] for c in split_list(cell) if len(c) - 2 >= level}), 2)
        ]
        data._cache[key] = pd.DataFrame(rows, columns=["a", "b", "start_year", "stages"])
    return data._cache[key]


def flows_of(data: Data, sel: Selection, region: str) -> pd.DataFrame:
    """The region's flows of the chain in the year: direction (out, in, within), partner, stages, value."""
    f = _flows_at_level(data, sel.chain_id, sel.year, sel.level)
    f = f[((f["origin"] == region) | (f["destination"] == region)).fillna(False).to_numpy(bool)]
    if sel.stages:
        f = f[f["from_stage"].isin(sel.stages) | f["to_stage"].isin(sel.stages)]
    direction = np.where(f["origin"] == f["destination"], "within", np.where(f["origin"] == region, "out", "in"))
    partner = np.where(f["origin"] == region, f["destination"], f["origin"])
    out = f.assign(direction=direction, partner=partner)
    return (
        out.groupby(["direction", "kind", "partner", "from_stage", "to_stage", "unit"], as_index=False)
        .agg(value=("value", "sum"), source=("source", "first"))
        .sort_values(["direction", "kind", "value"], ascending=[True, True, False])
        .reset_index(drop=True)
    )


def flow_summary(flows: pd.DataFrame) -> pd.DataFrame:
    """Flows of a region summed by kind and direction (out, in, within) with the number of partners."""
    return flows.groupby(["kind", "direction", "unit"], as_index=False).agg(
        value=("value", "sum"), partners=("partner", "nunique"), links=("value", "size")
    )


# --- partner matching ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PairScores:
    """Every score component for every ordered pair of BSR regions (rows: who looks, columns: the partner)."""

    bench: Benchmark
    anchors: tuple[str, ...]
    components: dict[str, pd.DataFrame]
    shared_priorities: pd.DataFrame
    flows: pd.DataFrame
    projects: pd.DataFrame
    distance_km: pd.DataFrame

    @cached_property
    def position(self) -> dict[str, int]:
        """Row (and column) number of each region in every matrix: numpy lookups instead of label lookups."""
        return {r: i for i, r in enumerate(self.distance_km.index)}

    def values(self, matrix: pd.DataFrame, rows: Sequence[str], cols: Sequence[str]) -> np.ndarray:
        """matrix.loc[rows, cols] as an array, fast (the matrices share one region order)."""
        pos = self.position
        return matrix.to_numpy()[np.ix_([pos[r] for r in rows], [pos[c] for c in cols])]


def _priority_incidence(data: Data, ids: Sequence[str], level: int) -> pd.DataFrame:
    """Regions × priority codes: a code counts for a region if recorded for it, inside it or containing it.
    The same for every year and chain: kept per data bundle and level (read-only)."""
    key = ("priority_incidence", level, tuple(ids))
    if key not in data._cache:
        p = data["priorities"][["region_id", "code"]].astype(str)
        rows = []
        for code, group in p.groupby("region_id"):
            targets = [code[: 2 + level]] if len(code) - 2 >= level else [r for r in ids if r.startswith(code)]
            rows += [(t, c) for t in targets for c in group["code"]]
        pairs = pd.DataFrame(rows, columns=["region_id", "code"])
        data._cache[key] = indicators.incidence(pairs["region_id"], pairs["code"], ids)
    return data._cache[key]


def pair_scores(data: Data, bench: Benchmark, sel: Selection) -> PairScores:
    """All components for all pairs of BSR regions; the selection's stages are the anchors to match on."""
    ids = bench.regions["nuts_id"].tolist()
    anchors = tuple(s for s in sel.stages if s in set(bench.stages["stage_id"]))
    prio = _priority_incidence(data, ids, bench.level)

    f = _flows_at_level(data, bench.chain_id, bench.year, bench.level)
    if anchors:
        f = f[f["from_stage"].isin(anchors) | f["to_stage"].isin(anchors)]
    flows = indicators.pair_counts(f["origin"], f["destination"], ids)
    together = _project_pairs(data, bench.chain_id, bench.level)
    started = (together["start_year"] <= bench.year).fillna(False).to_numpy(bool)
    if anchors:
        wanted = set(anchors)
        meets = [not stages or bool(wanted.intersection(stages)) for stages in together["stages"]]
        started = started & np.array(meets, dtype=bool)
    projects = indicators.pair_counts(together["a"][started], together["b"][started], ids)

    lon = bench.regions["lon"].astype(float).to_numpy()
    lat = bench.regions["lat"].astype(float).to_numpy()
    distance = pd.DataFrame(geo.distance_matrix_km(lon, lat), index=ids, columns=ids)
    components = {
        "complementarity": indicators.complementarity(bench.stage_m, bench.adjacency, bench.stage_density, anchors),
        "relatedness": indicators.pair_relatedness(bench.sector_m, bench.sector_density),
        "priorities": indicators.jaccard(prio).fillna(0.0),
        "links": indicators.existing_links(flows + projects),
        "closeness": indicators.closeness(distance),
    }
    return PairScores(
        bench=bench,
        anchors=anchors,
        components=components,
        shared_priorities=indicators.shared_counts(prio),
        flows=flows,
        projects=projects,
        distance_km=distance,
    )


def scores(pairs: PairScores, weights: Mapping[str, float], rows: Sequence[str], cols: Sequence[str]) -> pd.DataFrame:
    """The weighted partner score for the pairs rows × cols."""
    index, columns = pd.Index(list(rows)), pd.Index(list(cols))
    sub = {
        c: pd.DataFrame(pairs.values(m, rows, cols), index=index, columns=columns) for c, m in pairs.components.items()
    }
    return indicators.partner_score(sub, weights)


@dataclass(frozen=True)
class _Reasons:
    """Which stages make b complement a: next to a's anchors (and which anchors), related, or the same."""

    next_to: set[str]
    anchors_met: set[str]
    related: set[str]
    same: set[str]


def _reasons(pairs: PairScores, a: str, b: str) -> _Reasons:
    bench = pairs.bench
    m, density = bench.stage_arrays["m"], bench.stage_arrays["density"]
    ra, rb = bench.row[a], bench.row[b]
    column = {s: j for j, s in enumerate(bench.stage_names)}
    spec_a = {s for s, j in column.items() if m[ra, j] == 1}
    spec_b = {s for s, j in column.items() if m[rb, j] == 1}
    anchors = set(pairs.anchors) or spec_a
    fills = spec_b - spec_a
    near = bench.neighbours
    next_to = {s for s in fills if near[s] & anchors}
    met = {t for t in anchors for s in next_to if t in near[s]}
    related = {s for s in fills - next_to if density[ra, column[s]] > 0}
    return _Reasons(next_to, met, related, spec_a & spec_b)


def explain(pairs: PairScores, a: str, b: str, you: str | None = None) -> str:
    """One sentence saying why b is (or is not) a good partner for a, from the same numbers as the score.

    Addressed to region a ("you") unless `you` names it (for texts read by others, e.g. idea cards).
    """
    bench = pairs.bench
    why = _reasons(pairs, a, b)
    w = (
        {"are": "you are", "look": "you look", "lack": "you lack but are", "as": "you", "your": "your"}
        if you is None
        else {"are": f"{you} is", "look": f"{you} looks", "lack": f"{you} lacks but is", "as": you, "your": f"{you}'s"}
    )
    parts: list[str] = []
    if why.next_to:
        where = f"{w['look']} for partners in" if pairs.anchors else f"{w['are']} strong in"
        parts.append(
            f"strong in {bench.stage_list(why.next_to, lq_of=b)} where {where} {bench.stage_list(why.anchors_met)}"
        )
    if why.related:
        parts.append(f"strong in {bench.stage_list(why.related, lq_of=b)}, which {w['lack']} related to")
    if not why.next_to and not why.related:
        parts.append(
            f"strong in the same stages as {w['as']} ({bench.stage_list(why.same)})"
            if why.same
            else f"no stage that fills a gap next to {w['your']} strengths"
        )
    n = int(pairs.shared_priorities.at[a, b])
    parts.append("no shared priority" if n == 0 else f"{n} shared priorit{'y' if n == 1 else 'ies'}")
    projects, flows = int(pairs.projects.at[a, b]), int(pairs.flows.at[a, b])
    together = (
        "no project together yet" if projects == 0 else f"{projects} project{'s' if projects > 1 else ''} together"
    )
    if flows:
        together += f"{' but' if projects == 0 else ','} {flows} flow{'s' if flows > 1 else ''} in {bench.year}"
    parts.append(together)
    parts.append(f"{pairs.distance_km.at[a, b]:,.0f} km apart")
    return "; ".join(parts)


def best_partners(
    pairs: PairScores, region: str, candidates: Sequence[str], weights: Mapping[str, float], top: int | None = None
) -> pd.Series:
    """The candidates' scores as partners of `region`, best first (ties by code), without the reasons."""
    pos = pairs.position
    others = [c for c in candidates if c != region and c in pos]
    if not others:
        return pd.Series(dtype=float)
    total = scores(pairs, weights, [region], others).iloc[0]
    total = total.iloc[np.lexsort((np.array(others), -total.to_numpy()))]
    return total if top is None else total.head(top)


RANKED_COLUMNS = [
    "rank",
    "region_id",
    "name",
    "country",
    "score",
    *COMPONENTS,
    "shared_priorities",
    "projects",
    "flows",
    "distance_km",
    "why",
]


def rank_partners(
    pairs: PairScores, region: str, candidates: Sequence[str], weights: Mapping[str, float], top: int | None = None
) -> pd.DataFrame:
    """Candidate partners for `region`, best first, with the score, its components and the reason why."""
    best = best_partners(pairs, region, candidates, weights, top)
    if best.empty:
        return pd.DataFrame(columns=RANKED_COLUMNS)
    others = best.index.tolist()
    row = {c: pairs.values(m, [region], others)[0] for c, m in pairs.components.items()}
    for name, matrix in (
        ("shared_priorities", pairs.shared_priorities),
        ("projects", pairs.projects),
        ("flows", pairs.flows),
    ):
        row[name] = pairs.values(matrix, [region], others)[0].astype(int)
    names = pairs.bench.names
    out = pd.DataFrame(
        {
            "rank": np.arange(1, len(others) + 1),
            "region_id": others,
            "name": [names.get(b, "") for b in others],
            "country": [b[:2] for b in others],
            "score": best.to_numpy(),
            **row,
            "distance_km": pairs.values(pairs.distance_km, [region], others)[0],
            "why": [explain(pairs, region, b) for b in others],
        }
    )
    return out[RANKED_COLUMNS]


def contributions(ranked: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Each component's part of the score (w_c X_c / sum w), long form for a stacked bar chart (component after
    component, each with every region in the ranked order)."""
    total = sum(w for w in weights.values() if w > 0) or 1.0
    names = list(COMPONENTS)
    n = len(ranked)
    value = ranked[names].to_numpy(float).T.ravel()
    factor = np.repeat([max(weights.get(c, 0), 0) / total for c in names], n)
    return pd.DataFrame(
        {
            "region_id": np.tile(ranked["region_id"].to_numpy(), len(names)),
            "name": np.tile(ranked["name"].to_numpy(), len(names)),
            "component": np.repeat(names, n),
            "value": value,
            "part": np.where(np.isnan(value), 0.0, value) * factor,
            "label": np.repeat(list(COMPONENTS.values()), n),
        }
    )


def synergy_matrix(
    pairs: PairScores, weights: Mapping[str, float], candidates: Sequence[str], focus: str | None, limit: int
) -> pd.DataFrame:
    """Scores among the candidates (rows look for partners in columns), ordered by country and code.

    With more than `limit` candidates it keeps the focus region and its best partners, so the heatmap stays
    readable at NUTS-3; the diagonal is empty.
    """
    codes = [c for c in candidates if c in pairs.distance_km.index]
    if len(codes) > limit:
        best = best_partners(pairs, focus, codes, weights, top=limit - 1).index if focus in codes else []
        keep = set(best) | ({focus} if focus in codes else set())
        if not keep:  # no focus: the regions with the highest mean score
            mean = scores(pairs, weights, codes, codes).mean(axis=1)
            keep = set(mean.sort_values(ascending=False).index[:limit])
        codes = [c for c in codes if c in keep]
    codes = sorted(codes, key=lambda c: (c[:2], c))
    matrix = scores(pairs, weights, codes, codes)
    values = matrix.to_numpy(copy=True)
    np.fill_diagonal(values, np.nan)
    return pd.DataFrame(values, index=codes, columns=codes)


def matched_actors(data: Data, bench: Benchmark, a: str, b: str, limit: int = 25) -> pd.DataFrame:
    """Pairs of actors of the two regions whose stages meet: one supplies the other, or both work in one stage."""
    actors_a, actors_b = actors_of(data, a, bench.chain_id), actors_of(data, b, bench.chain_id)
    order = dict(zip(bench.stages["stage_id"], bench.stages["position"], strict=True))
    loops = {
        (s, str(t))
        for s, t in zip(bench.stages["stage_id"], bench.stages["feeds_back_to"], strict=True)
        if isinstance(t, str)
    }

    def relation(sa: str, sb: str) -> tuple[int, str] | None:
        if sa == sb:
            return 2, "same stage"
        if order[sb] - order[sa] == 1 or (sa, sb) in loops:
            return 1, "supplies"
        if order[sa] - order[sb] == 1 or (sb, sa) in loops:
            return 1, "is supplied by"
        return None

    rows = []
    for x in actors_a.itertuples():
        for y in actors_b.itertuples():
            found = [
                (r, sa, sb)
                for sa in split_list(x.stages)
                for sb in split_list(y.stages)
                if sa in order and sb in order and (r := relation(sa, sb))
            ]
            if not found:
                continue
            (priority, how), sa, sb = min(found, key=lambda f: f[0][0])
            rows.append(
                {
                    "actor_a": x.name,
                    "type_a": HELIX_LABELS.get(x.type, x.type),
                    "stage_a": bench.stage_names[sa],
                    "relation": how,
                    "actor_b": y.name,
                    "type_b": HELIX_LABELS.get(y.type, y.type),
                    "stage_b": bench.stage_names[sb],
                    "actor_a_id": x.actor_id,
                    "actor_b_id": y.actor_id,
                    "_p": priority,
                    "_mix": x.type != y.type,
                }
            )
    cols = ["actor_a", "type_a", "stage_a", "relation", "actor_b", "type_b", "stage_b", "actor_a_id", "actor_b_id"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows).sort_values(["_p", "_mix", "actor_a", "actor_b"], ascending=[True, False, True, True])
    return out[cols].head(limit).reset_index(drop=True)


# --- joint investment ideas (step 4) -------------------------------------------------------------------------
def suggested_idea(pairs: PairScores, a: str, b: str, actors: Sequence[str] = ()) -> dict[str, object]:
    """A first draft of an idea card for the pair: title, regions, actors, the stages that meet and the reason."""
    bench = pairs.bench
    why = _reasons(pairs, a, b)
    meet = why.next_to | why.anchors_met | why.related or why.same
    stages = [s for s in bench.stages["stage_id"] if s in meet]
    name_a, name_b = bench.names.get(a, a), bench.names.get(b, b)
    return {
        "title": f"{name_a} and {name_b}: joint {bench.stage_list(stages) or 'value-chain'} pilot",
        "chain_id": bench.chain_id,
        "regions": [a, b],
        "actors": list(dict.fromkeys(actors)),
        "stages": stages,
        "description": f"{name_b} for {name_a}: {explain(pairs, a, b, you=name_a)}.",
        "next_steps": "",
    }


def check_idea(idea: Mapping[str, Any]) -> list[str]:
    """What keeps an idea card from being saved, in words for the form (empty list: it can be saved)."""
    problems = []
    if not str(idea.get("title") or "").strip():
        problems.append("Give the idea a title.")
    if len(list(idea.get("regions") or [])) < 2:
        problems.append("A joint idea needs at least two regions.")
    return problems


def idea_record(idea: Mapping[str, Any]) -> dict[str, object]:
    """The form's values as a row for store.save_idea: lists joined, text trimmed, empty text as None."""
    record: dict[str, object] = {}
    for key in ("regions", "actors", "stages"):
        record[key] = LIST_SEPARATOR.join(str(v) for v in (idea.get(key) or [])) or None
    for key in IDEA_TEXT_FIELDS:
        record[key] = str(idea.get(key) or "").strip() or None
    record["chain_id"] = idea.get("chain_id")
    if idea.get("idea_id") is not None:
        record["idea_id"] = int(idea["idea_id"])
    return record


def ideas_view(data: Data, chain_id: str | None = None) -> pd.DataFrame:
    """Idea cards with region, actor and stage names, newest first (optionally of one chain)."""
    ideas = data["ideas"]
    if chain_id is not None:
        ideas = ideas[ideas["chain_id"].isna() | (ideas["chain_id"] == chain_id)]
    regions = data.region_names
    actors = dict(zip(data["actors"]["actor_id"], data["actors"]["name"], strict=True))
    stages = dict(zip(data["stages"]["stage_id"], data["stages"]["name"], strict=True))

    def names(cell: object, lookup: Mapping[str, str], with_code: bool = False) -> str:
        return "; ".join(label(c, lookup) if with_code else lookup.get(c, c) for c in split_list(cell))

    out = pd.DataFrame(
        {
            "idea_id": ideas["idea_id"].astype(int),
            "title": ideas["title"],
            "regions": ideas["regions"].map(lambda c: names(c, regions, with_code=True)),
            "actors": ideas["actors"].map(lambda c: names(c, actors)),
            "stages": ideas["stages"].map(lambda c: names(c, stages)),
            "description": ideas["description"].fillna(""),
            "next_steps": ideas["next_steps"].fillna(""),
            "created_by": ideas["created_by"],
            "updated_at": ideas["updated_at"],
        }
    )
    return out.sort_values("idea_id", ascending=False).reset_index(drop=True)


def _md(text: object, block: bool = False) -> str:
    """Markdown-safe text for the exported report: no markup or HTML from user text; line breaks kept in blocks."""
    out = str(text)
    for ch in "\\`*_[]<>#|~":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "  \n") if block else " ".join(out.split())


def ideas_markdown(view: pd.DataFrame, title: str) -> str:
    """The idea cards as one Markdown document for the workshop report."""
    lines = [f"# {_md(title)}", ""]
    if view.empty:
        lines.append("No idea cards yet.")
    for idea in view.itertuples():
        lines += [
            f"## {idea.idea_id}. {_md(idea.title)}",
            "",
            f"- **Regions:** {_md(idea.regions) or '–'}",
            f"- **Actors:** {_md(idea.actors) or '–'}",
            f"- **Stages:** {_md(idea.stages) or '–'}",
            f"- **By:** {_md(idea.created_by)}, last changed {idea.updated_at:%Y-%m-%d %H:%M} UTC",
            "",
            "**What the partners would do**",
            "",
            _md(idea.description, block=True) or "–",
            "",
            "**Next steps**",
            "",
            _md(idea.next_steps, block=True) or "–",
            "",
        ]
    return "\n".join(lines)


def ideas_csv(view: pd.DataFrame) -> bytes:
    """The idea cards as a spreadsheet-safe CSV (the one CSV writer, valuechain.export)."""
    return export.to_csv_bytes(view)
