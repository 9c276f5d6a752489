"""An editor in Chromium uploads a small wide panel (one column per indicator, one confidential cell), picks both
value columns at once, defines the two new indicators, commits once, and sees each indicator on the map; the
region whose value is confidential is drawn as such (legend and table), not as 0."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from components import state

from .conftest import commit, editor_server, screenshot, sign_in, wait_idle
from .test_upload import type_into
from .test_upload_layouts import fill, upload

pytestmark = pytest.mark.e2e

PASSWORD = "wide-" + uuid.uuid4().hex[:8]
PANEL = (
    "REG_ID;Region;Year;Jobs in wood;Wood firms\n"
    "SE33;Övre Norrland;2022;5120;310\n"
    "FI1D;Pohjois- ja Itä-Suomi;2022;7400;: c\n"
    "DE80;Mecklenburg-Vorpommern;2022;2100;150\n"
)
JOBS, FIRMS = "Jobs in wood (panel)", "Wood firms (panel)"


@pytest.fixture(scope="module")
def wide_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from editor_server(tmp_path_factory, "e2e-wide", PASSWORD)


def pick(page, key: str, option: str) -> None:
    """Add one option to a multiselect by typing it, as a person does."""
    page.locator(f".st-key-{key} input").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def show_on_map(page, name: str) -> str:
    page.locator(f".st-key-{state.Map.INDICATOR.replace('.', '-')} input").click()
    page.keyboard.type(name)  # the list is long: typing filters it, as a person does
    option = page.get_by_role("option", name=name)
    option.wait_for(timeout=30_000)
    option.click()
    wait_idle(page)
    page.locator("[data-testid='stDeckGlJsonChart'], .deckgl-overlay, canvas").first.wait_for(timeout=60_000)
    return str(page.inner_text("body"))


def test_editor_loads_two_indicators_from_a_wide_panel_and_maps_both(wide_app: str, page, tmp_path: Path) -> None:
    page.goto(f"{wide_app}/data")
    wait_idle(page)
    sign_in(page, "Analyst Anna", PASSWORD)
    panel = tmp_path / "wood_panel.csv"
    panel.write_text(PANEL, encoding="utf-8")
    upload(page, panel, "semicolon-separated")
    pick(page, "valuecols", "Jobs in wood")
    pick(page, "valuecols", "Wood firms")
    fill(page, "const_sector", "C16")
    type_into(page, "newind_name_jobs_in_wood", JOBS)
    type_into(page, "newind_unit_jobs_in_wood", "persons")
    type_into(page, "newind_name_wood_firms", FIRMS)
    type_into(page, "newind_unit_wood_firms", "enterprises")
    body = page.inner_text("body")
    assert "No errors in wood_panel.csv" in body, body[-2000:]
    screenshot(page, "data-wide-panel")
    commit(page, "Commit as a new version")

    page.goto(f"{wide_app}/map?year=2022")
    wait_idle(page)
    body = show_on_map(page, JOBS)
    assert f"{JOBS}, 2022" in body and "Confidential (c)" not in body, body[:3000]
    screenshot(page, "map-wide-jobs")
    body = show_on_map(page, FIRMS)
    assert f"{FIRMS}, 2022" in body and "Confidential (c) (1)" in body, body[:3000]
    assert "Pohjois- ja Itä-Suomi" in body
    screenshot(page, "map-wide-firms-confidential")
