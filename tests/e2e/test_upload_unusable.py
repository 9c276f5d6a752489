"""An editor in Chromium loads the real Finnish ERDF project list (tests/real_files) with its recipe, minus the
choice to leave rows out: the two rows the publisher shifted are offered as one `unusable` group with their count
and what is wrong; one click leaves them out, the nine projects are committed, and the Versions tab counts the two
rows as unusable and hands them out as CSV."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import commit, editor_server, screenshot, sign_in, wait_idle
from .test_upload_layouts import leave_out, upload

pytestmark = pytest.mark.e2e

PASSWORD = "unusable-" + uuid.uuid4().hex[:8]
REAL = Path(__file__).resolve().parents[1] / "real_files" / "erdf_2014_2020_fi_projektilista.csv"
RECIPE = Path(__file__).resolve().parents[1] / "recipes" / "erdf_2014_2020_fi_projektilista.json"


@pytest.fixture(scope="module")
def unusable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from editor_server(tmp_path_factory, "e2e-unusable", PASSWORD)


def test_editor_leaves_the_shifted_rows_of_a_real_project_list_out_as_one_unusable_group(
    unusable_app: str, page, tmp_path: Path
) -> None:
    page.goto(f"{unusable_app}/data")
    wait_idle(page)
    sign_in(page, "Analyst Aino", PASSWORD)
    body = upload(page, REAL, "comma-separated")
    recipe = json.loads(RECIPE.read_text(encoding="utf-8")) | {"leave_out": []}  # the choice is made on the page
    recipe_file = tmp_path / "fi.recipe.json"
    recipe_file.write_text(json.dumps(recipe, ensure_ascii=False), encoding="utf-8")
    page.locator("[data-testid='stExpander'] summary").filter(has_text="Load a recipe").first.click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").nth(1).set_input_files(str(recipe_file))
    page.get_by_text("Rows the explorer cannot place").wait_for(timeout=60_000)
    wait_idle(page)
    body = page.inner_text("body")
    assert "2 rows have values the explorer cannot use" in body, body[-3000:]
    assert "'AVOIN YHTIÖ' is not a valid number" in body and "leave them out" in body
    page.get_by_text("Rows the explorer cannot place").scroll_into_view_if_needed()
    screenshot(page, "data-unusable-group")
    leave_out(page, 2)
    body = page.inner_text("body")
    assert "2 left out as chosen, counted in the version's record" in body, body[-3000:]
    assert "No errors in erdf_2014_2020_fi_projektilista.csv" in body, body[-3000:]
    commit(page, "Commit as a new version")

    page.get_by_role("tab", name="Versions").click()
    wait_idle(page)
    screenshot(page, "data-unusable-versions")  # the versions table is drawn on a canvas: its text is not in the DOM
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the 2 left-out rows (CSV)").click()
    left_out = Path(download.value.path()).read_text(encoding="utf-8")
    codes = left_out.lower()  # the ids as stored: written as identifiers
    assert "a70356" in codes and "a70359" in codes and "a70301" not in codes, left_out
    assert left_out.count("unusable") == 2, left_out
