"""The app in headless Chromium: it opens, a filter change updates the URL and the page, links reopen views."""

from __future__ import annotations

from urllib.parse import parse_qs, quote_plus, urlparse

import pytest

from components.state import Matchmaking, Profile

from .conftest import choose_country, clipped, go_to, screenshot, served, top_menu, wait_idle

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
        nav = page.locator("[data-testid='stTopNav']")
        assert nav.get_by_role("link", name="Flows", exact=True).is_visible()  # app.py's titles, not the file names
        assert not nav.get_by_text("flows", exact=True).count()


def test_large_type_for_screen_sharing(app_url: str, page) -> None:
    page.goto(f"{app_url}/?present=true")
    wait_idle(page)
    size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert size == "21px"
    top = page.locator("[data-testid='stTopNav']")
    assert top.get_by_role("link", name="Home", exact=True).is_visible(), "the pages' menu stays in large type"
    screenshot(page, "home-large-type")


def test_layout_menu_at_the_top_leaves_the_sidebar_to_the_filters_at_900px(app_url: str, browser) -> None:
    """Workshop facilitators screen-share at 900 px height: the pages' menu is at the top, and the Countries list
    opens in the sidebar with room for its options."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/map")
        wait_idle(page)
        # A viewer's whole menu, each page a link (a group of one would hide "Join a workshop" behind a click).
        pages = ["Home", "Map", "Flows", "Region profile", "Matchmaking", "About", "Join a workshop"]
        assert top_menu(page) == (pages, [], [])
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        sidebar = page.locator("[data-testid='stSidebar']")
        box = sidebar.locator("[data-testid='stMultiSelect']", has_text="Countries")
        box.locator("input").click()  # no typing: the list itself must have room
        listbox = page.get_by_role("listbox")
        listbox.wait_for()
        shown = listbox.bounding_box()
        assert shown is not None and shown["y"] + shown["height"] <= 900 and shown["height"] >= 240, shown
        screenshot(page, "layout-countries-900")
        page.keyboard.press("Escape")
    finally:
        context.close()


def test_deep_link_by_code_keeps_codes_in_the_url_across_pages_and_back(app_url: str, page) -> None:
    page.goto(f"{app_url}/map?region=SE33&stage=processing")
    wait_idle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_role("combobox", name="Focus region").input_value() == "SE33 Övre Norrland"
    assert "Processing" in sidebar.locator("[data-testid='stMultiSelect']", has_text="Stages").inner_text()
    query = parse_qs(urlparse(page.url).query)
    assert (query["region"], query["stage"]) == (["SE33"], ["processing"])  # codes, as typed: not the labels shown
    go_to(page, "Region profile")
    assert page.get_by_role("heading", name="SE33 Övre Norrland").is_visible()
    assert parse_qs(urlparse(page.url).query)["region"] == ["SE33"]
    page.go_back()
    wait_idle(page)
    assert urlparse(page.url).path.endswith("/map")
    assert sidebar.get_by_role("combobox", name="Focus region").input_value() == "SE33 Övre Norrland"
    # A link made before codes were kept (the label shown) still opens the view, and the address bar gets the code.
    page.goto(f"{app_url}/flows?region=SE33+%C3%96vre+Norrland&chain=Circular+bioeconomy")
    wait_idle(page)
    page.wait_for_function("() => location.search.includes('region=SE33') && !location.search.includes('Norrland')")
    assert sidebar.get_by_role("combobox", name="Focus region").input_value() == "SE33 Övre Norrland"


def test_no_words_cut_short_at_1280_for_a_director_or_a_facilitator_in_large_type(app_url: str, browser) -> None:
    """At 1280×720, in normal and in large type: the home page's numbers and page list, the map's region card, the
    profile's brief buttons and funding figures, matchmaking's closer look show their words whole."""
    views = (
        "/",
        "/map?region=SE33",
        "/profile?region=SE33",
        f"/profile?region=SE33&{Profile.TAB}=Projects+and+funding",
        f"/matchmaking?region=SE33&{Matchmaking.TAB}={quote_plus(Matchmaking.TABS[2])}",
        "/matchmaking?region=SE33",  # the weight sliders: five in a row broke "Complementarity" in large type
    )
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        for large in ("false", "true"):
            for view in views:
                page.goto(f"{app_url}{view}{'&' if '?' in view else '?'}present={large}")
                wait_idle(page)
                page.get_by_role("heading").first.wait_for()
                assert clipped(page) == [], (view, large)
        screenshot(page, "matchmaking-pair-large-1280")
    finally:
        context.close()
