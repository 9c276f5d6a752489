"""The flows page in headless Chromium: a deep link draws the Sankey, a sidebar filter redraws it,
downloads work, large type stays readable."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pandas as pd
import pytest
from playwright.sync_api import Page

from components.state import Flows
from valuechain import demo

from .conftest import choose_country, screenshot, wait_idle

pytestmark = pytest.mark.e2e

LINKS = "path.sankey-link"
REGION_VIEW = quote("Region → stage → region")


@pytest.fixture(scope="module")
def flows() -> pd.DataFrame:
    """The flows the app seeds on first start (the generator is seeded, so these are the same rows)."""
    return demo.generate()["flows"]


def goods(flows: pd.DataFrame, countries: tuple[str, ...], year: int = 2023) -> pd.DataFrame:
    f = flows[(flows["chain_id"] == "circular_bioeconomy") & (flows["year"] == year) & (flows["kind"] == "goods")]
    return f[f["from_region"].str[:2].isin(countries) | f["to_region"].str[:2].isin(countries)]


def node_labels(page) -> list[str]:
    return page.locator("g.sankey-node text.node-label").all_text_contents()


def shown(page) -> str:
    return page.locator("[data-testid='stCaptionContainer']", has_text="Shown:").first.inner_text()


def test_deep_link_draws_the_sankey_and_the_country_filter_redraws_it(
    app_url: str, page: Page, flows: pd.DataFrame
) -> None:
    page.goto(f"{app_url}/flows?country=SE&{Flows.VIEW}={REGION_VIEW}&{Flows.TOP}=6")
    wait_idle(page)
    page.wait_for_selector(LINKS)
    before = page.locator(LINKS).count()
    sweden = goods(flows, ("SE",))
    assert before == sweden.pipe(_region_links, top=6)
    labels = node_labels(page)
    assert "SE11 Stockholm" in labels and not any(label.startswith("FI") for label in labels)
    assert f"{sweden['value'].sum():,.1f} EUR million of goods in {len(sweden):,} flows" in shown(page)
    screenshot(page, "flows-region-se")

    choose_country(page, "FI")
    page.wait_for_function("() => location.search.includes('country=FI')")
    assert parse_qs(urlparse(page.url).query)["country"] == ["SE", "FI"]
    both = goods(flows, ("SE", "FI"))
    page.wait_for_function(
        "(n) => document.querySelectorAll('path.sankey-link').length === n", arg=both.pipe(_region_links, top=6)
    )
    assert any(label.startswith("FI") for label in node_labels(page))
    assert f"{both['value'].sum():,.1f} EUR million of goods in {len(both):,} flows" in shown(page)
    screenshot(page, "flows-region-se-fi")


def _region_links(f: pd.DataFrame, top: int) -> int:
    """Links the region view draws: region (top N + other) → transition → region, per side."""
    f = f.assign(transition=f["from_stage"] + ">" + f["to_stage"])
    count = 0
    for column in ("from_region", "to_region"):
        ranked = f.groupby(column)["value"].sum().sort_values(ascending=False).index.tolist()
        keep = set(ranked) if len(ranked) <= top + 1 else set(ranked[:top])
        count += (
            f.assign(node=f[column].where(f[column].isin(keep), "other"))[["node", "transition"]]
            .drop_duplicates()
            .shape[0]
        )
    return count


def test_stage_view_downloads_csv_and_offline_html(app_url: str, page: Page, flows: pd.DataFrame) -> None:
    page.goto(f"{app_url}/flows?country=EE&year=2021")
    wait_idle(page)
    page.wait_for_selector(LINKS)
    assert page.locator(LINKS).count() == 5
    headers = ["".join(h.split()) for h in page.locator(".annotation-text").all_text_contents()]
    assert headers == [
        "".join(h.split())
        for h in (  # stage names above their columns, wrapped onto lines
            "Recovered from End-of-life & recovery",
            "Biomass supply",
            "Processing",
            "Bio-based products",
            "Use & markets",
            "End-of-life & recovery",
        )
    ]
    screenshot(page, "flows-stage-ee")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download flows (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    expected = goods(flows, ("EE",), 2021)
    assert len(rows) == len(expected)
    assert sum(float(r["value"]) for r in rows) == pytest.approx(expected["value"].sum())
    assert {r["source"] for r in rows} == {"demo data (synthetic), generator valuechain.demo seed 20261125"}

    with page.expect_download() as info:
        page.get_by_role("button", name="Download chart (HTML, works offline)").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert len(text) > 1_000_000 and '"type":"sankey"' in text.replace(" ", "")  # plotly.js inlined
    assert "demo data (synthetic)" in text


def test_large_type_and_drill_down_from_the_focus_region(app_url: str, page: Page) -> None:
    page.set_viewport_size({"width": 1400, "height": 2200})
    page.goto(f"{app_url}/flows?present=true&region={quote('SE33 Övre Norrland')}")
    wait_idle(page)
    page.wait_for_selector(LINKS)
    assert page.get_by_role("heading", name="Partners of SE33 Övre Norrland").is_visible()
    page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas")
    size = page.locator(".annotation-text").first.evaluate("e => getComputedStyle(e).fontSize")
    assert size == "20px"
    screenshot(page, "flows-drill-large-type")
