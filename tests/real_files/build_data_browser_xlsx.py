"""Builds data_browser_tgs00042_gerd_bsr.xlsx: real values (the SDMX-CSV cut beside it) in the layout of a
Eurostat Data Browser spreadsheet download, because no such workbook is public in a repository we could use.

Layout (issue 10, item 4): title and metadata rows; a TIME row where each year is followed by an empty column
for its flags; a header row with GEO (Codes) and GEO (Labels); one row per region; a footer legend of the
special value and the flags. Run: .venv/bin/python tests/real_files/build_data_browser_xlsx.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "sdmxcsv_tgs00042_gerd_bsr.csv"
TARGET = HERE / "data_browser_tgs00042_gerd_bsr.xlsx"
FLAGS = {"b": "break in time series", "e": "estimated", "p": "provisional", "d": "definition differs"}


def main() -> None:
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    years = sorted({r["TIME_PERIOD"] for r in rows})
    geos = list(dict.fromkeys(r["geo"] for r in rows))
    labels = {r["geo"]: r["Geopolitical entity (reporting)"] for r in rows}
    cells = {(r["geo"], r["TIME_PERIOD"]): (r["OBS_VALUE"], r["OBS_FLAG"]) for r in rows}
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["Intramural R&D expenditure (GERD) by NUTS 2 region [tgs00042]"])
    summary.append(["Source of data:", "Eurostat"])
    sheet = book.create_sheet("Sheet 1")
    sheet.append(["Intramural R&D expenditure (GERD) by NUTS 2 region [tgs00042]"])
    sheet.append([])
    sheet.append(["Source of data:", "Eurostat"])
    sheet.append([])
    sheet.append(["Time frequency", "Annual"])
    sheet.append(["Sector of performance", "All sectors"])
    sheet.append(["Unit of measure", "Percentage of gross domestic product (GDP)"])
    sheet.append([])
    sheet.append(["TIME", None, *[c for y in years for c in (y, None)]])
    sheet.append(["GEO (Codes)", "GEO (Labels)", *[None] * (2 * len(years))])
    used: set[str] = set()
    for geo in geos:
        line: list[object] = [geo, labels[geo]]
        for year in years:
            value, flag = cells.get((geo, year), ("", ""))
            line += [float(value) if value else ":", flag or None]
            used.update(flag for flag in [flag] if flag)
        sheet.append(line)
    sheet.append([])
    sheet.append(["Special value:"])
    sheet.append([":", "not available"])
    sheet.append(["Observation flags:"])
    for flag in sorted(used):
        sheet.append([flag, FLAGS.get(flag, flag)])
    book.save(TARGET)


if __name__ == "__main__":
    main()
