"""Colours shared by the map, the Sankey and the profile, so a stage looks the same everywhere.

Stage colours follow the Okabe–Ito palette (safe for the common colour-vision deficiencies);
sequential and diverging ramps are ColorBrewer's (YlGnBu, and PuOr diverging around 1).
"""

from __future__ import annotations

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
FLOW_KIND_COLORS = {"goods": "#0072B2", "knowledge": "#009E73", "investment": "#D55E00"}
NO_DATA = "#D9D9D9"
CONFIDENTIAL = "#8C8C8C"  # a region whose value the source keeps confidential (flag c): darker than "no data"
SEQUENTIAL = ("#FFFFCC", "#C7E9B4", "#7FCDBB", "#41B6C4", "#1D91C0", "#225EA8", "#0C2C84")  # YlGnBu 7
DIVERGING = ("#B35806", "#E08214", "#FDB863", "#F7F7F7", "#B2ABD2", "#8073AC", "#542788")  # PuOr 7, mid = 1


def stage_color(position: int) -> str:
    """Colour of the stage at `position` (1-based) along its chain."""
    return OKABE_ITO[(position - 1) % len(OKABE_ITO)]


def hex_to_rgb(color: str, alpha: int = 255) -> list[int]:
    """pydeck wants [r, g, b, a] lists."""
    c = color.lstrip("#")
    return [int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), alpha]


def rgba(color: str, alpha: float) -> str:
    """plotly wants rgba() strings for translucent links."""
    r, g, b, _ = hex_to_rgb(color)
    return f"rgba({r},{g},{b},{alpha})"
