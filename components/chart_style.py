"""The look the profile and matchmaking charts share, and labels that stay text.

Plotly renders a few HTML tags in labels and hover text, so every name from the data goes through
`esc()` before it becomes part of a figure.
"""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go

from valuechain.text import without_bidi

FONT_SIZE = 15  # readable when a facilitator shares the screen
CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0}


def esc(text: object) -> str:
    """Text for a plotly label or hover: tags and entities shown as typed, never interpreted, never reversed."""
    return html.escape(without_bidi(text), quote=False)


def layout(height: int, **extra: object) -> dict[str, object]:
    """Plotly layout defaults: larger type, small margins, legend on top."""
    return {
        "height": height,
        "font": {"size": FONT_SIZE},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": LEGEND,
        **extra,
    }


def vertical_line(x: float, width: int = 1, dash: str = "solid") -> dict[str, object]:
    """A reference line across the whole plot height at `x`."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": "#444444", "width": width, "dash": dash},
    }


def figure(spec: dict[str, Any]) -> go.Figure:
    """The spec as a plotly Figure for st.plotly_chart without plotly's validation pass, which st.plotly_chart runs
    on a dict (several ms a chart, on every rerun) and skips for a Figure. The specs here are plain dicts of a few
    fixed shapes; the page tests validate every chart they read (tests/apptest.py, plotly_spec)."""
    return go.Figure(spec, _validate=False)
