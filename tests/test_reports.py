"""The region brief and the workshop report, read back as a person would: text (pdftotext), pages, pictures.

Needs poppler-utils (pdftotext, pdfinfo, pdftoppm; scripts/test.sh installs them) and Chromium for kaleido.
The rendered pages are also written to tests/artifacts/ to be looked at.
"""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from tests.conftest import make_store
from valuechain import brief, render, workshop
from valuechain.query import Data, Selection
from valuechain.store import Identity

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
REGION = "FI1D"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_count(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def page_pictures(pdf: bytes, name: str) -> list[Path]:
    """Each page as a PNG in tests/artifacts (to look at, and to check for colour)."""
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(source), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def coloured_share(png: bytes | Path) -> float:
    """Share of pixels that are clearly coloured (not white, grey or black): charts and maps have many."""
    image = Image.open(io.BytesIO(png) if isinstance(png, bytes) else png).convert("RGB")
    pixels = np.asarray(image, dtype=int)
    return float((pixels.max(axis=2) - pixels.min(axis=2) > 40).mean())


@pytest.fixture(scope="module")
def demo(seeded_db: Path) -> tuple[Data, pd.DataFrame]:
    store = make_store(str(seeded_db))
    out = Data.load(store), store.datasets_on_screen()
    store.close()
    return out


@pytest.fixture(scope="module")
def region_brief(demo: tuple[Data, pd.DataFrame]) -> tuple[brief.Brief, bytes, str, bytes, bytes]:
    data, datasets = demo
    sel = Selection(chain_id="circular_bioeconomy", year=max(data.years()), level=2, region=REGION)
    made = brief.make(data, sel, datasets)
    stage_png, map_png = brief.pictures(made)
    return made, brief.pdf(made, stage_png, map_png), brief.html_page(made, stage_png, map_png), stage_png, map_png


def test_region_brief_pdf_says_region_figures_partners_and_sources_on_two_pages(region_brief, tmp_path: Path) -> None:
    made, pdf, _, stage_png, map_png = region_brief
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "Pohjois- ja Itä-Suomi (FI1D)" in text and "Circular bioeconomy" in text
    for label, value in made.figures:
        assert f"{label} {value}" in text, (label, value)
    assert "Demo data (synthetic)" in text and "demo data (synthetic)" in text
    for partner in made.partners.itertuples():
        assert f"{partner.region_id} {partner.name}" in text
    assert made.partners["why"].iloc[0].split(";")[0] in text
    for project in made.projects.itertuples():
        assert project.title.split(" – ")[0] in text
    assert "Eurostat GISCO" in text and "EuroGeographics" in text and "version" in text
    assert page_count(pdf, tmp_path) == 2
    assert coloured_share(stage_png) > 0.05 and coloured_share(map_png) > 0.03
    pages = page_pictures(pdf, "region-brief")
    assert len(pages) == 2
    assert coloured_share(pages[0]) > 0.03, "page 1 holds the chart and the map"


def test_region_brief_html_is_self_contained_and_escaped(region_brief) -> None:
    made, _, page, _, _ = region_brief
    assert page.count("data:image/png;base64,") == 2
    assert "<script" not in page.lower()
    assert "Pohjois- ja Itä-Suomi (FI1D)" in page and "Sources and dates" in page
    assert made.figures[0][1] in page


def test_workshop_report_markdown_and_pdf(demo: tuple[Data, pd.DataFrame], tmp_path: Path) -> None:
    data, datasets = demo
    store = make_store(str(tmp_path / "ws.duckdb"))
    editor = Identity("anna", "editor")
    workshop_id, code = store.create_workshop("Turku *workshop*", who=editor)
    geometries = {
        "FI1D": {"type": "Polygon", "coordinates": [[[25, 62], [30, 62], [30, 66], [25, 66], [25, 62]]]},
        "SE33": {"type": "Polygon", "coordinates": [[[15, 64], [22, 64], [22, 68], [15, 68], [15, 64]]]},
    }
    map_chart = json.dumps(render.region_map(geometries, pd.Series({"FI1D": 1.4, "SE33": 0.8}), "LQ", "FI1D"))
    bar_chart = json.dumps({"data": [{"type": "bar", "x": ["a", "b"], "y": [3, 5], "marker": {"color": "#1F6F8B"}}]})
    items = [{"item": "partner:FI1D:SE33", "label": "FI1D + SE33 Övre Norrland", "why": "strong where you are not"}]
    store.add_scene(workshop_id, {"title": "Where the jobs are", "page": "map", "chart": map_chart}, who=editor)
    store.add_scene(
        workshop_id,
        {"title": "Partners", "note": "Ask the room", "page": "matchmaking", "chart": bar_chart, "items": items},
        who=editor,
    )
    store.add_scene(workshop_id, {"title": "Home", "page": ""}, who=editor)
    alice, bob = store.join(code), store.join(code)
    store.vote("partner:FI1D:SE33", who=alice)
    store.vote("partner:FI1D:SE33", who=bob)
    store.comment("partner:FI1D:SE33", "Include *ports* [x](http://evil)", who=alice)
    scenes = store.scenes(workshop_id)
    ideas = pd.DataFrame(
        {"idea_id": [7], "title": ["Lignin pilot"], "description": ["Pilot plant"]}
    )  # the shape of matching.ideas_view
    board = workshop.board(workshop.vote_items(scenes, ideas), store.tallies(workshop_id), store.comments(workshop_id))
    found = store.workshop(workshop_id)
    assert found is not None
    report = workshop.make_report(found, scenes, board, datasets, data.data_source())

    md = workshop.markdown(report, ["scene-1.png", "scene-2.png", None])
    assert md.startswith("# Turku \\*workshop\\*")
    assert "**Demo data (synthetic)**" in md
    assert "1. **Where the jobs are** (Map)" in md and "3. **Home** (Home)" in md
    assert "![Chart of scene 2](scene-2.png)" in md
    assert "**FI1D + SE33 Övre Norrland**: 2 votes" in md and "**\\#7 Lignin pilot**: 0 votes" in md
    assert "Comment: Include \\*ports\\* \\[x\\](http://evil)" in md
    assert "## Data sources and dates" in md and "loaded" in md

    pictures = render.chart_pngs(scenes["chart"].tolist())
    assert pictures[2] is None and all(coloured_share(p) > 0.02 for p in pictures[:2])  # type: ignore[arg-type]
    pdf = workshop.pdf(report, pictures)
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "Turku *workshop*" in text
    assert "Where the jobs are" in text and "Ask the room" in text
    assert "FI1D + SE33 Övre Norrland 2" in text and "Include *ports* [x](http://evil)" in text
    assert "Lignin pilot 0" in text
    assert "Demo data (synthetic)" in text and "Sources of the figures" in text
    pages = page_pictures(pdf, "workshop-report")
    assert page_count(pdf, tmp_path) == len(pages) >= 2
    assert max(coloured_share(p) for p in pages) > 0.02
    store.close()


@pytest.mark.usefixtures("app_db")
def test_profile_page_makes_the_brief_of_its_focus_region() -> None:
    from .apptest import open_app

    at = open_app("pages/profile.py", region="FI1D Pohjois- ja Itä-Suomi")
    at.button(key="brief_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Brief (PDF)" in labels and "Brief (HTML)" in labels
    assert not at.error
