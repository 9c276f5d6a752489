"""A workshop in headless Chromium: a facilitator saves three scenes, presents them and steps with the keys a
clicker sends; a participant in a second browser context joins with the code and votes; the facilitator's
live board shows the tally change; the participant reaches no write beyond voting and commenting."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest

from components import nav
from components.state import Flows, Map

from .conftest import clipped, editor_server, go_to, screenshot, sign_in, top_menu, wait_idle

pytestmark = pytest.mark.e2e
PASSWORD = "workshop-secret"
SIDEBAR = "[data-testid='stSidebar']"


@pytest.fixture(scope="module")
def workshop_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from editor_server(tmp_path_factory, "e2e-workshop", PASSWORD)


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def save_scene(page, title: str, note: str) -> None:
    """The sidebar's form, as a facilitator fills it in."""
    side = page.locator(SIDEBAR)
    if not side.get_by_label("Scene title").is_visible():
        side.get_by_text("Save this view as a scene").click()
    side.get_by_label("Scene title").fill(title)
    side.get_by_label("Talking note").fill(note)
    side.get_by_role("button", name="Save scene").click()
    wait_idle(page)
    assert side.get_by_text(f"Saved “{title}”.").is_visible()


def press(page, key: str, scene: int) -> None:
    page.keyboard.press(key)
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('scene') === '{scene}'", timeout=60_000)
    wait_idle(page)


def test_facilitator_presents_participant_votes_tally_updates(workshop_app: str, browser) -> None:
    facilitator = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    page = facilitator
    page.goto(f"{workshop_app}/workshop")
    wait_idle(page)
    sign_in(page, "Anna", PASSWORD)
    page.get_by_label("New workshop").fill("Bioeconomy partners, Turku")
    page.get_by_role("button", name="Create workshop").click()
    wait_idle(page)
    code = re.search(r"join with the code ([A-Z0-9]{6})", page.inner_text("body")).group(1)  # type: ignore[union-attr]

    # Scene 1: the map with natural breaks and bubbles.
    go_to(page, "Map")
    page.get_by_role("combobox", name="Classes").click()
    page.get_by_role("option", name=re.compile("Natural breaks")).click()
    wait_idle(page)
    page.get_by_text("Bubbles", exact=True).click()
    wait_idle(page)
    map_view = query(page)
    assert map_view[Map.BUBBLES] == ["true"] and "Natural breaks" in map_view[Map.CLASSES][0]
    save_scene(page, "Where the bioeconomy jobs are", "Point at eastern Finland.")
    # Scene 2: investment flows.
    go_to(page, "Flows")
    page.get_by_text("Investment", exact=True).click()
    wait_idle(page)
    assert query(page)[Flows.KIND] == ["Investment"]
    save_scene(page, "Who invests where", "")
    # Scene 3: partners for Pohjois- ja Itä-Suomi.
    go_to(page, "Matchmaking")
    page.locator("[data-testid='stMain'] [data-testid='stSelectbox']", has_text="Region").click()
    page.keyboard.type("FI1D")
    page.get_by_role("option", name="FI1D Pohjois- ja Itä-Suomi").click()
    wait_idle(page)
    page.wait_for_function("() => location.search.includes('region=FI1D')")
    save_scene(page, "Partners for eastern Finland", "Ask the room to vote.")

    go_to(page, "Workshop")
    assert page.get_by_text("1. Where the bioeconomy jobs are").is_visible()
    assert page.get_by_text("3. Partners for eastern Finland").is_visible()
    page.get_by_role("button", name="Present").first.click()
    wait_idle(page)
    page.get_by_role("heading", name="Where the bioeconomy jobs are").wait_for()
    assert query(page)["scene"] == ["1"] and query(page)[Map.BUBBLES] == ["true"]
    assert not page.locator(SIDEBAR).is_visible(), "presenter mode hides the sidebar"
    assert page.get_by_role("combobox", name="Classes").input_value().startswith("Natural breaks")
    screenshot(page, "workshop-present-1920")
    press(page, "PageDown", 2)
    assert urlparse(page.url).path.endswith("/flows")
    assert page.get_by_role("radio", name="Investment").is_checked()
    assert page.get_by_role("heading", name="Who invests where").is_visible()
    press(page, "ArrowRight", 3)
    assert urlparse(page.url).path.endswith("/matchmaking")
    assert page.get_by_role("heading", name="Partners for eastern Finland").is_visible()
    page.set_viewport_size({"width": 1280, "height": 720})
    screenshot(page, "workshop-present-1280")
    press(page, "PageUp", 2)
    assert page.get_by_role("radio", name="Investment").is_checked()
    press(page, "ArrowLeft", 1)
    assert page.get_by_role("combobox", name="Classes").input_value().startswith("Natural breaks")

    # Back to the agenda; the live board shows no vote yet.
    page.get_by_role("button", name="Exit presenter mode").click()
    wait_idle(page)
    go_to(page, "Workshop")
    page.get_by_role("tab", name="Votes and comments (live)").click()
    board = page.locator("[class*='st-key-tally_partner_FI1D_']").first
    board.wait_for(timeout=60_000)
    assert board.locator("[data-testid='stMetricValue']").inner_text() == "0"

    # A participant joins in a second browser context and votes.
    participant = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    participant.goto(f"{workshop_app}/join")
    wait_idle(participant)
    participant.locator(SIDEBAR).wait_for(state="hidden", timeout=30_000)  # the participant view only
    participant.get_by_label("Workshop code").fill(code.lower())
    participant.get_by_role("button", name="Join").click()
    wait_idle(participant)
    item = participant.locator("[class*='st-key-item_partner_FI1D_']").first
    item.wait_for(timeout=60_000)
    label = item.locator("[data-testid='stText']").first.inner_text()
    item.get_by_role("button", name="Vote").click()
    wait_idle(participant)
    assert item.get_by_role("button", name="Voted ✓").is_disabled()
    item.get_by_label("Comment").fill("*Add the ports* [map](http://x)")
    item.get_by_role("button", name="Send").click()
    wait_idle(participant)
    screenshot(participant, "workshop-participant")
    participant.reload()  # the browser keeps its token (cookie): still one vote, still this participant
    wait_idle(participant)
    item = participant.locator("[class*='st-key-item_partner_FI1D_']").first
    item.wait_for(timeout=60_000)
    assert item.get_by_role("button", name="Voted ✓").is_disabled()

    # The facilitator sees the tally change without reloading (the board reruns every few seconds).
    tally = page.locator("[class*='st-key-tally_']", has_text=label).first
    tally.locator("[data-testid='stMetricValue']", has_text="1").wait_for(timeout=30_000)
    tally.get_by_text("Comment: *Add the ports* [map](http://x)").wait_for(timeout=30_000)  # text, not markup
    screenshot(page, "workshop-board")

    # The report: Markdown at once, the PDF once its scenes' charts are drawn.
    page.get_by_role("tab", name="Report").click()
    page.get_by_role("button", name="Make the PDF report").click()
    page.get_by_role("button", name="Download the PDF report").wait_for(timeout=120_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF report").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")

    # Nothing else to write for the participant: the workshop page asks for an editor, the data page too.
    participant.goto(f"{workshop_app}/workshop")
    wait_idle(participant)
    body = participant.inner_text("body")
    assert "Facilitators (editors) build and present workshops here" in body
    assert participant.get_by_role("button", name="Create workshop").count() == 0
    assert participant.get_by_role("button", name="Save scene").count() == 0
    participant.goto(f"{workshop_app}/data")
    wait_idle(participant)
    assert participant.get_by_role("button", name="Sign in").count() == 1
    assert participant.get_by_text("Upload", exact=True).count() == 0

    # The agenda and the join code's row at 1280×720, in normal and in large type: every button's word whole.
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_role("tab", name="Agenda").click()
    wait_idle(page)
    assert page.get_by_role("button", name="Present").count() == 3
    assert clipped(page) == []
    page.locator(SIDEBAR).get_by_text("Large type for screen-sharing").click()
    wait_idle(page)
    assert clipped(page) == []
    screenshot(page, "workshop-agenda-large-1280")
    facilitator.context.close()
    participant.context.close()


def test_an_editors_whole_menu_fits_at_1280_and_1920_in_normal_and_large_type(workshop_app: str, browser) -> None:
    """Every page an editor may open is in the top menu as a link or in its group, with no "N more" overflow,
    at 1280×720 and 1920×1080, in normal and in large type (the facilitator's screen-sharing mode)."""
    links = [spec.menu or spec.title for spec in nav.PAGES if spec.section == nav.TOP]
    groups = sorted({spec.section for spec in nav.PAGES if spec.section != nav.TOP})
    assert links == ["Home", "Map", "Flows", "Region profile", "Matchmaking", "About", "Data"]
    assert groups == ["Workshop"]
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.goto(f"{workshop_app}/data")
    wait_idle(page)
    sign_in(page, "Anna", PASSWORD)
    for large in (False, True):
        if large:
            page.locator(SIDEBAR).get_by_text("Large type for screen-sharing").click()
            wait_idle(page)
            assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "21px"
        for width, height in ((1280, 720), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(500)  # the menu measures its items again
            assert top_menu(page) == (links, groups, []), (width, large)
            screenshot(page, f"menu-editor-{width}{'-large' if large else ''}")
    page.locator("[data-testid='stTopNavSection']", has_text="Workshop").click()
    for title in ("Workshop", "Join a workshop"):
        assert page.get_by_role("menuitem", name=title, exact=True).is_visible()
    page.context.close()
