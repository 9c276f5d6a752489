"""A region brief for meetings: two A4 pages (PDF) or one HTML file about one region along one value chain.

Page 1: key figures, specialisation by stage (chart), where the region stands on the BSR map. Page 2: top
partners with their reasons, actors, projects and funding, sources and dates. Everything comes from the
same functions as the profile and matchmaking pages (valuechain.matching), so the brief says what they say.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from valuechain import geo, matching, render
from valuechain.query import Data, Selection, regions_in_view, sectors_in_selection

SYNTHETIC = "demo data (synthetic)"
PARTNERS, ACTORS, PROJECTS = 5, 8, 6  # rows per table: the brief stays at two pages


@dataclass(frozen=True)
class Brief:
    region: str
    name: str
    chain: str
    year: int
    since: int | None
    level: int
    unit: str
    figures: list[tuple[str, str]]  # (label, value) key figures
    stages: pd.DataFrame
    partners: pd.DataFrame
    actors: pd.DataFrame
    projects: pd.DataFrame
    map_values: pd.Series
    sources: list[str]
    synthetic: bool
    made_at: datetime

    @property
    def title(self) -> str:
        return f"{self.name} ({self.region}) · {self.chain}"


def make(data: Data, sel: Selection, datasets: pd.DataFrame, indicator: str = matching.DEFAULT_INDICATOR) -> Brief:
    """The brief of the selection's focus region, with the default threshold and partner weights."""
    assert sel.region, "a brief is about one region"
    region = sel.region
    threshold = matching.THRESHOLDS[0]
    bench = matching.benchmark(
        data, Selection(chain_id=sel.chain_id, year=sel.year, level=sel.level), indicator, threshold
    )
    years = sorted({int(y) for y in bench.panel.columns.get_level_values(0) if int(y) < bench.year})
    since = years[0] if years else None
    sectors = sectors_in_selection(data, sel)
    stages = matching.stage_profile(bench, region, since or sel.year, sel.stages)
    sizes = matching.size_and_growth(bench, sectors, since or sel.year)
    row = sizes.loc[region]
    pairs = matching.pair_scores(data, bench, sel)
    candidates = [c for c in regions_in_view(data, sel)["nuts_id"] if c in bench.names]
    partners = matching.rank_partners(pairs, region, candidates, matching.DEFAULT_WEIGHTS, top=PARTNERS)
    projects = matching.projects_of(data, region, sel.chain_id)
    public = projects["public_funding_eur"].fillna(projects["budget_eur"]).sum()
    figures = [
        (f"Size, {bench.year}", f"{row['value']:,.0f} {bench.unit}" if pd.notna(row["value"]) else "–"),
        ("Share of the BSR", f"{row['share']:.1%}" if pd.notna(row["share"]) else "–"),
        (
            "Growth a year" + (f" since {since}" if since else ""),
            f"{row['growth']:+.1%}" if since and pd.notna(row["growth"]) else "–",
        ),
        ("Location quotient", f"{row['lq']:.2f}" if pd.notna(row["lq"]) else "–"),
        (
            "Rank by size",
            f"{int(row['rank_size'])} of {int(row['ranked'])}" if pd.notna(row["rank_size"]) else "–",
        ),
        ("Specialised stages", f"{int(stages['specialised'].sum())} of {len(stages)}"),
        ("Projects", f"{len(projects)} · €{public / 1e6:,.1f} M public funding"),
    ]
    chain = data.chains().set_index("chain_id").at[sel.chain_id, "name"]
    sources = [
        f"Figures: {bench.source}",
        f"Boundaries: {geo.ATTRIBUTION} (Eurostat GISCO, NUTS 2021)",
        "Formulas: location quotient = (region's share of the stage) / (BSR share); see the app's About & method",
    ]
    for r in datasets.itertuples():
        origin = SYNTHETIC if r.origin == "demo" else "uploaded"
        sources.append(
            f"{r.table_name}: {r.dataset}, version {int(r.version_id)} ({origin}), "
            f"loaded {pd.Timestamp(r.created_at):%Y-%m-%d} UTC"
        )
    return Brief(
        region=region,
        name=bench.names.get(region, region),
        chain=str(chain),
        year=bench.year,
        since=since,
        level=sel.level,
        unit=bench.unit,
        figures=figures,
        stages=stages,
        partners=partners,
        actors=matching.actors_of(data, region, sel.chain_id).head(ACTORS),
        projects=projects.head(PROJECTS),
        map_values=sizes["lq"],
        sources=sources,
        synthetic=bool((datasets["origin"] == "demo").any()) if len(datasets) else False,
        made_at=datetime.now(UTC).replace(microsecond=0),
    )


def stage_figure(brief: Brief) -> dict[str, Any]:
    """Bars: the region's location quotient per stage; the line at 1 is the BSR average."""
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [None if pd.isna(v) else round(float(v), 3) for v in brief.stages["lq"]],
                "y": [html.escape(s) for s in brief.stages["stage"]],
                "marker": {"color": ["#1F6F8B" if s else "#A9BCC8" for s in brief.stages["specialised"]]},
            }
        ],
        "layout": {
            "title": {
                "text": html.escape(f"Specialisation by stage, {brief.year} (LQ, BSR = 1)"),
                "font": {"size": 14},
            },
            "shapes": [{"type": "line", "x0": 1, "x1": 1, "yref": "paper", "y0": 0, "y1": 1, "line": {"dash": "dot"}}],
            "yaxis": {"autorange": "reversed"},
            "margin": {"l": 150, "r": 20, "t": 40, "b": 30},
            "plot_bgcolor": "white",
        },
    }


def map_figure(brief: Brief) -> dict[str, Any]:
    geometries = {f["id"]: f["geometry"] for f in geo.geojson(brief.level)["features"]}
    return render.region_map(
        geometries, brief.map_values, f"Location quotient, {brief.chain}, {brief.year}", brief.region
    )


def pictures(brief: Brief) -> tuple[bytes, bytes]:
    """The stage chart and the map snippet as PNG (one Chromium for both)."""
    stage_png, map_png = render.chart_pngs([stage_figure(brief), map_figure(brief)], width=900, height=420)
    assert stage_png is not None and map_png is not None
    return stage_png, map_png


def _stage_rows(brief: Brief) -> list[list[Any]]:
    return [["Stage", "LQ", "Specialised", "Share of BSR", "Rank"]] + [
        [
            s.stage,
            "–" if pd.isna(s.lq) else f"{s.lq:.2f}",
            "yes" if s.specialised else "",
            "–" if pd.isna(s.share) else f"{s.share:.1%}",
            "–" if pd.isna(s.rank) else f"{int(s.rank)} of {int(s.of)}",
        ]
        for s in brief.stages.itertuples()
    ]


def _partner_rows(brief: Brief) -> list[list[Any]]:
    return [["#", "Partner", "Score", "Why"]] + [
        [int(p.rank), f"{p.region_id} {p.name}", f"{p.score:.2f}", p.why] for p in brief.partners.itertuples()
    ]


def _actor_rows(brief: Brief) -> list[list[Any]]:
    return [["Actor", "Helix", "Competences"]] + [
        [a.name, a.helix, a.competences or ""] for a in brief.actors.itertuples()
    ]


def _project_rows(brief: Brief) -> list[list[Any]]:
    return [["Project", "Programme", "Years", "Public funding"]] + [
        [
            p.title,
            p.programme,
            f"{int(p.start_year)}–{int(p.end_year) if pd.notna(p.end_year) else ''}",
            f"€{(p.public_funding_eur if pd.notna(p.public_funding_eur) else p.budget_eur):,.0f}",
        ]
        for p in brief.projects.itertuples()
    ]


def _footer(brief: Brief) -> str:
    label = SYNTHETIC if brief.synthetic else "data as loaded"
    return f"Region brief · {brief.title} · {label} · made {brief.made_at:%Y-%m-%d %H:%M} UTC"


def pdf(brief: Brief, stage_png: bytes, map_png: bytes) -> bytes:
    """Two A4 pages: figures and pictures first, partners, actors, projects and sources second."""
    from reportlab.platypus import PageBreak

    story: list[Any] = [render.heading(f"{brief.name} ({brief.region})"), render.para(brief.chain, render.BODY)]
    if brief.synthetic:
        story.append(render.para(f"{SYNTHETIC.capitalize()}: the figures are generated, not statistics.", render.LABEL))
    story.append(render.heading("Key figures", 3))
    story.append(render.table([["Figure", "Value"], *[list(f) for f in brief.figures]], [70, 110]))
    story.append(render.picture(stage_png, 150))
    story.append(render.table(_stage_rows(brief), [60, 25, 25, 35, 35]))
    story.append(render.picture(map_png, 125))
    story.append(PageBreak())
    story.append(render.heading("Top partners and why", 3))
    story.append(render.table(_partner_rows(brief), [8, 45, 14, 113]))
    story.append(render.heading("Key actors", 3))
    story.append(render.table(_actor_rows(brief), [60, 30, 90]))
    story.append(render.heading("Projects and funding", 3))
    story.append(render.table(_project_rows(brief), [75, 50, 20, 35]))
    story.append(render.heading("Sources and dates", 3))
    story += [render.para(s, render.SMALL) for s in brief.sources]
    return render.build_pdf(story, brief.title, _footer(brief))


def html_page(brief: Brief, stage_png: bytes, map_png: bytes) -> str:
    """One self-contained HTML file (pictures inlined); every text escaped."""

    def table(rows: list[list[Any]]) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows[1:])
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def img(png: bytes, alt: str) -> str:
        return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'

    label = f'<p class="label">{SYNTHETIC.capitalize()}: the figures are generated, not statistics.</p>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(brief.title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9rem; margin-bottom: 1rem; }}
th, td {{ border: 1px solid #B0B8C0; padding: 3px 6px; text-align: left; vertical-align: top; }}
th {{ background: #E8EEF4; }} img {{ max-width: 100%; }} .label {{ color: #B00020; font-weight: bold; }}
footer {{ color: #555; font-size: .8rem; }}
</style></head><body>
<h1>{html.escape(brief.name)} ({html.escape(brief.region)})</h1>
<p>{html.escape(brief.chain)}</p>
{label if brief.synthetic else ""}
<h2>Key figures</h2>{table([["Figure", "Value"], *[list(f) for f in brief.figures]])}
{img(stage_png, "Specialisation by stage")}
{img(map_png, "Location quotient by region, this region outlined")}
<h2>Top partners and why</h2>{table(_partner_rows(brief))}
<h2>Key actors</h2>{table(_actor_rows(brief))}
<h2>Projects and funding</h2>{table(_project_rows(brief))}
<h2>Specialisation by stage</h2>{table(_stage_rows(brief))}
<h2>Sources and dates</h2><ul>{"".join(f"<li>{html.escape(s)}</li>" for s in brief.sources)}</ul>
<footer>{html.escape(_footer(brief))}</footer>
</body></html>
"""
