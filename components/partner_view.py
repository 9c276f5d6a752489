"""Matchmaking views: weight sliders, the ranked partner list with reasons, score bars, synergy heatmap, actors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from components import layout, state, workshop
from components.chart_style import CONFIG, LEGEND, esc, figure
from components.chart_style import layout as chart_layout
from valuechain import colors, export, matching

MAX_WEIGHT = 5
# Labels a row holds at 1280 px: six figures side by side (or five sliders in large type) cut "Complementarity" short
A_ROW = 3


def _cells(count: int, per_row: int) -> list[Any]:
    """`count` columns in rows of `per_row`, all of one width (a short last row keeps the others' width)."""
    return [col for _ in range(0, count, per_row) for col in st.columns(per_row)][:count]


def weights() -> dict[str, int]:
    """One slider per score component (0 = ignore, 5 = very important), bound to the URL; in rows of three in large
    type, where five in a row break their labels mid-word."""
    count = len(matching.COMPONENTS)
    cols = _cells(count, A_ROW if layout.large_type() else count)
    return {
        c: int(
            col.slider(
                title,
                0,
                MAX_WEIGHT,
                matching.DEFAULT_WEIGHTS[c],
                key=state.Matchmaking.weight(c),
                bind=state.URL,
                help=matching.COMPONENT_HELP[c],
            )
        )
        for col, (c, title) in zip(cols, matching.COMPONENTS.items(), strict=True)
    }


def ranked_list(ranked: pd.DataFrame) -> None:
    """The suggestions, best first, each with its score and the sentence saying why."""
    for row in ranked.itertuples():
        st.markdown(
            f"**{row.rank}. {layout.plain(matching.label(row.region_id, {row.region_id: row.name}))}** · "
            f"score **{row.score:.2f}**  \n{layout.plain(row.why)}"
        )


def ranked_table(ranked: pd.DataFrame, region: str) -> None:
    """Every number behind the suggestions, and the same as a CSV file for the workshop report."""
    shown = ranked.assign(region=ranked["region_id"] + " " + ranked["name"].fillna(""))
    config: dict[str, Any] = {
        "rank": st.column_config.NumberColumn("#", format="%d", width="small"),
        "region": st.column_config.TextColumn("Partner region", width="medium"),
        "score": st.column_config.ProgressColumn("Score", min_value=0.0, max_value=1.0, format="%.2f"),
        "shared_priorities": st.column_config.NumberColumn("Shared priorities", format="%d"),
        "projects": st.column_config.NumberColumn("Projects together", format="%d"),
        "flows": st.column_config.NumberColumn("Flows", format="%d"),
        "distance_km": st.column_config.NumberColumn("km", format="%d"),
        "why": st.column_config.TextColumn("Why", width="large"),
    }
    for c, title in matching.COMPONENTS.items():
        config[c] = st.column_config.NumberColumn(title, format="%.2f", help=matching.COMPONENT_HELP[c])
    with st.expander("All numbers behind the suggestions"):
        layout.table(
            shown,
            hide_index=True,
            column_config=config,
            key="ranked",
            column_order=[  # the ranked table's, with code and name in one column
                "region" if c == "region_id" else c for c in matching.RANKED_COLUMNS if c not in ("name", "country")
            ],
        )
        st.download_button(
            "Download suggestions (CSV)",
            lambda: export.to_csv_bytes(ranked.assign(for_region=region)),  # made when clicked
            file_name=f"partners-{region}.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
        )


def score_bars(ranked: pd.DataFrame, weights: dict[str, int], n: int = 10) -> None:
    """Where each of the best scores comes from: the weighted components stacked."""
    top = ranked.head(n)
    parts = matching.contributions(top, weights)
    order = [esc(f"{r} {nm}") for r, nm in zip(top["region_id"], top["name"], strict=True)]
    data = []
    for i, (c, title) in enumerate(matching.COMPONENTS.items()):
        part = parts[parts["component"] == c]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": title,
                "x": part["part"].round(4).tolist(),
                "y": [esc(f"{r} {nm}") for r, nm in zip(part["region_id"], part["name"], strict=True)],
                "marker": {"color": colors.OKABE_ITO[i]},
                "customdata": part["value"].round(3).tolist(),
                "hovertemplate": f"{title}: %{{customdata:.2f}} → adds %{{x:.3f}}<extra>%{{y}}</extra>",
            }
        )
    fig = {
        "data": data,
        "layout": chart_layout(
            120 + 34 * len(top),
            barmode="stack",
            legend={**LEGEND, "traceorder": "normal"},
            xaxis={"title": {"text": "Partner score (weighted mean of the components)"}, "range": [0, 1]},
            yaxis={"autorange": "reversed", "categoryorder": "array", "categoryarray": order},
        ),
    }
    st.plotly_chart(figure(fig), config=CONFIG, key="score_bars")
    workshop.offer_chart(fig)


def synergy_heatmap(matrix: pd.DataFrame, names: dict[str, str], focus: str) -> None:
    """Region × region scores, grouped by country; the focus region's row is outlined."""
    codes = matrix.index.tolist()
    labels = [esc(matching.label(c, names)) for c in codes]
    z = np.round(matrix.to_numpy(), 3)
    heat = {
        "type": "heatmap",
        "z": z,
        "x": labels,
        "y": labels,
        "zmin": 0.0,
        "zmax": max(float(np.nanmax(z)) if np.isfinite(z).any() else 0.0, 0.01),
        "colorscale": [[i / (len(colors.SEQUENTIAL) - 1), c] for i, c in enumerate(colors.SEQUENTIAL)],
        "hovertemplate": "%{y} looking for partners<br>→ %{x}: score %{z:.2f}<extra></extra>",
        "colorbar": {"title": {"text": "Score"}},
        "xgap": 1,
        "ygap": 1,
    }
    shapes = []
    for i in range(1, len(codes)):
        if codes[i][:2] != codes[i - 1][:2]:  # country borders as lines between the blocks
            line = {"color": "#555555", "width": 1}
            shapes += [
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": i - 0.5,
                    "x1": i - 0.5,
                    "y0": 0,
                    "y1": 1,
                    "line": line,
                },
                {
                    "type": "line",
                    "xref": "paper",
                    "yref": "y",
                    "x0": 0,
                    "x1": 1,
                    "y0": i - 0.5,
                    "y1": i - 0.5,
                    "line": line,
                },
            ]
    if focus in codes:
        row = codes.index(focus)
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": row - 0.5,
                "y1": row + 0.5,
                "line": {"color": "#D55E00", "width": 3},
            }
        )
    ticks = {
        "tickmode": "array",
        "tickvals": labels,
        "ticktext": codes,
        "tickfont": {"size": 11 if len(codes) > 40 else 13},
    }
    fig = {
        "data": [heat],
        "layout": chart_layout(
            min(max(420, 14 * len(codes) + 160), 1100),
            shapes=shapes,
            margin={"l": 10, "r": 10, "t": 30, "b": 10},
            xaxis={**ticks, "tickangle": -90, "side": "top"},
            yaxis={**ticks, "autorange": "reversed"},
        ),
    }
    st.plotly_chart(figure(fig), config=CONFIG, key="synergy")


def partner_picker(ranked: pd.DataFrame) -> str:
    """Which suggested partner to look at closely (bound to the URL; the best one by default)."""
    names = dict(zip(ranked["region_id"], ranked["name"], strict=True))
    return str(
        st.selectbox(
            "Partner",
            ranked["region_id"].tolist(),
            index=0,
            key=state.Matchmaking.PARTNER,
            bind=state.URL,
            format_func=lambda c: matching.label(c, names),
        )
    )


def pair_detail(ranked: pd.DataFrame, partner: str) -> None:
    """The partner's score, its components and the reason, in large numbers for screen-sharing."""
    row = ranked.set_index("region_id").loc[partner]
    figures = [("Score", row["score"], f"Rank {int(row['rank'])} of the suggestions")]
    figures += [(title, row[c], matching.COMPONENT_HELP[c]) for c, title in matching.COMPONENTS.items()]
    for col, (label, value, why) in zip(_cells(len(figures), A_ROW), figures, strict=True):
        col.metric(label, f"{value:.2f}", help=why)
    st.markdown(f"**Why:** {layout.plain(row['why'])}.")


def matched_actors(frame: pd.DataFrame, a_name: str, b_name: str) -> None:
    if frame.empty:
        st.caption("No actors of the two regions work in meeting stages of this value chain.")
        return
    layout.table(
        frame,
        hide_index=True,
        column_order=["actor_a", "type_a", "stage_a", "relation", "actor_b", "type_b", "stage_b"],
        column_config={
            "actor_a": f"Actor in {a_name}",
            "type_a": "Helix",
            "stage_a": "Stage",
            "relation": "Link",
            "actor_b": f"Actor in {b_name}",
            "type_b": "Helix",
            "stage_b": "Stage",
        },
    )
