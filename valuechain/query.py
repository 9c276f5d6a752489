"""What is on screen: the user's selection and the data it picks from the current store revision.

Pages hand a `Selection` (small, frozen, hashable: a good cache key) and a `Data` bundle to these
functions and get plain DataFrames back, so the same logic serves the map, the Sankey, profiles and
tests without Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from valuechain import schema
from valuechain.schema import LIST_SEPARATOR, TOTAL_SECTOR

DEFAULT_LEVEL = 2


@dataclass(frozen=True)
class Selection:
    """The global filters. Empty tuples mean "all"."""

    chain_id: str
    year: int
    level: int = DEFAULT_LEVEL
    countries: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    region: str | None = None


@dataclass
class Data:
    """Every current table of one store revision, with lookups the views share."""

    frames: dict[str, pd.DataFrame]
    revision: int = 0
    origin: str = "demo"
    _cache: dict = field(default_factory=dict, repr=False)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.frames[table]

    @classmethod
    def load(cls, store: object) -> Data:
        """Read every versioned table and the idea cards from `store` (a valuechain.store.Store)."""
        frames = {name: store.current(name) for name in (*schema.LOAD_ORDER, "ideas")}  # type: ignore[attr-defined]
        return cls(frames, revision=store.revision())  # type: ignore[attr-defined]

    @cached_property
    def region_names(self) -> dict[str, str]:
        return dict(zip(self["regions"]["nuts_id"], self["regions"]["name"], strict=True))

    @cached_property
    def sector_names(self) -> dict[str, str]:
        """NACE division → its title."""
        return dict(zip(self["sectors"]["nace"], self["sectors"]["name"], strict=True))

    @cached_property
    def indicator_table(self) -> pd.DataFrame:
        return self["indicators"].set_index("indicator_id")

    def is_additive(self, indicator: str) -> bool:
        table = self.indicator_table
        return indicator in table.index and bool(table.at[indicator, "additive"])

    # The chain tables are asked for many times on every rerun (sidebar, pages, builders): each is made once per
    # revision and shared, so callers treat them as read-only.
    def chains(self) -> pd.DataFrame:
        if "chains" not in self._cache:
            self._cache["chains"] = self["value_chains"].sort_values("name").reset_index(drop=True)
        return self._cache["chains"]

    def stages(self, chain_id: str) -> pd.DataFrame:
        key = ("stages", chain_id)
        if key not in self._cache:
            s = self["stages"]
            self._cache[key] = s[s["chain_id"] == chain_id].sort_values("position").reset_index(drop=True)
        return self._cache[key]

    def stage_sectors(self, chain_id: str) -> pd.DataFrame:
        key = ("stage_sectors", chain_id)
        if key not in self._cache:
            m = self["stage_sectors"]
            self._cache[key] = m[m["chain_id"] == chain_id].reset_index(drop=True)
        return self._cache[key]

    def years(self) -> list[int]:
        """Years with observations or flows (computed once per revision: the sidebar asks every rerun)."""
        if "years" not in self._cache:
            years = set(self["observations"]["year"].dropna().unique()) | set(self["flows"]["year"].dropna().unique())
            self._cache["years"] = sorted(int(y) for y in years)
        return self._cache["years"]

    def levels_with_data(self) -> list[int]:
        """NUTS levels the observations can be shown at (their own level and every coarser one)."""
        if "levels" not in self._cache:
            codes = self["observations"]["region_id"].dropna().unique()
            finest = max((len(c) - 2 for c in codes), default=-1)
            self._cache["levels"] = list(range(0, finest + 1))
        return self._cache["levels"]

    def countries(self) -> list[str]:
        if "countries" not in self._cache:
            r = self["regions"]
            self._cache["countries"] = sorted(r.loc[r["bsr"].fillna(False).astype(bool) & (r["level"] == 0), "nuts_id"])
        return list(self._cache["countries"])

    def whole_economy_only(self, indicator: str) -> bool:
        """Whether every observation of the indicator is for the whole economy (sector TOTAL): such a figure
        cannot speak for any stage, and pages show it as it is instead of summing the chain's sectors."""
        key = ("whole_economy", indicator)
        if key not in self._cache:
            sectors = self["observations"].loc[self["observations"]["indicator"] == indicator, "sector"]
            self._cache[key] = bool(len(sectors)) and bool((sectors == TOTAL_SECTOR).all())
        return bool(self._cache[key])

    def data_source(self) -> str:
        """The sources behind the observations on screen, for captions (once per revision: every page asks)."""
        if "data_source" not in self._cache:
            sources = sorted(self["observations"]["source"].dropna().unique())
            self._cache["data_source"] = "; ".join(sources) or "no data"
        return self._cache["data_source"]


def region_level(codes: pd.Series) -> pd.Series:
    """NUTS level from the code length (DE = 0, DE6 = 1, DE60 = 2, DE600 = 3)."""
    return codes.str.len() - 2


def ancestor(codes: pd.Series, level: int) -> pd.Series:
    """The region containing each code at `level` (NUTS codes nest by prefix)."""
    return codes.str.slice(0, 2 + level)


def regions_in_view(data: Data, sel: Selection) -> pd.DataFrame:
    """Programme-area regions at the selected level and countries (read-only: made once per bundle, level and
    countries, as the sidebar and the page ask for them several times a rerun)."""
    key = ("regions_in_view", sel.level, sel.countries)
    if key not in data._cache:
        r = data["regions"]
        keep = (r["level"] == sel.level) & r["bsr"].fillna(False).astype(bool)
        if sel.countries:
            keep &= r["country"].isin(sel.countries)
        data._cache[key] = r[keep].reset_index(drop=True)
    return data._cache[key]


def sectors_in_selection(data: Data, sel: Selection) -> list[str]:
    """NACE divisions the selection covers: the chosen sectors, else those of the chosen stages."""
    mapping = data.stage_sectors(sel.chain_id)
    if sel.stages:
        mapping = mapping[mapping["stage_id"].isin(sel.stages)]
    sectors = mapping["nace"].tolist()
    if sel.sectors:
        sectors = [s for s in sectors if s in sel.sectors]
    return sectors


def observations_at_level(data: Data, indicator: str, level: int) -> pd.DataFrame:
    """Observations of one indicator at `level`, summed up from the nearest finer level if needed.

    Only additive indicators are summed; a rate uploaded at NUTS-3 is not shown at NUTS-2.
    """
    key = ("obs_level", indicator, level)
    if key not in data._cache:
        obs = data["observations"]
        obs = obs[obs["indicator"] == indicator]
        levels = region_level(obs["region_id"])
        source_level = min((lv for lv in levels.unique() if lv >= level), default=None)
        if source_level is None:
            out = obs.iloc[0:0]
        elif source_level == level:
            out = obs[levels == level]
        elif data.is_additive(indicator):
            finer = obs[levels == source_level].assign(region_id=lambda f: ancestor(f["region_id"], level))
            out = _sum_with_flags(finer, ["region_id", "sector", "indicator", "year"])
        else:
            out = obs.iloc[0:0]
        data._cache[key] = out.reset_index(drop=True)
    return data._cache[key]


def _sum_with_flags(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum values per key; unit and source of the first row; the distinct flags joined (e.g. "ep").

    A sum with a missing part (':', confidential 'c') is missing too, keeping the part's flag: a total without
    a confidential part would be taken for the whole. Flags are combined without a Python call per group: this
    runs on every filter change.
    """
    grouped = frame.assign(_missing=frame["value"].isna()).groupby(keys, as_index=False)
    summed = grouped.agg(
        value=("value", "sum"), unit=("unit", "first"), source=("source", "first"), _missing=("_missing", "any")
    )
    summed["value"] = summed["value"].astype("float64").mask(summed.pop("_missing").astype(bool))
    flagged = frame.loc[frame["flag"].notna() & frame["flag"].ne(""), [*keys, "flag"]].drop_duplicates()
    flags = flagged.sort_values("flag").groupby(keys, as_index=False)["flag"].agg("".join)
    return summed.merge(flags, on=keys, how="left")


def indicator_by_region(data: Data, sel: Selection, indicator: str) -> pd.DataFrame:
    """One value per region in view: the indicator summed over the selection's sectors, or its whole-economy
    value when it has no sector breakdown at all (GDP, R&D intensity, population from Eurostat).

    Columns: region_id, name, country, value, unit, source, flag. Regions without data get NaN.
    """
    obs = observations_at_level(data, indicator, sel.level)
    sectors = [TOTAL_SECTOR] if data.whole_economy_only(indicator) else sectors_in_selection(data, sel)
    obs = obs[(obs["year"] == sel.year) & obs["sector"].isin(sectors)]
    per_region = _sum_with_flags(obs, ["region_id"])
    view = regions_in_view(data, sel)[["nuts_id", "name", "country"]].rename(columns={"nuts_id": "region_id"})
    return view.merge(per_region, on="region_id", how="left")


def whole_economy_figures(data: Data, sel: Selection, regions: Sequence[str]) -> pd.DataFrame:
    """Every indicator without a sector breakdown (GDP, R&D intensity, population …) for these regions in the
    selected year: region_id, indicator, name, value, unit, source, flag. They describe the region, not a stage."""
    names = data.indicator_table["name"]
    frames = [
        observations_at_level(data, ind, sel.level).assign(name=names.get(ind, ind))
        for ind in data.indicator_table.index
        if data.whole_economy_only(ind)
    ]
    columns = ["region_id", "indicator", "name", "value", "unit", "source", "flag"]
    if not frames:
        return pd.DataFrame(columns=columns)
    obs = pd.concat(frames, ignore_index=True)
    obs = obs[(obs["year"] == sel.year) & obs["region_id"].isin(list(regions))]
    order = {r: i for i, r in enumerate(regions)}
    return obs.sort_values(["region_id", "name"], key=lambda c: c.map(order) if c.name == "region_id" else c)[
        columns
    ].reset_index(drop=True)


def total_by_region(data: Data, sel: Selection, indicator: str) -> pd.Series:
    """The whole-economy (TOTAL) value per region, the denominator of shares and quotients."""
    obs = observations_at_level(data, indicator, sel.level)
    obs = obs[(obs["year"] == sel.year) & (obs["sector"] == TOTAL_SECTOR)]
    return _sum_with_flags(obs, ["region_id"]).set_index("region_id")["value"]


def split_list(cell: object) -> list[str]:
    """Values of a LIST_SEPARATOR-separated cell."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)) or cell is pd.NA:
        return []
    return [v.strip() for v in str(cell).split(LIST_SEPARATOR) if v.strip()]


@dataclass(frozen=True)
class Headline:
    """The home page's "in numbers"."""

    regions: int
    countries: int
    actors: int
    flows: int
    flow_value: float
    flow_unit: str
    projects: int
    funding_eur: float
    year: int


def headline(data: Data, sel: Selection) -> Headline:
    """Counts of what the selection covers, for the home page."""
    view = regions_in_view(data, sel)
    codes = set(view["nuts_id"])
    countries = {c[:2] for c in codes}
    actors = data["actors"]
    actors = actors[
        actors["region_id"].str.slice(0, 2).isin(countries)
        & (actors["chain_id"].isna() | (actors["chain_id"] == sel.chain_id))
    ]
    flows = data["flows"]
    flows = flows[
        (flows["chain_id"] == sel.chain_id)
        & (flows["year"] == sel.year)
        & flows["from_region"].str.slice(0, 2).isin(countries)
    ]
    goods = flows[flows["kind"] == "goods"]
    projects = data["projects"]
    in_view = projects["partner_regions"].map(lambda cell: any(c[:2] in countries for c in split_list(cell)))
    in_view = in_view.astype(bool)  # an empty table (demo switched off) maps to an empty string column
    projects = projects[in_view & (projects["chain_id"].isna() | (projects["chain_id"] == sel.chain_id))]
    funding = projects["public_funding_eur"].fillna(projects["budget_eur"]).sum()
    return Headline(
        regions=len(codes),
        countries=len(countries),
        actors=len(actors),
        flows=len(flows),
        flow_value=float(goods["value"].sum()),
        flow_unit=str(goods["unit"].iloc[0]) if len(goods) else "",
        projects=len(projects),
        funding_eur=float(funding),
        year=sel.year,
    )
