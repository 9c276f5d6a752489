"""An editor in Chromium loads two files as analysts hold them: a Eurostat Data Browser spreadsheet (summary
sheet, metadata rows, a flag column after each year, a footer legend, an extra-regio row) and a Latin-1
semicolon CSV carrying an extra-regio code and NUTS 2013 codes (PL11 only changed its code to PL71; LT00 was
split into LT01 and LT02). Each group of rows the explorer cannot place is left out with one click, both files
are committed, the values are on the map, and the Versions tab counts what was left out, by kind."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from components import state

from .conftest import commit, editor_server, screenshot, sign_in, wait_idle
from .test_upload import type_into

pytestmark = pytest.mark.e2e

PASSWORD = "layouts-" + uuid.uuid4().hex[:8]
NAME = "R&D expenditure, share of GDP (Data Browser)"
INDICATOR = "gerd_browser"
# Latin-1, semicolons, decimal commas: an office's export with an extra-regio row and NUTS 2013 codes.
CSV = (
    "region_id;sector;indicator;year;value;unit;source\n"
    "SE33;TOTAL;gerd_browser;2020;2,61;% of GDP;Statistiska centralbyrån\n"
    "FI1D;TOTAL;gerd_browser;2020;3,01;% of GDP;Tilastokeskus Åbo\n"
    "FIZZ;TOTAL;gerd_browser;2020;0,00;% of GDP;Tilastokeskus Åbo\n"
    "PL11;TOTAL;gerd_browser;2020;0,95;% of GDP;GUS Lódz (Latin-1 lost its letters)\n"
    "LT00;TOTAL;gerd_browser;2020;1,16;% of GDP;Statistics Lithuania\n"
)


def data_browser_workbook() -> bytes:
    """The layout of a Data Browser download (as tests/real_files/build_data_browser_xlsx.py builds it)."""
    book = Workbook()
    book.active.title = "Summary"
    book.active.append(["Intramural R&D expenditure (GERD) by NUTS 2 region [tgs00042]"])
    sheet = book.create_sheet("Sheet 1")
    for line in (
        ["Intramural R&D expenditure (GERD) by NUTS 2 region [tgs00042]"],
        [],
        ["Source of data:", "Eurostat"],
    ):
        sheet.append(line)
    sheet.append([])
    sheet.append(["Unit of measure", "Percentage of gross domestic product (GDP)"])
    sheet.append([])
    sheet.append(["TIME", None, "2021", None, "2022", None])
    sheet.append(["GEO (Codes)", "GEO (Labels)"])
    sheet.append(["SE33", "Övre Norrland", 2.48, None, 2.51, "p"])
    sheet.append(["FI1D", "Pohjois- ja Itä-Suomi", 3.12, None, 3.05, None])
    sheet.append(["DE80", "Mecklenburg-Vorpommern", 1.98, None, 2.01, "p"])
    sheet.append(["SEZZ", "Extra-Regio NUTS 2", ":", None, ":", None])
    sheet.append(["LVZZ", "Extra-Regio NUTS 2", 0.0, None, ":", None])
    sheet.append([])
    for line in (["Special value:"], [":", "not available"], ["Observation flags:"], ["p", "provisional"]):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def layouts_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from editor_server(tmp_path_factory, "e2e-layouts", PASSWORD)


def fill(page, key: str, text: str) -> None:
    """Type one value for every row of a column; opens the mapping box first if a rerun folded it."""
    field = page.locator(f".st-key-{key} input")
    if not field.is_visible():
        page.locator("[data-testid='stExpander'] summary").filter(has_text="Columns:").first.click()
    field.fill(text)
    field.press("Enter")
    wait_idle(page)


def upload(page, path: Path, read_as: str) -> str:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
    page.get_by_text(read_as).first.wait_for(timeout=60_000)
    wait_idle(page)
    return str(page.inner_text("body"))


def leave_out(page, count: int) -> None:
    page.get_by_role("button", name=f"Leave out {count}", exact=True).first.click()
    wait_idle(page)


def test_editor_loads_data_browser_sheet_and_latin1_csv_leaving_unplaceable_rows_out(
    layouts_app: str, page, tmp_path: Path
) -> None:
    page.goto(f"{layouts_app}/data")
    wait_idle(page)
    sign_in(page, "Analyst Anna", PASSWORD)

    sheet = tmp_path / "tgs00042_page_spreadsheet.xlsx"
    sheet.write_bytes(data_browser_workbook())
    body = upload(page, sheet, "Read as Excel")
    assert "sheet 'Sheet 1'" in body and "header over rows 7–8" in body
    assert "rows after the table left out (footer)" in body
    screenshot(page, "data-layout-browser-read")
    fill(page, "const_sector", "TOTAL")
    fill(page, "const_unit", "% of GDP")
    fill(page, "const_source", "Eurostat tgs00042")
    fill(page, "const_indicator", INDICATOR)
    type_into(page, "newind_name_gerd_browser", NAME)
    type_into(page, "newind_unit_gerd_browser", "% of GDP")
    body = page.inner_text("body")
    assert "Rows the explorer cannot place" in body
    screenshot(page, "data-layout-browser-groups")
    leave_out(page, 4)  # SEZZ and LVZZ, 2021 and 2022: extra-regio (their ':' cells are rows, as missing values)
    body = page.inner_text("body")
    assert "No errors in tgs00042_page_spreadsheet.xlsx" in body, body[-2000:]
    commit(page, "Commit as a new version")

    latin = tmp_path / "gerd_2020_offices.csv"
    latin.write_bytes(CSV.encode("latin-1"))
    body = upload(page, latin, "semicolon-separated")
    page.get_by_text("Rows the explorer cannot place").scroll_into_view_if_needed()
    screenshot(page, "data-layout-latin1-groups")
    assert "Rows the explorer cannot place" in body
    assert "PL11, LT00: leave them out, or recode 1 of them" in body, "only PL11 → PL71 is one-to-one; LT00 split"
    leave_out(page, 1)  # FIZZ, extra-regio
    leave_out(page, 2)  # PL11 and LT00, NUTS 2013
    body = page.inner_text("body")
    assert "No errors in gerd_2020_offices.csv" in body, body[-2000:]
    commit(page, "Commit as a new version")

    page.get_by_role("tab", name="Versions").click()
    wait_idle(page)
    body = page.inner_text("body")
    screenshot(page, "data-layout-versions")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the 3 left-out rows (CSV)").click()
    left_out = Path(download.value.path()).read_text(encoding="utf-8")
    assert all(code in left_out for code in ("FIZZ", "PL11", "LT00")) and "SE33" not in left_out, left_out
    assert "extra-regio" in left_out and "old-nuts" in left_out, left_out

    page.get_by_role("link", name="Map").first.click()
    wait_idle(page)
    page.locator(f".st-key-{state.Map.INDICATOR.replace('.', '-')}").click()
    option = page.get_by_role("option", name=NAME)
    option.wait_for(timeout=30_000)
    option.click()
    wait_idle(page)
    page.goto(f"{page.url}&year=2022")  # the spreadsheet's latest year: SE33, FI1D and DE80 have a value
    wait_idle(page)
    page.locator("[data-testid='stDeckGlJsonChart'], .deckgl-overlay, canvas").first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert f"{NAME}, 2022" in body and "No data (53)" in body, body[:3000]
    screenshot(page, "map-layout-indicator")
