"""Shared by every stage of ingest: limits, patterns, Eurostat flags and the problem list in the report's format."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from valuechain import schema
from valuechain.schema import ERROR_COLUMNS, TABLES

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


MAX_UPLOAD_ENV = "VALUECHAIN_MAX_UPLOAD_MB"


DEFAULT_MAX_UPLOAD_MB = 200.0


DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


UPLOADABLE = tuple(name for name in schema.LOAD_ORDER if TABLES[name].uploadable)


DEMO_DATASET = "Demo data (synthetic)"  # valuechain.demo.DEMO_DATASET: reserved for the generator


MAX_TEXT_CHARS = 2000


MAX_MAGNITUDE = 1e15  # no count, EUR amount or rate in regional statistics comes near this


FAILURES_PER_CHECK = 1000  # per column and check; the rest is summed up in one line


MISSING_MARKS = ("", ":", "..", "…", "-")  # Eurostat ':'; Nordic statistics offices '..'


ReadKind = Literal["CSV", "Excel", "Eurostat bulk TSV", "Eurostat SDMX-CSV", "OECD SDMX-CSV", "SDMX-CSV"]


# A UTF-8 letter read as Windows-1252 becomes Ã, Ä or Å followed by a character of the 0x80–0xBF range.
_MOJIBAKE = (
    "[\u00c2-\u00c5][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


_HTML = r"</?[A-Za-z!][^<>]*>"


_FORMULA = r"^[ \t]*(?:=|[+\-@][^ \t]*[(!|])"


_YEAR_NAME = re.compile(r"^\s*((?:19|20)\d\d)\s*$")


_SUBANNUAL_NAME = re.compile(r"^\s*(19|20)\d\d[-_ ]?(Q[1-4]|M\d\d|S[12]|W\d\d|-\d\d)\s*$", re.IGNORECASE)


_DATE = (
    r"^[ \t]*([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?"  # ISO time, 'Z' or an offset
    r"|[0-9]{1,2}[./][0-9]{1,2}[./][0-9]{4})[ \t]*$"
)


_NUMBER = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?"


_FLAGGED = re.compile(rf"^\s*(?P<num>{_NUMBER})?\s*(?P<flag>[a-z]{{0,3}})\s*$")


_TRAILING_FLAG = r"[0-9][ \t]*[a-z]+[ \t]*$"


def _first_match(pattern: str, text: str) -> str:
    """The part of `text` that `pattern` matches, for a message; the whole text should Python's re and RE2 (which
    `_matches` uses) ever disagree."""
    found = re.search(pattern, text)
    return found.group(0) if found else text


def _matches(values: pd.Series, pattern: str) -> np.ndarray:
    """Whether each cell contains `pattern`, by pyarrow's RE2 in C++ (pandas would fall back to Python's re
    for many patterns, a hundred times slower on a million cells); a Categorical's distinct values are matched
    once each. Missing cells do not match."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, distinct = schema.text_codes(values)
        return schema.spread(_matches(distinct, pattern), codes)
    found = pc.match_substring_regex(pa.array(values.astype("str"), from_pandas=True), pattern)
    return np.asarray(pc.fill_null(found, False), dtype=bool)


class IngestError(ValueError):
    """A commit was refused: the upload still has errors. Nothing was stored."""


def max_upload_mb() -> float:
    """The per-file limit in MB (env VALUECHAIN_MAX_UPLOAD_MB), for the uploaded file and its unpacked content."""
    raw = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        return DEFAULT_MAX_UPLOAD_MB
    return value if value > 0 else DEFAULT_MAX_UPLOAD_MB


def max_upload_bytes() -> int:
    return int(max_upload_mb() * 1024 * 1024)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.0f} KB"


class _Stop(Exception):
    """The file cannot be read further; the reason is already among the problems."""


class _Problems:
    """Failures in the schema's report format (file, row, column, value, check, message, severity)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.rows: list[tuple] = []

    def add(
        self, row: int | None, column: str, value: object, check: str, message: str, severity: str = "error"
    ) -> None:
        shown = "" if value is None else str(value)
        self.rows.append((self.file, row, column, shown[:200], check, message, severity))

    def stop(self, column: str, value: object, check: str, message: str, row: int | None = None) -> _Stop:
        self.add(row, column, value, check, message)
        return _Stop(message)

    def frame(self) -> pd.DataFrame:
        return _failure_frame(pd.DataFrame(self.rows, columns=ERROR_COLUMNS))


_TEXT_COLUMNS = ("file", "column", "value", "check", "message", "severity")


_TEXT = pd.StringDtype()  # what astype("string") gives


def _failure_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Failures in the report's column types (row Int64, the rest text without missing cells). A frame already
    in them (the checks pass theirs on several times) is taken as it is: a copy-on-write copy, not six casts."""
    if (
        list(frame.columns) == ERROR_COLUMNS
        and frame["row"].dtype == "Int64"
        and all(frame[c].dtype == _TEXT and not frame[c].hasnans for c in _TEXT_COLUMNS)
    ):
        return frame.reset_index(drop=True)
    if not len(frame):  # the same empty frame whatever came in: made once
        return _no_failures().copy()
    return _cast_failures(frame)


@cache
def _no_failures() -> pd.DataFrame:
    return _cast_failures(pd.DataFrame(columns=ERROR_COLUMNS))


def _cast_failures(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=ERROR_COLUMNS).copy()
    out["row"] = pd.array(pd.to_numeric(out["row"], errors="coerce"), dtype="Int64")
    for col in _TEXT_COLUMNS:
        out[col] = out[col].astype("string").fillna("")
    return out.reset_index(drop=True)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _norm(name: object) -> str:
    return re.sub(r"[^0-9a-zåäöø]", "", str(name).lower())


def _label(labels: Mapping[str, Any], column: str, i: int) -> str:
    label = labels.get(column, column)
    return str(label[i]) if isinstance(label, np.ndarray) else str(label)
