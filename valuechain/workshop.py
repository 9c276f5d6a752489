"""A workshop's board (what participants vote on, with tallies and comments) and its report (Markdown, PDF).

Items are partner suggestions saved with matchmaking scenes (`partner:REGION:PARTNER`) and idea cards
(`idea:ID`). The report holds the agenda with a picture of each scene's chart, the board, the partner
shortlists, and the data sources with their dates; "demo data (synthetic)" where the demo data is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from valuechain import render
from valuechain.matching import _md as md_text

SYNTHETIC = "demo data (synthetic)"
PAGE_TITLES = {
    "": "Home",
    "map": "Map",
    "flows": "Value-chain flows",
    "profile": "Region profile",
    "matchmaking": "Matchmaking",
}
BOARD_COLUMNS = ["item", "kind", "label", "why", "votes", "comments"]


def vote_items(scenes: pd.DataFrame, ideas: pd.DataFrame) -> pd.DataFrame:
    """Everything participants can vote on: the scenes' partner suggestions, then the idea cards."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for items in scenes.get("items", pd.Series(dtype=object)):
        for entry in items or []:
            if entry["item"] not in seen:
                seen.add(entry["item"])
                rows.append({"item": entry["item"], "kind": "partner", "label": entry["label"], "why": entry["why"]})
    for idea in ideas.itertuples():
        rows.append(
            {
                "item": f"idea:{int(idea.idea_id)}",
                "kind": "idea",
                "label": f"#{int(idea.idea_id)} {idea.title}",
                "why": str(idea.description or ""),
            }
        )
    return pd.DataFrame(rows, columns=["item", "kind", "label", "why"])


def board(items: pd.DataFrame, tallies: pd.DataFrame, comments: pd.DataFrame) -> pd.DataFrame:
    """Items with their votes and comments, most votes first (ties keep the agenda order)."""
    votes = dict(zip(tallies["item"], tallies["votes"], strict=True)) if len(tallies) else {}
    said = comments.groupby("item")["text"].agg(list).to_dict() if len(comments) else {}
    out = items.assign(
        votes=[int(votes.get(i, 0)) for i in items["item"]],
        comments=[said.get(i, []) for i in items["item"]],
    )
    return out.sort_values("votes", ascending=False, kind="stable").reset_index(drop=True)[BOARD_COLUMNS]


@dataclass(frozen=True)
class Report:
    """Everything a workshop report shows, gathered by the caller from the store and the data."""

    workshop: dict[str, Any]
    scenes: pd.DataFrame
    board: pd.DataFrame
    datasets: pd.DataFrame  # current dataset versions: table_name, dataset, origin, version_id, created_at
    sources: str
    made_at: datetime

    @property
    def synthetic(self) -> bool:
        return bool((self.datasets["origin"] == "demo").any()) if len(self.datasets) else False


def make_report(
    workshop: dict[str, Any], scenes: pd.DataFrame, board: pd.DataFrame, datasets: pd.DataFrame, sources: str
) -> Report:
    return Report(workshop, scenes, board, datasets, sources, datetime.now(UTC).replace(microsecond=0))


def _state_line(state: dict[str, list[str]]) -> str:
    return "; ".join(f"{k} = {', '.join(v)}" for k, v in sorted(state.items())) or "default view"


def _sources_lines(report: Report) -> list[str]:
    lines = [f"Sources of the figures: {report.sources}."]
    for row in report.datasets.itertuples():
        origin = SYNTHETIC if row.origin == "demo" else "uploaded"
        lines.append(
            f"{row.table_name}: {row.dataset}, version {int(row.version_id)} ({origin}), loaded "
            f"{pd.Timestamp(row.created_at):%Y-%m-%d %H:%M} UTC"
        )
    return lines


def markdown(report: Report, picture_names: list[str | None] | None = None) -> str:
    """The report as Markdown; `picture_names[i]` is the file name of scene i's chart picture, if any."""
    w = report.workshop
    status = "closed" if w["closed"] else "open"
    lines = [f"# {md_text(w['title'])}", ""]
    if report.synthetic:
        lines += [f"**{SYNTHETIC.capitalize()}**: the figures are generated, not statistics.", ""]
    lines += [f"Workshop code {w['code']} · {status} · report made {report.made_at:%Y-%m-%d %H:%M} UTC", ""]
    lines += ["## Agenda", ""]
    for scene in report.scenes.itertuples():
        lines.append(f"{scene.position}. **{md_text(scene.title)}** ({PAGE_TITLES.get(scene.page, scene.page)})")
    for i, scene in enumerate(report.scenes.itertuples()):
        lines += ["", f"### {scene.position}. {md_text(scene.title)}", ""]
        lines.append(f"Page: {PAGE_TITLES.get(scene.page, scene.page)} · view: {md_text(_state_line(scene.state))}")
        if scene.note:
            lines += ["", md_text(scene.note, block=True)]
        name = picture_names[i] if picture_names else None
        if name:
            lines += ["", f"![Chart of scene {scene.position}]({name})"]
    lines += ["", "## Partner shortlists", ""]
    partners = report.board[report.board["kind"] == "partner"]
    lines += _board_lines(partners) or ["No partner suggestions were saved with the scenes."]
    lines += ["", "## Idea cards", ""]
    ideas = report.board[report.board["kind"] == "idea"]
    lines += _board_lines(ideas) or ["No idea cards."]
    lines += ["", "## Data sources and dates", ""]
    lines += [f"- {md_text(line)}" for line in _sources_lines(report)]
    return "\n".join(lines) + "\n"


def _board_lines(items: pd.DataFrame) -> list[str]:
    lines = []
    for row in items.itertuples():
        lines.append(f"- **{md_text(row.label)}**: {row.votes} vote{'s' if row.votes != 1 else ''}")
        if row.why:
            lines.append(f"  - {md_text(row.why)}")
        lines += [f"  - Comment: {md_text(c)}" for c in row.comments]
    return lines


def pdf(report: Report, pictures: list[bytes | None]) -> bytes:
    """The report as a PDF: agenda, one picture per scene, the board, shortlists, sources and dates."""
    w = report.workshop
    story: list[Any] = [render.heading(w["title"])]
    if report.synthetic:
        story.append(render.para(f"{SYNTHETIC.capitalize()}: the figures are generated, not statistics.", render.LABEL))
    story.append(
        render.para(
            f"Workshop code {w['code']} · {'closed' if w['closed'] else 'open'} · report made "
            f"{report.made_at:%Y-%m-%d %H:%M} UTC",
            render.SMALL,
        )
    )
    story.append(render.heading("Agenda", 2))
    story.append(
        render.table(
            [["#", "Scene", "Page", "Talking note"]]
            + [
                [s.position, s.title, PAGE_TITLES.get(s.page, s.page), s.note or ""] for s in report.scenes.itertuples()
            ],
            [8, 55, 30, 87],
        )
    )
    for scene, png in zip(report.scenes.itertuples(), pictures, strict=True):
        story.append(render.heading(f"{scene.position}. {scene.title}", 3))
        story.append(render.para(f"View: {_state_line(scene.state)}", render.SMALL))
        if png:
            story.append(render.picture(png))
        else:
            story.append(render.para("(this page has no chart to picture)", render.SMALL))
    for kind, title in (("partner", "Partner shortlists"), ("idea", "Idea cards")):
        story.append(render.heading(title, 2))
        items = report.board[report.board["kind"] == kind]
        if items.empty:
            story.append(render.para("None.", render.SMALL))
            continue
        story.append(
            render.table(
                [["Item", "Votes", "Why / description", "Comments"]]
                + [[r.label, r.votes, r.why, "\n".join(r.comments)] for r in items.itertuples()],
                [45, 13, 65, 57],
            )
        )
    story.append(render.heading("Data sources and dates", 2))
    story += [render.para(line, render.SMALL) for line in _sources_lines(report)]
    footer = f"{w['title']} · {SYNTHETIC if report.synthetic else 'data as loaded'} · {report.made_at:%Y-%m-%d} UTC"
    return render.build_pdf(story, str(w["title"]), footer)
