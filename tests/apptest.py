"""AppTest helpers: the whole app (app.py with its navigation) on a seeded DuckDB file.

AppTest (Streamlit 1.67) loses the values of widgets drawn by app.py itself (the sidebar filters) on a
rerun under st.navigation, while widgets inside a page work. So tests set global filters through the
URL (`open_app(country=["SE"])`), which is also how users share views, and change page widgets with
`set_value(...).run()`. Interactive sidebar changes are tested in Chromium (tests/e2e).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest

from components import auth

REPO = Path(__file__).resolve().parent.parent


def open_app(page: str | None = None, *, editor: str | None = None, **query: str | list[str]) -> AppTest:
    """Run app.py, optionally with URL query parameters and on a given page (path under pages/); `editor`
    signs that name in as an editor (as the password form does)."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    if editor is not None:
        at.session_state[auth.EDITOR_SESSION_KEY] = editor
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plotly_spec(element: Any) -> dict:
    """A plotly chart's spec as the browser gets it, validated by plotly (pages hand their figures over without
    plotly's validation pass, components/chart_style.figure): a wrong property fails here."""
    spec = json.loads(element.proto.spec)
    go.Figure(spec)  # raises ValueError on any property plotly does not know
    return spec
