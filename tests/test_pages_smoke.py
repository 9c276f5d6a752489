"""Every registered page opens without an error, through app.py, with and without a focus region.

Parametrised over components.nav.PAGES, so a page is covered the day it is registered (README, "How to
change things"). Pages get their own tests for what they show; this one catches a page that cannot run.
"""

from __future__ import annotations

import pytest

from components import nav, state
from tests.apptest import open_app

pytestmark = pytest.mark.usefixtures("app_db")

REGION_LABEL = "SE33 Övre Norrland"


@pytest.mark.parametrize("region", [None, REGION_LABEL], ids=["no region", "focus region"])
@pytest.mark.parametrize("spec", nav.PAGES, ids=[spec.path for spec in nav.PAGES])
def test_every_registered_page_opens_without_an_error(spec: nav.PageSpec, region: str | None) -> None:
    at = open_app(spec.path, **({state.REGION: region} if region else {}))  # asserts no exception
    assert not at.error, [e.value for e in at.error]
    assert at.title, f"{spec.path} has no st.title"
