"""The flows Sankey and its companions: drill-down tables, a small partner map, downloads.

Everything drawn here comes ready-made from valuechain.flows; this module only turns it into plotly,
pydeck and Streamlit elements. Data text reaches plotly escaped (valuechain.flows does that) and
pydeck tooltips use text, never HTML.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

from components import layout, state, workshop
from components.deck import CompactDeck, Spliced, dumps
from valuechain import colors, geo
from valuechain.export import to_csv_bytes
from valuechain.flows import REGION_VIEW, DrillDown, FlowOptions, FlowView, Sankey, flow_table, flow_view, fmt
from valuechain.query import Data, Selection

TABLE_ROWS = 300  # rows of a flows table sent to the browser; the CSV download has all of them
DIRECTION_COLORS = {"inflow": colors.DIVERGING[-1], "outflow": colors.DIVERGING[0]}
TEXT_COLOR = "#1F2328"
_REGION_HEADERS = (
    (0.0, "left", "Supplying regions"),
    (0.5, "center", "Stage → next stage"),
    (1.0, "right", "Receiving regions"),
)


@st.cache_resource(max_entries=16, show_spinner=False)
def _cached_view(data_key: str, sel: Selection, opts: FlowOptions, _data: Data) -> FlowView:
    return flow_view(_data, sel, opts)


@st.cache_resource(max_entries=1, show_spinner=False)
def _countries() -> tuple[str, dict[str, float]]:
    """The partner map's country outlines as the deck's JSON and its initial view, made once per process."""
    return dumps(geo.geojson(0)), geo.initial_view(2, width=420, height=380)


def view(data: Data, sel: Selection, opts: FlowOptions) -> FlowView:
    """The flows page's result, cached by data bundle, filters and options (results are read-only)."""
    return _cached_view(state.data_key(data), sel, opts, data)


def font_size() -> int:
    """Larger chart text in the screen-sharing mode."""
    return 20 if st.session_state.get(state.PRESENT) else 14


def figure(sk: Sankey, view_name: str, size: int = 14) -> go.Figure:
    """A plotly Sankey with fixed node positions (stage order left to right) and prepared hovers.

    In the stage view the stage names stand above their columns (labels beside the nodes would run
    into each other in six narrow columns, worse in large type); node labels stay in the figure for
    hovers and exports but are drawn transparent.
    """
    nodes, links = sk.nodes, sk.links
    per_column = int(nodes["column"].value_counts().max()) if len(nodes) else 1
    headers = _REGION_HEADERS if view_name == REGION_VIEW else _stage_headers(nodes, wrap=14 if size <= 14 else 11)
    lines = max((h[2].count("<br>") + 1 for h in headers), default=0)
    text = {"color": TEXT_COLOR} if view_name == REGION_VIEW else {"color": "rgba(0,0,0,0)", "shadow": "none"}
    trace = {
        "type": "sankey",
        "arrangement": "snap",
        "node": {
            "label": nodes["label"].tolist(),
            "color": nodes["color"].tolist(),
            "x": nodes["x"].tolist(),
            "y": nodes["y"].tolist(),
            "customdata": nodes["hover"].tolist(),
            "hovertemplate": "%{customdata}<extra></extra>",
            "pad": 12,
            "thickness": 18,
            "line": {"color": "#FFFFFF", "width": 0.5},
        },
        "link": {
            "source": links["source"].tolist(),
            "target": links["target"].tolist(),
            "value": links["value"].tolist(),
            "color": links["color"].tolist(),
            "customdata": links["hover"].tolist(),
            "hovertemplate": "%{customdata}<extra></extra>",
        },
        "textfont": {"size": size, **text},
        "hoverlabel": {"font": {"size": size}},
    }
    top = 16 + lines * size * 1.4
    layout = {
        "height": max(460, per_column * size * 3) + top,
        "font": {"size": size},
        "margin": {"l": 8, "r": 8, "t": top, "b": 12},
        "annotations": [
            {
                "x": x,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "yanchor": "bottom",
                "xanchor": anchor,
                "align": anchor,
                "text": f"<b>{label}</b>",
                "showarrow": False,
                "font": {"size": size, "color": TEXT_COLOR},
            }
            for x, anchor, label in headers
        ],
    }
    return go.Figure({"data": [trace], "layout": layout})


def _stage_headers(nodes: pd.DataFrame, wrap: int) -> list[tuple[float, str, str]]:
    """One header per column: its node names, wrapped to fit between columns, escaped for plotly."""
    out = []
    last = nodes["column"].max() if len(nodes) else 0
    for column, col in nodes.groupby("column", sort=True):
        text = "<br>".join(html.escape(line, quote=False) for name in col["name"] for line in textwrap.wrap(name, wrap))
        anchor = "left" if column == 0 else "right" if column == last else "center"
        out.append((float(col["x"].iloc[0]), anchor, text))
    return out


def chart(fig: go.Figure) -> None:
    """One Sankey per page, keyed so a rerun updates it in place instead of mounting a new chart."""
    st.plotly_chart(fig, key="flows_sankey", config={"displaylogo": False})
    workshop.offer_chart(fig)


def shown(view: FlowView) -> str:
    """What the chart adds up to, per kind and unit (never across units)."""
    return (
        "Shown: "
        + "; ".join(
            f"{fmt(r.value)} {r.unit} of {r.kind} in {r.n_flows:,} flows" for r in view.sankey.totals.itertuples()
        )
        + "."
    )


def sources(view: FlowView) -> str:
    return "Source: " + "; ".join(sorted({str(s) for s in view.flows["source"].unique()})) + "."


def source_caption(view: FlowView, with_totals: bool = False) -> None:
    """Under every chart and table: where the flows come from (and, under the chart, their totals)."""
    st.caption(layout.plain(f"{shown(view)} {sources(view)}" if with_totals else sources(view)))


def downloads(view: FlowView, view_name: str, stem: str) -> None:
    """CSV of the selection's flows (formula-safe writer) and the chart as a standalone HTML file.

    Both are made only when clicked, so large selections do not slow down every rerun.
    """
    left, right = st.columns(2)
    left.download_button(
        "Download flows (CSV)",
        data=lambda: to_csv_bytes(flow_table(view.flows, view.chain)),
        file_name=f"{stem}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        disabled=view.flows.empty,
    )
    right.download_button(
        "Download chart (HTML, works offline)",
        data=lambda: _html(view, view_name),
        file_name=f"{stem}.html",
        mime="text/html",
        on_click="ignore",
        icon=":material/download:",
        disabled=view.empty,
    )


def _html(view: FlowView, view_name: str) -> bytes:
    """The chart with plotly.js inlined, its notes and sources under it: opens offline in any browser."""
    fig = figure(view.sankey, view_name)
    lines = [shown(view), sources(view), *view.notes]
    fig.update_layout(margin={"b": 30 + 22 * len(lines)})
    for i, line in enumerate(lines):
        fig.add_annotation(
            x=0,
            y=0,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            yshift=-8 - 20 * i,
            text=html.escape(line, quote=False),
            showarrow=False,
            font={"size": 12},
        )
    return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")


_FLOW_COLUMNS: dict[str, Any] = {
    "from_region": "From",
    "from_name": "From region",
    "from_stage": "From stage",
    "to_region": "To",
    "to_name": "To region",
    "to_stage": "To stage",
    "value": st.column_config.NumberColumn("Value", format="localized"),
    "unit": "Unit",
    "share": st.column_config.NumberColumn("Share of kind", format="percent"),
    "kind": "Kind",
    "n_flows": "Flows",
    "source": "Source",
}


def flows_table(view: FlowView, flows: pd.DataFrame, what: str) -> None:
    """The largest flows (all of them in the download), names and shares included."""
    table = flow_table(flows, view.chain, limit=TABLE_ROWS)
    total = len(flows)
    layout.table(
        table,
        hide_index=True,
        column_config=_FLOW_COLUMNS,
        height=320,
        column_order=list(_FLOW_COLUMNS),  # the labels' order is the columns' order
    )
    rows = f"the {len(table):,} largest of {total:,}" if total > len(table) else f"all {total:,}"
    st.caption(
        layout.plain(
            f"{what}: {rows} rows (all in the CSV download); shares are of the whole "
            f"selection's total of each kind. {sources(view)}"
        )
    )


def drill_down(view: FlowView) -> None:
    """The picked node's partner regions (table and map) and its flows."""
    drill = view.drill
    if drill is None:
        return
    st.subheader(f"Partners of {layout.plain(drill.label)}")
    st.caption(
        "Inflow: regions it receives from (for a stage: regions supplying it). Outflow: regions it "
        "supplies (for a stage: regions receiving from it). Shares are of the node's inflow or outflow."
    )
    left, right = st.columns([3, 2])
    layout.table(
        drill.partners,
        left,
        hide_index=True,
        height=360,
        column_order=("region_id", "name", "direction", "value", "unit", "share", "kind", "n_flows"),
        column_config={
            "region_id": "Region",
            "name": "Name",
            "direction": "Direction",
            "kind": "Kind",
            "unit": "Unit",
            "value": st.column_config.NumberColumn("Value", format="localized"),
            "share": st.column_config.NumberColumn("Share", format="percent"),
            "n_flows": "Flows",
        },
    )
    with right:
        partner_map(drill)
    flows_table(view, drill.flows, f"Flows of {drill.label}")


def partner_map(drill: DrillDown) -> None:
    """Bubbles at the partner regions, sized by share and coloured by direction, on country outlines."""
    p = drill.partners.dropna(subset=["lon", "lat"])
    points = [
        {
            "lon": float(rows[0]["lon"]),
            "lat": float(rows[0]["lat"]),
            "radius": 12_000 + 90_000 * float(pd.Series([r["share"] for r in rows]).max()) ** 0.5,
            "color": colors.hex_to_rgb(DIRECTION_COLORS[direction], 190),
            "text": f"{region} {rows[0]['name']} · {direction}\n"
            + "\n".join(f"{fmt(r['value'])} {r['unit']} {r['kind']} ({r['share']:.0%})" for r in rows),
        }
        for (region, direction), rows in _partner_rows(p).items()
    ]
    layers = []
    countries = _countries() if geo.available()[0] else None
    if countries:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                Spliced("countries", countries[0]),
                stroked=True,
                filled=True,
                get_fill_color=[238, 238, 238, 255],
                get_line_color=[150, 150, 150, 255],
                line_width_min_pixels=0.6,
            )
        )
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            points,
            get_position=["lon", "lat"],
            get_radius="radius",
            get_fill_color="color",
            stroked=True,
            get_line_color=[255, 255, 255, 255],
            line_width_min_pixels=1,
            pickable=True,
        )
    )
    start = countries[1] if countries else {"longitude": 18.0, "latitude": 60.0, "zoom": 3.0}
    st.pydeck_chart(
        CompactDeck(
            layers=layers, initial_view_state=pdk.ViewState(**start), map_style=None, tooltip={"text": "{text}"}
        ),
        height=380,
    )
    missing = len(drill.partners) - len(p)
    st.caption(
        ("Orange: outflow, purple: inflow. " if points else "")
        + (f"{missing} partner rows without coordinates are not drawn. " if missing else "")
        + (geo.ATTRIBUTION if countries else "No boundaries available: bubbles only.")
    )


def _partner_rows(partners: pd.DataFrame) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The rows of each (region, direction), groups and rows in table order: plain Python, as a group-by with a
    named tuple class per group cost more than the rest of the page's drill-down."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in partners.to_dict("records"):
        if not (pd.isna(row["region_id"]) or pd.isna(row["direction"])):
            groups.setdefault((row["region_id"], row["direction"]), []).append(row)
    return groups


def summary(view: FlowView, table: pd.DataFrame) -> None:
    """Direction-wise summary: what each region receives and sends per stage, and the net."""
    st.caption(
        "Per region and stage: **inflow** is what the region receives at that stage, **outflow** what it "
        "sends from it, **net** = outflow − inflow (positive: a net supplier). With countries selected, only "
        "their regions are listed: their partners abroad appear only through flows with them."
    )
    layout.table(
        table,
        hide_index=True,
        height=480,
        column_config={
            "region_id": "Region",
            "name": "Name",
            "stage": "Stage",
            "kind": "Kind",
            "unit": "Unit",
            "inflow": st.column_config.NumberColumn("Inflow", format="localized"),
            "outflow": st.column_config.NumberColumn("Outflow", format="localized"),
            "net": st.column_config.NumberColumn("Net (out − in)", format="localized"),
        },
    )
    source_caption(view)
