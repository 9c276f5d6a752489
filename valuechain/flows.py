"""Value-chain flows as a Sankey: who supplies which stage to whom, with totals that stay honest.

The page hands a `Selection` and `FlowOptions` to `flow_view` and gets plain frames back: the Sankey's
nodes and links (plotly's terms, but no plotly here), the drill-down of one node and the direction-wise
summary. Rules the tests hold this module to:

- Values of different units are never added up: every sum is per flow kind *and* unit (a "measure").
- No flow is lost: every filtered flow lands in exactly one link of each link layer, so the links of a
  layer add up to the selection's total; regions beyond the top N are merged into "Other regions".
- Loops (a stage feeding back to an earlier one, e.g. end-of-life → biomass supply) do not make cycles,
  which a Sankey cannot draw: they start from a separate "Recovered from …" node in the left column.
- An empty selection gives an empty result with a message saying what was asked for.

Filters: a flow is in the selection when its chain and year match, it *starts or ends* in one of the
selected countries and it *leaves or enters* one of the selected stages (empty = all). Region codes are
rolled up to the selected NUTS level (codes already coarser than the level stay as they are). Flows
have no NACE sector, so the sector filter does not apply to them.

Speed: the flows table is turned into categoricals once per store revision and cut by chain, year
and level once per combination (cached on the `Data` bundle); a filter change then only masks and
groups that cut, and every Sankey step after the first group-by works on a few hundred rows.
"""

from __future__ import annotations

import html
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from valuechain import colors
from valuechain.query import Data, Selection, ancestor
from valuechain.schema import FLOW_KINDS
from valuechain.text import without_bidi

STAGE_VIEW = "stages"
REGION_VIEW = "regions"
VIEWS = {STAGE_VIEW: "Stage → stage", REGION_VIEW: "Region → stage → region"}
DEFAULT_KIND = "goods"
DEFAULT_TOP_N = 12
MEASURE = ["kind", "unit"]
REGION_COLOR = "#5F6B7A"
LINK_ALPHA = 0.45
OTHER_LINK_ALPHA = 0.2
KEY = ["from_region", "from_stage", "to_region", "to_stage", *MEASURE]
TABLE_COLUMNS = [
    "from_region",
    "from_name",
    "from_stage",
    "to_region",
    "to_name",
    "to_stage",
    "kind",
    "value",
    "unit",
    "share",
    "n_flows",
    "source",
]
_CATEGORIES = ["chain_id", "from_region", "from_stage", "to_region", "to_stage", "kind", "unit", "source"]
MAX_CUTS = 12  # chain × year × level cuts kept per data bundle
_X_MIN, _X_MAX = 0.001, 0.999  # plotly ignores a node position of exactly 0


@dataclass(frozen=True)
class FlowOptions:
    """The page's own controls (the global filters come in the Selection)."""

    view: str = STAGE_VIEW
    kind: str | None = DEFAULT_KIND  # None: every kind, one link per kind and unit, never summed
    top_n: int = DEFAULT_TOP_N  # regions kept on each side of the region view; the rest become "other"
    node: str | None = None  # drill-down node: "stage:<stage_id>" or "region:<NUTS code>"


@dataclass
class Sankey:
    """Nodes and links in plotly's terms: links point at node row numbers."""

    nodes: pd.DataFrame  # node_id, name (plain text), label (for plotly), column, x, y, color, hover
    links: pd.DataFrame  # source, target, source_id, target_id, kind, unit, value, share, n_flows, color, hover
    totals: pd.DataFrame  # kind, unit, value, n_flows: what the chart shows, per measure
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.links.empty


@dataclass
class DrillDown:
    """One node's flows and the regions at their other end."""

    node: str
    label: str
    flows: pd.DataFrame  # the node's flows, same columns as FlowView.flows
    partners: pd.DataFrame  # region_id, name, direction, kind, unit, value, share, n_flows, lon, lat


@dataclass
class FlowView:
    """Everything the flows page shows for one selection and set of options."""

    chain: Chain
    flows: pd.DataFrame  # the selection's flows at the chosen level: KEY, value, n_flows, source
    sankey: Sankey  # of the drill-down node's flows when a node is picked, else of all flows
    node_options: dict[str, str]  # drill-down choices: node id → label
    drill: DrillDown | None = None
    message: str | None = None  # set when there is nothing to draw
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return self.sankey.empty


# --- names, order, numbers -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Chain:
    """Stage order, names and loops of one chain, plus region names: what every builder needs."""

    position: dict[str, int]
    names: dict[str, str]
    loops: frozenset[tuple[str, str]]  # declared feeds_back_to pairs
    region_names: dict[str, str]

    @classmethod
    def of(cls, data: Data, chain_id: str) -> Chain:
        s = data.stages(chain_id)
        ids = s["stage_id"].astype(str).tolist()
        loops = {(a, str(b)) for a, b in zip(ids, s["feeds_back_to"], strict=True) if isinstance(b, str)}
        return cls(
            dict(zip(ids, range(1, len(ids) + 1), strict=True)),
            dict(zip(ids, s["name"].astype(str), strict=True)),
            frozenset(loops),
            data.region_names,
        )

    def pos(self, stage: str) -> int:
        """1-based place along the chain; stages the chain does not define go after its last stage."""
        return self.position.get(stage, len(self.position) + 1)

    def order(self, stages: set[str]) -> list[str]:
        """Stages in chain order (unknown ones last, by id: never dropped)."""
        return sorted(stages, key=lambda s: (self.pos(s), s))

    def stage_name(self, stage: str) -> str:
        return self.names.get(stage, stage)

    def stage_color(self, stage: str) -> str:
        return colors.stage_color(self.position[stage]) if stage in self.position else colors.NO_DATA

    def region_name(self, code: str) -> str:
        return self.region_names.get(code, code)

    def region_label(self, code: str) -> str:
        name = self.region_names.get(code)
        return f"{code} {name}" if name and name != code else code

    def node_label(self, node: str) -> str:
        what, _, code = node.partition(":")
        return self.stage_name(code) if what == "stage" else self.region_label(code)

    def is_loop(self, from_stage: str, to_stage: str) -> bool:
        """A link back along the chain (or within one stage): drawn from a recovered node, not as a cycle."""
        return self.pos(to_stage) <= self.pos(from_stage)

    def recovered_label(self, from_stage: str, to_stages: list[str]) -> str:
        """ "Recovered from" for the chain's declared loops, "Fed back from" for other backward flows."""
        declared = any((from_stage, t) in self.loops for t in to_stages)
        return f"{'Recovered from' if declared else 'Fed back from'} {self.stage_name(from_stage)}"


def fmt(value: float) -> str:
    """Numbers as people read them: thousands separators, decimals only where they matter."""
    v = float(value)
    if v.is_integer():
        return f"{v:,.0f}"
    return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.1f}"


def _text(value: object) -> str:
    """Data text for plotly labels and hovers, which read a subset of HTML: shown as typed, never reversed."""
    return html.escape(without_bidi(value), quote=False)


def _kind_rank(kind: str) -> int:
    return FLOW_KINDS.index(kind) if kind in FLOW_KINDS else len(FLOW_KINDS)


def measure_totals(flows: pd.DataFrame) -> pd.DataFrame:
    """Value and number of flows per kind and unit, kinds in their usual order."""
    g = flows.groupby(MEASURE, observed=True, sort=False).agg(value=("value", "sum"), n_flows=("n_flows", "sum"))
    rows = sorted(
        ((str(k), str(u), float(v), int(n)) for (k, u), v, n in zip(g.index, g["value"], g["n_flows"], strict=True)),
        key=lambda r: (_kind_rank(r[0]), r[1]),
    )
    return pd.DataFrame(
        {
            "kind": pd.Series([r[0] for r in rows], dtype="str"),
            "unit": pd.Series([r[1] for r in rows], dtype="str"),
            "value": pd.Series([r[2] for r in rows], dtype=float),
            "n_flows": pd.Series([r[3] for r in rows], dtype=int),
        }
    )


def _total_of(totals: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(k, u): v for k, u, v in zip(totals["kind"], totals["unit"], totals["value"], strict=True)}


def _measure_share(frame: pd.DataFrame, by: list[str] | None = None) -> np.ndarray:
    """Each row's value as a fraction of the sum of its measure (within `by` groups, if given)."""
    total = frame.groupby([*(by or []), *MEASURE], observed=True, sort=False)["value"].transform("sum")
    total = total.to_numpy(float)
    return frame["value"].to_numpy(float) / np.where(total > 0, total, np.nan)


# --- the selection's flows ------------------------------------------------------------------------------
def _categorical_flows(data: Data) -> pd.DataFrame:
    """The whole flows table with text as categoricals: masks and group-bys get fast (once per revision)."""
    if "flows:categorical" not in data._cache:
        f = data["flows"]
        out = pd.DataFrame({c: f[c].astype("category") for c in _CATEGORIES})
        out["year"] = f["year"].fillna(-1).to_numpy("int64")
        out["value"] = f["value"].astype(float).fillna(0.0).to_numpy()
        out["n_flows"] = np.ones(len(f), dtype="int64")
        data._cache["flows:categorical"] = out
    return data._cache["flows:categorical"]


def _recode(codes: pd.Series, level: int) -> pd.Series:
    """Region codes cut to `2 + level` characters (NUTS ancestors, or countries at level 0).

    Mapped on the categories only (a few hundred strings) and spread to the rows by their codes.
    """
    codes = codes.astype("category")
    up = ancestor(pd.Series(codes.cat.categories.astype(str), dtype="str"), level)
    new_codes, uniques = pd.factorize(up)
    old = codes.cat.codes.to_numpy()
    mapped = np.where(old >= 0, new_codes[np.maximum(old, 0)], -1)
    return pd.Series(pd.Categorical.from_codes(mapped, categories=pd.Index(uniques, dtype="str")), index=codes.index)


def chain_year_flows(data: Data, chain_id: str, year: int, level: int) -> pd.DataFrame:
    """Flows of one chain and year, region codes rolled up to `level` (the last MAX_CUTS kept on the Data).

    Rows that become identical at the coarser level are summed, per measure only; their sources are
    listed together and `n_flows` counts the stored rows behind each row.
    """
    cuts: OrderedDict = data._cache.setdefault("flows:cuts", OrderedDict())
    key = (chain_id, int(year), int(level))
    if key in cuts:
        cuts.move_to_end(key)
    else:
        f = _categorical_flows(data)
        f = f[(f["chain_id"] == chain_id).to_numpy(bool) & (f["year"].to_numpy() == int(year))]
        f = f.assign(from_region=_recode(f["from_region"], level), to_region=_recode(f["to_region"], level))
        if f.duplicated(KEY).any():
            f = _merged(f)
        f = f.assign(from_country=_recode(f["from_region"], 0), to_country=_recode(f["to_region"], 0))
        cuts[key] = f[[*KEY, "value", "n_flows", "source", "from_country", "to_country"]].reset_index(drop=True)
        while len(cuts) > MAX_CUTS:
            cuts.popitem(last=False)
    return cuts[key]


def _merged(flows: pd.DataFrame) -> pd.DataFrame:
    """Rows with the same KEY summed; a merged row names every source behind it (usually just one)."""
    groups = flows.groupby(KEY, observed=True, sort=False)
    out = groups.agg(
        value=("value", "sum"), n_flows=("n_flows", "sum"), source=("source", "first"), n_sources=("source", "nunique")
    ).reset_index()
    mixed = out["n_sources"].to_numpy() > 1
    if mixed.any():
        group = groups.ngroup().to_numpy()
        rows = np.isin(group, np.flatnonzero(mixed))
        joined = (
            pd.Series(flows["source"].astype(str).to_numpy()[rows], index=group[rows])
            .groupby(level=0)
            .agg(lambda v: "; ".join(sorted(set(v))))
        )
        source = out["source"].astype(str).to_numpy(object)
        source[joined.index.to_numpy()] = joined.to_numpy()
        out["source"] = source
    out["source"] = out["source"].astype("category")
    return out.drop(columns="n_sources")


def selected_flows(data: Data, sel: Selection, kind: str | None) -> pd.DataFrame:
    """The flows of the selection: touching its countries and stages, of one kind (None = all kinds)."""
    f = chain_year_flows(data, sel.chain_id, sel.year, sel.level)
    keep = np.ones(len(f), dtype=bool)
    if sel.countries:
        keep &= (f["from_country"].isin(sel.countries) | f["to_country"].isin(sel.countries)).to_numpy(bool)
    if sel.stages:
        keep &= (f["from_stage"].isin(sel.stages) | f["to_stage"].isin(sel.stages)).to_numpy(bool)
    if kind is not None:
        keep &= (f["kind"] == kind).to_numpy(bool)
    return f[keep].reset_index(drop=True)


def node_flows(flows: pd.DataFrame, node: str) -> pd.DataFrame:
    """The flows through one node: a stage's flows in and out, a region's flows sent and received."""
    what, _, code = node.partition(":")
    side = "stage" if what == "stage" else "region"
    keep = (flows[f"from_{side}"] == code).to_numpy(bool) | (flows[f"to_{side}"] == code).to_numpy(bool)
    return flows[keep].reset_index(drop=True)


# --- the Sankey ------------------------------------------------------------------------------------------
def sankey(flows: pd.DataFrame, chain: Chain, view: str = STAGE_VIEW, top_n: int = DEFAULT_TOP_N) -> Sankey:
    """Nodes and links of one view; every flow sits in one link per layer, so totals are conserved."""
    totals = measure_totals(flows)
    if flows.empty:
        return Sankey(_empty(_NODE_COLUMNS), _empty(_LINK_COLUMNS), totals)
    if view == REGION_VIEW:
        edges, nodes, notes = _region_edges(flows, chain, top_n, totals)
    else:
        edges, nodes, notes = _stage_edges(flows, chain)
    total = _total_of(totals)
    nodes = _place(nodes, edges)
    index = {n["node_id"]: i for i, n in enumerate(nodes)}
    label = {n["node_id"]: _text(n["name"]) for n in nodes}
    links = []
    for (s, t, kind, unit), (value, n) in sorted(
        edges.items(), key=lambda e: (index[e[0][0]], index[e[0][1]], _kind_rank(e[0][2]))
    ):
        share = value / total[(kind, unit)] if total[(kind, unit)] else float("nan")
        alpha = OTHER_LINK_ALPHA if "other:" in (s[:6], t[:6]) else LINK_ALPHA
        links.append(
            {
                "source": index[s],
                "target": index[t],
                "source_id": s,
                "target_id": t,
                "kind": kind,
                "unit": unit,
                "value": value,
                "share": share,
                "n_flows": n,
                "color": colors.rgba(colors.FLOW_KIND_COLORS.get(kind, colors.NO_DATA), alpha),
                "hover": f"{label[s]} → {label[t]}<br>{_amount(value, kind, unit, share)}"
                f"<br>{n:,} flow{'' if n == 1 else 's'}",
            }
        )
    for n in nodes:
        n["label"] = label[n["node_id"]]
        n["hover"] = _node_hover(n["node_id"], n["label"], edges, total)
    return Sankey(
        pd.DataFrame(nodes, columns=[c for c, _ in _NODE_COLUMNS]),
        pd.DataFrame(links, columns=[c for c, _ in _LINK_COLUMNS]),
        totals,
        tuple(notes),
    )


Edges = dict[tuple[str, str, str, str], list]  # (source id, target id, kind, unit) → [value, n_flows]


def _add(edges: Edges, source: str, target: str, kind: str, unit: str, value: float, n: int) -> None:
    acc = edges.setdefault((source, target, kind, unit), [0.0, 0])
    acc[0] += float(value)
    acc[1] += int(n)


def _grouped(flows: pd.DataFrame, keys: list[str]) -> list[tuple]:
    """Rows of (*keys, value, n_flows) summed over the flows: the one pass over every flow."""
    g = flows.groupby(keys, observed=True, sort=False).agg(value=("value", "sum"), n_flows=("n_flows", "sum"))
    return [
        (*(k if isinstance(k, tuple) else (k,)), v, n)
        for k, v, n in zip(g.index, g["value"].tolist(), g["n_flows"].tolist(), strict=True)
    ]


def _stage_edges(flows: pd.DataFrame, chain: Chain) -> tuple[Edges, list[dict], list[str]]:
    """Stage → stage; a link back along the chain starts from a "Recovered from …" node on the left."""
    edges: Edges = {}
    loops: set[tuple[str, str]] = set()
    stages: set[str] = set()
    for a, b, kind, unit, value, n in _grouped(flows, ["from_stage", "to_stage", *MEASURE]):
        if chain.is_loop(a, b):
            loops.add((a, b))
            _add(edges, f"recovered:{a}", f"stage:{b}", kind, unit, value, n)
        else:
            stages.add(a)
            _add(edges, f"stage:{a}", f"stage:{b}", kind, unit, value, n)
        stages.add(b)
    recovered = chain.order({a for a, _ in loops})
    nodes = [
        {
            "node_id": f"recovered:{a}",
            "column": 0,
            "color": chain.stage_color(a),
            "name": chain.recovered_label(a, [b for x, b in loops if x == a]),
        }
        for a in recovered
    ]
    first = 1 if nodes else 0
    nodes += [
        {"node_id": f"stage:{s}", "name": chain.stage_name(s), "column": first + i, "color": chain.stage_color(s)}
        for i, s in enumerate(chain.order(stages))
    ]
    notes = []
    if loops:
        pairs = sorted(loops, key=lambda p: (chain.pos(p[0]), p[0], chain.pos(p[1])))
        notes.append(
            "Flows back along the chain start from a node on the left instead of looping: "
            + "; ".join(f"{chain.stage_name(a)} → {chain.stage_name(b)}" for a, b in pairs)
            + "."
        )
    missing = [chain.stage_name(s) for s in chain.position if s not in stages and s not in recovered]
    if missing:
        notes.append("No flows in this selection for: " + ", ".join(missing) + ".")
    return edges, nodes, notes


def _region_edges(
    flows: pd.DataFrame, chain: Chain, top_n: int, totals: pd.DataFrame
) -> tuple[Edges, list[dict], list[str]]:
    """Supplying region → stage transition → receiving region, top N regions per side plus "other"."""
    total = _total_of(totals)
    layers = {
        "from": _grouped(flows, ["from_region", "from_stage", "to_stage", *MEASURE]),
        "to": _grouped(flows, ["to_region", "from_stage", "to_stage", *MEASURE]),
    }
    kept = {side: _top_regions(rows, total, top_n) for side, rows in layers.items()}
    edges: Edges = {}
    transitions: set[tuple[str, str]] = set()
    for side, rows in layers.items():
        keep = set(kept[side][0])
        for region, a, b, kind, unit, value, n in rows:
            transitions.add((a, b))
            end = f"{side}:{region}" if region in keep else f"other:{side}"
            mid = f"transition:{a}>{b}"
            _add(edges, *((end, mid) if side == "from" else (mid, end)), kind, unit, value, n)
    nodes, notes = [], []
    for side, column, word in (("from", 0, "supplying"), ("to", 2, "receiving")):
        regions, n_other = kept[side]
        nodes += [
            {"node_id": f"{side}:{c}", "name": chain.region_label(c), "column": column, "color": REGION_COLOR}
            for c in regions
        ]
        if n_other:
            nodes.append(
                {
                    "node_id": f"other:{side}",
                    "name": f"Other regions ({n_other})",
                    "column": column,
                    "color": colors.NO_DATA,
                }
            )
            notes.append(
                f"The {n_other} smaller {word} regions are merged into “Other regions ({n_other})”, "
                "so the totals stay complete."
            )
        if side == "from":
            nodes += [
                {
                    "node_id": f"transition:{a}>{b}",
                    "column": 1,
                    "color": chain.stage_color(a),
                    "name": f"{chain.stage_name(a)} → {chain.stage_name(b)}"
                    + (" (recovered)" if chain.is_loop(a, b) else ""),
                }
                for a, b in sorted(transitions, key=lambda p: (chain.pos(p[0]), chain.pos(p[1]), p))
            ]
    return edges, nodes, notes


def _top_regions(rows: list[tuple], total: dict[tuple[str, str], float], top_n: int) -> tuple[list[str], int]:
    """The `top_n` regions with the largest flows on one side, and how many are left over.

    Regions are ranked by their summed shares of each measure's total, so kinds in different units
    weigh equally and no two units are ever added.
    """
    score: dict[str, float] = defaultdict(float)
    for region, _a, _b, kind, unit, value, _n in rows:
        score[region] += value / total[(kind, unit)] if total[(kind, unit)] else 0.0
    ranked = sorted(score, key=lambda r: (-score[r], r))
    n = max(int(top_n), 1)
    if len(ranked) <= n + 1:  # one region alone in "other" would hide a name for nothing
        return ranked, 0
    return ranked[:n], len(ranked) - n


def _place(nodes: list[dict], edges: Edges) -> list[dict]:
    """Fixed x per column (stage order left to right) and y stacked within a column by node size."""
    size_in: dict[str, float] = defaultdict(float)
    size_out: dict[str, float] = defaultdict(float)
    for (s, t, _k, _u), (value, _n) in edges.items():
        size_out[s] += value
        size_in[t] += value
    nodes = sorted(nodes, key=lambda n: n["column"])  # stable: keeps the order within a column
    n_cols = max(n["column"] for n in nodes) + 1
    columns: dict[int, list[dict]] = defaultdict(list)
    for n in nodes:
        n["x"] = _X_MIN + n["column"] / max(n_cols - 1, 1) * (_X_MAX - _X_MIN)
        columns[n["column"]].append(n)
    gap = 0.04
    for col in columns.values():
        sizes = np.array([max(size_in[n["node_id"]], size_out[n["node_id"]]) for n in col])
        usable = 1 - gap * (len(col) - 1)
        frac = sizes / max(sizes.sum(), 1e-12) * usable
        centre = np.concatenate([[0.0], np.cumsum(frac[:-1] + gap)]) + frac / 2
        for n, y in zip(col, np.clip(centre, _X_MIN, _X_MAX) if len(col) > 1 else [0.5], strict=True):
            n["y"] = float(y)
    return nodes


def _amount(value: float, kind: str, unit: str, share: float) -> str:
    return f"{fmt(value)} {_text(unit)} {_text(kind)} ({share:.1%} of all {_text(kind)} shown)"


def _node_hover(node_id: str, label: str, edges: Edges, total: dict[tuple[str, str], float]) -> str:
    """In and out of a node per measure, with shares of the total shown (units never mixed)."""
    sums: dict[str, dict[tuple[str, str], float]] = {"in": defaultdict(float), "out": defaultdict(float)}
    for (s, t, kind, unit), (value, _n) in edges.items():
        if t == node_id:
            sums["in"][(kind, unit)] += value
        if s == node_id:
            sums["out"][(kind, unit)] += value
    parts = [f"<b>{label}</b>"]
    for direction, per in sums.items():
        for (kind, unit), value in sorted(per.items(), key=lambda m: _kind_rank(m[0][0])):
            share = value / total[(kind, unit)] if total[(kind, unit)] else float("nan")
            parts.append(f"{direction}: {_amount(value, kind, unit, share)}")
    return "<br>".join(parts)


_NODE_COLUMNS = (
    ("node_id", "str"),
    ("name", "str"),
    ("label", "str"),
    ("column", int),
    ("x", float),
    ("y", float),
    ("color", "str"),
    ("hover", "str"),
)
_LINK_COLUMNS = (
    ("source", int),
    ("target", int),
    ("source_id", "str"),
    ("target_id", "str"),
    ("kind", "str"),
    ("unit", "str"),
    ("value", float),
    ("share", float),
    ("n_flows", int),
    ("color", "str"),
    ("hover", "str"),
)


def _empty(columns: tuple[tuple[str, object], ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns})


# --- tables: the flows, one node's drill-down, the direction-wise summary --------------------------------
def flow_table(flows: pd.DataFrame, chain: Chain, limit: int | None = None) -> pd.DataFrame:
    """Flows with region and stage names and their share of their kind's total, largest first.

    `limit` keeps the largest rows only (for the screen); shares are still of the whole selection.
    """
    total = _total_of(measure_totals(flows))
    f = flows.iloc[np.argsort(-flows["value"].to_numpy(float), kind="stable")[:limit]]
    text = {
        c: f[c].astype(str).tolist()
        for c in ("from_region", "from_stage", "to_region", "to_stage", "kind", "unit", "source")
    }
    value = f["value"].to_numpy(float)
    return pd.DataFrame(
        {
            "from_region": text["from_region"],
            "from_name": [chain.region_name(c) for c in text["from_region"]],
            "from_stage": [chain.stage_name(s) for s in text["from_stage"]],
            "to_region": text["to_region"],
            "to_name": [chain.region_name(c) for c in text["to_region"]],
            "to_stage": [chain.stage_name(s) for s in text["to_stage"]],
            "kind": text["kind"],
            "value": value,
            "unit": text["unit"],
            "share": value
            / np.array([total[m] or np.nan for m in zip(text["kind"], text["unit"], strict=True)])
            .reshape(-1)
            .astype(float)
            if len(f)
            else np.array([], dtype=float),
            "n_flows": f["n_flows"].to_numpy(int),
            "source": text["source"],
        },
        columns=TABLE_COLUMNS,
    ).astype({c: "str" for c in TABLE_COLUMNS if c not in ("value", "share", "n_flows")})


def drill_down(flows: pd.DataFrame, node: str, chain: Chain, regions: pd.DataFrame) -> DrillDown:
    """The node's flows and its partner regions: the region at the other end of each flow.

    For a stage, partners are the regions supplying it (inflow) and those it delivers to (outflow);
    for a region, those it receives from (inflow) and supplies to (outflow). A flow within the region
    itself counts on both sides. Shares are of the node's inflow or outflow of that measure.
    """
    what, _, code = node.partition(":")
    own = node_flows(flows, node)
    side = "stage" if what == "stage" else "region"
    parts = []
    for direction, here, there in (("inflow", "to", "from"), ("outflow", "from", "to")):
        rows = own[(own[f"{here}_{side}"] == code).to_numpy(bool)]
        parts.append(
            pd.DataFrame(
                {
                    "region_id": rows[f"{there}_region"].astype(str),
                    "direction": direction,
                    "kind": rows["kind"].astype(str),
                    "unit": rows["unit"].astype(str),
                    "value": rows["value"].to_numpy(float),
                    "n_flows": rows["n_flows"].to_numpy(),
                }
            )
        )
    both = pd.concat(parts, ignore_index=True)
    partners = both.groupby(["region_id", "direction", *MEASURE], as_index=False, sort=False).agg(
        value=("value", "sum"), n_flows=("n_flows", "sum")
    )
    partners["share"] = _measure_share(partners, by=["direction"])
    partners["name"] = partners["region_id"].map(chain.region_name).astype("str")
    where = regions.drop_duplicates("nuts_id").set_index("nuts_id")
    partners["lon"] = partners["region_id"].map(where["lon"]).astype(float)
    partners["lat"] = partners["region_id"].map(where["lat"]).astype(float)
    partners = partners.sort_values(["direction", "value"], ascending=[True, False], kind="stable")
    columns = ["region_id", "name", "direction", *MEASURE, "value", "share", "n_flows", "lon", "lat"]
    return DrillDown(node, chain.node_label(node), own, partners[columns].reset_index(drop=True))


def direction_summary(flows: pd.DataFrame, chain: Chain, countries: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per region and stage: inflow (received at that stage), outflow (sent from it), net = outflow − inflow.

    With countries selected, only their regions get rows: regions abroad appear in the selection only
    through their flows with those countries, so their sums would be partial.
    """
    sums: dict[tuple[str, str, str, str], dict[str, float]] = {}
    for direction, end in (("inflow", "to"), ("outflow", "from")):
        for region, stage, kind, unit, value, _n in _grouped(flows, [f"{end}_region", f"{end}_stage", *MEASURE]):
            sums.setdefault((region, stage, kind, unit), {"inflow": 0.0, "outflow": 0.0})[direction] += value
    rows: list[dict[str, Any]] = [
        {
            "region_id": r,
            "name": chain.region_name(r),
            "stage": chain.stage_name(s),
            "kind": k,
            "unit": u,
            "inflow": v["inflow"],
            "outflow": v["outflow"],
            "net": v["outflow"] - v["inflow"],
            "_order": (r, chain.pos(s), s, _kind_rank(k), u),
        }
        for (r, s, k, u), v in sums.items()
        if not countries or r[:2] in countries
    ]
    rows.sort(key=lambda row: row["_order"])
    columns = ["region_id", "name", "stage", *MEASURE, "inflow", "outflow", "net"]
    out = pd.DataFrame(rows, columns=[*columns, "_order"])[columns]
    return out.astype({c: "str" for c in columns[:5]} | {c: float for c in columns[5:]})


# --- the page's one call -----------------------------------------------------------------------------------
def node_options(flows: pd.DataFrame, chain: Chain) -> dict[str, str]:
    """Drill-down choices: the stages in chain order, then every region in the selection."""

    def present(column: str) -> set[str]:
        return {str(v) for v in flows[column].unique()}

    stages = chain.order(present("from_stage") | present("to_stage"))
    regions = sorted(present("from_region") | present("to_region"))
    return {f"stage:{s}": f"Stage: {chain.stage_name(s)}" for s in stages} | {
        f"region:{r}": chain.region_label(r) for r in regions
    }


def _selection(data: Data, sel: Selection, kind: str | None) -> tuple[pd.DataFrame, dict[str, str], tuple[str, ...]]:
    """The selection's flows, drill-down choices and level notes (the last MAX_CUTS kept on the Data).

    None of them depends on the focus region, so a focus-region change (and the page's two calls per rerun,
    drill_options and flow_view) reuses them; the frame is shared: treat it as read-only."""
    made: OrderedDict = data._cache.setdefault("flows:selections", OrderedDict())
    key = (sel.chain_id, int(sel.year), int(sel.level), sel.countries, sel.stages, kind)
    hit = made.get(key)
    if hit is None:
        flows = selected_flows(data, sel, kind)
        hit = made[key] = (
            flows,
            node_options(flows, Chain.of(data, sel.chain_id)),
            tuple(_level_notes(flows, sel.level)),
        )
        while len(made) > MAX_CUTS:
            made.popitem(last=False)
    else:
        made.move_to_end(key)
    return hit


def drill_options(data: Data, sel: Selection, kind: str | None) -> dict[str, str]:
    """The nodes the page offers for drill-down before it builds the view (a mask, no group-by)."""
    return dict(_selection(data, sel, kind)[1])


def flow_view(data: Data, sel: Selection, opts: FlowOptions) -> FlowView:
    """The flows page for one selection: Sankey, drill-down, notes, or a message saying why it is empty.

    The drill-down node is the one picked on the page, else the focus region of the global filters.
    """
    chain = Chain.of(data, sel.chain_id)
    flows, shared_options, level_notes = _selection(data, sel, opts.kind)
    options, notes = dict(shared_options), list(level_notes)
    if flows.empty:
        return FlowView(
            chain,
            flows,
            sankey(flows, chain, opts.view, opts.top_n),
            options,
            message=_empty_message(data, sel, opts, chain),
            notes=tuple(notes),
        )
    node = opts.node or (f"region:{sel.region}" if sel.region else None)
    drill, shown = None, flows
    if node in options:
        drill = drill_down(flows, node, chain, data["regions"])
        shown = drill.flows
    elif node is not None:
        notes.append(f"{chain.node_label(node)} has no flows in this selection: the chart shows all of them.")
    chart = sankey(shown, chain, opts.view, opts.top_n)
    return FlowView(chain, flows, chart, options, drill, None, (*notes, *chart.notes))


def _level_notes(flows: pd.DataFrame, level: int) -> list[str]:
    codes = [str(c) for col in ("from_region", "to_region") for c in flows[col].unique()]
    coarsest = min((len(c) - 2 for c in codes), default=level)
    if coarsest < level:
        return [f"Some flows are recorded only down to NUTS {coarsest}; they are shown at that level."]
    return []


def _empty_message(data: Data, sel: Selection, opts: FlowOptions, chain: Chain) -> str:
    """Say exactly which part of the selection has no flows."""
    chains = data.chains().set_index("chain_id")["name"]
    what = f"{opts.kind} flows" if opts.kind else "flows"
    parts = [f"No {what} of {chains.get(sel.chain_id, sel.chain_id)} in {sel.year}"]
    if sel.countries:
        parts.append("starting or ending in " + ", ".join(sel.countries))
    if sel.stages:
        parts.append("leaving or entering " + ", ".join(chain.stage_name(s) for s in sel.stages))
    return " ".join(parts) + ". Choose another year, flow kind, country or stage."
