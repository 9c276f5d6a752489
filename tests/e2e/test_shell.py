"""The app in headless Chromium: it opens, a filter change updates the URL and the page, links reopen views."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import screenshot, wait_idle

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

    countries = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']", has_text="Countries")
    countries.locator("input").click()
    page.get_by_role("option", name="EE", exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)
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


def test_large_type_for_screen_sharing(app_url: str, page) -> None:
    page.goto(f"{app_url}/?present=true")
    wait_idle(page)
    size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert size == "21px"
    screenshot(page, "home-large-type")
