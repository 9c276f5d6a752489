"""An analyst in Chromium: signs in on the Data page, uploads a Eurostat bulk TSV with the file chooser,
defines the new indicator, commits, and finds the indicator on the map. Runs its own server with an
editor password in a secrets file of its own."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from components import state

from .conftest import commit, editor_server, screenshot, sign_in, wait_idle

pytestmark = pytest.mark.e2e

PASSWORD = "upload-" + uuid.uuid4().hex[:8]
NAME = "Enterprises in wood and paper (Eurostat SBS)"
# Eurostat's bulk download layout: combined first column, one column per year, flags after the values.
TSV = (
    "freq,nace_r2,unit,geo\\TIME_PERIOD\t2021 \t2022 \t2023 \n"
    "A,C16,NR,SE33\t410 \t425 p\t: \n"
    "A,C17,NR,SE33\t35 \t36 \t37 p\n"
    "A,C16,NR,FI1D\t520 e\t530 \t541 \n"
    "A,C17,NR,FI1D\t48 \t: c\t50 \n"
    "A,C16,NR,EE00\t1210 \t1190 \t1175 \n"
)


def type_into(page, key: str, text: str) -> None:
    """Type into the text input with this widget key and press Enter, as a person would; wait for the rerun."""
    field = page.locator(f".st-key-{key} input")
    field.wait_for(state="visible", timeout=60_000)
    field.fill(text)
    field.press("Enter")
    wait_idle(page)
    assert field.input_value() == text


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from editor_server(tmp_path_factory, "e2e-upload", PASSWORD)


def test_analyst_uploads_eurostat_tsv_and_sees_the_indicator_on_the_map(upload_app: str, page, tmp_path: Path) -> None:
    url = upload_app
    download = tmp_path / "estat_sbs_r_nuts2021.tsv.gz"
    download.write_bytes(gzip.compress(TSV.encode()))

    page.goto(f"{url}/data")
    wait_idle(page)
    assert "This page is for editors" in page.inner_text("body")
    nav = page.locator("[data-testid='stTopNav']")
    assert "Data" not in nav.inner_text(), "viewers do not see the Data page listed"
    sign_in(page, "Analyst Anna", PASSWORD)
    assert "Signed in as editor: Analyst Anna" in page.inner_text("body")
    assert "Data" in nav.inner_text(), "editors see the Data page listed"

    assert "Quantitative data by region, NACE sector" in page.inner_text("body"), "observations is the default table"
    bad = tmp_path / "regional_employment.csv"
    bad.write_text(
        "region_id;sector;indicator;year;value;unit;source\n"
        "NO01;C16;employment;2019;1 200;persons;<b>SSB</b>\n"
        "SE33;16;employment;2019;-4;persons;SCB\n",
        encoding="cp1252",
    )
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(bad))
    page.get_by_text("problem(s) to fix").wait_for(timeout=60_000)
    wait_idle(page)
    assert "4 problem(s) to fix in regional_employment.csv" in page.inner_text("body")
    assert page.get_by_role("button", name="Commit as a new version of 'regional_employment'").is_disabled()
    page.locator("[data-testid='stDataFrame']").first.scroll_into_view_if_needed()
    screenshot(page, "data-upload-errors")

    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(download))
    page.get_by_text("Read as Eurostat bulk TSV").wait_for(timeout=60_000)
    wait_idle(page)
    body = page.inner_text("body")
    assert "Read as Eurostat bulk TSV" in body and "rows of year and value" in body  # ':' cells: missing values
    type_into(page, "const_indicator", "sbs_enterprises")
    type_into(page, "newind_name_sbs_enterprises", NAME)
    type_into(page, "newind_unit_sbs_enterprises", "enterprises")
    body = page.inner_text("body")
    assert "No errors in estat_sbs_r_nuts2021.tsv.gz" in body
    page.wait_for_selector(".js-plotly-plot .bars path")
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    # 2023: SE33's C16 is ':' so its total has a missing part and gets no bar; FI1D and EE00 get one each
    assert page.locator(".js-plotly-plot .bars path").count() == 2, "the preview chart: one bar per complete region"
    assert "1 with a missing value not shown" in page.locator(".js-plotly-plot").first.inner_text()
    screenshot(page, "data-upload-preview")

    commit(page, "Commit as a new version of 'Eurostat sbs_r_nuts2021'")
    assert "Stored version" in page.inner_text("body")
    screenshot(page, "data-upload-committed")
    page.get_by_role("tab", name="Versions").click()
    wait_idle(page)
    assert page.get_by_role("button", name="Make current").is_visible()
    screenshot(page, "data-versions")

    page.get_by_role("link", name="Map").first.click()
    wait_idle(page)
    picker = page.locator(f".st-key-{state.Map.INDICATOR.replace('.', '-')}")
    picker.click()
    option = page.get_by_role("option", name=NAME)
    option.wait_for(timeout=30_000)
    option.click()
    wait_idle(page)
    assert f"{state.Map.INDICATOR}=Enterprises+in+wood+and+paper" in page.url, "the picker holds the new indicator"
    page.locator("[data-testid='stDeckGlJsonChart'], .deckgl-overlay, canvas").first.wait_for(timeout=60_000)
    assert NAME in page.inner_text("body"), "the map's caption and legend name the indicator"
    screenshot(page, "map-uploaded-indicator")


def test_deleting_a_fix_gives_the_demo_data_its_row_back(upload_app: str, page, tmp_path: Path) -> None:
    """A one-row fix takes a demo value over; deleting the fix from the Versions tab brings the demo row back,
    and the message says so."""
    fix = tmp_path / "patent_fix.csv"
    fix.write_text(
        "region_id,sector,indicator,year,value,unit,source\nSE33,C16,patents,2021,5,applications,PRV register\n",
        encoding="utf-8",
    )
    page.goto(f"{upload_app}/data")
    wait_idle(page)
    sign_in(page, "Analyst Bo", PASSWORD)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(fix))
    page.get_by_text("No errors in patent_fix.csv").wait_for(timeout=60_000)
    type_into(page, "upload_dataset", "Patent fix")
    assert "rows of dataset 'Demo data (synthetic)' with the same key are replaced" in page.inner_text("body")
    commit(page, "Commit as a new version of 'Patent fix'")

    page.get_by_role("tab", name="Versions").click()
    wait_idle(page)
    page.locator("[class*='st-key-version_pick_']").click()
    page.get_by_role("option", name=re.compile(r"Patent fix · observations · current")).click()
    wait_idle(page)
    page.get_by_role("button", name="Delete…").click()
    wait_idle(page)
    page.get_by_role("button", name=re.compile(r"Yes, delete version \d+")).click()
    page.get_by_text("has its rows back").wait_for(timeout=60_000)
    wait_idle(page)
    body = page.inner_text("body")
    assert "Dataset 'Demo data (synthetic)' has its rows back" in body
    picked = page.locator("[class*='st-key-version_pick_'] input").input_value()
    assert picked.endswith("Patent fix · observations · deleted · 1 row"), picked
    screenshot(page, "data-delete-gives-rows-back")


def test_a_recipe_downloaded_from_the_page_fills_the_page_for_the_next_file(
    upload_app: str, page, tmp_path: Path
) -> None:
    file = tmp_path / "estat_nama_10r_3empers.tsv"
    file.write_text(TSV.replace("NR", "THS"), encoding="utf-8")
    page.goto(f"{upload_app}/data")
    wait_idle(page)
    sign_in(page, "Analyst Anna", PASSWORD)
    uploaders = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    uploaders.first.set_input_files(str(file))
    page.get_by_text("Read as Eurostat bulk TSV").wait_for(timeout=60_000)
    wait_idle(page)
    type_into(page, "const_indicator", "wood_ths")
    type_into(page, "newind_name_wood_ths", "Wood industry employment")
    type_into(page, "newind_unit_wood_ths", "thousand persons")
    type_into(page, "upload_dataset", "Wood employment")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download recipe").click()
    saved = tmp_path / "wood.recipe.json"
    info.value.save_as(saved)
    recipe = json.loads(saved.read_text(encoding="utf-8"))
    assert info.value.suggested_filename == "estat_nama_10r_3empers.recipe.json"
    assert recipe["constants"]["indicator"] == "wood_ths" and recipe["dataset"] == "Wood employment"
    assert recipe["new_indicators"][0]["name"] == "Wood industry employment"

    page.goto(f"{upload_app}/data")  # a new session: nothing of the above is on the page any more
    wait_idle(page)
    sign_in(page, "Analyst Anna", PASSWORD)
    uploaders.first.set_input_files(str(file))
    page.get_by_text("Read as Eurostat bulk TSV").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator(".st-key-upload_dataset input").input_value() == "Eurostat nama_10r_3empers"
    page.get_by_text("Load a recipe").click()
    uploaders.nth(1).set_input_files(str(saved))
    page.get_by_text("its choices are filled in below").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator(".st-key-upload_dataset input").input_value() == "Wood employment"
    assert page.locator(".st-key-const_indicator input").input_value() == "wood_ths"
    assert page.locator(".st-key-newind_name_wood_ths input").input_value() == "Wood industry employment"
    assert "No errors in estat_nama_10r_3empers.tsv" in page.inner_text("body")
    page.get_by_text("Load a recipe").scroll_into_view_if_needed()
    screenshot(page, "data-recipe-loaded")
