"""Charts of specialisation: location quotients by stage and sector against the BSR reference (LQ = 1).

Figures are built as one plotly dict (handed over unvalidated, see chart_style.figure), which is several times faster
than growing a go.Figure trace by trace.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import workshop
from components.chart_style import CONFIG, esc, figure, layout, vertical_line
from valuechain import colors

PEER_SYMBOLS = (
    "diamond",
    "circle",
    "square",
    "triangle-up",
    "x",
    "star",
    "cross",
    "triangle-down",
    "pentagon",
    "hexagon",
)


def _reference_lines(threshold: float) -> tuple[list[dict], str]:
    """The BSR average (1) and, if different, the user's threshold: shapes, and the axis title naming them."""
    shapes = [vertical_line(1.0, width=2)]
    title = "Location quotient (solid line: BSR = 1"
    if threshold != 1.0:
        shapes.append(vertical_line(threshold, width=1, dash="dash"))
        title += f"; dashed: specialised from {threshold:g}"
    return shapes, title + ")"


def stage_chart(long: pd.DataFrame, region: str, names: dict[str, str], threshold: float) -> None:
    """The region's LQ per stage as bars in stage colours; each peer region as its own marker."""
    own = long[long["region_id"] == region].sort_values("position")
    stage_labels = [esc(s) for s in own["stage"]]
    data: list[dict] = [
        {
            "type": "bar",
            "orientation": "h",
            "x": own["lq"].round(3).tolist(),
            "y": stage_labels,
            "name": esc(f"{region} {names.get(region, '')}"),
            "marker": {"color": [colors.stage_color(int(p)) for p in own["position"]]},
            "hovertemplate": "%{y}: LQ %{x:.2f}<extra></extra>",
        }
    ]
    peers = long[long["region_id"] != region]
    for i, (code, part) in enumerate(peers.groupby("region_id", sort=False)):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": part["lq"].round(3).tolist(),
                "y": [esc(s) for s in part["stage"]],
                "name": esc(f"{code} {names.get(str(code), '')}"),
                "marker": {
                    "symbol": PEER_SYMBOLS[i % len(PEER_SYMBOLS)],
                    "size": 12,
                    "color": "#333333",
                    "opacity": 0.75,
                    "line": {"color": "white", "width": 1},
                },
                "hovertemplate": "%{fullData.name}<br>%{y}: LQ %{x:.2f}<extra></extra>",
            }
        )
    shapes, axis_title = _reference_lines(threshold)
    fig = {
        "data": data,
        "layout": layout(
            130 + 55 * max(len(own), 1),
            barmode="overlay",
            shapes=shapes,
            xaxis={"title": {"text": axis_title}, "rangemode": "tozero"},
            yaxis={"autorange": "reversed", "categoryorder": "array", "categoryarray": stage_labels},
        ),
    }
    st.plotly_chart(figure(fig), config=CONFIG, key="stage_chart")
    workshop.offer_chart(fig)


def sector_chart(profile: pd.DataFrame, positions: dict[str, int], threshold: float) -> None:
    """The region's LQ per NACE division in view, coloured by the stage it belongs to."""
    shown = profile.dropna(subset=["lq"])
    if shown.empty:  # a year with only whole-economy data (e.g. a Eurostat GDP year before the sector data)
        st.info("No location quotient by sector in this year: the data has no sector values for it.", icon="📭")
        return
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": part["lq"].round(3).tolist(),
            "y": [esc(f"{n} {_short(s)}") for n, s in zip(part["nace"], part["sector"], strict=True)],
            "name": esc(part["stage"].iloc[0]),
            "marker": {"color": colors.stage_color(positions.get(str(stage_id), 1))},
            "customdata": [esc(s) for s in part["sector"]],
            "hovertemplate": "%{customdata}<br>LQ %{x:.2f}<extra></extra>",
        }
        for stage_id, part in shown.groupby("stage_id", sort=False)
    ]
    shapes, axis_title = _reference_lines(threshold)
    fig = {
        "data": data,
        "layout": layout(
            110 + 30 * max(len(shown), 1),
            shapes=shapes,
            xaxis={"title": {"text": axis_title}, "rangemode": "tozero"},
            yaxis={"autorange": "reversed"},
        ),
    }
    st.plotly_chart(figure(fig), config=CONFIG, key="sector_chart")


def _short(name: str, limit: int = 34) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
