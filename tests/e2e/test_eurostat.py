"""An editor in Chromium loads the starter set — real data for the BSR in one step — from a loopback Eurostat
API serving recorded answers, watches the progress per dataset, reads the summary, and finds the figures on
the map with their source."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pandas as pd
import pytest

from components import state
from valuechain.eurostat import catalogue

from ..eurostat_server import Behaviour, serve
from .conftest import ARTIFACTS, editor_server, screenshot, sign_in, wait_idle

pytestmark = pytest.mark.e2e

PASSWORD = "eurostat-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def eurostat_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Behaviour]]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    folder = tmp_path_factory.mktemp("e2e-eurostat")
    frame = pd.read_csv(catalogue.CATALOGUE, dtype=str, keep_default_na=False)
    frame[frame["entry_id"].isin(["gerd_pc_gdp", "gdp"])].to_csv(folder / "catalogue.csv", index=False)
    with serve() as (api_url, behaviour), pytest.MonkeyPatch.context() as mp:
        mp.setenv("VALUECHAIN_EUROSTAT_URL", api_url)
        mp.setenv("VALUECHAIN_EUROSTAT_CATALOGUE", str(folder / "catalogue.csv"))
        mp.setenv("VALUECHAIN_CACHE_DIR", str(folder / "cache"))
        for url in editor_server(tmp_path_factory, "e2e-eurostat-app", PASSWORD):
            yield url, behaviour


def test_starter_set_loads_in_one_action_with_progress(eurostat_app: tuple[str, Behaviour], page) -> None:
    url, behaviour = eurostat_app
    page.goto(f"{url}/data")
    wait_idle(page)
    sign_in(page, "Editor Eva", PASSWORD)
    page.get_by_role("tab", name="From Eurostat").click()
    behaviour.delay = 1.5  # each data answer takes a moment, so the progress can be seen
    page.get_by_role("button", name="Load real data for the BSR (2 datasets)").click()
    progress = page.locator("[data-testid='stProgress']")
    progress.get_by_text("Dataset 2 of 2").wait_for(timeout=60_000)
    screenshot(page, "eurostat-starter-progress")
    wait_idle(page, timeout=120_000)
    behaviour.delay = 0.0
    summary = page.get_by_text("2 dataset(s) loaded, 0 already there.")
    summary.wait_for(timeout=60_000)
    screenshot(page, "eurostat-starter-done")
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "Switch off the demo data" in body

    page.goto(f"{url}/map?{state.YEAR}=2021&{state.Map.INDICATOR}=R%26D+intensity+(GERD+in+%25+of+GDP)")
    wait_idle(page)
    text = page.locator("[data-testid='stMain']").inner_text()
    screenshot(page, "eurostat-map-gerd")
    assert "whole economy (sector TOTAL)" in text, text[-1500:]
    assert "Eurostat tgs00042, last update 2023-01-23" in text, text[-1500:]
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "Demo data (synthetic) + Eurostat" in sidebar
    screenshot(page, "eurostat-map-gerd")

    page.goto(f"{url}/data")
    wait_idle(page)
    sign_in(page, "Editor Eva", PASSWORD)
    page.get_by_role("tab", name="From Eurostat").click()
    page.get_by_role("button", name="Load real data for the BSR (2 datasets)").click()
    wait_idle(page, timeout=120_000)
    page.get_by_text("0 dataset(s) loaded, 2 already there.").wait_for(timeout=60_000)
