"""Workshops in the app: a scene is a page and its URL query parameters, so saving one is reading the URL and
reopening one is navigating to it. Pages offer their main chart and their partner suggestions while they
draw; the sidebar saves them with the scene (the chart goes into the workshop report).

Presenter mode is a scene's URL (`?workshop=…&scene=…`) with large type on: no sidebar, no toolbar, the
scene's title on screen, the talking note folded away for the presenter, and next / previous by buttons and
by the keys a clicker sends (PageDown / PageUp, arrows).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import auth, layout, nav
from components import data as app_data
from components.state import AGENDA_KEYS, PRESENT, SCENE, WORKSHOP, WorkshopPage
from valuechain.store import StoreError

OFFER = "_scene_offer"  # what the page on screen offers to a scene: {"chart": figure or maker, "items": [...]}
_APPLIED = "_scene_applied"  # the (workshop, scene) whose state this session has navigated to
_GOTO = "_scene_goto"  # a scene to open at the start of the next run
_SAVED = "_scene_saved"
_PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none; }
.st-key-scene_title h1 { font-size: 2.6rem; line-height: 1.15; }
.st-key-scene_keys { display: none; }
</style>
"""


# --- what a page offers -----------------------------------------------------------------------------


def offer_chart(figure: Any | Callable[[], Any]) -> None:
    """The page's main chart (a plotly Figure, its dict, or a function making one): its picture goes into the
    workshop report. It is serialised only when a scene is saved (offered_chart), not on every rerun."""
    _offer()["chart"] = figure


def offered_chart(offer: dict[str, Any]) -> str | None:
    """The offered chart as plotly JSON, as a scene stores it (None when the page offered none)."""
    figure = offer.get("chart")
    if figure is None:
        return None
    if callable(figure) and not hasattr(figure, "to_plotly_json"):
        figure = figure()
    fig = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    return json.dumps(fig, default=_jsonable)


def offer_partners(region: str, ranked: pd.DataFrame, n: int = 5) -> None:
    """The best partner suggestions on screen: participants can vote on them."""
    _offer()["items"] = [
        {"item": f"partner:{region}:{r.region_id}", "label": f"{region} + {r.region_id} {r.name}", "why": str(r.why)}
        for r in ranked.head(n).itertuples()
    ]


def _offer() -> dict[str, Any]:
    return st.session_state.setdefault(OFFER, {})


def _jsonable(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else str(value)


# --- scenes: capture and navigate -------------------------------------------------------------------


def captured_state() -> dict[str, list[str]]:
    """Every URL query parameter of the view on screen (global filters and the page's options)."""
    return {k: st.query_params.get_all(k) for k in st.query_params if k not in AGENDA_KEYS}


def scene_params(scene: dict[str, Any], workshop_id: int, present: bool) -> dict[str, Any]:
    params: dict[str, Any] = {k: v for k, v in scene["state"].items() if k != PRESENT}
    params.update({WORKSHOP: str(workshop_id), SCENE: str(int(scene["position"]))})
    if present:
        params[PRESENT] = "true"
    return params


def _page(url_path: str) -> str:
    found = next((p.path for p in nav.PAGES if (p.url_path or "") == url_path), None)
    return found or nav.PAGES[0].path


def go_to(scene: dict[str, Any], workshop_id: int, present: bool) -> None:
    """Open `scene` at the start of the next run (callbacks cannot switch pages)."""
    st.session_state[_GOTO] = (scene["page"], scene_params(scene, workshop_id, present))


def follow() -> None:
    """Called first by app.py: open a scene asked for by a button or by a link `?workshop=…&scene=…`.

    The widgets' own state would win over the URL on a rerun, so every URL-bound key is forgotten first:
    the widgets of the scene's page then take their values from the scene's URL, or their defaults."""
    goto = st.session_state.pop(_GOTO, None)
    if goto is None:
        found = _scene_in_url()
        if found is None or st.session_state.get(_APPLIED) == found[:2]:
            return
        workshop_id, _, scene = found
        goto = (scene["page"], scene_params(scene, workshop_id, _presenting()))
    page, params = goto
    _forget_bound_widgets({*st.query_params, *params})
    st.session_state[_APPLIED] = (int(params[WORKSHOP]), int(params[SCENE]))
    st.session_state.pop(OFFER, None)
    st.switch_page(_page(page), query_params=params)


def _forget_bound_widgets(keys: set[str]) -> None:
    """Forget these widgets' values and their URL bindings, so they are seeded from the scene's URL.

    Streamlit 1.67 refuses to set a query parameter bound to a widget and lets a widget's session value win
    over the URL after the first run; it has no public way to say "this URL is a new view". The binding is
    dropped through the session's QueryParams (internal API, checked by the scene tests on every upgrade)."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as qp:
        for key in keys:
            binding = qp.get_binding_for_param(key)
            if binding is not None:
                qp.unbind_widget(binding.widget_id)
    for key in keys:
        st.session_state.pop(key, None)


def _presenting() -> bool:
    return st.query_params.get(PRESENT) == "true" or bool(st.session_state.get(PRESENT))


def _scene_in_url() -> tuple[int, int, dict[str, Any]] | None:
    try:
        workshop_id, position = int(st.query_params.get(WORKSHOP, "")), int(st.query_params.get(SCENE, ""))
    except ValueError:
        return None
    scenes = app_data.store().scenes(workshop_id)
    match = scenes[scenes["position"] == position]
    return None if match.empty else (workshop_id, position, match.iloc[0].to_dict())


# --- presenter bar ----------------------------------------------------------------------------------


def presenter_bar() -> None:
    """On a scene's URL: its title, the talking note, previous / next (buttons and clicker keys)."""
    found = _scene_in_url()
    if found is None:
        return
    workshop_id, position, scene = found
    scenes = app_data.store().scenes(workshop_id)
    presenting = _presenting()
    if presenting:
        st.html(_PRESENT_CSS)
    with st.container(key="scene_title"):
        st.title(scene["title"], anchor=False)
    cols = st.columns([2, 2, 4, 2], vertical_alignment="center")
    before = scenes[scenes["position"] < position].tail(1)
    after = scenes[scenes["position"] > position].head(1)

    def step(where: DeltaGenerator, label: str, target: pd.DataFrame, key: str, **how: Any) -> None:
        """A button to the scene before or after, pressed by a click or by the key a clicker sends."""
        where.button(
            label,
            key=f"scene_{key}",
            shortcut=key,
            disabled=target.empty,
            on_click=go_to,
            args=(target.iloc[0].to_dict() if len(target) else {}, workshop_id, presenting),
            **how,
        )

    step(cols[0], "‹ Previous", before, "PageUp", width="stretch")
    step(cols[1], "Next ›", after, "PageDown", width="stretch")
    cols[2].caption(f"Scene {position} of {len(scenes)}")
    if presenting:
        cols[3].button("Exit presenter mode", key="scene_exit", on_click=_exit_presenter)
    if scene["note"]:
        with st.expander("Talking note (presenter)"):
            st.text(scene["note"])
    keys = st.container(key="scene_keys")  # the arrow keys a clicker may send instead of PageUp / PageDown
    step(keys, "Previous", before, "Left")
    step(keys, "Next", after, "Right")


def _exit_presenter() -> None:
    st.session_state[PRESENT] = False


# --- saving a scene (editors, sidebar) --------------------------------------------------------------


def save_form(page_url_path: str) -> None:
    """Sidebar: save the view on screen as a scene of a workshop (editors only)."""
    who = auth.identity()
    if not who.can_write:
        return
    store = app_data.store()
    workshops = store.workshops()
    with st.sidebar.expander("Save this view as a scene", icon=":material/slideshow:"):
        if workshops.empty:
            st.page_link(_page(WorkshopPage.PAGE), label="Create a workshop first", icon=":material/add:")
            return
        titles = dict(zip(workshops["workshop_id"], workshops["title"], strict=True))
        in_url = st.query_params.get(WORKSHOP) or st.query_params.get(WorkshopPage.PICK)
        ids = list(titles)
        st.selectbox(
            "Workshop",
            ids,
            index=ids.index(int(in_url)) if in_url and in_url.isdigit() and int(in_url) in titles else 0,
            format_func=lambda i: titles[i],
            key="scene_workshop",
        )
        st.text_input("Scene title", key="scene_new_title", max_chars=120)
        st.text_area("Talking note", key="scene_new_note", max_chars=2000, height=90)
        st.button("Save scene", key="scene_save", on_click=_save, args=(page_url_path,), type="primary")
        saved = st.session_state.pop(_SAVED, None)
        if saved:
            (st.error if saved.startswith("!") else st.success)(layout.plain(saved.lstrip("!")))


def _save(page_url_path: str) -> None:
    offer = st.session_state.get(OFFER, {})
    scene = {
        "title": st.session_state.get("scene_new_title", ""),
        "note": st.session_state.get("scene_new_note", ""),
        "page": page_url_path,
        "state": captured_state(),
        "chart": offered_chart(offer),
        "items": offer.get("items", []),
    }
    try:
        app_data.store().add_scene(int(st.session_state["scene_workshop"]), scene, who=auth.identity())
    except StoreError as exc:
        st.session_state[_SAVED] = f"!{exc}"
        return
    st.session_state[_SAVED] = f"Saved “{scene['title']}”."
    st.session_state["scene_new_title"] = ""
    st.session_state["scene_new_note"] = ""


def start_page(page_url_path: str) -> None:
    """Called by app.py before the page runs: the page offers its chart and items afresh on every run (a
    Save click's callback reads what the previous, complete run offered)."""
    st.session_state[OFFER] = {"page": page_url_path}
