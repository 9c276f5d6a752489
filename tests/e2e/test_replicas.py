"""Two app servers (replicas) on one PostgreSQL database, as deploy/ runs them behind a proxy: an upload
committed through one shows on the other at its next rerun, and idea cards saved on both at once are all kept.
Needs the throwaway cluster of scripts/test.sh (VALUECHAIN_TEST_PG_URL)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from components.state import Matchmaking
from tests.conftest import _postgres_database, make_store
from valuechain import demo

from .conftest import commit, editor_server, go_to, screenshot, sign_in, wait_idle

pytestmark = pytest.mark.e2e

PASSWORD = "replica-" + uuid.uuid4().hex[:8]
MATCHMAKING = "matchmaking?region=SE33+%C3%96vre+Norrland"
BADGE = re.compile(r"Data on screen: (.+?) · revision (\d+)")


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """One fresh database, seeded once before the replicas start (as deploy/ does with `valuechain init`)."""
    for url in _postgres_database():
        store = make_store(url)
        demo.seed_store(store)
        store.close()
        yield url


@pytest.fixture(scope="module")
def replica_a(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[str]:
    yield from editor_server(tmp_path_factory, "replica-a", PASSWORD, db_url=database)


@pytest.fixture(scope="module")
def replica_b(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[str]:
    yield from editor_server(tmp_path_factory, "replica-b", PASSWORD, db_url=database)


def new_page(browser):
    """A tab of its own (its own session and route cookie), patient: both replicas share a busy machine."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(120_000)
    return page


def open_page(page, url: str, ready: str) -> None:
    """Open `url` and wait for `ready` (a busy machine can take long over a first view)."""
    page.goto(url)
    page.get_by_text(ready).first.wait_for(timeout=120_000)
    wait_idle(page)


def badge(page) -> tuple[str, int]:
    """What the sidebar says is on screen, and the store revision it was drawn from."""
    found = BADGE.search(page.locator("[data-testid='stSidebar']").inner_text())
    assert found, "the sidebar names the data on screen"
    return found.group(1), int(found.group(2))


def test_an_upload_committed_on_one_replica_shows_on_the_other_at_its_next_rerun(
    replica_a: str, replica_b: str, browser, tmp_path: Path
) -> None:
    viewer = new_page(browser)
    open_page(viewer, f"{replica_b}/about", "Data on screen")
    label, before = badge(viewer)
    assert label == "Demo data (synthetic)"

    editor = new_page(browser)
    open_page(editor, f"{replica_a}/data", "Sign in as editor")
    sign_in(editor, "Replica A editor", PASSWORD)
    fix = tmp_path / "patents_replica.csv"
    fix.write_text(
        "region_id,sector,indicator,year,value,unit,source\nSE33,C16,patents,2021,7,applications,PRV register\n"
    )
    editor.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(fix))
    editor.get_by_text("No errors in patents_replica.csv").wait_for(timeout=120_000)
    wait_idle(editor)
    commit(editor, re.compile("^Commit as a new version"))

    # The same browser session on replica B, next rerun (a page change in the top menu): no reload, no restart.
    go_to(viewer, "Home")
    label, after = badge(viewer)
    assert after > before, "replica B reads the revision from the database, not from its own memory"
    assert label.startswith("Demo data (synthetic) + uploaded data")
    screenshot(viewer, "replica-b-sees-upload-from-a")


def test_idea_cards_saved_on_both_replicas_at_once_are_all_kept(
    replica_a: str, replica_b: str, database: str, browser
) -> None:
    pages = []
    for url, who in ((replica_a, "Facilitator A"), (replica_b, "Facilitator B")):
        page = new_page(browser)
        open_page(page, f"{url}/{MATCHMAKING}", Matchmaking.TABS[2])
        page.get_by_role("tab", name=Matchmaking.TABS[2]).click()  # idea cards live in this tab
        page.get_by_text("Sign in as editor").first.wait_for(timeout=120_000)
        sign_in(page, who, PASSWORD)
        pages.append(page)
    before = len(stored_ideas(database))
    titles = []
    for round_ in range(3):
        for i, page in enumerate(pages):  # fill both forms, then press both buttons before waiting for either
            title = f"Card {round_}-{'AB'[i]} {uuid.uuid4().hex[:6]}"
            titles.append(title)
            form = page.locator("[data-testid='stForm']", has_text="Save idea card")
            form.get_by_label("Title").fill(title)
            form.get_by_label("Next steps").fill(f"written on replica {'AB'[i]}")
        for page in pages:
            page.locator("[data-testid='stForm']", has_text="Save idea card").get_by_role(
                "button", name="Save idea card"
            ).click(no_wait_after=True)
        for page in pages:
            wait_idle(page)
            assert "Saved idea card #" in page.inner_text("body")
    ideas = stored_ideas(database)
    assert len(ideas) == before + 6
    assert ideas["idea_id"].is_unique
    assert set(titles) <= set(ideas["title"]), "no card written at the same moment on the other replica is lost"
    for page in pages:  # each replica lists every card at its next rerun, whichever replica saved it
        page.reload()
        wait_idle(page)
        body = page.inner_text("body")
        assert all(t in body for t in titles)


def stored_ideas(database: str) -> pd.DataFrame:
    """The idea cards as stored (read straight from the database, not through either replica)."""
    store = make_store(database)
    try:
        return store.current("ideas")
    finally:
        store.close()
