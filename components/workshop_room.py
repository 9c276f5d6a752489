"""The workshop page's pieces: the agenda editor and the live board (editors), the participant view, the report.

Participants hold a random token (no account): in this session, and in a cookie of their browser so a
reload keeps their votes theirs. Everything they wrote is shown with st.text: text, never markup.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components import data as app_data
from components import layout, state
from components import workshop as scenes_ui
from valuechain import matching, render, workshop
from valuechain.query import Data
from valuechain.store import MAX_COMMENT_CHARS, Identity, Store, StoreError

COOKIE = "vc_participant"
_PARTICIPANT = "_participant"
_MESSAGE = "_room_message"
LIVE_SECONDS = 3


# --- editors: workshops and their agenda ------------------------------------------------------------


def create_form(store: Store, who: Identity) -> None:
    with st.form("new_workshop", border=True):
        st.text_input("New workshop", key="ws_new_title", max_chars=120, placeholder="e.g. Bioeconomy partners, Turku")
        if st.form_submit_button("Create workshop", icon=":material/add:"):
            try:
                workshop_id, code = store.create_workshop(st.session_state["ws_new_title"], who=who)
            except StoreError as exc:
                st.error(layout.plain(exc))
            else:
                st.session_state[state.WorkshopPage.PICK] = workshop_id
                st.success(f"Created. Participants join with the code **{code}**.")


def pick(store: Store) -> dict | None:
    """The workshop to work on, bound to the URL (`?workshop=…`)."""
    workshops = store.workshops()
    if workshops.empty:
        st.caption("No workshop yet.")
        return None
    titles = dict(zip(workshops["workshop_id"].astype(int), workshops["title"], strict=True))
    workshop_id = st.selectbox(
        "Workshop", list(titles), format_func=lambda i: str(titles[i]), key=state.WorkshopPage.PICK, bind=state.URL
    )
    return store.workshop(int(workshop_id))


def _run(action: Callable[..., object], *args: object, **kwargs: object) -> None:
    """A button's store call; its error is shown above the agenda on the next run."""
    try:
        action(*args, **kwargs)
    except StoreError as exc:
        st.session_state[_MESSAGE] = str(exc)


def agenda(store: Store, ws: dict, who: Identity) -> pd.DataFrame:
    """The scenes in order: open, present, move, edit, delete; each with its link."""
    message = st.session_state.pop(_MESSAGE, None)
    if message:
        st.error(layout.plain(message))
    scenes = store.scenes(ws["workshop_id"])
    if scenes.empty:
        st.info(
            "No scenes yet. Open any page, set it up as you want to show it, and use **Save this view as a scene** "
            "in the sidebar.",
            icon=":material/slideshow:",
        )
        return scenes
    for scene in scenes.to_dict("records"):
        with st.container(border=True, key=f"scene_row_{scene['scene_id']}"):
            # The title takes the room the buttons leave; each button is as wide as its word (equal columns cut
            # "Present" to "P." in large type), and the buttons, kept together, go below the title when the row is
            # too narrow.
            row = st.container(horizontal=True, vertical_alignment="center")
            row.markdown(
                f"**{scene['position']}. {layout.plain(scene['title'])}** · "
                f"{workshop.PAGE_TITLES.get(scene['page'], layout.plain(scene['page']))}",
                width="stretch",
            )
            sid = int(scene["scene_id"])
            top = row.container(horizontal=True, width="content", wrap=False)
            top.button("Open", key=f"open_{sid}", on_click=scenes_ui.go_to, args=(scene, ws["workshop_id"], False))
            top.button("Present", key=f"present_{sid}", on_click=scenes_ui.go_to, args=(scene, ws["workshop_id"], True))
            top.button("↑", key=f"up_{sid}", on_click=_run, args=(store.move_scene, sid, -1), kwargs={"who": who})
            top.button("↓", key=f"down_{sid}", on_click=_run, args=(store.move_scene, sid, 1), kwargs={"who": who})
            top.button("Delete", key=f"del_{sid}", on_click=_run, args=(store.delete_scene, sid), kwargs={"who": who})
            if scene["note"]:
                st.text(scene["note"])
            link = f"/{scene['page']}?" + urlencode(scenes_ui.scene_params(scene, ws["workshop_id"], False), doseq=True)
            st.caption("Link to this scene (append to the app's address):")
            st.code(link, language=None)
    return scenes


def controls(store: Store, ws: dict, who: Identity) -> None:
    row = st.container(horizontal=True, vertical_alignment="center")  # each part as wide as its words
    row.metric("Join code", ws["code"], help="Participants open the Join page and type this code.", width="content")
    label = "Reopen voting" if ws["closed"] else "Close: freeze votes and comments"
    row.button(
        label,
        key="ws_close",
        on_click=_run,
        args=(store.set_closed, ws["workshop_id"], not ws["closed"]),
        kwargs={"who": who},
    )
    row.caption("Closed: votes and comments are frozen." if ws["closed"] else "Open: participants can vote.")


# --- the board: items, tallies, comments ------------------------------------------------------------


def items(data: Data, scenes: pd.DataFrame) -> pd.DataFrame:
    return workshop.vote_items(scenes, matching.ideas_view(data))


@st.fragment(run_every=LIVE_SECONDS)
def live_board(workshop_id: int) -> None:
    """Tallies and comments, reread from the store every few seconds while the page is open."""
    store = app_data.store()
    data = app_data.data()
    board = workshop.board(
        items(data, store.scenes(workshop_id)), store.tallies(workshop_id), store.comments(workshop_id)
    )
    if board.empty:
        st.caption("Nothing to vote on yet: save a matchmaking scene (its partner suggestions) or write idea cards.")
        return
    for row in board.itertuples():
        with st.container(border=True, key=f"tally_{row.item.replace(':', '_')}"):
            cols = st.columns([1, 6], vertical_alignment="center")
            cols[0].metric("Votes", row.votes, label_visibility="collapsed")
            cols[1].text(row.label)
            for comment in row.comments:
                cols[1].text(f"Comment: {comment}")
    st.caption(f"Updated every {LIVE_SECONDS} s · {pd.Timestamp.now(tz='UTC'):%H:%M:%S} UTC")


# --- the report ---------------------------------------------------------------------------------------


def report_downloads(store: Store, data: Data, ws: dict) -> None:
    """Markdown and PDF of the workshop: agenda with chart pictures, board, shortlists, sources and dates."""
    scenes = store.scenes(ws["workshop_id"])
    board = workshop.board(items(data, scenes), store.tallies(ws["workshop_id"]), store.comments(ws["workshop_id"]))
    report = workshop.make_report(ws, scenes, board, store.datasets_on_screen(), data.data_source())
    cols = st.columns(2)
    cols[0].download_button(
        "Report (Markdown)",
        workshop.markdown(report),
        file_name=f"workshop-{ws['workshop_id']}.md",
        mime="text/markdown",
        on_click="ignore",
        icon=":material/download:",
    )
    if cols[1].button("Make the PDF report", key="ws_pdf", icon=":material/picture_as_pdf:"):
        with st.spinner("Drawing the scenes' charts…"):
            st.session_state["_ws_pdf"] = workshop.pdf(report, render.chart_pngs(scenes["chart"].tolist()))
    if "_ws_pdf" in st.session_state:
        cols[1].download_button(
            "Download the PDF report",
            st.session_state["_ws_pdf"],
            file_name=f"workshop-{ws['workshop_id']}.pdf",
            mime="application/pdf",
            on_click="ignore",
            icon=":material/download:",
        )


# --- participants -------------------------------------------------------------------------------------


def participant(store: Store) -> Identity | None:
    """This browser's participant identity: from this session, or from its cookie after a reload."""
    token = st.session_state.get(_PARTICIPANT) or st.context.cookies.get(COOKIE)
    if not token:
        return None
    who = Identity(str(token), "participant")
    return who if store.participant_workshop(who) is not None else None


def join_form(store: Store) -> None:
    with st.form("join", border=True):
        st.text_input("Workshop code", key="join_code", max_chars=12, placeholder="e.g. K7QM2P")
        if st.form_submit_button("Join", type="primary"):
            try:
                who = store.join(st.session_state["join_code"])
            except StoreError as exc:
                st.error(layout.plain(exc))
                return
            st.session_state[_PARTICIPANT] = who.name
            st.rerun()


def remember(who: Identity) -> None:
    """Keep the token in a cookie of this browser (one vote per browser also after a reload)."""
    st.html(
        f"<script>document.cookie = {json.dumps(f'{COOKIE}={who.name}')} + '; path=/; max-age=86400; "
        "SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
    )


def vote_and_comment(store: Store, data: Data, who: Identity) -> None:
    """The participant view: each item with a vote button and a comment box; nothing else."""
    workshop_id = store.participant_workshop(who)
    assert workshop_id is not None
    ws = store.workshop(workshop_id) or {}
    st.subheader(str(ws.get("title", "")), anchor=False)
    if ws.get("closed"):
        st.info("The workshop is closed: votes and comments are frozen.", icon=":material/lock:")
    message = st.session_state.pop(_MESSAGE, None)
    if message:
        st.warning(layout.plain(message))
    mine = store.voted(who)
    board = items(data, store.scenes(workshop_id))
    if board.empty:
        st.caption("Nothing to vote on yet.")
    for row in board.itertuples():
        key = row.item.replace(":", "_")
        with st.container(border=True, key=f"item_{key}"):
            st.text(row.label)
            if row.why:
                st.caption(layout.plain(row.why))
            cols = st.columns([1, 4], vertical_alignment="bottom")
            voted = row.item in mine
            cols[0].button(
                "Voted ✓" if voted else "Vote",
                key=f"vote_{key}",
                disabled=voted or bool(ws.get("closed")),
                on_click=_run,
                args=(store.vote, row.item),
                kwargs={"who": who},
                type="secondary" if voted else "primary",
            )
            with cols[1].form(f"comment_{key}", border=False, clear_on_submit=True):
                inner = st.columns([4, 1], vertical_alignment="bottom")
                inner[0].text_input("Comment", key=f"text_{key}", max_chars=MAX_COMMENT_CHARS)
                inner[1].form_submit_button(
                    "Send",
                    disabled=bool(ws.get("closed")),
                    on_click=lambda item=row.item, k=f"text_{key}": _run(
                        store.comment, item, st.session_state.get(k, ""), who=who
                    ),
                )


def participant_only() -> None:
    """The join page shows nothing but the participant view: no sidebar, no page menu."""
    st.html(
        "<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], "
        "[data-testid='stExpandSidebarButton'] { display: none; }</style>"
    )
