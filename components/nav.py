"""The pages of the app in one list: app.py registers them, the home page explains them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from components import auth, state


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str  # as the page's heading and the home page's list of pages say it
    icon: str
    section: str  # the top menu's group of the page (TOP: a link of its own)
    purpose: str
    url_path: str | None = None
    menu: str = ""  # its shorter name in the top menu and the browser tab (default: the title)
    editors_only: bool = False  # viewers reach it only by its URL (to sign in); it is not listed for them
    # Its main chart is sent before the sidebar's filters (app.py draws them after the page). Such a page never calls
    # st.stop(): a stopped run draws nothing more, so the filters would be missing and lose their state.
    chart_first: bool = False


REPO = Path(__file__).resolve().parent.parent
TOP = ""  # section of the pages linked directly in the top menu (the others are grouped under their section)

_ALL = (
    PageSpec(
        "pages/home.py",
        "Home",
        ":material/home:",
        TOP,
        "The loaded data in numbers and what each page is for.",
        chart_first=True,
    ),
    PageSpec(
        "pages/map.py",
        "Map",
        ":material/map:",
        TOP,
        "Where each stage is strong, how big, and who is linked to whom (BSR step 1).",
        "map",
        chart_first=True,
    ),
    PageSpec(
        "pages/flows.py",
        "Value-chain flows",
        ":material/account_tree:",
        TOP,
        "How goods, knowledge and investment flow from stage to stage and region to region.",
        "flows",
        menu="Flows",
        chart_first=True,
    ),
    PageSpec(
        "pages/profile.py",
        "Region profile",
        ":material/location_city:",
        TOP,
        "A region's specialisation, actors, priorities, funding and peers (BSR steps 1–2).",
        "profile",
        chart_first=True,
    ),
    PageSpec(
        "pages/matchmaking.py",
        "Matchmaking",
        ":material/handshake:",
        TOP,
        "Complementary partner regions, with reasons, and joint investment ideas (BSR steps 3–4).",
        "matchmaking",
        chart_first=True,
    ),
    PageSpec(
        "pages/about.py",
        "About & method",
        ":material/menu_book:",
        TOP,
        "The four BSR S3 steps, every indicator formula, data sources, versions and licences.",
        "about",
        menu="About",
    ),
    PageSpec(
        "pages/data.py",
        "Data",
        ":material/upload_file:",
        TOP,
        "Upload, validate, version and roll back datasets (editors only).",
        "data",
        editors_only=True,
    ),
    PageSpec(
        "pages/workshop.py",
        "Workshop",
        ":material/slideshow:",
        "Workshop",
        "Build an agenda of saved views, present it, see the room's votes live, download the report (editors).",
        "workshop",
        editors_only=True,
    ),
    PageSpec(
        "pages/join.py",
        "Join a workshop",
        ":material/how_to_vote:",
        "Workshop",
        "Participants: type the workshop's code, vote on partners and ideas, leave a comment.",
        "join",
    ),
)
# A page appears once its file exists: nothing is registered before it works.
PAGES = tuple(spec for spec in _ALL if (REPO / spec.path).exists())


def pages() -> dict[str, list[st.Page]]:
    """st.navigation's input, grouped by section. A section with one page this person may open is a link of its
    own (a dropdown of one only hides the page behind a click): viewers get "Join a workshop" as a link, editors
    get the Workshop group. Titles are the short `menu` names, so that an editor's whole menu fits at 1280 px."""
    editor = auth.identity().can_write
    shown = [spec for spec in PAGES if editor or not spec.editors_only]
    sizes = Counter(spec.section for spec in shown)
    out: dict[str, list[st.Page]] = {}
    for i, spec in enumerate(PAGES):
        page = st.Page(
            spec.path,
            title=spec.menu or spec.title,
            icon=spec.icon,
            default=i == 0,
            visibility="visible" if spec in shown else "hidden",
            **({"url_path": spec.url_path} if spec.url_path else {}),
        )
        out.setdefault(spec.section if sizes[spec.section] > 1 else TOP, []).append(page)
    return out


def chart_first(url_path: str) -> bool:
    """Whether the page at `url_path` (st.navigation's, "" for the home page) sends its chart before the filters."""
    return any(spec.chart_first and (spec.url_path or "") == url_path for spec in PAGES)


def editor_link() -> None:
    """Viewers do not see the Data page in the menu; this is their way to sign in as an editor."""
    spec = next((p for p in PAGES if p.editors_only), None)
    if spec is not None and not auth.identity().can_write:
        st.sidebar.page_link(spec.path, label="Editor sign-in", icon=":material/login:")


def page_directory() -> None:
    """One link per page with what it is for."""
    editor = auth.identity().can_write
    for spec in PAGES[1:]:
        if spec.editors_only and not editor:
            continue
        st.page_link(spec.path, label=f"**{spec.title}** — {spec.purpose}", icon=spec.icon)


def mark_shell() -> None:
    """Called by app.py: this session runs pages through st.navigation."""
    st.session_state[state.SHELL_RAN] = True


def ensure_shell() -> None:
    """Make a deep link work on a freshly started server.

    Until some session has called st.navigation, Streamlit treats a `pages/` folder the legacy way and
    runs a deep-linked page (e.g. /map) without app.py, so without filters. Switch that mode off for
    the process and rerun: the rerun goes through app.py and st.navigation picks the same page.

    Streamlit 1.67 has no supported switch for this: PagesManager sets `uses_pages_directory` when a
    `pages/` folder lies beside the main script, and only st.navigation clears it
    (streamlit/runtime/pages_manager.py, commands/navigation.py); `client.showSidebarNavigation` only hides
    the legacy menu. The supported way out is renaming the folder, which the design keeps. If an upgrade
    moves the flag, tests/e2e/test_shell.py (deep link as a fresh server's first request) fails.
    """
    if st.session_state.get(state.SHELL_RAN):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()
