"""The one CSV writer for every download: safe to open in a spreadsheet.

A cell that starts with = + - @, a tab or a carriage return can be run as a formula by Excel or
LibreOffice (CSV injection). Such text cells get a leading apostrophe; numbers stay numbers. Direction
overrides (U+202E and kin, which make `evil‮fdp.exe` read as `evilexe.pdf`) are dropped.
"""

from __future__ import annotations

import pandas as pd

from valuechain.text import without_bidi

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would evaluate and drop direction overrides; leave all else unchanged."""
    if not isinstance(value, str):
        return value
    text = without_bidi(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) cannot start a formula."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if isinstance(values.dtype, pd.StringDtype):
            cells = values.tolist()  # tables on screen are small: plain Python beats a column operation per column
            if [neutralise(v) for v in cells] == cells:
                continue  # nothing to neutralise: the column stays as it is (map would give the same)
        out[col] = values.map(neutralise, na_action="ignore")
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """RFC 4180 CSV in UTF-8 with BOM (Excel then reads Nordic and Baltic letters), formulas neutralised."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
