"""Profile → matchmaking → idea card in Chromium: a deep link opens a region, an editor saves a card, it survives a
reload. Runs its own server, with an editor password in a secrets file of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from components.state import Matchmaking
from valuechain import demo, matching, schema
from valuechain.query import Data, Selection

from .conftest import editor_server, screenshot, sign_in, wait_idle

pytestmark = pytest.mark.e2e

PASSWORD = "baltic-" + uuid.uuid4().hex[:8]
REGION = "SE33"
REGION_PARAM = "SE33+%C3%96vre+Norrland"  # the sidebar's formatted option "SE33 Övre Norrland"


@pytest.fixture(scope="module")
def editor_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a fresh demo database whose secrets hold an editor password."""
    yield from editor_server(tmp_path_factory, "e2e-ideas", PASSWORD)


def test_profile_deep_link_to_matchmaking_and_a_saved_idea_card(editor_app: str, page) -> None:
    url = editor_app
    page.goto(f"{url}/profile?region={REGION_PARAM}")
    wait_idle(page)
    assert page.get_by_role("heading", name="SE33 Övre Norrland").is_visible()
    size = page.locator("[data-testid='stMetric']", has_text="Size (share of BSR)")
    assert "%" in size.locator("[data-testid='stMetricValue']").inner_text()
    page.locator(".js-plotly-plot .bars path").first.wait_for()  # plotly draws once its code has loaded
    assert page.locator(".js-plotly-plot .bars path").count() >= 5  # one bar per stage at least
    screenshot(page, "profile-se33")

    page.get_by_text("Find partners for this region").click()
    wait_idle(page)
    page.wait_for_function("() => location.pathname.endsWith('/matchmaking')")
    assert parse_qs(urlparse(page.url).query)["region"] == ["SE33"]  # the address bar holds the code
    assert page.get_by_role("heading", name="Partners for SE33 Övre Norrland").is_visible()
    # The first suggestion's reason, as the domain computes it for the same (seeded) demo data.
    data = Data(
        {**demo.generate(), "ideas": schema.coerce(pd.DataFrame(columns=schema.IDEAS.column_names), schema.IDEAS)}
    )
    sel = Selection(chain_id="circular_bioeconomy", year=max(data.years()), region=REGION)
    pairs = matching.pair_scores(data, matching.benchmark(data, sel), sel)
    best = matching.rank_partners(pairs, REGION, list(pairs.bench.names), matching.DEFAULT_WEIGHTS, top=1).iloc[0]
    assert best["why"] in page.inner_text("body")  # the Reasons tab, open first
    assert page.locator(".js-plotly-plot .heatmaplayer").count() == 0  # drawn only when its tab is opened
    page.get_by_role("tab", name="Synergy matrix").click()
    wait_idle(page)
    assert page.locator(".js-plotly-plot .heatmaplayer").count() == 1
    page.get_by_role("tab", name=Matchmaking.TABS[2]).click()
    wait_idle(page)
    assert f"Why: {best['why']}." in page.inner_text("body")
    screenshot(page, "matchmaking-se33")

    sign_in(page, "Workshop facilitator", PASSWORD)
    assert "Signed in as editor: Workshop facilitator" in page.inner_text("body")

    title = f"Bio-based packaging pilot {uuid.uuid4().hex[:6]}"
    form = page.locator("[data-testid='stForm']", has_text="Save idea card")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Next steps").fill("Call with both regional councils in May")
    form.get_by_role("button", name="Save idea card").click()
    wait_idle(page)
    assert f"Saved idea card #1: {title}" in page.inner_text("body")
    screenshot(page, "matchmaking-idea-saved")

    page.reload()
    wait_idle(page)
    card = page.locator(
        "[data-testid='stVerticalBlockBorderWrapper'], [data-testid='stVerticalBlock']", has_text=f"#1 {title}"
    ).last
    assert card.is_visible()
    assert "Call with both regional councils in May" in card.inner_text()
    assert f"{REGION} Övre Norrland" in card.inner_text()
    # After the reload the session is a viewer again: the card is there, the form is not.
    assert page.locator("[data-testid='stForm']", has_text="Save idea card").count() == 0


def test_a_page_picker_sets_the_focus_region_in_the_sidebar_and_url(editor_app: str, page) -> None:
    page.goto(f"{editor_app}/matchmaking?country=EE")
    wait_idle(page)
    assert "Choose a region to find partners for" in page.inner_text("body")
    assert page.get_by_role("heading", name="Partners for EE00 Eesti").is_visible()  # the largest, shown meanwhile
    assert "region=" not in page.url
    page.locator("[data-testid='stMain'] [data-testid='stSelectbox']", has_text="Region").click()
    page.get_by_role("option", name="EE00 Eesti").click()
    wait_idle(page)
    page.wait_for_function("() => location.search.includes('region=EE00')")
    assert page.get_by_role("heading", name="Partners for EE00 Eesti").is_visible()
    focus = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']", has_text="Focus region")
    assert focus.locator("input").input_value() == "EE00 Eesti"
