"""Static pictures of charts and the PDF building blocks the workshop report and the region brief share.

Charts are drawn by kaleido, plotly's own exporter, driving the system Chromium (Debian's `chromium`): the
same renderer as in the browser, so the picture is the chart on screen. PDFs are laid out by ReportLab, pure
Python with no system libraries. See README, "Workshops".
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Sequence
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

CHROMIUM = "/usr/bin/chromium"
ARCTIC_ISLANDS_LAT = 74.0
_KALEIDO = threading.Lock()  # one Chromium at a time on a small server
STYLES = getSampleStyleSheet()
SMALL = ParagraphStyle("small", parent=STYLES["BodyText"], fontSize=8, leading=10, textColor=colors.HexColor("#444444"))
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontSize=9.5, leading=12.5)
LABEL = ParagraphStyle("label", parent=SMALL, textColor=colors.HexColor("#B00020"), fontName="Helvetica-Bold")


def chart_pngs(figures: Sequence[object], width: int = 900, height: int = 420) -> list[bytes | None]:
    """PNG pictures of plotly figures (dicts or their JSON), one Chromium for all of them; a missing chart
    gives None."""
    import kaleido
    import plotly.io as pio

    if not os.environ.get("BROWSER_PATH"):
        found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
        if found:
            os.environ["BROWSER_PATH"] = found
    out: list[bytes | None] = []
    with _KALEIDO:
        kaleido.start_sync_server(silence_warnings=True)
        try:
            for fig in figures:
                if not isinstance(fig, (str, dict)) or not fig:  # no chart (None, or NaN from a table column)
                    out.append(None)
                    continue
                spec = json.loads(fig) if isinstance(fig, str) else fig
                spec.setdefault("layout", {}).pop("height", None)
                out.append(pio.to_image(spec, format="png", width=width, height=height, scale=2))
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
    return out


def region_map(
    geometries: dict[str, dict[str, Any]], values: pd.Series, title: str, highlight: str | None = None
) -> dict[str, Any]:
    """A static map of `values` (indexed by NUTS code): each region a filled polygon in its colour on a plain
    plot (no base map or world file to fetch, so it draws offline), `highlight` outlined in red."""
    from plotly.colors import sample_colorscale

    shown = values.dropna()
    shown = shown[[c in geometries for c in shown.index]]
    low, high = (float(shown.min()), float(shown.max())) if len(shown) else (0.0, 1.0)
    span = (high - low) or 1.0
    fills = dict(zip(shown.index, sample_colorscale("YlGnBu", [(v - low) / span for v in shown]), strict=True))
    data: list[dict[str, Any]] = []
    for code in [*[c for c in shown.index if c != highlight], *([highlight] if highlight in fills else [])]:
        xs, ys = _rings(geometries[code])
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "fill": "toself",
                "fillcolor": fills[code],
                "mode": "lines",
                "line": {"color": "#B00020", "width": 2.5} if code == highlight else {"color": "white", "width": 0.5},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    data.append(  # the colour scale, drawn by an invisible marker
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "markers",
            "showlegend": False,
            "marker": {
                "colorscale": "YlGnBu",
                "cmin": low,
                "cmax": high,
                "color": [low],
                "showscale": True,
                "colorbar": {"thickness": 12, "len": 0.8},
            },
        }
    )
    hidden = {"visible": False}
    return {
        "data": data,
        "layout": {
            "title": {"text": escape(title), "font": {"size": 14}},
            "xaxis": hidden,
            "yaxis": {**hidden, "scaleanchor": "x", "scaleratio": 1},
            "plot_bgcolor": "white",
            "margin": {"l": 0, "r": 0, "t": 40, "b": 0},
        },
    }


def _rings(geometry: dict[str, Any]) -> tuple[list[float | None], list[float | None]]:
    """Outer rings of a (Multi)Polygon, x scaled by cos(60°) so the Baltic looks as on a map; None between."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    xs: list[float | None] = []
    ys: list[float | None] = []
    for polygon in polygons:
        if min(lat for _, lat in polygon[0]) > ARCTIC_ISLANDS_LAT:
            continue  # Svalbard: far from every value chain, it would squeeze the rest of the map
        for lon, lat in polygon[0]:
            xs.append(round(lon * 0.5, 4))
            ys.append(round(lat, 4))
        xs.append(None)
        ys.append(None)
    return xs, ys


def para(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    """User or data text as a PDF paragraph: escaped, so it is shown as typed, never as markup."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def heading(text: object, level: int = 1) -> Paragraph:
    return para(text, STYLES[f"Heading{level}"])


def picture(png: bytes, width_mm: float = 175, aspect: float = 420 / 900) -> Image:
    return Image(BytesIO(png), width=width_mm * mm, height=width_mm * mm * aspect)


def table(rows: Sequence[Sequence[object]], widths_mm: Sequence[float] | None = None) -> Table:
    """A small table, header row first, every cell escaped text that wraps."""
    cells = [[para(c, SMALL) for c in row] for row in rows]
    t = Table(cells, colWidths=[w * mm for w in widths_mm] if widths_mm else None, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF4")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0B8C0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return t


def build_pdf(story: list[Any], title: str, footer: str) -> bytes:
    """An A4 PDF of `story`, each page footed with `footer` (sources, date, the synthetic-data label)."""
    buffer = BytesIO()

    def foot(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(15 * mm, 8 * mm, footer[:180])
        canvas.drawRightString(195 * mm, 8 * mm, f"page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=13 * mm,
        bottomMargin=15 * mm,
    )
    doc.build(story, onFirstPage=foot, onLaterPages=foot)
    return buffer.getvalue()


__all__ = ["Spacer", "build_pdf", "chart_pngs", "heading", "para", "picture", "table"]
