"""The map page in headless Chromium: deep link, painted polygons, tooltip, click to select, XSS stays text."""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlparse

import pytest

from components.map import MAP_HEIGHT, MAP_WIDTH
from components.state import Map
from valuechain import demo, geo
from valuechain.store import open_store

from .conftest import ARTIFACTS, screenshot, start_app, wait_idle

pytestmark = pytest.mark.e2e

CHART = "[data-testid='stDeckGlJsonChart']"
PAYLOAD = "<img src=x onerror=alert(1)>"
REGIONS = demo.load_definitions()["regions"].set_index("nuts_id")


def open_map(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.wait_for_selector(f"{CHART} canvas", timeout=60_000)
    page.wait_for_timeout(1500)  # deck.gl draws on the next animation frames


def record_dialogs(page) -> list[str]:
    """The messages of every alert/confirm the page opens (each dismissed): a script that ran would show here."""
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return dialogs


def region_point(page, code: str, level: int = 2) -> tuple[float, float]:
    """Page coordinates of a region's label point, projected like deck.gl (Web Mercator, 512 px at zoom 0)."""
    view = geo.initial_view(level, width=MAP_WIDTH, height=MAP_HEIGHT)
    box = page.locator(CHART).bounding_box()
    scale = 512 * 2 ** view["zoom"]
    lon, lat = float(REGIONS.at[code, "lon"]), float(REGIONS.at[code, "lat"])

    x = box["x"] + box["width"] / 2 + (lon - view["longitude"]) / 360 * scale
    y = box["y"] + box["height"] / 2 - (geo.mercator_y(lat) - geo.mercator_y(view["latitude"])) / (2 * math.pi) * scale
    return x, y


def painted_share(page) -> float:
    """Share of the map's pixels that differ clearly from the background in its top-left corner."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(page.locator(CHART).screenshot())).convert("RGB"), dtype=int)
    background = pixels[5, 5]
    return float((np.abs(pixels - background).sum(axis=2) > 40).mean())


def test_deep_link_paints_polygons_hover_shows_tooltip_click_selects(app_url: str, page) -> None:
    dialogs = record_dialogs(page)
    open_map(
        page, f"{app_url}/map?country=SE&country=FI&{Map.INDICATOR}=Patent+applications&{Map.CLASSES}=Equal+interval"
    )
    assert page.get_by_role("heading", name="Map").first.is_visible()
    assert "Patent applications, " in page.inner_text("body")
    assert "Equal interval" in page.inner_text("body")
    assert painted_share(page) > 0.15  # the regions of two countries cover a good part of the map
    screenshot(page, "map-deep-link")

    x, y = region_point(page, "SE33")
    page.mouse.move(x, y)
    tooltip = page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    text = tooltip.inner_text()
    assert "Övre Norrland (SE33)" in text
    assert "Sverige" in text
    assert "Patent applications:" in text and "patent applications" in text
    shown = ((REGIONS["level"] == 2) & REGIONS["country"].isin(["SE", "FI"])).sum()
    assert f"of {shown} shown" in text  # ranked among the regions of the two countries only
    assert "demo data (synthetic)" in text
    screenshot(page, "map-tooltip")

    page.mouse.click(x, y)
    page.wait_for_function("() => decodeURIComponent(location.search.replace(/\\+/g, ' ')).includes('SE33')")
    wait_idle(page)
    assert parse_qs(urlparse(page.url).query)["region"] == ["SE33"]  # the code, not the label shown
    panel = page.get_by_role("heading", name="Övre Norrland")
    panel.wait_for(timeout=20_000)
    body = page.inner_text("body")
    assert "Largest flows out" in body
    assert "Clear the selection" in body
    assert page.get_by_role("combobox", name="Focus region").input_value() == "SE33 Övre Norrland"
    screenshot(page, "map-selected")

    page.get_by_role("button", name="Clear the selection").click()
    page.wait_for_function("() => !location.search.includes('region=')")
    wait_idle(page)
    assert page.get_by_text("Click a region on the map").is_visible()
    assert page.get_by_role("combobox", name="Focus region").input_value() == ""
    assert dialogs == []


@pytest.fixture(scope="module")
def xss_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a database whose region SE33 is named with an HTML payload."""
    path = Path(tmp_path_factory.mktemp("xss")) / "xss.duckdb"
    data = demo.generate()
    regions = data["regions"].copy()
    regions.loc[regions["nuts_id"] == "SE33", "name"] = f"{PAYLOAD} Norrland"
    data["regions"] = regions
    store = open_store(path=path)
    demo.seed_store(store, data)
    store.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "VALUECHAIN_DB_PATH": str(path)}
    env.pop("VALUECHAIN_DB_URL", None)
    proc, url = start_app(env)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_html_in_a_region_name_shows_as_text_and_runs_nothing(xss_url: str, page) -> None:
    dialogs = record_dialogs(page)
    region = quote_plus(f"SE33 {PAYLOAD} Norrland")
    open_map(page, f"{xss_url}/map?country=SE&region={region}&{Map.FLOWS}=Goods+flows")
    x, y = region_point(page, "SE33")
    page.mouse.move(x, y)
    tooltip = page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert f"{PAYLOAD} Norrland (SE33)" in tooltip.inner_text()
    assert page.get_by_role("heading", name=f"{PAYLOAD} Norrland").is_visible()  # the side panel
    assert page.locator("img[src='x']").count() == 0
    screenshot(page, "map-xss")
    page.wait_for_timeout(500)
    assert dialogs == []
