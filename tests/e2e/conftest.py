"""A real app server and headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = REPO / "tests" / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(env: dict[str, str], script: str = "app.py", cwd: Path = REPO) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run` in `cwd` (this checkout, or another one the benchmarks compare with) on a free loopback
    port and wait until it answers."""
    port = free_port()
    log = open(ARTIFACTS / f"server-{port}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"the app did not start; see {log.name}")


@contextmanager
def served(folder: Path, **env: str) -> Iterator[str]:
    """A freshly started app server on a new demo database in `folder` (extra env vars as keywords)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium package")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    full = {**os.environ, "VALUECHAIN_DB_PATH": str(folder / "app.duckdb")}
    full.pop("VALUECHAIN_DB_URL", None)
    full.update(env)
    proc, url = start_app(full)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("e2e")) as url:
        yield url


def editor_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, password: str, db_url: str = ""
) -> Iterator[str]:
    """A server whose secrets hold an editor password (for a module fixture), on a fresh demo DuckDB file or,
    with `db_url`, on that PostgreSQL database (several servers on one database are replicas)."""
    folder = tmp_path_factory.mktemp(name)
    secrets = folder / "secrets.toml"
    secrets.write_text(f'editor_password = "{password}"\n')
    db = {"VALUECHAIN_DB_URL": db_url} if db_url else {}
    with served(folder, STREAMLIT_SECRETS_FILES=str(secrets), **db) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    context.close()


def wait_idle(page: object, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (and started, if it was about to)."""
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)  # type: ignore[attr-defined]


def sign_in(page: object, name: str, password: str) -> None:
    """Sign in as an editor through the app's form, as a person would, and wait for the rerun."""
    login = page.locator("[data-testid='stForm']", has_text="Sign in as editor")  # type: ignore[attr-defined]
    login.get_by_label("Your name").fill(name)
    login.get_by_label("Editor password").fill(password)
    login.get_by_role("button", name="Sign in").click()
    wait_idle(page)


def commit(page: Any, button: str | re.Pattern[str] = "Commit as a new version") -> None:
    """Click the Data page's commit button (the first one with this name) and wait until the new version is stored
    and every page has been told."""
    page.get_by_role("button", name=button).first.click()
    page.get_by_text("Every page shows it now").wait_for(timeout=120_000)
    wait_idle(page)


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def choose_country(page: Any, code: str) -> None:
    """Pick a country in the sidebar filter as a user does: type its code, then click it (the filter sits low in
    the sidebar, where a list opened without typing may have no room to show)."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']", has_text="Countries")
    box.locator("input").click()
    page.keyboard.type(code)
    page.get_by_role("option", name=code, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def go_to(page: Any, title: str) -> None:
    """Open a page of the app from the top menu as a person does (inside the app: the session and its sign-in are
    kept): its own link, or the item inside its group or the overflow ("2 more"), opened first."""
    nav = page.locator("[data-testid='stTopNav']")
    link = nav.get_by_role("link", name=title, exact=True)
    if not link.is_visible():
        groups = nav.locator("[data-testid='stTopNavSection']")
        for i in range(groups.count()):
            group = groups.nth(i)
            if not group.is_visible() or group.evaluate("e => !!e.closest('[inert]')"):
                continue  # a copy the menu measures its width with, out of reach
            group.click()
            link = page.get_by_role("menuitem", name=title, exact=True)  # a group's pages are its menu's items
            if link.is_visible():
                break
            page.keyboard.press("Escape")
    link.click()
    wait_idle(page)


def top_menu(page: Any) -> tuple[list[str], list[str], list[str]]:
    """What the top menu shows, as a person sees it: its links, its groups (dropdowns) and any overflow ("3 more"),
    each only when visible, inside the window and not one of the copies the menu measures its width with."""
    links, groups, more = page.locator("[data-testid='stTopNav']").evaluate(
        """nav => {
            const shown = e => { const r = e.getBoundingClientRect();
                return !e.closest('[inert]') && r.width > 0 && r.right <= window.innerWidth; };
            const text = e => (e.querySelector('[data-testid=stMarkdownContainer]') || e).innerText.trim();
            const links = [...nav.querySelectorAll('[data-testid=stTopNavLink]')].filter(shown).map(text);
            const groups = [...nav.querySelectorAll('[data-testid=stTopNavSection]')].filter(shown).map(text);
            const more = [...nav.querySelectorAll('*')].filter(e => e.children.length === 0 && shown(e))
                .map(e => e.textContent.trim()).filter(t => /^\\d+ more$/.test(t));
            return [links, groups, more];
        }"""
    )
    return links, groups, more


def clipped(page: Any) -> list[str]:
    """Words the page cuts short (an ellipsis or hidden overflow: the text is wider than its box), in the main area
    and the sidebar, and words a widget or metric label breaks mid-word over two lines ("Complementar / ity"; at a
    hyphen a break is fine); formulas (KaTeX, measured in its own way) aside."""
    return page.evaluate(
        """() => {
            const cut = [];
            for (const e of document.querySelectorAll('[data-testid=stMain] *, [data-testid=stSidebar] *')) {
                if (e.closest('[inert], .katex') || !e.innerText || e.scrollWidth <= e.clientWidth + 1) continue;
                const style = getComputedStyle(e);
                if (style.textOverflow === 'ellipsis' || style.overflowX === 'hidden') {
                    cut.push(e.innerText.trim().replace(/\\n/g, ' '));
                }
            }
            const labels = document.querySelectorAll('[data-testid=stWidgetLabel], [data-testid=stMetricLabel]');
            for (const label of labels) {
                const walk = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
                for (let node = walk.nextNode(); node; node = walk.nextNode()) {
                    for (const word of node.textContent.matchAll(/[^\\s-]+/g)) {
                        const range = document.createRange();
                        range.setStart(node, word.index);
                        range.setEnd(node, word.index + word[0].length);
                        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                        if (lines.size > 1) cut.push(word[0]);
                    }
                }
            }
            return [...new Set(cut)].filter(t => t);
        }"""
    )
