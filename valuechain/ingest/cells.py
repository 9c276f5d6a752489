"""Cells common to every format: wide to long, flags, compact encoding, characters, numbers and dates."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from valuechain import schema
from valuechain.ingest.common import (
    _CONTROL,
    _DATE,
    _FLAGGED,
    _MOJIBAKE,
    _TRAILING_FLAG,
    _YEAR_NAME,
    FAILURES_PER_CHECK,
    MISSING_MARKS,
    _count,
    _label,
    _matches,
    _norm,
    _Problems,
    _Stop,
)
from valuechain.ingest.source import Parsed
from valuechain.schema import Table


def _set_table(parsed: Parsed, frame: pd.DataFrame, rows: np.ndarray, name: str, kind: str, found: _Problems) -> None:
    """A plain table: drop unnamed empty columns, turn year columns long, name the source."""
    unnamed = [c for c in frame.columns if str(c).startswith("(column ")]
    if unnamed and unnamed[0] == frame.columns[0] and _row_index(frame[unnamed[0]]):
        parsed.notes.append("the unnamed first column is a row index (0, 1, 2 … as pandas writes it): not used")
        frame = frame.drop(columns=unnamed[:1])
        unnamed = unnamed[1:]
    for col in unnamed:
        filled = np.flatnonzero(frame[col].str.strip().ne("").to_numpy())
        if len(filled):
            raise found.stop(
                str(col),
                frame[col].iat[filled[0]],
                "header",
                f"{str(col)[1:-1]} has values but no name in the header row: name it, or delete the column",
                row=int(rows[filled[0]]),
            )
    frame = frame.drop(columns=unnamed)
    parsed.frame, parsed.rows = frame, rows
    _wide_to_long(parsed)
    signature = ",".join(sorted(_norm(c) for c in frame.columns))
    parsed.source_key = f"{kind}:{hashlib.sha1(signature.encode()).hexdigest()[:12]}"
    parsed.source_name = file_stem(name)


def _row_index(values: pd.Series) -> bool:
    """Whole numbers rising from row to row: the row index a data frame library wrote, not data."""
    text = values.astype("str").str.strip()
    if not len(text) or not text.str.fullmatch(r"\d{1,12}").all():
        return False
    return bool(np.all(np.diff(text.astype("int64").to_numpy()) > 0))


def file_stem(name: str) -> str:
    base = Path(name).name
    return re.sub(r"(\.(csv|tsv|txt|xlsx|gz))+$", "", base, flags=re.IGNORECASE) or base


def _wide_to_long(parsed: Parsed) -> int:
    """One column per year → rows of year, value and flag (values like `12.3 p` keep their flag). Cells without a
    value (':', ': c', empty) stay as rows: the checks store them as missing values with their flags. Returns
    how many cells hold a value."""
    frame = parsed.frame
    lowered = {_norm(c) for c in frame.columns}
    year_cols = [c for c in frame.columns if _YEAR_NAME.match(str(c))]
    if not year_cols or lowered & {"year", "value", "timeperiod", "obsvalue"}:
        return len(frame)
    ids = [c for c in frame.columns if c not in year_cols]
    values = pd.concat([frame[c] for c in year_cols], ignore_index=True)
    parts = _split_flags(values)
    n = len(frame)
    long = pd.DataFrame({c: np.tile(frame[c].to_numpy(), len(year_cols)) for c in ids})
    long["year"] = np.repeat([_YEAR_NAME.match(str(c)).group(1) for c in year_cols], n)  # type: ignore[union-attr]
    long["value"] = parts["value"].to_numpy()
    if "flag" not in lowered:
        long["flag"] = parts["flag"].to_numpy()
    parsed.frame = long.astype("str")
    parsed.rows = np.tile(parsed.rows, len(year_cols))
    parsed.origin = np.repeat(np.array([str(c).strip() for c in year_cols], dtype=object), n)
    parsed.notes.append(
        f"{_count(len(year_cols), 'year column')} ({str(year_cols[0]).strip()}–"
        f"{str(year_cols[-1]).strip()}) turned into {_count(len(long), 'row')} of year and value"
    )
    return int((~parts["missing"]).sum())


def _split_flags(values: pd.Series) -> pd.DataFrame:
    """`12.3 p` → value 12.3, flag p; a missing-value marker (':', ': c', empty) stays as typed, `missing` says
    which cells hold one; anything else stays as typed (checked later)."""
    text = values.astype("str").str.strip()
    parts = text.str.extract(_FLAGGED)
    missing = text.isin(MISSING_MARKS) | text.str.match(r"^:\s*@?[A-Za-z]*$")
    value = parts["num"].where(parts["num"].notna(), text)
    flag = parts["flag"].where(parts["num"].notna() & parts["flag"].ne(""))
    return pd.DataFrame({"value": value, "flag": flag, "missing": missing})


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with few distinct values (codes, units, years; not the values) as Categoricals, encoded in
    parallel threads (arrow releases the GIL), so that each later check runs once per distinct value. The CSV
    parser encodes them as it reads (`_arrow_types`): this is for the other formats."""
    names = [c for c in frame.columns if _repetitive(frame[c])]
    if not names:
        return frame
    with ThreadPoolExecutor(max_workers=min(len(names), os.cpu_count() or 1)) as pool:
        encoded = dict(zip(names, pool.map(lambda c: schema.as_categorical(frame[c]), names), strict=True))
    return frame.assign(**encoded)


def _arrow_types(sample: pd.DataFrame) -> dict[str, pa.DataType]:
    """How pyarrow is to parse each column of a text file, judged by a sample of its first rows: repetitive
    columns as dictionary-encoded text (Categoricals, encoded while parsing), the others as plain text."""
    encoded = pa.dictionary(pa.int32(), pa.string())
    return {str(c): encoded if _repetitive(sample[c]) else pa.string() for c in sample.columns}


def _repetitive(values: pd.Series, sample: int = 10_000) -> bool:
    """At most half of the first `sample` cells distinct."""
    head = values.iloc[:sample]
    return not isinstance(values.dtype, pd.CategoricalDtype) and len(head) > 1 and head.nunique() * 2 <= len(head)


def _check_cells(parsed: Parsed, found: _Problems) -> None:
    """Empty tables, letters converted twice (mojibake) and control characters, in every text cell."""
    if parsed.frame.empty:
        if not len(parsed.frame.columns):
            raise found.stop("(file)", "", "empty", "the file has no table")
        raise found.stop("(file)", "", "no_rows", "the file has a header row but no data rows")
    combined = f"{_MOJIBAKE}|{_CONTROL}"
    for col in parsed.frame.columns:
        series = parsed.frame[col]
        distinct = schema.text_codes(series)[1] if isinstance(series.dtype, pd.CategoricalDtype) else series
        if _printable_ascii(pa.chunked_array(pa.array(distinct.astype("str"), from_pandas=True))):
            continue  # printable ASCII, by far the most common case, can hold neither
        for i in np.flatnonzero(_matches(series, combined))[:20]:
            text = str(series.iat[i])
            mojibake = re.search(_MOJIBAKE, text)
            column = str(col) if parsed.origin is None or col not in ("value", "flag") else str(parsed.origin[i])
            if mojibake:
                found.add(
                    int(parsed.rows[i]),
                    column,
                    text,
                    "encoding",
                    f"'{mojibake.group(0)}' looks like a letter converted twice or a mix of encodings "
                    "(UTF-8 read as Windows-1252): save the file as UTF-8, or choose its encoding",
                )
            else:
                char = re.search(_CONTROL, text).group(0)  # type: ignore[union-attr]
                found.add(
                    int(parsed.rows[i]),
                    column,
                    text.encode("unicode_escape").decode()[:60],
                    "control",
                    f"contains the control character 0x{ord(char):02X}, which is not text: remove it",
                )
    if found.rows:
        raise _Stop("bad characters")


def _printable_ascii(cells: pa.ChunkedArray) -> bool:
    """Whether every cell is printable ASCII (False for any letter beyond ASCII), tested on the bytes of the text
    buffers: a million cells in a fraction of a millisecond, where a test per cell takes ten."""
    for chunk in cells.chunks:
        large = pa.types.is_large_string(chunk.type)  # pandas' own text columns are large_string
        if chunk.null_count or not (large or pa.types.is_string(chunk.type)):
            if not pc.all(pc.fill_null(pc.ascii_is_printable(chunk), True)).as_py():
                return False
            continue
        _, offsets, text = chunk.buffers()
        width = np.int64 if large else np.int32
        ends = np.frombuffer(offsets, dtype=width, count=len(chunk) + 1, offset=chunk.offset * np.dtype(width).itemsize)
        if text is None or ends[-1] == ends[0]:
            continue
        data = np.frombuffer(text, dtype=np.uint8)[ends[0] : ends[-1]]
        if int((data - np.uint8(0x20)).max()) >= 0x7F - 0x20:  # below a space wraps round, as does 0x7F and up
            return False
    return True


def _detect_decimal(frame: pd.DataFrame, t: Table, delimiter: str | None, found: _Problems) -> str:
    """'.' or ',' from the numeric columns' values; '1,234' alone is ambiguous and says so."""
    numeric = [c.name for c in t.columns if c.dtype in ("int", "float") and c.name in frame]
    if not numeric:
        return "."
    sample = pd.concat([_first_present(frame[c], 2000) for c in numeric], ignore_index=True).astype("str").str.strip()
    sample = sample.drop_duplicates()
    if sample.empty:
        return "."
    comma = (sample.str.fullmatch(r"[-+]?\d*,\d+") & ~sample.str.fullmatch(r"[-+]?\d{1,3}(,\d{3})+")).sum()
    comma += sample.str.fullmatch(r"[-+]?\d{1,3}([. \u00a0\u202f]\d{3})+,\d+").sum()
    comma += sample.str.fullmatch(r"[-+]?\d{1,3}(\.\d{3}){2,}").sum()  # 15.414.794: dots group thousands
    dot = (sample.str.fullmatch(r"[-+]?\d*\.\d+") & ~sample.str.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+")).sum()
    dot += sample.str.fullmatch(r"[-+]?\d{1,3}([, \u00a0\u202f]\d{3})+\.\d+").sum()
    dot += sample.str.fullmatch(r"[-+]?\d{1,3}(,\d{3}){2,}").sum()
    if comma != dot:
        return "," if comma > dot else "."
    ambiguous = sample[sample.str.fullmatch(r"[-+]?\d{1,3}(,\d{3})+")]
    if ambiguous.empty:
        return "."
    decimal = "," if delimiter in (";", "\t") else "."
    meaning = ambiguous.iat[0].replace(",", ".") if decimal == "," else ambiguous.iat[0].replace(",", "")
    found.add(
        None,
        "(numbers)",
        ambiguous.iat[0],
        "decimal",
        f"numbers like '{ambiguous.iat[0]}' are read as {meaning}; if that is wrong, choose the decimal "
        "separator under the reading options",
        "warning",
    )
    return decimal


def _first_present(values: pd.Series, n: int) -> pd.Series:
    """The first `n` cells that are not missing, as `values.dropna().head(n)`, without a pass over every row when
    the head has them."""
    head = values.head(n).dropna()
    return head if len(head) == n else values.dropna().head(n)


def _normalise_numbers(
    frame: pd.DataFrame, t: Table, decimal: str, plain: Mapping[str, pd.Series] | None = None
) -> pd.DataFrame:
    """Columns of plain numbers (the usual case) become numbers here, once (`plain`: those already cast, by
    triage); elsewhere thousands separators go and the decimal separator becomes '.'; cells that are no number
    stay as typed for the report."""
    out = frame.copy(deep=False)  # columns are replaced, never changed in place
    thousands = "." if decimal == "," else ","
    grouped = rf"[-+]?\d{{1,3}}(\{thousands}\d{{3}})+(\{decimal}\d*)?"
    plain_numbers = set()
    plain = plain or {}
    for c in t.columns:
        if c.dtype not in ("int", "float") or c.name not in out:
            continue
        numbers = plain[c.name].set_axis(out.index) if c.name in plain else _plain_numbers(out[c.name])
        if numbers is not None:
            out[c.name] = numbers
            plain_numbers.add(c.name)
    for col in t.columns:
        if col.dtype not in ("int", "float") or col.name not in out or col.name in plain_numbers:
            continue
        s = out[col.name].astype("str")
        if not _matches(s, r"[., \t'\x{a0}\x{202f}]").any():  # '.' too: 15.414.794 groups thousands by dots
            continue
        s = s.str.strip()
        spaced = s.str.fullmatch(r"[-+]?\d{1,3}([ \u00a0\u202f']\d{3})+([.,]\d*)?")
        s = s.where(~spaced, s.str.replace(r"[ \u00a0\u202f']", "", regex=True))
        for sep in ".,":  # two or more groups of three (15.414.794): a thousands separator, whatever the decimal
            groups = s.str.fullmatch(rf"[-+]?\d{{1,3}}(\{sep}\d{{3}}){{2,}}")
            s = s.where(~groups, s.str.replace(sep, "", regex=False))
        s = s.where(~s.str.fullmatch(grouped), s.str.replace(thousands, "", regex=False))
        if decimal == ",":
            s = s.where(~s.str.fullmatch(r"[-+]?\d*,\d+([eE][-+]?\d+)?"), s.str.replace(",", ".", regex=False))
        out[col.name] = s
    if (
        "value" in out
        and "flag" in t.column_names
        and "value" not in plain_numbers
        and _matches(out["value"], _TRAILING_FLAG).any()
    ):
        parts = _split_flags(out["value"])
        flagged = parts["flag"].notna() & pd.Series(_matches(out["value"], _TRAILING_FLAG), index=out.index)
        if flagged.any():
            out["value"] = out["value"].where(~flagged, parts["value"])
            current = out["flag"] if "flag" in out else pd.Series(pd.NA, index=out.index, dtype="str")
            out["flag"] = current.where(~flagged | (current.fillna("").str.strip() != ""), parts["flag"])
    return out


def _plain_numbers(values: pd.Series) -> pd.Series | None:
    """The column as float64 when every cell is a plain finite number (arrow's cast, once per distinct value of
    a Categorical), else None: such a column needs no separators removed and no flags split off."""
    if values.isna().any():
        return None
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, distinct = schema.text_codes(values)
        numbers = _plain_numbers(distinct)
        return None if numbers is None else pd.Series(numbers.to_numpy()[codes], index=values.index)
    try:
        parsed = pc.cast(pa.array(values.astype("str"), from_pandas=True), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    numbers = parsed.to_numpy(zero_copy_only=False)
    return pd.Series(numbers, index=values.index) if np.isfinite(numbers).all() else None


def _dates_as_years(
    frame: pd.DataFrame, t: Table, rows: np.ndarray, labels: dict[str, Any], found: _Problems
) -> tuple[pd.DataFrame, set[tuple[int, str]]]:
    """Year columns holding dates (`24.04.2014`, `2014-04-24`): reduced to their year, with one warning per
    column. Except Excel's trap, a year formatted as a date (2021 shown as 1905-07-13), which is reported with
    its cause: those cells (position, column) are returned so the schema's 'not a whole number' is not added."""
    out: set[tuple[int, str]] = set()
    for col in t.columns:
        if (
            col.dtype != "int"
            or col.min != schema.YEAR["min"]
            or col.name not in frame
            or pd.api.types.is_numeric_dtype(frame[col.name].dtype)
        ):
            continue
        values = frame[col.name]
        hits = np.flatnonzero(_matches(values, _DATE))
        if not len(hits):
            continue
        text = values.astype("str").str.strip()
        years = text.str.extract(r"((?:19|20|21)\d\d)")[0]
        reduced = np.zeros(len(frame), dtype=bool)
        for i in hits:
            serial = _excel_serial(text.iat[i])
            if serial is not None and schema.YEAR["min"] <= serial <= schema.YEAR["max"]:
                if len(out) < FAILURES_PER_CHECK:
                    found.add(
                        int(rows[i]),
                        _label(labels, col.name, int(i)),
                        text.iat[i],
                        "date_not_year",
                        f"'{text.iat[i]}' is a date; the column needs the year only: this is how Excel shows the "
                        f"number {serial} in a cell formatted as a date — format the column as Number",
                    )
                out.add((int(i), col.name))
            elif pd.notna(years.iat[i]):
                reduced[i] = True
        if reduced.any():
            first = int(np.flatnonzero(reduced)[0])
            frame = frame.assign(**{col.name: text.where(~reduced, years).astype("str")})
            found.add(
                int(rows[first]),
                _label(labels, col.name, first),
                text.iat[first],
                "date_as_year",
                f"{int(reduced.sum()):,} dates reduced to their year (e.g. '{text.iat[first]}' → {years.iat[first]})",
                "warning",
            )
    return frame, out


def _excel_serial(text: str) -> int | None:
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return (day - date(1899, 12, 30)).days
