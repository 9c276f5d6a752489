"""The app in headless Chromium: it opens, a filter change updates the URL and the page, links reopen views."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import choose_country, screenshot, served, wait_idle

pytestmark = pytest.mark.e2e


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']", has_text=label)
    return box.locator("[data-testid='stMetricValue']").inner_text()


def test_home_opens_and_country_filter_updates_url_and_numbers(app_url: str, page) -> None:
    page.goto(app_url)
    wait_idle(page)
    assert page.get_by_role("heading", name="BSR S3 Value Chain Explorer").first.is_visible()
    assert metric(page, "Regions") == "56"
    screenshot(page, "home")

    choose_country(page, "EE")
    page.wait_for_function("() => location.search.includes('country=EE')")
    assert parse_qs(urlparse(page.url).query)["country"] == ["EE"]
    assert metric(page, "Regions") == "1"

    # The copied link reopens the same view in a fresh tab.
    other = page.context.new_page()
    other.goto(page.url)
    wait_idle(other)
    assert metric(other, "Regions") == "1"
    assert "EE" in other.locator("[data-testid='stSidebar']").inner_text()


def test_deep_link_to_about_keeps_filters_and_shows_sources(app_url: str, page) -> None:
    page.goto(f"{app_url}/about?chain=Offshore+wind+energy&level=1")
    wait_idle(page)
    assert page.get_by_role("heading", name="About & method").is_visible()
    assert "© EuroGeographics for the administrative boundaries" in page.inner_text("body")
    assert page.get_by_role("combobox", name="Value chain").input_value() == "Offshore wind energy"
    assert page.locator("[data-testid='stSidebar'] [data-testid='stRadio'] input[type='radio']").nth(1).is_checked()
    screenshot(page, "about")


def test_deep_link_as_the_first_request_to_a_fresh_server_runs_through_the_shell(tmp_path, page) -> None:
    """Guards components/nav.py ensure_shell: until some session has called st.navigation, Streamlit runs a
    deep-linked page from `pages/` without app.py. A Streamlit upgrade that moves the flag breaks this test."""
    with served(tmp_path) as url:
        page.goto(f"{url}/about?chain=Offshore+wind+energy&level=1")  # nothing has asked this server anything yet
        wait_idle(page)
        assert page.get_by_role("heading", name="About & method").is_visible()
        sidebar = page.locator("[data-testid='stSidebar']")
        assert sidebar.get_by_role("combobox", name="Value chain").input_value() == "Offshore wind energy"
        assert sidebar.locator("[data-testid='stRadio'] input[type='radio']").nth(1).is_checked()  # level=1
        assert "Data on screen" in sidebar.inner_text()  # the shell's dataset badge
        nav = sidebar.locator("[data-testid='stSidebarNav']")
        assert nav.get_by_text("Value-chain flows").is_visible()  # app.py's titles, not the file names
        assert not nav.get_by_text("flows", exact=True).count()


def test_large_type_for_screen_sharing(app_url: str, page) -> None:
    page.goto(f"{app_url}/?present=true")
    wait_idle(page)
    size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert size == "21px"
    screenshot(page, "home-large-type")
