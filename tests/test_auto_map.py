"""Automatic mapping prefers a code column over its label column (issue 10, item 9)."""

from __future__ import annotations

from pathlib import Path

from valuechain import ingest

REAL = Path(__file__).resolve().parent / "real_files"


def test_code_columns_win_over_label_columns() -> None:
    text = "Region,REG_ID,Year,Value\nStuttgart,DE11,2021,1.5\nKarlsruhe,DE12,2021,2.5\n"
    parsed = ingest.read(text.encode(), "oecd.csv")
    mapping = ingest.auto_map(parsed, "observations")
    assert mapping.columns["region_id"] == "REG_ID"
    assert mapping.columns["year"] == "Year"
    text = "GEO_LABEL,geo,TIME_PERIOD,OBS_VALUE\nÖvre Norrland,SE33,2021,1.5\nHovedstaden,DK01,2021,2\n"
    labelled = ingest.auto_map(ingest.read(text.encode(), "estat.csv"), "observations")
    assert labelled.columns["region_id"] == "geo", "the label column comes first and still loses"


def test_sdmx_csv_with_labels_maps_time_period_not_its_empty_label_column() -> None:
    parsed = ingest.read(REAL / "sdmxcsv_tgs00042_gerd_bsr.csv", "sdmxcsv_tgs00042_gerd_bsr.csv")
    mapping = ingest.auto_map(parsed, "observations")
    assert mapping.columns["year"] == "TIME_PERIOD"
    assert mapping.columns["region_id"] == "geo"
    assert mapping.columns["value"] == "OBS_VALUE"
