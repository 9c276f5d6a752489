"""Scenes: saving a view and reopening it restores the global filters and every option of the page.

Each test builds a view from a link, saves it as a scene, changes the page's options, then reopens the
scene by its link `?workshop=…&scene=…`. Reopening inside a running session (the agenda's buttons, the
presenter's keys, where the widgets' own values must give way to the scene's) is tested in Chromium
(tests/e2e/test_workshop.py): AppTest does not follow a page switch made by a button's callback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components.state import SCENE, SELECTION, WORKSHOP, Flows, Map, Matchmaking, Profile
from components.workshop import OFFER, offered_chart
from tests.conftest import make_store
from valuechain import matching
from valuechain.store import Identity

from .apptest import open_app

Values = Callable[[AppTest], dict[str, object]]
REGION = "FI1D Pohjois- ja Itä-Suomi"


def widget_values(*keys: str) -> Values:
    """The global filters (the Selection app.py drew; AppTest does not list app.py's sidebar widgets) and
    the values of the page's widgets with these keys."""

    def read(at: AppTest) -> dict[str, object]:
        found: dict[str, object] = {"selection": at.session_state[SELECTION]}
        for key in keys:
            widget = next(w for kind in _KINDS for w in getattr(at, kind) if w.key == key)
            found[key] = widget.value
        return found

    return read


_KINDS = ("selectbox", "multiselect", "radio", "toggle", "slider", "select_slider")


def save_change_reopen(
    app_db: Path, page: str, query: dict[str, Any], values: Values, change: Callable[[AppTest], None]
) -> None:
    store = make_store(str(app_db))
    workshop_id, _ = store.create_workshop(f"test {page}", who=Identity("tester", "editor"))
    at = open_app(page, **query)
    saved = values(at)
    # What the sidebar's Save button stores: the page and the URL's query parameters, which are the link that
    # opened this view (AppTest does not mirror widget changes into at.query_params; the browser test saves
    # through the sidebar and checks the URL). The chart is what the page offered while drawing.
    offer = at.session_state[OFFER]
    assert offer["chart"], "the page offers its chart for the report"
    state = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    title = f"Scene of {page}"
    store.add_scene(
        workshop_id,
        {
            "title": title,
            "note": "Say why",
            "page": page.removeprefix("pages/").removesuffix(".py"),
            "state": state,
            "chart": offered_chart(offer),
        },
        who=Identity("tester", "editor"),
    )

    change(at)
    at.run()
    assert values(at) != saved, "the change must change something, or the test proves nothing"

    # Reopened by its link in a new session: app.py navigates to the scene's page with the scene's URL.
    fresh = open_app(**{WORKSHOP: str(workshop_id), SCENE: "1"})
    assert values(fresh) == saved
    assert [t.value for t in fresh.title][:1] == [title]
    store.close()


@pytest.mark.usefixtures("app_db")
def test_map_scene_restores_indicator_classes_bubbles_and_flow_overlay(app_db: Path) -> None:
    query: dict[str, str | list[str]] = {
        "country": ["SE", "FI"],
        "region": REGION,
        Map.INDICATOR: "Location quotient (employment)",
        Map.CLASSES: "Equal interval",
        Map.FLOWS: "Goods flows",
        Map.TOP: "Largest 10",
        Map.BUBBLES: "true",
    }
    keys = (Map.INDICATOR, Map.CLASSES, Map.FLOWS, Map.TOP, Map.BUBBLES)

    def change(at: AppTest) -> None:
        at.selectbox(key=Map.CLASSES).set_value("quantiles")
        at.toggle(key=Map.BUBBLES).set_value(False)
        at.selectbox(key=Map.FLOWS).set_value(None)

    save_change_reopen(app_db, "pages/map.py", query, widget_values(*keys), change)


@pytest.mark.usefixtures("app_db")
def test_flows_scene_restores_view_kind_and_drill_down(app_db: Path) -> None:
    query: dict[str, str | list[str]] = {
        "country": ["EE", "LV"],
        Flows.VIEW: "Region → stage → region",
        Flows.KIND: "Knowledge",
        Flows.TOP: "5",
        Flows.NODE: "Processing",
    }
    keys = (Flows.VIEW, Flows.KIND, Flows.TOP, Flows.NODE)

    def change(at: AppTest) -> None:
        at.radio(key=Flows.KIND).set_value("goods")
        at.selectbox(key=Flows.NODE).set_value(None)

    save_change_reopen(app_db, "pages/flows.py", query, widget_values(*keys), change)


@pytest.mark.usefixtures("app_db")
def test_profile_scene_restores_peers(app_db: Path) -> None:
    query: dict[str, str | list[str]] = {"region": REGION, Profile.PEERS: ["SE33 Övre Norrland", "EE00 Eesti"]}
    keys = (Profile.PEERS, Profile.BENCHMARK.indicator, Profile.BENCHMARK.threshold)

    def change(at: AppTest) -> None:
        at.multiselect(key=Profile.PEERS).set_value(["SE33"])
        at.radio(key=Profile.BENCHMARK.threshold).set_value(matching.THRESHOLDS[1])

    save_change_reopen(app_db, "pages/profile.py", query, widget_values(*keys), change)


@pytest.mark.usefixtures("app_db")
def test_matchmaking_scene_restores_weights_and_partner(app_db: Path) -> None:
    weights = {Matchmaking.weight(c): str(w) for c, w in zip(matching.COMPONENTS, (5, 0, 1, 4, 2), strict=True)}
    query: dict[str, str | list[str]] = {"region": REGION, "country": ["FI", "SE", "EE"], **weights}
    keys = (*weights, Matchmaking.PARTNER, Matchmaking.TOP)

    def change(at: AppTest) -> None:
        for key in weights:
            at.slider(key=key).set_value(3)
        partner = at.selectbox(key=Matchmaking.PARTNER)
        partner.set_value(partner.options[-1].split(" ")[0])

    values = widget_values(*keys)
    save_change_reopen(app_db, "pages/matchmaking.py", query, values, change)
