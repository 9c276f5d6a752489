"""What the map shows: one value per region, its class and colour, ranks, tooltips and flow arcs.

No Streamlit here: the map page, its tests and the benchmark call these functions with a `Data`
bundle and a `Selection`, so the numbers on the map can be pinned without a browser. Classes follow
mapclassify's schemes (computed here, checked against mapclassify in the tests); colours come from
valuechain.colors (ColorBrewer YlGnBu, and PuOr diverging around 1 for location quotients, both safe
for the common colour-vision deficiencies). Tooltips are plain text: the page hands them to deck.gl's
text tooltip, so a region name is never read as HTML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from valuechain import colors, derived
from valuechain.query import (
    Data,
    Selection,
    ancestor,
    indicator_by_region,
    region_level,
    regions_in_view,
)
from valuechain.schema import FLAGS

SCHEMES = {
    "quantiles": "Quantiles",
    "natural_breaks": "Natural breaks (Fisher–Jenks)",
    "equal_interval": "Equal interval",
}
DEFAULT_SCHEME = "quantiles"
N_CLASSES = 5  # sequential classes; a diverging map gets up to DIVERGING_SIDE on each side of 1
DIVERGING_SIDE = 3
NO_DATA = "No data"
CONFIDENTIAL = "Confidential (c)"
_DERIVED_UNITS = frozenset(spec.unit for spec in derived.REGISTRY.values())  # in brackets after values
# Arcs run from vermillion (origin) to black (destination): told apart by lightness with any colour vision,
# and both stand out on the yellow-to-blue and orange-to-purple map palettes.
FLOW_FROM = colors.OKABE_ITO[5]
FLOW_TO = colors.OKABE_ITO[7]
DIMMED_ALPHA = 70  # arcs not touching the selected region
ARC_COLUMNS = [
    "from_region",
    "to_region",
    "value",
    "unit",
    "source",
    "from_name",
    "to_name",
    "from_lon",
    "from_lat",
    "to_lon",
    "to_lat",
    "selected",
    "width",
    "from_color",
    "to_color",
    "tooltip",
]


@dataclass(frozen=True)
class MapClass:
    """One legend row: values in (lower, upper] (the first class includes its lower bound)."""

    lower: float
    upper: float
    color: str
    count: int
    label: str


@dataclass(frozen=True)
class Classification:
    """The classes of one map, in legend order, and what was left without data."""

    scheme: str
    classes: tuple[MapClass, ...]
    diverging: bool
    no_data: int


def decimals_for(value: float) -> int:
    """Decimals worth showing at this magnitude: 0 from 100 up, 1 from 10, else 2."""
    return 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2


def format_number(value: object, decimals: int | None = None) -> str:
    """Numbers as people read them on a map: thousands separators, few decimals, "no data" for gaps."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    v = float(value)  # type: ignore[arg-type]
    if decimals is None:
        decimals = 0 if v == int(v) else decimals_for(v)
    return f"{v:,.{decimals}f}"


def confidential(values: pd.Series, flags: pd.Series) -> pd.Series:
    """True where a region has no number because the source keeps it confidential (Eurostat flag c)."""
    return values.isna() & flags.astype("string").fillna("").str.contains("c", regex=False)


def gap_label(flag: object) -> str:
    """What a region without a number has: a confidential value (flag c) or no data."""
    return "confidential (c)" if isinstance(flag, str) and "c" in flag else "no data"


def value_text(value: object, flag: object) -> str:
    """A value as a table cell reads it: the number with its flags spelled out (`3.10 (p: provisional)`), or the
    map's words for a gap (`confidential (c)`, `no data`), so a missing value never looks like an empty cell. A
    negative number takes the minus sign U+2212, which no spreadsheet takes for the start of a formula."""
    number = format_number(value)
    if number == "no data":
        return gap_label(flag)
    number = number.replace("-", "\u2212")
    letters = flag.strip() if isinstance(flag, str) else ""
    if not letters:
        return number
    return f"{number} ({letters}: {', '.join(FLAGS.get(ch, 'unknown flag') for ch in letters)})"


# --- classification --------------------------------------------------------------------------------


def _upper_bounds(values: np.ndarray, scheme: str, k: int) -> np.ndarray:
    """Sorted, distinct upper class bounds for finite `values`; fewer than k when values are few or tied.

    The three schemes compute what mapclassify's Quantiles, FisherJenks and EqualInterval compute (the tests
    compare with mapclassify), without importing it in the server: mapclassify pulls in scipy.stats and
    scikit-learn, 90 MB of resident memory and 3–5 s of a cold start on a busy 2-core machine.
    """
    k = min(k, len(np.unique(values)))
    if k <= 1:
        return np.array([values.max()])
    if scheme == "quantiles":
        step = 100.0 / k
        bins = np.percentile(values, np.minimum(np.arange(step, 100 + step, step), 100.0))
    elif scheme == "natural_breaks":
        bins = _fisher_jenks(np.sort(values).astype("f8"), k)
    elif scheme == "equal_interval":
        low, high = values.min(), values.max()
        width = (high - low) / k
        bins = np.arange(low + width, high + width, width)[:k]
        bins[-1] = high
    else:
        raise ValueError(f"unknown classification scheme {scheme!r}")
    return np.unique(np.append(bins[:-1], values.max()))


def _fisher_jenks(ordered: np.ndarray, classes: int) -> np.ndarray:
    """Fisher's optimal (natural breaks) upper bounds of sorted values: mapclassify's algorithm, in float32 as
    there, so the bounds are the same. O(n² k): fine for the few hundred regions of a map."""
    n = len(ordered)
    lower = np.zeros((n + 1, classes + 1), dtype=np.int32)
    cost = np.zeros((n + 1, classes + 1), dtype=np.float32)
    lower[1, 1:] = 1
    cost[2:, 1:] = np.inf
    v = np.float32(0)
    for last in range(2, n + 1):
        s1 = s2 = w = np.float32(0)
        for m in range(1, last + 1):
            first = last - m + 1
            value = np.float32(ordered[first - 1])
            s2 += value * value
            s1 += value
            w += np.float32(1)
            v = s2 - (s1 * s1) / w
            if first - 1 != 0:
                for j in range(2, classes + 1):
                    if cost[last, j] >= v + cost[first - 1, j - 1]:
                        lower[last, j] = first
                        cost[last, j] = v + cost[first - 1, j - 1]
        lower[last, 1] = 1
        cost[last, 1] = v
    bounds = np.zeros(classes + 1, dtype=ordered.dtype)
    bounds[classes] = ordered[-1]
    bounds[0] = ordered[0]
    end = n
    for j in range(classes, 1, -1):
        pivot = lower[end, j]
        bounds[j - 1] = ordered[int(pivot - 2)]
        end = int(pivot - 1)
    return np.delete(bounds, 0)


def _spread(palette: tuple[str, ...], n: int) -> list[str]:
    """n colours spread over a sequential palette, light to dark."""
    if n == 1:
        return [palette[len(palette) // 2]]
    return [palette[int(i * (len(palette) - 1) / (n - 1) + 0.5)] for i in range(n)]


def _classes(values: np.ndarray, bounds: np.ndarray, lower: float, palette: list[str], decimals: int) -> list[MapClass]:
    index = np.searchsorted(bounds, values, side="left")
    lowers = [lower, *bounds[:-1]]
    return [
        MapClass(
            float(lo),
            float(up),
            c,
            int((index == i).sum()),
            f"{format_number(lo, decimals)} – {format_number(up, decimals)}",
        )
        for i, (lo, up, c) in enumerate(zip(lowers, bounds, palette, strict=True))
    ]


def classify(
    values: pd.Series, scheme: str = DEFAULT_SCHEME, *, diverging: bool = False, k: int = N_CLASSES
) -> tuple[pd.Series, Classification]:
    """Class number per value (<NA> for missing) and the legend classes.

    Sequential: up to `k` classes of the scheme over all values. Diverging (location quotients): values
    below 1 and values of 1 and above are classified separately, up to DIVERGING_SIDE classes each, so
    1 is always a class bound and orange always means "below the BSR average", purple "above".
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {tuple(SCHEMES)}, not {scheme!r}")
    v = pd.to_numeric(values, errors="coerce").astype(float)
    finite = v[np.isfinite(v)]
    parts: list[tuple[np.ndarray, np.ndarray, float, list[str]]] = []
    if diverging:
        low, high = finite[finite < 1].to_numpy(), finite[finite >= 1].to_numpy()
        if len(low):
            b = _upper_bounds(low, scheme, DIVERGING_SIDE)
            parts.append((low, b, float(low.min()), list(colors.DIVERGING[3 - len(b) : 3])))
        if len(high):
            b = _upper_bounds(high, scheme, DIVERGING_SIDE)
            parts.append((high, b, 1.0, list(colors.DIVERGING[4 : 4 + len(b)])))
    elif len(finite):
        b = _upper_bounds(finite.to_numpy(), scheme, k)
        parts.append((finite.to_numpy(), b, float(finite.min()), _spread(colors.SEQUENTIAL, len(b))))
    decimals = 2 if diverging else decimals_for(float(finite.abs().max())) if len(finite) else 0
    classes: list[MapClass] = []
    for part_values, bounds, lower, palette in parts:
        classes.extend(_classes(part_values, bounds, lower, palette, decimals))
    all_bounds = np.array([c.upper for c in classes])
    number = pd.Series(pd.NA, index=values.index, dtype="Int64")
    if len(classes):
        number[finite.index] = np.searchsorted(all_bounds, finite.to_numpy(), side="left")
    return number, Classification(scheme, tuple(classes), diverging, int(number.isna().sum()))


def class_colors(number: pd.Series, classification: Classification) -> pd.Series:
    """Hex colour per region: its class colour, or the no-data grey."""
    palette = [c.color for c in classification.classes]
    return number.map(lambda i: colors.NO_DATA if i is pd.NA else palette[int(i)]).astype(object)


# --- values per region ------------------------------------------------------------------------------


def indicator_label(data: Data, indicator: str) -> str:
    """Display name of an indicator of the indicators table, or of a derived one (with its base's name)."""
    spec = derived.REGISTRY.get(indicator)
    if spec is not None:
        return f"{spec.name} ({indicator_label(data, spec.base).lower()})"
    table = data.indicator_table
    return str(table.at[indicator, "name"]) if indicator in table.index else indicator


def map_indicators(data: Data) -> list[str]:
    """What the map can be coloured by: every indicator in the data, then the derived ones whose base is loaded."""
    ids = data["indicators"]["indicator_id"].tolist()
    return [*ids, *(i for i, spec in derived.REGISTRY.items() if spec.base in ids)]


def bsr_values(data: Data, sel: Selection, indicator: str, base: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per programme-area region at the selected level, whatever countries are in view.

    Columns region_id, name, country, value, unit, source, flag, size, size_unit. `value` is the indicator
    summed over the selection's sectors; for a derived indicator (valuechain.derived) it is computed from its
    base indicator with the whole BSR programme area at the selected level as reference, and `size` is the
    base value behind it (bubbles show how big, colours e.g. how specialised); pass the base indicator's
    table as `base` if it is at hand.
    Independent of the country filter, so the page can cache it and reuse it when only the countries change.
    """
    reference = replace(sel, countries=(), region=None)
    spec = derived.REGISTRY.get(indicator)
    if spec is not None:
        table = (bsr_values(data, reference, spec.base) if base is None else base).copy()
        values = spec.compute(data, reference, spec.base, table.set_index("region_id")["value"])
        table["value"] = table["region_id"].map(values).astype(float)
        table["unit"] = spec.unit
        return table
    table = indicator_by_region(data, reference, indicator)
    table["value"] = table["value"].astype(float)
    table["size"] = table["value"]
    table["size_unit"] = table["unit"]
    return table[["region_id", "name", "country", "value", "unit", "source", "flag", "size", "size_unit"]]


def in_view(table: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """The rows of the countries in view, ranked: `rank` 1 is the highest value shown; no data, no rank."""
    if sel.countries:
        table = table[table["country"].isin(sel.countries)]
    table = table.reset_index(drop=True)
    return table.assign(rank=table["value"].rank(ascending=False, method="min").astype("Int64"))


def region_values(data: Data, sel: Selection, indicator: str) -> pd.DataFrame:
    """What the map shows for `indicator`: `bsr_values` of the regions in view, with their rank."""
    return in_view(bsr_values(data, sel, indicator), sel)


def region_tooltips(table: pd.DataFrame, data: Data, label: str, size_label: str | None = None) -> pd.Series:
    """Plain-text tooltip per region: name, country, value with unit, rank among the regions shown, source.

    With `size_label` (a derived indicator's map) the base value behind it is shown too.
    """
    shown = int(table["value"].notna().sum())
    countries = data.region_names
    lines = []
    for row in table.itertuples(index=False):
        text = [f"{row.name} ({row.region_id})", str(countries.get(row.country, row.country))]
        if pd.isna(row.value):
            text += [f"{label}: {gap_label(row.flag)}", f"not ranked ({shown} regions with data)"]
        else:
            unit = "" if pd.isna(row.unit) else f" ({row.unit})" if row.unit in _DERIVED_UNITS else f" {row.unit}"
            text += [f"{label}: {format_number(row.value)}{unit}", f"rank {row.rank} of {shown} shown"]
        if size_label and not pd.isna(row.size):
            text.append(f"{size_label}: {format_number(row.size)} {row.size_unit}")
        if not pd.isna(row.source):
            text.append(f"Source: {row.source}")
        lines.append("\n".join(text))
    return pd.Series(lines, index=table.index, dtype=object)


def indicator_unit(data: Data, indicator: str) -> str:
    """The unit the legend states for a map indicator."""
    spec = derived.REGISTRY.get(indicator)
    if spec is not None:
        return spec.unit
    table = data.indicator_table
    return str(table.at[indicator, "unit"]) if indicator in table.index else ""


def region_figures(data: Data, tables: dict[str, pd.DataFrame], region: str) -> pd.DataFrame:
    """Key figures of one region for the side panel from the `region_values` tables of each indicator."""
    rows = []
    for indicator, table in tables.items():
        hit = table[table["region_id"] == region]
        if hit.empty:
            continue
        row = hit.iloc[0]
        rows.append(
            {
                "indicator": indicator,
                "name": indicator_label(data, indicator),
                "value": row["value"],
                "unit": row["unit"],
                "rank": row["rank"],
                "of": int(table["value"].notna().sum()),
                "source": row["source"],
            }
        )
    return pd.DataFrame(rows, columns=["indicator", "name", "value", "unit", "rank", "of", "source"])


# --- flows ------------------------------------------------------------------------------------------


def flow_kinds(data: Data, chain_id: str) -> list[str]:
    """Flow kinds the chain has data for, in the schema's order; memoised in the bundle (the map's controls and side
    panel ask on every rerun, and reading the kinds of every flow took ~100 ms at demo scale)."""
    key = ("flow_kinds", chain_id)
    if key not in data._cache:
        present = set(data["flows"].loc[data["flows"]["chain_id"] == chain_id, "kind"].dropna().unique())
        order = ["goods", "knowledge", "investment"]
        data._cache[key] = [k for k in order if k in present] + sorted(present - set(order))
    return list(data._cache[key])


def stages_in_selection(data: Data, sel: Selection) -> set[str] | None:
    """Stages a flow must start or end in: the chosen stages, else the stages of the chosen sectors; None = all."""
    if sel.stages:
        return set(sel.stages)
    if sel.sectors:
        mapping = data.stage_sectors(sel.chain_id)
        return set(mapping.loc[mapping["nace"].isin(sel.sectors), "stage_id"])
    return None


def flows_at_level(data: Data, chain_id: str, kind: str, level: int) -> pd.DataFrame:
    """Every year's flows of one chain and kind between distinct regions at `level`, kept per data bundle.

    Flows recorded at a finer level are moved up to their regions at `level` (NUTS codes nest by prefix);
    a flow within one region is no arc and is left out; flows recorded at a coarser level cannot be split
    and are left out too. Memoised in the bundle like query.observations_at_level, so a filter change only
    filters this table.
    """
    key = ("map_flows_at_level", chain_id, kind, level)
    if key not in data._cache:
        f = data["flows"]
        f = f[(f["chain_id"] == chain_id) & (f["kind"] == kind)]
        f = f[(region_level(f["from_region"]) >= level) & (region_level(f["to_region"]) >= level)]
        f = f.assign(
            from_region=ancestor(f["from_region"], level),
            to_region=ancestor(f["to_region"], level),
            value=f["value"].astype(float),
        )
        f = f[f["from_region"] != f["to_region"]]
        data._cache[key] = f[
            ["year", "from_region", "to_region", "from_stage", "to_stage", "value", "unit", "source"]
        ].reset_index(drop=True)
    return data._cache[key]


def region_flows(data: Data, sel: Selection, kind: str) -> pd.DataFrame:
    """Flows of one kind between distinct regions at the selected level, summed over stages, largest first.

    Kept (see flows_at_level): the chain and year of the selection, flows starting or ending in the selected
    stages, with at least one end in the view. Columns: from_region, to_region, value, unit, source.
    """
    f = flows_at_level(data, sel.chain_id, kind, sel.level)
    f = f[f["year"] == sel.year]
    stages = stages_in_selection(data, sel)
    if stages is not None:
        f = f[f["from_stage"].isin(stages) | f["to_stage"].isin(stages)]
    in_view = set(regions_in_view(data, sel)["nuts_id"])
    f = f[f["from_region"].isin(in_view) | f["to_region"].isin(in_view)]
    ends = ["from_region", "to_region"]
    values = f.groupby(ends, sort=False)["value"].sum()
    firsts = f.drop_duplicates(ends).set_index(ends)[["unit", "source"]]  # unit and source of each pair
    pairs = firsts.assign(value=values).reset_index()[[*ends, "value", "unit", "source"]]
    return pairs.sort_values(["value", *ends], ascending=[False, True, True], ignore_index=True)


def flow_arcs(data: Data, pairs: pd.DataFrame, sel: Selection, kind: str, *, top_n: int = 25) -> pd.DataFrame:
    """The arcs to draw from `region_flows` pairs: the `top_n` largest flows with an end in the countries in
    view, plus as many of the selected region's own, with end points, width (px, proportional to value),
    direction colours and a plain-text tooltip.
    """
    if sel.countries:
        pairs = pairs[
            pairs["from_region"].str.slice(0, 2).isin(sel.countries)
            | pairs["to_region"].str.slice(0, 2).isin(sel.countries)
        ]
    keep = pairs.head(top_n)
    if sel.region:
        own = pairs[(pairs["from_region"] == sel.region) | (pairs["to_region"] == sel.region)].head(top_n)
        keep = pd.concat([keep, own]).drop_duplicates(["from_region", "to_region"])
    points = region_points(data)
    names = data.region_names
    rows = []
    for fr, to, value, unit, source in keep[["from_region", "to_region", "value", "unit", "source"]].itertuples(
        index=False, name=None
    ):
        if fr not in points or to not in points:
            continue
        rows.append(
            {
                "from_region": fr,
                "to_region": to,
                "value": float(value),
                "unit": unit,
                "source": source,
                "from_name": names.get(fr, fr),
                "to_name": names.get(to, to),
                "from_lon": points[fr][0],
                "from_lat": points[fr][1],
                "to_lon": points[to][0],
                "to_lat": points[to][1],
                "selected": sel.region in (fr, to),
            }
        )
    largest = max((r["value"] for r in rows), default=0.0) or 1.0
    shades = {
        (color, bright): colors.hex_to_rgb(color, 230 if bright else DIMMED_ALPHA)
        for color in (FLOW_FROM, FLOW_TO)
        for bright in (True, False)
    }
    for r in rows:
        bright = r["selected"] or sel.region is None
        r["width"] = 1.5 + 12.0 * r["value"] / largest
        r["from_color"], r["to_color"] = shades[FLOW_FROM, bright], shades[FLOW_TO, bright]
        r["tooltip"] = (
            f"{r['from_name']} ({r['from_region']}) → {r['to_name']} ({r['to_region']})\n"
            f"{kind.capitalize()}: {format_number(r['value'])} {r['unit']}\nSource: {r['source']}"
        )
    return pd.DataFrame(rows, columns=ARC_COLUMNS)


def region_points(data: Data) -> dict[str, tuple[float, float]]:
    """Label point (lon, lat) per region code, for arc ends and bubbles (kept per data bundle)."""
    if "map_points" not in data._cache:
        r = data["regions"].dropna(subset=["lon", "lat"])
        data._cache["map_points"] = {
            code: (float(lon), float(lat)) for code, lon, lat in zip(r["nuts_id"], r["lon"], r["lat"], strict=True)
        }
    return data._cache["map_points"]


def region_partners(data: Data, pairs: pd.DataFrame, region: str, n: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The region's `n` largest outgoing and incoming flows in `region_flows` pairs (partner, name, value, unit)."""
    names = data.region_names
    out = pairs[pairs["from_region"] == region].head(n).rename(columns={"to_region": "partner"})
    inc = pairs[pairs["to_region"] == region].head(n).rename(columns={"from_region": "partner"})
    return tuple(
        f.assign(name=f["partner"].map(names))[["partner", "name", "value", "unit", "source"]].reset_index(drop=True)
        for f in (out, inc)
    )


def bubble_radius(size: pd.Series, max_px: float = 26.0, min_px: float = 3.0) -> pd.Series:
    """Circle radius in pixels with the area proportional to the value (the largest gets `max_px`)."""
    s = pd.to_numeric(size, errors="coerce").astype(float).clip(lower=0)
    largest = s.max()
    if not np.isfinite(largest) or largest <= 0:
        return s * np.nan
    return (np.sqrt(s / largest) * max_px).clip(lower=min_px).where(s > 0)
