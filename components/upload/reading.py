"""Reading options: encoding, delimiter, decimal separator, sheet, where the table sits, missing-value markers;
and the file read once per choice of them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import streamlit as st

from components.upload import session
from valuechain import ingest

AUTO = "Automatic"
# widgets whose values this module also reads or sets outside the widget call
_ENCODING, _DELIMITER, _DECIMAL, _SHEET = "read_encoding", "read_delimiter", "read_decimal", "read_sheet"
# Where the table sits (None = detected): ReadOptions field → widget key, label, least value, help.
_POSITION = {
    "header_row": (
        "read_header_row",
        "Header row",
        1,
        "File row holding the column names; the rows above are skipped.",
    ),
    "header_lines": ("read_header_lines", "Header rows", 1, "Rows the header spans; their names are joined."),
    "footer_rows": ("read_footer_rows", "Footer rows", 0, "Rows at the end that are not data (a legend, a note)."),
}
_MISSING = "read_missing"
_ENCODINGS = {
    AUTO: None,
    "UTF-8": "utf-8",
    "UTF-8 with BOM": "utf-8-sig",
    "UTF-16": "utf-16",
    "Windows-1252 (Western)": "cp1252",
    "Windows-1250 (Central European)": "cp1250",
    "Latin-1 (ISO 8859-1)": "latin-1",
}
_DELIMITERS = {AUTO: None, "Comma ,": ",", "Semicolon ;": ";", "Tab": "\t", "Vertical bar |": "|"}
_DECIMALS = {AUTO: None, "Point 1.5": ".", "Comma 1,5": ","}


def options(sheet: str | None = None) -> ingest.ReadOptions:
    """The analyst's reading choices (None = detected), with the sheet given."""
    return ingest.ReadOptions(
        encoding=_ENCODINGS.get(st.session_state.get(_ENCODING, AUTO)),
        delimiter=_DELIMITERS.get(st.session_state.get(_DELIMITER, AUTO)),
        decimal=_DECIMALS.get(st.session_state.get(_DECIMAL, AUTO)),
        sheet=sheet,
        **_position(),
    )


def parse(file: Any) -> ingest.Parsed:
    chosen = options(st.session_state.get(_SHEET))
    signature = (file.file_id, file.name, file.size, chosen)
    cached = st.session_state.get(session.PARSED)
    if cached is not None and cached[0] == signature:
        return cached[1]
    with st.spinner(f"Reading {file.name}…"):
        parsed = ingest.read(file.getbuffer(), file.name, chosen)
    if chosen.sheet is None and parsed.sheet:  # the sheet picker showing the sheet read is no new choice
        signature = (file.file_id, file.name, file.size, dataclasses.replace(chosen, sheet=parsed.sheet))
    st.session_state[session.PARSED] = (signature, parsed)
    return parsed


def _position() -> dict[str, int]:
    """The analyst's header row, header rows and footer rows (absent = detected)."""
    chosen = {name: st.session_state.get(key) for name, (key, *_) in _POSITION.items()}
    return {name: int(value) for name, value in chosen.items() if value is not None}


def _markers_text(missing: tuple[str, ...]) -> str:
    return ", ".join(m or repr(m) for m in missing)


def missing_markers() -> tuple[str, ...]:
    """The markers of missing values the analyst set ('' = an empty cell)."""
    raw = st.session_state.get(_MISSING)
    if raw is None:
        return ingest.DEFAULT_MISSING
    return tuple(dict.fromkeys("" if m.strip() in ("''", '""') else m.strip() for m in str(raw).split(",")))


def apply(read: Mapping[str, Any], missing: tuple[str, ...]) -> None:
    """A recipe's reading options and missing markers into the widgets (from a callback, before they are drawn)."""
    for name, labels, value in (
        (_ENCODING, _ENCODINGS, read.get("encoding")),
        (_DELIMITER, _DELIMITERS, read.get("delimiter")),
        (_DECIMAL, _DECIMALS, read.get("decimal")),
    ):
        st.session_state[name] = next((label for label, v in labels.items() if v == value), AUTO)
    if read.get("sheet"):
        st.session_state[_SHEET] = read["sheet"]
    for field_name, (key, *_) in _POSITION.items():
        st.session_state[key] = read.get(field_name)
    st.session_state[_MISSING] = _markers_text(missing)


def reading_options(parsed: ingest.Parsed) -> None:
    cols = st.columns(4)
    cols[0].selectbox(
        "Encoding",
        list(_ENCODINGS),
        key=_ENCODING,
        help="Automatic: BOM, else UTF-8 if every byte fits, else Windows-1252 or -1250 by the letters.",
    )
    cols[1].selectbox("Delimiter", list(_DELIMITERS), key=_DELIMITER)
    cols[2].selectbox(
        "Decimal separator",
        list(_DECIMALS),
        key=_DECIMAL,
        help="Automatic: from the numbers in the file (1.234,5 or 1,234.5).",
    )
    if parsed.sheets:
        shown = parsed.sheets.index(parsed.sheet) if parsed.sheet in parsed.sheets else 0  # the one read
        cols[3].selectbox("Sheet", parsed.sheets, index=shown, key=_SHEET)
    cols = st.columns(4)
    for col, (key, label, least, help_text) in zip(cols, _POSITION.values(), strict=False):
        col.number_input(label, min_value=least, step=1, value=None, key=key, placeholder="detected", help=help_text)
    cols[3].caption(f"Table found with its header in row {parsed.header_row}.")
    st.session_state.setdefault(_MISSING, _markers_text(ingest.DEFAULT_MISSING))  # or a recipe's
    st.text_input(
        "Missing-value markers",
        key=_MISSING,
        help="Cells holding one of these (comma-separated; '' = an empty cell) are missing values, never errors: "
        "such rows are stored without a number (left out where the table needs one), their flags kept, and "
        "counted by marker in the report. ':' with a flag (': c', ': @C') always counts as missing.",
    )
