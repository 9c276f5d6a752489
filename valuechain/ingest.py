"""Analysts' files into the data model: read, map columns, check, preview, commit — never half-loaded.

No Streamlit here: components/upload.py draws the Data page, tests and bench/ingest.py call these
functions directly. The steps:

1. `read(data, file_name, options)` → `Parsed`: every cell as text with the file row of each record, from
   CSV (delimiter , ; tab or |; UTF-8 with or without BOM, UTF-16, cp1252, cp1250 or latin-1), Excel .xlsx
   (any sheet), Eurostat bulk TSV and Eurostat SDMX-CSV, each possibly gzip-compressed. Wide tables (one
   column per year) become long; Eurostat flags (`12.3 p`) go to the flag column, `:` means no value.
   Large files are parsed by pyarrow straight from the uploaded bytes (gzip is unpacked to a temporary
   file in chunks), so a file is never held as bytes *and* decoded text.
2. `auto_map(parsed, table, remembered)` → `ColumnMap`: which file column fills which table column, values
   set for every row, one-value filters. The analyst may change it; `commit` remembers it for the source.
3. `check(parsed, table, mapping, context, …)` → `Checked`: one `schema.Report` with every failure (file,
   row, column, value, check, message, severity) and a `Preview` of what a commit adds and replaces.
4. `commit(store, checked, who)` → the new dataset versions, stored in one transaction or not at all.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import gzip
import hashlib
import io
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from valuechain import export, schema
from valuechain.geo import BSR_COUNTRIES, BSR_DE_PREFIXES, in_programme_area
from valuechain.schema import ERROR_COLUMNS, TABLES, Table
from valuechain.store import Identity, Load, Progress, Store, VersionInfo, key_isin

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
NUTS_CHANGES_FILE = DATA_DIR / "nuts_2016_2021_changes.csv"
MAX_UPLOAD_ENV = "VALUECHAIN_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 200.0
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "cp1250", "latin-1")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
UPLOADABLE = tuple(name for name in schema.LOAD_ORDER if TABLES[name].uploadable)
DEMO_DATASET = "Demo data (synthetic)"  # valuechain.demo.DEMO_DATASET: reserved for the generator
MAX_TEXT_CHARS = 2000
MAX_MAGNITUDE = 1e15  # no count, EUR amount or rate in regional statistics comes near this
FAILURES_PER_CHECK = 1000  # per column and check; the rest is summed up in one line
MISSING_MARKS = ("", ":", "..", "…", "-")  # Eurostat ':'; Nordic statistics offices '..'
# Eurostat's observation flags (https://ec.europa.eu/eurostat/data/database/information).
FLAGS = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs",
    "e": "estimated",
    "f": "forecast",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
}
ReadKind = Literal["CSV", "Excel", "Eurostat bulk TSV", "Eurostat SDMX-CSV"]

_GZIP, _ZIP, _OLE, _PDF = b"\x1f\x8b", (b"PK\x03\x04", b"PK\x05\x06"), bytes.fromhex("d0cf11e0a1b11ae1"), b"%PDF"
_HEAD_BYTES = 1 << 20
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
    r"^[ \t]*([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?"
    r"|[0-9]{1,2}[./][0-9]{1,2}[./][0-9]{4})[ \t]*$"
)
_NUMBER = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?"
_FLAGGED = re.compile(rf"^\s*(?P<num>{_NUMBER})?\s*(?P<flag>[a-z]{{0,3}})\s*$")


_TRAILING_FLAG = r"[0-9][ \t]*[a-z]+[ \t]*$"


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


# --- problems found while reading -------------------------------------------------------------------


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


def _failure_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=ERROR_COLUMNS).copy()
    out["row"] = pd.array(pd.to_numeric(out["row"], errors="coerce"), dtype="Int64")
    for col in ("file", "column", "value", "check", "message", "severity"):
        out[col] = out[col].astype("string").fillna("")
    return out.reset_index(drop=True)


# --- reading --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadOptions:
    """What the analyst chose instead of automatic detection (None = detect)."""

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    sheet: str | None = None


@dataclass
class Parsed:
    """A file read into text cells: `frame` (one str column per file column), `rows[i]` the file row of
    record i (header = row 1 in a CSV), `origin[i]` for wide files the column its value came from."""

    file: str
    kind: ReadKind = "CSV"
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    origin: np.ndarray | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    source_key: str = ""
    source_name: str = ""
    notes: list[str] = field(default_factory=list)
    failures: pd.DataFrame = field(default_factory=lambda: _failure_frame(pd.DataFrame(columns=ERROR_COLUMNS)))

    @property
    def ok(self) -> bool:
        return not (self.failures["severity"] == "error").any()

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def describe(self) -> str:
        """How the file was read, in one line (shown above the mapping)."""
        parts: list[str] = [self.kind]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.encoding:
            parts.append(_ENCODING_NAMES.get(self.encoding, self.encoding))
        if self.delimiter and self.kind == "CSV":
            parts.append(f"{DELIMITERS.get(self.delimiter, self.delimiter)}-separated")
        parts.append(f"{len(self.frame):,} records")
        return " · ".join(parts)


_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250 (Central European)",
    "latin-1": "Latin-1 (ISO 8859-1)",
}


class _Source:
    """The uploaded bytes, or a file on disk, read without copying the whole content."""

    def __init__(self, data: bytes | bytearray | memoryview | None = None, path: Path | None = None) -> None:
        self.view = memoryview(data).cast("B") if data is not None else None
        self.path = path
        self.size = len(self.view) if self.view is not None else path.stat().st_size  # type: ignore[union-attr]

    def head(self, n: int = _HEAD_BYTES) -> bytes:
        if self.view is not None:
            return bytes(self.view[:n])
        with open(self.path, "rb") as f:  # type: ignore[arg-type]
            return f.read(n)

    def chunks(self, size: int = 1 << 24) -> Iterator[bytes | memoryview]:
        if self.view is not None:
            for start in range(0, len(self.view), size):
                yield self.view[start : start + size]
            return
        with open(self.path, "rb") as f:  # type: ignore[arg-type]
            while chunk := f.read(size):
                yield chunk

    def open(self) -> BinaryIO:
        if self.view is not None:
            return pa.BufferReader(pa.py_buffer(self.view))  # type: ignore[return-value]
        return open(self.path, "rb")  # type: ignore[arg-type]

    def arrow(self) -> Any:
        return pa.py_buffer(self.view) if self.view is not None else pa.memory_map(str(self.path))

    def isascii(self) -> bool:
        """Every byte below 0x80 (numpy over 16 MB chunks: a few ms for 70 MB); ASCII reads the same in every
        encoding offered except UTF-16."""
        return all(int(np.frombuffer(c, dtype=np.uint8).max(initial=0)) < 0x80 for c in self.chunks())

    def contains(self, needle: bytes) -> bool:
        """Whether a one-byte `needle` occurs anywhere (memchr over the chunks)."""
        if self.view is not None and isinstance(self.view.obj, bytes) and len(self.view.obj) == self.size:
            return self.view.obj.find(needle) >= 0
        return any(bytes(c).find(needle) >= 0 for c in self.chunks())

    def count(self, byte: int) -> int:
        """How often one byte value occurs (numpy over 16 MB chunks: no copy of the content)."""
        return sum(int(np.count_nonzero(np.frombuffer(c, dtype=np.uint8) == byte)) for c in self.chunks())


def read(
    data: bytes | bytearray | memoryview | str | Path, file_name: str, options: ReadOptions | None = None
) -> Parsed:
    """Read one uploaded file into text cells; problems go to `Parsed.failures`, never raised."""
    options = options or ReadOptions()
    parsed = Parsed(file_name)
    found = _Problems(file_name)
    source = _Source(path=Path(data)) if isinstance(data, str | Path) else _Source(data)
    try:
        _read_source(parsed, source, file_name, options, found)
        parsed.frame = _compact(parsed.frame)
        _check_cells(parsed, found)
    except _Stop:
        parsed.frame = pd.DataFrame()
        parsed.rows = np.zeros(0, dtype=np.int64)
        parsed.origin = None
    parsed.failures = found.frame()
    return parsed


def _read_source(parsed: Parsed, src: _Source, name: str, options: ReadOptions, found: _Problems) -> None:
    limit = max_upload_bytes()
    if src.size > limit:
        raise found.stop(
            "(file)",
            _size(src.size),
            "file_size",
            f"the file is {_size(src.size)}, more than the limit of {max_upload_mb():g} MB "
            f"({MAX_UPLOAD_ENV}); split it, or compress it with gzip",
        )
    if src.size == 0:
        raise found.stop("(file)", "", "empty", "the file is empty (0 bytes)")
    head = src.head()
    if head.startswith(_GZIP):
        with _gunzipped(src, found, limit) as inner:
            inner_name = re.sub(r"\.gz$", "", name, flags=re.IGNORECASE)
            if inner.size == 0:
                raise found.stop("(file)", "", "empty", "the gzip file contains an empty file")
            _read_source(parsed, inner, inner_name, options, found)
        return
    if head.startswith(_ZIP):
        _read_xlsx(parsed, src, name, options, found)
        return
    if head.startswith(_OLE):
        raise found.stop(
            "(file)",
            "",
            "format",
            "this is an old Excel 97–2003 (.xls) workbook: open it in Excel or LibreOffice and save it as .xlsx or CSV",
        )
    if head.startswith(_PDF):
        raise found.stop(
            "(file)", "", "format", "this is a PDF document, not a data table: download the data as CSV, TSV or Excel"
        )
    _read_text(parsed, src, name, options, found)


@contextmanager
def _gunzipped(src: _Source, found: _Problems, limit: int) -> Iterator[_Source]:
    """Unpack to a temporary file in 1 MB chunks, stopping at the size limit (a small gzip can claim GBs)."""
    tmp = tempfile.NamedTemporaryFile(prefix="valuechain-upload-", suffix=".unpacked", delete=False)  # noqa: SIM115
    path = Path(tmp.name)
    try:
        total = 0
        try:
            with tmp, gzip.GzipFile(fileobj=src.open()) as unpacked:
                while chunk := unpacked.read(1 << 20):
                    total += len(chunk)
                    if total > limit:
                        raise found.stop(
                            "(file)",
                            f"> {max_upload_mb():g} MB",
                            "file_size",
                            f"unpacked, the gzip file is larger than the limit of {max_upload_mb():g} MB "
                            f"({MAX_UPLOAD_ENV}); nothing was loaded",
                        )
                    tmp.write(chunk)
        except EOFError as exc:
            raise found.stop(
                "(file)",
                f"{total:,} bytes unpacked",
                "gzip",
                f"the gzip file is truncated: it ends after {total:,} unpacked bytes, before its end "
                "marker (an interrupted download?); download it again",
            ) from exc
        except (gzip.BadGzipFile, zlib.error, OSError) as exc:
            raise found.stop("(file)", "", "gzip", f"the gzip file is damaged ({exc}); download it again") from exc
        yield _Source(path=path)
    finally:
        with suppress(OSError):
            path.unlink()


# --- text files: encoding, delimiter, CSV / Eurostat TSV / SDMX-CSV ----------------------------------------


def _read_text(parsed: Parsed, src: _Source, name: str, options: ReadOptions, found: _Problems) -> None:
    head = src.head()
    if b"\x00" in head[:65536] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise found.stop(
            "(file)", "", "format", "this is not a text file (it contains binary data): upload CSV, TSV or Excel .xlsx"
        )
    encoding = _encoding(src, options, found)
    parsed.encoding = encoding
    text = _decode_head(head, encoding, whole=len(head) == src.size)
    if not text.strip():
        raise found.stop("(file)", "", "empty", "the file has no content, only blank lines")
    if re.match(r"\s*(<!doctype\s+html|<html|<\?xml|<!--)", text[:1000], re.IGNORECASE):
        raise found.stop(
            "(file)",
            text.strip()[:40],
            "format",
            "this is a web page or XML document, not a data "
            "table: the download probably saved the page instead of the file",
        )
    first = text.splitlines()[0]
    if "\t" in first and "\\" in first.split("\t")[0]:
        parsed.kind, parsed.delimiter = "Eurostat bulk TSV", "\t"
        names = _header(text, "\t", found)
        frame, rows = _parse_csv(src, encoding, "\t", names, found)
        _eurostat_tsv(parsed, frame, rows, name, found)
        return
    delimiter = options.delimiter or _sniff(text, found)
    parsed.delimiter = delimiter
    names = _header(text, delimiter, found)
    frame, rows = _parse_csv(src, encoding, delimiter, names, found)
    bare = {n.split(":")[0].strip().upper() for n in names}
    if {"TIME_PERIOD", "OBS_VALUE"} <= bare:
        parsed.kind = "Eurostat SDMX-CSV"
        _sdmx(parsed, frame, rows, name, found)
        return
    parsed.kind = "CSV"
    _set_table(parsed, frame, rows, name, "csv", found)


def _encoding(src: _Source, options: ReadOptions, found: _Problems) -> str:
    """The chosen encoding, else BOM, else UTF-8 if every byte decodes, else the likeliest single-byte one."""
    if options.encoding:
        try:
            enc = codecs.lookup(options.encoding).name
        except LookupError as exc:
            raise found.stop("(file)", options.encoding, "encoding", f"unknown encoding '{options.encoding}'") from exc
        enc = {"iso8859-1": "latin-1"}.get(enc, enc)
        bad = _undecodable(src, enc)
        if bad is not None:
            line, byte = bad
            raise found.stop(
                "(file)",
                f"byte 0x{byte:02X}",
                "encoding",
                f"the file is not valid {_ENCODING_NAMES.get(enc, enc)}: byte 0x{byte:02X} in row {line} "
                "cannot be read in it; choose another encoding, or leave it on automatic",
                row=line,
            )
        return enc
    head = src.head(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        bad = _undecodable(src, "utf-8")
        if bad is None:
            return "utf-8"
        if re.search(rb"[\xc3-\xc5][\x80-\xbf]", src.head(4 << 20)):
            line, byte = bad
            raise found.stop(
                "(file)",
                f"byte 0x{byte:02X}",
                "encoding",
                f"the file mixes encodings: its text is mostly UTF-8, but row {line} has byte "
                f"0x{byte:02X}, which is not (rows pasted from another file?): save it all as UTF-8",
                row=line,
            )
        candidates = [_single_byte_guess(src), "cp1252", "latin-1"]
    for enc in dict.fromkeys(candidates):
        bad = _undecodable(src, enc)
        if bad is None:
            return enc
    line, byte = bad  # type: ignore[misc]
    name = _ENCODING_NAMES.get(candidates[0], candidates[0])
    raise found.stop(
        "(file)",
        f"byte 0x{byte:02X}",
        "encoding",
        f"the text cannot be read as {name} (byte 0x{byte:02X} in row {line}); save the file as UTF-8",
        row=line,
    )


# Letters of the BSR languages that cp1252 and cp1250 encode with different bytes (ä, ö, ü, é, ó are the
# same in both): the decoding that yields more of them is the file's.
_LETTERS = {"cp1252": set("åÅæÆøØõÕšŠžŽßœ"), "cp1250": set("ąĄćĆęĘłŁńŃśŚźŹżŻčČřŘěĚ")}


def _single_byte_guess(src: _Source) -> str:
    """cp1252 or cp1250 by the BSR letters each decoding yields; else charset-normalizer's pick (or latin-1)."""
    from charset_normalizer import from_bytes

    sample = b"\n".join([line for line in src.head(4 << 20).splitlines() if any(b > 127 for b in line)][:5000])
    scores = {}
    for enc, letters in _LETTERS.items():
        with suppress(UnicodeDecodeError):
            scores[enc] = sum(ch in letters for ch in sample.decode(enc))
    if scores and len(set(scores.values())) > 1:
        return max(scores, key=lambda enc: scores[enc])
    best = from_bytes(sample, cp_isolation=["cp1252", "cp1250", "latin_1"]).best()
    return {"latin_1": "latin-1"}.get(best.encoding, best.encoding) if best is not None else "cp1252"


def _undecodable(src: _Source, encoding: str) -> tuple[int, int] | None:
    """(row, byte) of the first byte that does not decode, or None (streamed, 16 MB at a time)."""
    if encoding != "utf-16" and src.isascii():
        return None
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    try:
        for chunk in src.chunks():
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                offset += exc.start
                break
            offset += len(chunk)
        else:
            decoder.decode(b"", final=True)
            return None
    except UnicodeDecodeError:
        offset = src.size - 1
    before = 0
    for chunk in src.chunks():
        part = bytes(chunk[: max(offset - before, 0)])
        if before + len(chunk) > offset:
            return _count_lines(src, offset), bytes(chunk[offset - before : offset - before + 1] or b"\0")[0]
        before += len(part)
    return _count_lines(src, offset), 0


def _count_lines(src: _Source, offset: int) -> int:
    """Row (1-based line) of a byte offset."""
    lines, before = 0, 0
    for chunk in src.chunks():
        if before + len(chunk) >= offset:
            return lines + bytes(chunk[: offset - before]).count(b"\n") + 1
        lines += bytes(chunk).count(b"\n")
        before += len(chunk)
    return lines + 1


def _decode_head(head: bytes, encoding: str, whole: bool) -> str:
    text = head.decode(encoding, errors="replace")
    if not whole and "\n" in text:
        text = text[: text.rfind("\n") + 1]  # the last line may be cut in the middle
    return text.lstrip("\ufeff")


def _sniff(text: str, found: _Problems) -> str:
    """The delimiter among , ; tab | that splits the first lines into the most, equally long rows."""
    sample = text[:65536]
    scores = {}
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r][:50]
        if len(rows) > 1:
            rows = rows[:-1] if not text.endswith("\n") else rows
        if not rows or len(rows[0]) < 2:
            continue
        same = sum(len(r) == len(rows[0]) for r in rows)
        scores[delimiter] = (same / len(rows), len(rows[0]))
    if not scores:
        raise found.stop(
            "(header)",
            text.splitlines()[0][:80],
            "delimiter",
            "found only one column: the file uses none of comma, semicolon, tab or | between values",
        )
    return max(scores, key=lambda d: scores[d])


def _header(text: str, delimiter: str, found: _Problems) -> list[str]:
    row = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    names = [c.strip().lstrip("\ufeff").strip() for c in row]
    seen: dict[str, int] = {}
    for i, n in enumerate(names, start=1):
        if not n:
            names[i - 1] = f"(column {i})"
            continue
        if n.lower() in seen:
            raise found.stop(
                n,
                n,
                "header",
                f"column '{n}' appears twice in the header (columns {seen[n.lower()]} and {i}): rename or remove one",
                row=1,
            )
        seen[n.lower()] = i
    return names


def _arrow_encoding(encoding: str) -> str:
    return "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding


def _parse_csv(
    src: _Source, encoding: str, delimiter: str, names: list[str], found: _Problems
) -> tuple[pd.DataFrame, np.ndarray]:
    """All records as text, parsed by pyarrow from the bytes; the file row of each record. In a file without a
    quote character every line is one record, so the rows need no second look at the file."""
    if not src.contains(b'"'):
        with suppress(pa.ArrowInvalid, UnicodeDecodeError):  # blank or ragged lines: read carefully below
            frame = _arrow_csv(src, encoding, delimiter, names, lines_are_records=True)
            return frame, np.arange(2, len(frame) + 2, dtype=np.int64)
    try:
        frame = _arrow_csv(src, encoding, delimiter, names, lines_are_records=False)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        _check_records(src, encoding, delimiter, len(names), found, str(exc))
        raise found.stop("(file)", "", "parse", f"the file could not be read as a table ({exc})") from exc
    rows = _record_rows(src, encoding, delimiter, len(names), len(frame), found)
    return frame, rows


def _arrow_csv(src: _Source, encoding: str, delimiter: str, names: list[str], lines_are_records: bool) -> pd.DataFrame:
    table = pacsv.read_csv(
        src.arrow(),
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=1, encoding=_arrow_encoding(encoding), block_size=1 << 20
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=not lines_are_records, ignore_empty_lines=not lines_are_records
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    return table.to_pandas()


def _record_rows(
    src: _Source, encoding: str, delimiter: str, n_fields: int, n_records: int, found: _Problems
) -> np.ndarray:
    """File row of each record: header + 1 … when every line is one record, else from a scan of the file."""
    if encoding in ("utf-8", "utf-8-sig", "cp1252", "cp1250", "latin-1"):
        tail = _tail(src)
        body = tail.rstrip(b"\r\n")
        lines = src.count(0x0A) + (0 if tail.endswith(b"\n") else 1) - max(tail[len(body) :].count(b"\n") - 1, 0)
        if lines == n_records + 1:
            return np.arange(2, n_records + 2, dtype=np.int64)
    starts = _check_records(src, encoding, delimiter, n_fields, found, "ragged rows")
    if len(starts) != n_records:
        raise found.stop(
            "(file)",
            "",
            "parse",
            f"the file has {len(starts)} records by one reading and {n_records} by "
            "another: check its quotes and line breaks",
        )
    return np.asarray(starts, dtype=np.int64)


def _tail(src: _Source, n: int = 4096) -> bytes:
    if src.view is not None:
        return bytes(src.view[-n:])
    with open(src.path, "rb") as f:  # type: ignore[arg-type]
        f.seek(max(src.size - n, 0))
        return f.read(n)


def _scan(
    src: _Source, encoding: str, delimiter: str, n_fields: int
) -> tuple[list[int], list[tuple[int, int]], int | None]:
    """Slow, exact pass with Python's csv module: start row of each record, records with the wrong number of
    fields (row, count), and the row where an unclosed quote starts."""
    stream = io.TextIOWrapper(src.open(), encoding=encoding, newline="", errors="replace")
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    starts: list[int] = []
    bad: list[tuple[int, int]] = []
    line = 0
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip() and n_fields > 1):
                continue
            starts.append(start)
            if len(starts) > 1 and len(record) != n_fields:
                bad.append((start, len(record)))
    except csv.Error:
        return starts[1:], bad, line + 1
    finally:
        stream.close()
    return starts[1:], bad, None


def _fields_message(count: int, expected: int, delimiter: str) -> str:
    name = DELIMITERS.get(delimiter, repr(delimiter))
    count_text = "1 value" if count == 1 else f"{count} values"
    if count > expected:
        return (
            f"{count_text} where the header has {expected}: the file mixes delimiters, or a text contains a "
            f"{name} without quotes around it"
        )
    return (
        f"{count_text} where the header has {expected}: the file mixes delimiters ({name} in the header), or "
        "values are missing"
    )


def _check_records(
    src: _Source, encoding: str, delimiter: str, n_fields: int, found: _Problems, error: str
) -> list[int]:
    """Start row of every record; stops with the rows to fix on an unclosed quote or a wrong field count."""
    starts, bad, unclosed = _scan(src, encoding, delimiter, n_fields)
    if unclosed is not None:
        raise found.stop(
            "(file)",
            "",
            "quote",
            f'a quoted text starting in row {unclosed} is never closed (a " is '
            "missing): everything after it would be one cell",
            row=unclosed,
        )
    for line, count in bad[:20]:
        found.add(line, "(row)", f"{count} fields", "fields", _fields_message(count, n_fields, delimiter))
    if bad:
        raise _Stop(error)
    return starts


def _set_table(parsed: Parsed, frame: pd.DataFrame, rows: np.ndarray, name: str, kind: str, found: _Problems) -> None:
    """A plain table: drop unnamed empty columns, turn year columns long, name the source."""
    unnamed = [c for c in frame.columns if str(c).startswith("(column ")]
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


def file_stem(name: str) -> str:
    base = Path(name).name
    return re.sub(r"(\.(csv|tsv|txt|xlsx|gz))+$", "", base, flags=re.IGNORECASE) or base


def _wide_to_long(parsed: Parsed) -> None:
    """One column per year → rows of year, value and flag (values like `12.3 p` keep their flag)."""
    frame = parsed.frame
    lowered = {_norm(c) for c in frame.columns}
    year_cols = [c for c in frame.columns if _YEAR_NAME.match(str(c))]
    if not year_cols or lowered & {"year", "value", "timeperiod", "obsvalue"}:
        return
    ids = [c for c in frame.columns if c not in year_cols]
    values = pd.concat([frame[c] for c in year_cols], ignore_index=True)
    parts = _split_flags(values)
    missing = parts["value"].isna()
    keep = ~missing.to_numpy()
    n = len(frame)
    long = pd.DataFrame({c: np.tile(frame[c].to_numpy(), len(year_cols))[keep] for c in ids})
    long["year"] = np.repeat([_YEAR_NAME.match(str(c)).group(1) for c in year_cols], n)[keep]  # type: ignore[union-attr]
    long["value"] = parts["value"].to_numpy()[keep]
    if "flag" not in lowered:
        long["flag"] = parts["flag"].to_numpy()[keep]
    parsed.frame = long.astype("str")
    parsed.rows = np.tile(parsed.rows, len(year_cols))[keep]
    parsed.origin = np.repeat(np.array([str(c).strip() for c in year_cols], dtype=object), n)[keep]
    skipped = int(missing.sum())
    parsed.notes.append(
        f"{_count(len(year_cols), 'year column')} ({str(year_cols[0]).strip()}–"
        f"{str(year_cols[-1]).strip()}) turned into {_count(len(long), 'row')} of year and value"
    )
    if skipped:
        parsed.notes.append(_count(skipped, "empty or ':' cell") + " (no value) left out")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _split_flags(values: pd.Series) -> pd.DataFrame:
    """`12.3 p` → value 12.3, flag p; ':' or ': c' → no value; anything else stays as typed (checked later)."""
    text = values.astype("str").str.strip()
    parts = text.str.extract(_FLAGGED)
    missing = text.isin(MISSING_MARKS) | text.str.match(r"^:\s*[a-z]*$")
    value = parts["num"].where(parts["num"].notna(), text).where(~missing)
    flag = parts["flag"].where(parts["num"].notna() & parts["flag"].ne(""))
    return pd.DataFrame({"value": value, "flag": flag})


def _eurostat_tsv(parsed: Parsed, frame: pd.DataFrame, rows: np.ndarray, name: str, found: _Problems) -> None:
    """Eurostat bulk download: first column `unit,nace_r2,geo\\time` holds the dimensions, then one column per
    period with values like `12.3 p` or `:`."""
    first = str(frame.columns[0])
    dims_part, _, time_label = first.partition("\\")
    dims = [d.strip() for d in dims_part.split(",") if d.strip()]
    time_label = time_label.strip() or "time"
    periods = [c for c in frame.columns[1:]]
    sub = [c for c in periods if _SUBANNUAL_NAME.match(str(c))]
    if sub:
        raise found.stop(
            str(sub[0]).strip(),
            str(sub[0]).strip(),
            "frequency",
            f"the file has quarterly, monthly or half-yearly columns ({str(sub[0]).strip()} …): only "
            "annual data can be loaded; download the annual (A) version of the dataset",
            row=1,
        )
    bad = [c for c in periods if not _YEAR_NAME.match(str(c))]
    if bad:
        raise found.stop(
            str(bad[0]),
            str(bad[0]),
            "header",
            f"column '{str(bad[0]).strip()}' is not a year: Eurostat "
            "TSV files have one column per year after the first column",
            row=1,
        )
    split = frame[first].str.split(",", expand=True, regex=False)
    if split.shape[1] != len(dims) or split.isna().any(axis=None):
        counts = frame[first].str.count(",") + 1
        i = int(np.flatnonzero((counts != len(dims)).to_numpy())[0])
        raise found.stop(
            first,
            frame[first].iat[i],
            "dimensions",
            f"has {counts.iat[i]} codes where the header names {len(dims)} ({', '.join(dims)})",
            row=int(rows[i]),
        )
    split.columns = dims
    if "freq" in dims and split["freq"].str.strip().ne("A").any():
        value = split.loc[split["freq"].str.strip().ne("A"), "freq"].iat[0]
        raise found.stop(
            "freq", value, "frequency", f"frequency '{value}' is not annual: only annual (A) data can be loaded"
        )
    wide = pd.concat([split.apply(lambda s: s.str.strip()), frame[periods]], axis=1)
    wide.columns = [*dims, *[str(c).strip() for c in periods]]
    parsed.frame, parsed.rows = wide, rows
    _wide_to_long(parsed)
    parsed.frame = parsed.frame.rename(columns={"year": time_label})
    total = len(wide) * len(periods)
    if parsed.frame.empty and total:
        raise found.stop(
            "(file)", ":", "no_values", f"none of the {total:,} cells has a value (all are ':' = not available)"
        )
    code = _eurostat_code(name)
    parsed.source_key = f"eurostat-tsv:{code or ','.join(dims)}"
    parsed.source_name = f"Eurostat {code}" if code else file_stem(name)


def _eurostat_code(name: str) -> str:
    stem = file_stem(name).lower()
    stem = re.sub(r"^estat_", "", stem)
    return stem if re.fullmatch(r"[a-z][a-z0-9_]{2,40}", stem) else ""


def _sdmx(parsed: Parsed, frame: pd.DataFrame, rows: np.ndarray, name: str, found: _Problems) -> None:
    """Eurostat SDMX-CSV: one row per observation, TIME_PERIOD / OBS_VALUE / OBS_FLAG; codes may carry labels
    (`SE33: Övre Norrland`), which are cut off."""
    frame.columns = [str(c).split(":")[0].strip() for c in frame.columns]
    upper = {c.upper(): c for c in frame.columns}
    obs, time = upper["OBS_VALUE"], upper["TIME_PERIOD"]
    for col in frame.columns:
        if col.upper() in ("OBS_VALUE", "OBS_FLAG", "TIME_PERIOD", "LAST UPDATE", "DATAFLOW", "STRUCTURE_ID"):
            continue
        values = frame[col]
        if len(values) and values.head(1000).str.match(r"^[^:\s]+: ").all():
            frame[col] = values.str.split(":", n=1).str[0].str.strip()
    freq = upper.get("FREQ")
    if freq is not None and frame[freq].str.strip().ne("A").any():
        i = int(np.flatnonzero(frame[freq].str.strip().ne("A").to_numpy())[0])
        raise found.stop(
            freq,
            frame[freq].iat[i],
            "frequency",
            f"frequency '{frame[freq].iat[i]}' is not annual: only annual (A) data can be loaded",
            row=int(rows[i]),
        )
    has_value = ~frame[obs].str.strip().isin(MISSING_MARKS).to_numpy()
    skipped = int((~has_value).sum())
    frame, rows = frame[has_value].reset_index(drop=True), rows[has_value]
    if frame.empty:
        raise found.stop(obs, "", "no_values", "no row has a value in OBS_VALUE")
    if skipped:
        parsed.notes.append(f"{_count(skipped, 'row')} without OBS_VALUE left out")
    parsed.frame, parsed.rows = frame.rename(columns={time: "TIME_PERIOD"}), rows
    flow = upper.get("DATAFLOW") or upper.get("STRUCTURE_ID")
    code = ""
    if flow is not None and len(frame):
        match = re.search(r":([A-Za-z0-9_]+)", str(frame[flow].iat[0]))
        code = match.group(1).lower() if match else ""
    code = code or _eurostat_code(name)
    parsed.source_key = f"sdmx:{code or 'unknown'}"
    parsed.source_name = f"Eurostat {code}" if code else file_stem(name)


# --- Excel ----------------------------------------------------------------------------------------------------


def _read_xlsx(parsed: Parsed, src: _Source, name: str, options: ReadOptions, found: _Problems) -> None:
    """The chosen (else first) sheet; the header is the first row with at least two filled cells. Values come
    from calamine (Rust, several times faster than openpyxl); a workbook with formulas is read by openpyxl,
    which sees the formulas themselves and so can name each cell that holds one."""
    from openpyxl.utils import get_column_letter

    handle = src.open()
    try:
        with zipfile.ZipFile(handle) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise found.stop(
                    "(file)",
                    "",
                    "format",
                    "this is a ZIP archive, not an Excel workbook: unpack it and upload the CSV or TSV file inside",
                )
            formulas_inside = _has_formulas(archive)
        handle.seek(0)
        with _workbook(handle, formulas_inside) as (sheets, rows_of):
            parsed.kind = "Excel"
            parsed.sheets = tuple(sheets)
            sheet = options.sheet or sheets[0]
            if sheet not in sheets:
                raise found.stop(
                    "(file)", sheet, "sheet", f"there is no sheet named '{sheet}'; the sheets are: {', '.join(sheets)}"
                )
            parsed.sheet = sheet
            header: list[str] | None = None
            records: list[list[str]] = []
            rows: list[int] = []
            formulas = 0
            for r, values in enumerate(rows_of(sheet), start=1):
                cells = [_cell_text(v) for v in values]
                if header is None:
                    if sum(bool(c.strip()) for c in cells) >= 2:
                        header = _excel_header(cells, r, found)
                    continue
                if not any(c.strip() for c in cells):
                    continue
                for ci, cell in enumerate(cells):
                    if formulas_inside and cell.startswith("=") and formulas < 50:
                        formulas += 1
                        column = header[ci] if ci < len(header) else get_column_letter(ci + 1)
                        found.add(
                            r,
                            column,
                            cell,
                            "formula",
                            f"cell {get_column_letter(ci + 1)}{r} holds a formula, "
                            "not a value: copy the column and paste it as values only",
                        )
                    if ci >= len(header) and cell.strip():
                        raise found.stop(
                            get_column_letter(ci + 1),
                            cell,
                            "header",
                            f"cell {get_column_letter(ci + 1)}"
                            f"{r} has a value but its column has no name in the header row",
                            row=r,
                        )
                records.append((cells + [""] * len(header))[: len(header)])
                rows.append(r)
    except _Stop:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, *_excel_errors()) as exc:
        raise found.stop(
            "(file)",
            "",
            "format",
            f"the Excel file is damaged or incomplete ({exc}): save it again and upload it once more",
        ) from exc
    finally:
        handle.close()
    if header is None:
        raise found.stop(
            "(file)", sheet, "empty", f"sheet '{sheet}' has no table (no row with two or more filled cells)"
        )
    if formulas:
        raise _Stop("formula cells")
    frame = (
        pd.DataFrame(records, columns=header, dtype="str")
        if records
        else pd.DataFrame({h: pd.Series(dtype="str") for h in header})
    )
    _set_table(parsed, frame, np.asarray(rows, dtype=np.int64), name, "xlsx", found)


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    """Whether any worksheet holds a formula (an <f> element), streamed through in 1 MB pieces."""
    for part in archive.namelist():
        if not part.startswith("xl/worksheets/") or not part.endswith(".xml"):
            continue
        with archive.open(part) as sheet:
            tail = b""
            while chunk := sheet.read(1 << 20):
                if re.search(rb"<(?:\w+:)?f[ >/]", tail + chunk):
                    return True
                tail = chunk[-16:]
    return False


@contextmanager
def _workbook(handle: BinaryIO, formulas_inside: bool) -> Iterator[tuple[list[str], Any]]:
    """Sheet names and a function giving a sheet's rows (lists of cell values, from cell A1 on)."""
    if formulas_inside:
        import openpyxl

        book = openpyxl.load_workbook(handle, read_only=True, data_only=False)
        try:
            yield list(book.sheetnames), lambda sheet: book[sheet].iter_rows(values_only=True)
        finally:
            book.close()
        return
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(handle)
    try:
        yield list(book.sheet_names), lambda sheet: book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        book.close()


def _excel_errors() -> tuple[type[BaseException], ...]:
    from openpyxl.utils.exceptions import InvalidFileException
    from python_calamine import CalamineError

    return (InvalidFileException, CalamineError)


def _excel_header(cells: list[str], row: int, found: _Problems) -> list[str]:
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    names = [c.strip() or f"(column {i})" for i, c in enumerate(cells, start=1)]
    lowered = [n.lower() for n in names]
    for i, n in enumerate(lowered):
        if n in lowered[:i]:
            raise found.stop(
                names[i],
                names[i],
                "header",
                f"column '{names[i]}' appears twice in the header row "
                f"(columns {lowered.index(n) + 1} and {i + 1}): rename or remove one",
                row=row,
            )
    return names


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV would hold (whole floats without '.0', dates as ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)  # exact whole numbers
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- cell checks common to every format ---------------------------------------------------------------------


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with few distinct values (codes, units, years; not the values) as Categoricals, encoded in
    parallel threads (arrow releases the GIL), so that each later check runs once per distinct value."""
    names = [c for c in frame.columns if _repetitive(frame[c])]
    if not names:
        return frame
    with ThreadPoolExecutor(max_workers=min(len(names), os.cpu_count() or 1)) as pool:
        encoded = dict(zip(names, pool.map(lambda c: schema.as_categorical(frame[c]), names), strict=True))
    return frame.assign(**encoded)


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
        cells = pa.array(distinct.astype("str"), from_pandas=True)
        plain = pc.fill_null(pc.and_(pc.string_is_ascii(cells), pc.ascii_is_printable(cells)), True)
        if pc.all(plain).as_py():
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


# --- column mapping ---------------------------------------------------------------------------------------------


def _norm(name: object) -> str:
    return re.sub(r"[^0-9a-zåäöø]", "", str(name).lower())


_SYNONYMS: dict[str, tuple[str, ...]] = {
    "region_id": ("geo", "nuts", "nutsid", "nutscode", "nuts2021", "region", "regioncode", "regionid", "nutsregion"),
    "nuts_id": ("geo", "nuts", "nutscode", "regionid", "regioncode"),
    "sector": ("nace", "nacer2", "nace2", "nacecode", "naceid", "nacerev2", "industry", "activity"),
    "nace": ("nacer2", "nace2", "nacecode", "sector", "division"),
    "indicator": ("indicatorid", "indic", "variable", "measure"),
    "year": ("time", "timeperiod", "period", "yr", "jahr", "år", "vuosi", "aasta", "rok", "metai", "gads"),
    "value": ("obsvalue", "val", "amount", "values"),
    "unit": ("units", "unitmeasure", "unitofmeasure"),
    "source": ("datasource", "sourceofdata"),
    "flag": ("obsflag", "flags", "obsstatus", "status"),
    "from_region": ("origin", "originregion", "fromnuts", "from"),
    "to_region": ("destination", "destinationregion", "tonuts", "to"),
    "budget_eur": ("budget", "totalbudget", "budgeteuro"),
    "public_funding_eur": ("publicfunding", "eufunding", "funding", "grant"),
    "start_year": ("start", "startyear", "from_year"),
    "end_year": ("end", "endyear"),
    "level": ("nutslevel", "levl", "levlcode"),
    "name": ("label", "nutsname", "regionname"),
}


@dataclass
class ColumnMap:
    """How a file fills a table: `columns` table column → file column; `constants` table column → value
    for every row; `filters` file column → the one value whose rows are loaded (e.g. one unit of several)."""

    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)

    def stored(self) -> dict[str, str]:
        """Flat form for store.save_mapping: `col:x`, `const:x`, `filter:x` keys."""
        return (
            {f"col:{k}": v for k, v in self.columns.items()}
            | {f"const:{k}": v for k, v in self.constants.items()}
            | {f"filter:{k}": v for k, v in self.filters.items()}
        )

    @classmethod
    def from_stored(cls, stored: Mapping[str, str]) -> ColumnMap:
        out = cls()
        for key, value in stored.items():
            kind, _, name = str(key).partition(":")
            target = {"col": out.columns, "const": out.constants, "filter": out.filters}.get(kind)
            if target is not None and name:
                target[name] = str(value)
        return out


def auto_map(parsed: Parsed, table: str | Table, remembered: Mapping[str, str] | ColumnMap | None = None) -> ColumnMap:
    """Columns matched by name (and common synonyms such as geo, nace_r2, TIME_PERIOD, OBS_VALUE), overridden by
    what was remembered for this source; `source` defaults to the file's dataset name."""
    t = TABLES[table] if isinstance(table, str) else table
    files = parsed.columns
    by_norm = {_norm(c): c for c in files}
    old = remembered if isinstance(remembered, ColumnMap) else ColumnMap.from_stored(remembered or {})
    out = ColumnMap()
    used: set[str] = set()
    for col in t.columns:
        if col.name in old.columns and old.columns[col.name] in files:
            out.columns[col.name] = old.columns[col.name]
            used.add(old.columns[col.name])
    for col in t.columns:
        if col.name in out.columns or col.name in old.constants:
            continue
        for candidate in (col.name, *_SYNONYMS.get(col.name, ())):
            match = by_norm.get(_norm(candidate))
            if match is not None and match not in used:
                out.columns[col.name] = match
                used.add(match)
                break
    out.constants = {k: v for k, v in old.constants.items() if k in t.column_names and k not in out.columns}
    out.filters = {k: v for k, v in old.filters.items() if k in files}
    if "source" in t.column_names and "source" not in out.columns and "source" not in out.constants:
        out.constants["source"] = parsed.source_name
    return out


def unmapped_dimensions(parsed: Parsed, mapping: ColumnMap, limit: int = 50) -> dict[str, list[str]]:
    """File columns not used by the mapping whose few distinct values split otherwise equal rows (a unit or
    a sex dimension): the analyst picks one value of each."""
    used = set(mapping.columns.values()) | set(mapping.filters)
    out = {}
    for col in parsed.columns:
        if col in used or col in ("value", "flag") or (parsed.origin is not None and col == "year"):
            continue
        values = parsed.frame[col].str.strip().unique()
        if 1 < len(values) <= limit:
            out[col] = sorted(str(v) for v in values)
    return out


# --- checking ---------------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What an upload is checked against: reference values and the current rows of the target table."""

    known: dict[str, set[str]]
    regions: pd.DataFrame
    indicators: pd.DataFrame
    stages: pd.DataFrame
    current: pd.DataFrame  # current rows of the target table, with version_id and dataset
    revision: int = 0

    @classmethod
    def from_store(cls, store: Store, table: str) -> Context:
        frames = {name: store.current(name) for name in _REFERENCED}
        current = store.current_with_versions(table) if TABLES[table].versioned else pd.DataFrame()
        return cls.from_frames(frames, table, current, store.revision())

    @classmethod
    def from_frames(
        cls, frames: Mapping[str, pd.DataFrame], table: str, current: pd.DataFrame | None = None, revision: int = 0
    ) -> Context:
        known = {}
        for ref in _REFERENCES:
            ref_table, ref_col = ref.split(".")
            if ref_table in frames:
                known[ref] = set(frames[ref_table][ref_col].dropna().astype(str))
        if current is None:
            t = TABLES[table]
            current = schema.coerce(frames[table], t) if table in frames else schema.coerce(pd.DataFrame(), t)
            current = current.assign(version_id=0, dataset="(current data)")
        empty = {name: schema.coerce(pd.DataFrame(), TABLES[name]) for name in ("regions", "indicators", "stages")}
        return cls(
            known,
            schema.coerce(frames.get("regions", empty["regions"]), schema.REGIONS),
            schema.coerce(frames.get("indicators", empty["indicators"]), schema.INDICATORS),
            schema.coerce(frames.get("stages", empty["stages"]), schema.STAGES),
            current,
            revision,
        )


_REFERENCES = sorted({c.references for t in TABLES.values() for c in t.columns if c.references})
_REFERENCED = sorted({r.split(".")[0] for r in _REFERENCES})


@dataclass
class Preview:
    """What committing would do, counted against the data on screen now."""

    rows: int
    added: int
    changed: int
    unchanged: int
    kept: int  # mode update: rows of the dataset's current version not in the file, kept
    dropped: int  # mode replace: rows of the dataset's current version not in the file, no longer shown
    taken: dict[str, int]  # other dataset → its rows with the same key, replaced by this file's rows

    def summary(self) -> str:
        parts = [
            f"{self.rows:,} rows: {self.added:,} new",
            f"{self.changed:,} replace rows with other values",
            f"{self.unchanged:,} identical to rows on screen",
        ]
        if self.kept:
            parts.append(f"{self.kept:,} rows of the dataset's current version are kept")
        if self.dropped:
            parts.append(f"{self.dropped:,} rows of the dataset's current version will no longer be shown")
        for name, n in self.taken.items():
            parts.append(f"{n:,} rows of dataset '{name}' are replaced")
        return "; ".join(parts) + "."


@dataclass
class Checked:
    """A file checked against one table: the report, the preview and what a commit would store."""

    parsed: Parsed
    table: Table
    mapping: ColumnMap
    dataset: str
    mode: Literal["update", "replace"]
    report: schema.Report
    preview: Preview | None
    new_indicators: pd.DataFrame
    decimal: str
    revision: int

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def rows(self) -> pd.DataFrame:
        return self.report.clean


def new_indicator_ids(parsed: Parsed, mapping: ColumnMap, context: Context) -> list[str]:
    """Indicator identifiers the observations bring that the indicators table does not define yet."""
    known = context.known.get("indicators.indicator_id", set())
    if "indicator" in mapping.constants:
        values = {mapping.constants["indicator"].strip()}
    elif "indicator" in mapping.columns and mapping.columns["indicator"] in parsed.frame:
        values = set(_filtered(parsed, mapping)[0][mapping.columns["indicator"]].str.strip().unique())
    else:
        values = set()
    return sorted(v for v in values if v and v not in known and re.fullmatch(schema.ID_PATTERN, v))


def check(
    parsed: Parsed,
    table: str,
    mapping: ColumnMap,
    context: Context,
    *,
    dataset: str,
    mode: Literal["update", "replace"] = "update",
    new_indicators: pd.DataFrame | None = None,
    decimal: str | None = None,
) -> Checked:
    """Every failure of the mapped file at once, named by file, row, column and value; plus the preview."""
    t = TABLES[table]
    found = _Problems(parsed.file)
    defs = schema.coerce(new_indicators if new_indicators is not None else pd.DataFrame(), schema.INDICATORS)
    failures = [parsed.failures]
    decimal_used = decimal or parsed.decimal or "."
    if not parsed.ok:
        return _checked(
            parsed,
            t,
            mapping,
            dataset,
            mode,
            failures,
            schema.coerce(pd.DataFrame(), t),
            None,
            defs,
            decimal_used,
            context,
        )
    dataset = dataset.strip()
    if not dataset:
        found.add(None, "(dataset)", "", "dataset", "give the dataset a name (e.g. the Eurostat dataset code)")
    elif dataset == DEMO_DATASET:
        found.add(
            None,
            "(dataset)",
            dataset,
            "dataset",
            f"'{DEMO_DATASET}' is reserved for the generated demo data: choose another dataset name",
        )
    sub, rows, origin = _filtered(parsed, mapping)
    if sub.empty:
        found.add(
            None,
            "(filter)",
            "; ".join(f"{k} = {v}" for k, v in mapping.filters.items()),
            "filter",
            "no row has the values chosen to keep",
        )
    frame, labels = _mapped(sub, t, mapping, origin)
    decimal_used = decimal or parsed.decimal or _detect_decimal(frame, t, parsed.delimiter, found)
    frame = _normalise_numbers(frame, t, decimal_used)
    known = {k: set(v) for k, v in context.known.items()}
    if not defs.empty:
        report = schema.validate(
            new_indicators.reset_index(drop=True),
            schema.INDICATORS,  # type: ignore[union-attr]
            file="new indicator definitions (form)",
            row_offset=1,
        )
        failures.append(_failure_frame(report.failures))
        known.setdefault("indicators.indicator_id", set()).update(defs["indicator_id"].dropna())
    indicators = pd.concat([context.indicators, defs], ignore_index=True).drop_duplicates("indicator_id", keep="last")
    if t is schema.OBSERVATIONS:
        frame = _unit_from_indicator(frame, indicators, found)
    report = schema.validate(frame, t, file=parsed.file, row_offset=0, known=known, suggest=suggester(context))
    dates = _dates_as_years(frame, t, rows, labels, found)
    schema_failures = report.failures
    if dates:
        is_date = schema_failures.apply(lambda f: (f["row"], f["column"]) in dates and f["check"] == "dtype", axis=1)
        schema_failures = schema_failures[~is_date.astype(bool)] if len(schema_failures) else schema_failures
    failures.append(_in_file_terms(schema_failures, rows, labels))
    _extra_checks(frame, report.clean, t, rows, labels, context, indicators, found)
    if (report.failures["check"] == "unique_key").any():
        _explain_duplicates(parsed, mapping, found)
    merged = _cap(_concat_failures([*failures, found.frame()]))
    preview = None
    if not (merged["severity"] == "error").any():
        preview = _preview(report.clean, t, context, dataset, mode)
    return _checked(parsed, t, mapping, dataset, mode, [merged], report.clean, preview, defs, decimal_used, context)


def _concat_failures(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    filled = [_failure_frame(f) for f in frames if len(f)]
    return pd.concat(filled, ignore_index=True) if filled else _failure_frame(pd.DataFrame(columns=ERROR_COLUMNS))


def _checked(
    parsed: Parsed,
    t: Table,
    mapping: ColumnMap,
    dataset: str,
    mode: Literal["update", "replace"],
    failures: list[pd.DataFrame],
    clean: pd.DataFrame,
    preview: Preview | None,
    defs: pd.DataFrame,
    decimal: str,
    context: Context,
) -> Checked:
    return Checked(
        parsed,
        t,
        mapping,
        dataset.strip(),
        mode,
        schema.Report(t, clean, _concat_failures(failures)),
        preview,
        defs,
        decimal,
        context.revision,
    )


def _filtered(parsed: Parsed, mapping: ColumnMap) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
    frame = parsed.frame
    keep = np.ones(len(frame), dtype=bool)
    for col, value in mapping.filters.items():
        if col in frame.columns:
            keep &= (frame[col].str.strip() == str(value).strip()).to_numpy()
    if keep.all():
        return frame, parsed.rows, parsed.origin
    origin = parsed.origin[keep] if parsed.origin is not None else None
    return frame[keep].reset_index(drop=True), parsed.rows[keep], origin


def _mapped(
    sub: pd.DataFrame, t: Table, mapping: ColumnMap, origin: np.ndarray | None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table's columns filled from the file (text), and how each column is named in the file."""
    out: dict[str, pd.Series] = {}
    labels: dict[str, Any] = {}
    for col in t.columns:
        source = mapping.columns.get(col.name)
        if source is not None and source in sub.columns:
            out[col.name] = sub[source]
            if origin is not None and col.name in ("value", "flag"):
                columns, which = np.unique(origin.astype(str), return_inverse=True)
                labels[col.name] = np.array([f"{o} ({col.name})" for o in columns], dtype=object)[which]
            else:
                labels[col.name] = col.name if source == col.name else f"{source} ({col.name})"
        elif str(mapping.constants.get(col.name, "")).strip():
            out[col.name] = pd.Series(
                pd.Categorical.from_codes(
                    np.zeros(len(sub), dtype=np.int8), [str(mapping.constants[col.name]).strip()]
                ),
                index=sub.index,
            )
            labels[col.name] = f"{col.name} (set for every row)"
    return pd.DataFrame(out, index=sub.index), labels


def _detect_decimal(frame: pd.DataFrame, t: Table, delimiter: str | None, found: _Problems) -> str:
    """'.' or ',' from the numeric columns' values; '1,234' alone is ambiguous and says so."""
    numeric = [c.name for c in t.columns if c.dtype in ("int", "float") and c.name in frame]
    if not numeric:
        return "."
    sample = pd.concat([frame[c].dropna().head(2000) for c in numeric], ignore_index=True).astype("str").str.strip()
    sample = sample.drop_duplicates()
    if sample.empty:
        return "."
    comma = (sample.str.fullmatch(r"[-+]?\d*,\d+") & ~sample.str.fullmatch(r"[-+]?\d{1,3}(,\d{3})+")).sum()
    comma += sample.str.fullmatch(r"[-+]?\d{1,3}([. \u00a0\u202f]\d{3})+,\d+").sum()
    dot = (sample.str.fullmatch(r"[-+]?\d*\.\d+") & ~sample.str.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+")).sum()
    dot += sample.str.fullmatch(r"[-+]?\d{1,3}([, \u00a0\u202f]\d{3})+\.\d+").sum()
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


def _normalise_numbers(frame: pd.DataFrame, t: Table, decimal: str) -> pd.DataFrame:
    """Columns of plain numbers (the usual case) become numbers here, once; elsewhere thousands separators go
    and the decimal separator becomes '.'; cells that are no number stay as typed for the report."""
    out = frame.copy(deep=False)  # columns are replaced, never changed in place
    thousands = "." if decimal == "," else ","
    grouped = rf"[-+]?\d{{1,3}}(\{thousands}\d{{3}})+(\{decimal}\d*)?"
    plain_numbers = set()
    for c in t.columns:
        numbers = _plain_numbers(out[c.name]) if c.dtype in ("int", "float") and c.name in out else None
        if numbers is not None:
            out[c.name] = numbers
            plain_numbers.add(c.name)
    for col in t.columns:
        if col.dtype not in ("int", "float") or col.name not in out or col.name in plain_numbers:
            continue
        s = out[col.name].astype("str")
        if not _matches(s, r"[, \t'\x{a0}\x{202f}]").any():
            continue
        s = s.str.strip()
        spaced = s.str.fullmatch(r"[-+]?\d{1,3}([ \u00a0\u202f']\d{3})+([.,]\d*)?")
        s = s.where(~spaced, s.str.replace(r"[ \u00a0\u202f']", "", regex=True))
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


def _unit_from_indicator(frame: pd.DataFrame, indicators: pd.DataFrame, found: _Problems) -> pd.DataFrame:
    """Observations without a unit column get their indicator's unit (and the report says so)."""
    if "unit" in frame or "indicator" not in frame:
        return frame
    units = dict(zip(indicators["indicator_id"], indicators["unit"], strict=True))
    unit = frame["indicator"].str.strip().map(units)
    if unit.notna().any():
        names = ", ".join(sorted({f"{k}: {units[k]}" for k in frame["indicator"].str.strip().unique() if k in units}))
        found.add(
            None,
            "unit",
            names,
            "unit_default",
            f"the file has no unit column: units taken from the indicator definitions ({names})",
            "warning",
        )
    return frame.assign(unit=unit.astype("str"))


def _dates_as_years(
    frame: pd.DataFrame, t: Table, rows: np.ndarray, labels: dict[str, Any], found: _Problems
) -> set[tuple[int, str]]:
    """Year columns holding dates: a clearer message than 'not a whole number' (and Excel's 1905 trap)."""
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
        for i in hits[:FAILURES_PER_CHECK]:
            text = str(values.iat[i]).strip()
            message = f"'{text}' is a date; the column needs the year only"
            year = re.search(r"\d{4}", text).group(0)  # type: ignore[union-attr]
            serial = _excel_serial(text)
            if serial is not None and schema.YEAR["min"] <= serial <= schema.YEAR["max"]:
                message += (
                    f": this is how Excel shows the number {serial} in a cell formatted as a date — format the "
                    "column as Number"
                )
            else:
                message += f" (e.g. {year})"
            out.add((i, col.name))
            found.add(int(rows[i]), _label(labels, col.name, i), text, "date_not_year", message)
    return out


def _excel_serial(text: str) -> int | None:
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return (day - date(1899, 12, 30)).days


def _label(labels: Mapping[str, Any], column: str, i: int) -> str:
    label = labels.get(column, column)
    return str(label[i]) if isinstance(label, np.ndarray) else str(label)


def _in_file_terms(failures: pd.DataFrame, rows: np.ndarray, labels: dict[str, Any]) -> pd.DataFrame:
    """Schema failures (0-based index, table column) → file row and the column as the file names it.
    A problem with a value set for every row is reported once, not once per row."""
    if failures.empty:
        return failures
    out = failures.copy()
    index = pd.to_numeric(out["row"], errors="coerce")
    has_row = index.notna().to_numpy()
    positions = index.fillna(0).astype(int).to_numpy()
    file_rows = rows[positions] if len(rows) else np.zeros(len(out), dtype=np.int64)
    out["row"] = pd.array(np.where(has_row, file_rows, 0), dtype="Int64")
    out.loc[~has_row, "row"] = pd.NA
    out["column"] = [_label(labels, c, p) if c in labels else c for c, p in zip(out["column"], positions, strict=True)]
    constant = out["column"].str.endswith("(set for every row)")
    if constant.any():
        once = out[constant].drop_duplicates(["column", "check", "value"]).assign(row=pd.NA)
        out = pd.concat([out[~constant], once], ignore_index=True)
    return out


def _extra_checks(
    raw: pd.DataFrame,
    clean: pd.DataFrame,
    t: Table,
    rows: np.ndarray,
    labels: dict[str, Any],
    context: Context,
    indicators: pd.DataFrame,
    found: _Problems,
) -> None:
    """Checks that need more than one column's definition: markup and formulas in text, implausible numbers,
    nonnegative indicators, units, flags, stages of the right chain, regions outside the programme area."""

    def add(
        index: np.ndarray, column: str, values: pd.Series, check: str, message: Any, severity: str = "error"
    ) -> None:
        for i in index[:FAILURES_PER_CHECK]:
            text = message(values.iat[i]) if callable(message) else message
            found.add(int(rows[i]), _label(labels, column, i), values.iat[i], check, text, severity)

    for col in t.columns:
        if col.name not in raw:
            continue
        if col.dtype == "text" and not (col.references or col.pattern or col.choices):
            values = raw[col.name]
            codes, distinct = schema.text_codes(values)  # a unit or source column has a handful of distinct texts
            checks = (
                (
                    _HTML,
                    "html",
                    lambda v: (
                        f"contains HTML or script markup "
                        f"('{re.search(_HTML, str(v)).group(0)[:40]}'): text is shown as typed, so remove the tags"
                    ),
                ),
                (
                    _FORMULA,
                    "formula",
                    "starts like a spreadsheet formula (=, +, - or @): remove the leading "
                    "character, or the cell could run as a formula when someone opens an export in Excel",
                ),
                (None, "text_length", f"is longer than {MAX_TEXT_CHARS:,} characters: shorten it"),
            )
            for pattern, check, message in checks:
                bad = _matches(distinct, pattern) if pattern else (distinct.str.len() > MAX_TEXT_CHARS).to_numpy()
                if bad.any():
                    add(np.flatnonzero(schema.spread(bad, codes)), col.name, values, check, message)
        elif col.dtype in ("int", "float") and col.max is None:
            values = clean[col.name]
            huge = np.flatnonzero((values.abs() > MAX_MAGNITUDE).fillna(False).to_numpy())
            add(
                huge,
                col.name,
                values,
                "magnitude",
                lambda v: (
                    f"{float(v):.4g} is implausibly large (more than "
                    "10^15): check the unit and the decimal and thousands separators"
                ),
            )
    if t is schema.OBSERVATIONS and {"indicator", "value"} <= set(clean.columns):
        _observation_checks(clean, rows, labels, indicators, add)
    if t.name in ("flows", "stage_sectors") and not context.stages.empty:
        pairs = set(zip(context.stages["chain_id"], context.stages["stage_id"], strict=True))
        for column in ("from_stage", "to_stage", "stage_id"):
            if column in clean and "chain_id" in clean:
                known_stage = clean[column].isin(list(context.known.get("stages.stage_id", set())))
                ok = pd.Series(
                    [(c, s) in pairs for c, s in zip(clean["chain_id"], clean[column], strict=True)], index=clean.index
                )
                bad = np.flatnonzero((known_stage.fillna(False) & ~ok).to_numpy())
                chain = clean["chain_id"]
                add(
                    bad,
                    column,
                    clean[column].astype("str"),
                    "stage_chain",
                    lambda v, chain=chain: (
                        f"'{v}' is not a stage of value chain '{chain.iat[0]}'"
                        if chain.nunique() == 1
                        else f"'{v}' is not a stage of the row's value chain"
                    ),
                )
    _outside_programme_area(clean, t, rows, labels, context, found)


def _observation_checks(
    clean: pd.DataFrame, rows: np.ndarray, labels: dict[str, Any], indicators: pd.DataFrame, add: Any
) -> None:
    nonneg = set(indicators.loc[indicators["nonnegative"].fillna(False).astype(bool), "indicator_id"])
    negative = (clean["value"] < 0).fillna(False).to_numpy(dtype=bool) & schema.isin(clean["indicator"], nonneg)
    add(
        np.flatnonzero(negative),
        "value",
        clean["value"].astype("Float64"),
        "nonnegative",
        lambda v: f"{float(v):g} is negative, but the indicator cannot be negative (it is defined as nonnegative)",
    )
    if "unit" in clean:
        units = {k: str(v).lower() for k, v in zip(indicators["indicator_id"], indicators["unit"], strict=True)}
        firsts = schema.first_rows(clean, ["indicator", "unit"])
        pairs = clean.iloc[firsts][["indicator", "unit"]].assign(position=firsts)
        pairs = pairs[
            [u.lower() != units.get(i, u.lower()) for i, u in zip(pairs["indicator"], pairs["unit"], strict=True)]
        ]
        for _, r in pairs.head(20).iterrows():
            unit = indicators.set_index("indicator_id").at[r["indicator"], "unit"]
            add(
                np.array([r["position"]]),
                "unit",
                clean["unit"],
                "unit",
                f"unit '{r['unit']}' differs from the unit of indicator '{r['indicator']}' ({unit}): values are "
                "stored as given; convert them, or define a new indicator",
                "warning",
            )
    if "flag" in clean:
        firsts = schema.first_rows(clean, ["flag"])
        first_of = dict(zip(clean["flag"].iloc[firsts], firsts, strict=True))
        for flag, n in clean["flag"].value_counts().items():
            first = np.array([first_of[flag]])
            meaning = ", ".join(FLAGS.get(ch, "unknown flag") for ch in str(flag))
            counted = "1 value is" if n == 1 else f"{n:,} values are"
            add(
                first,
                "flag",
                clean["flag"],
                "flag",
                f"{counted} flagged '{flag}' ({meaning}); the flag is kept and shown with the value",
                "warning",
            )


def _outside_programme_area(
    clean: pd.DataFrame, t: Table, rows: np.ndarray, labels: dict[str, Any], context: Context, found: _Problems
) -> None:
    if t is schema.REGIONS or context.regions.empty:
        return
    outside = set(context.regions.loc[~context.regions["bsr"].fillna(False).astype(bool), "nuts_id"])
    names = dict(zip(context.regions["nuts_id"], context.regions["name"], strict=True))
    for col in t.columns:
        if col.references != "regions.nuts_id" or col.is_list or col.name not in clean:
            continue
        hits = schema.isin(clean[col.name], outside)
        if not hits.any():
            continue
        positions = np.flatnonzero(hits)
        for i in schema.first_rows(clean[hits], [col.name])[:20]:
            position = int(positions[i])
            code = clean[col.name].iat[position]
            found.add(
                int(rows[position]),
                _label(labels, col.name, position),
                code,
                "programme_area",
                f"{code} ({names.get(code, '')}) is outside the Interreg BSR programme area: "
                "stored, but not shown on maps of the programme area",
                "warning",
            )


def _explain_duplicates(parsed: Parsed, mapping: ColumnMap, found: _Problems) -> None:
    for col, values in unmapped_dimensions(parsed, mapping).items():
        sample = ", ".join(values[:5]) + (" …" if len(values) > 5 else "")
        found.add(
            None,
            col,
            sample,
            "unmapped_dimension",
            f"column '{col}' is not used and has {len(values)} different values ({sample}): rows that differ "
            f"only there become duplicates; choose one value of '{col}' to load, or map the column",
        )


def _cap(failures: pd.DataFrame) -> pd.DataFrame:
    """At most FAILURES_PER_CHECK rows per column and check, then one line with how many more there are."""
    if failures.empty:
        return failures
    failures = failures.reset_index(drop=True)
    rank = failures.groupby(["column", "check"], sort=False).cumcount()
    over = failures[rank >= FAILURES_PER_CHECK]
    if over.empty:
        return failures
    extra = (
        over.groupby(["column", "check"], sort=False)
        .agg(file=("file", "first"), severity=("severity", "first"), n=("message", "size"))
        .reset_index()
    )
    summary = pd.DataFrame(
        {
            "file": extra["file"],
            "row": pd.NA,
            "column": extra["column"],
            "value": "",
            "check": extra["check"],
            "message": [f"… and {n:,} more rows with the same problem" for n in extra["n"]],
            "severity": extra["severity"],
        }
    )
    return pd.concat([failures[rank < FAILURES_PER_CHECK], summary], ignore_index=True)


def _preview(
    clean: pd.DataFrame, t: Table, context: Context, dataset: str, mode: Literal["update", "replace"]
) -> Preview:
    key = list(t.key)
    current = context.current
    same = current[current["dataset"] == dataset] if len(current) else current
    other = current[current["dataset"] != dataset] if len(current) else current
    in_any = key_isin(clean, current, key) if len(current) else pd.Series(False, index=clean.index)
    existing = current[t.column_names].drop_duplicates(key) if len(current) else current
    changed = 0
    if in_any.any():
        both = clean[in_any].merge(existing, on=key, how="inner", suffixes=("", "_now"))
        differs = pd.Series(False, index=both.index)
        for col in (c for c in t.column_names if c not in key):
            a, b = both[col], both[f"{col}_now"]
            if isinstance(a.dtype, pd.CategoricalDtype):  # a Categorical compares only with its own categories
                a, b = a.astype("string"), b.astype("string")
            same_value = (a == b).fillna(False) | (a.isna() & b.isna())
            differs |= ~same_value.astype(bool)
        changed = int(differs.sum())
    outside_file = ~key_isin(same, clean, key) if len(same) else pd.Series(dtype=bool)
    taken = {}
    if len(other):
        hit = other[key_isin(other, clean, key)]
        taken = {str(k): int(v) for k, v in hit.groupby("dataset").size().items()}
    return Preview(
        rows=len(clean),
        added=int((~in_any).sum()),
        changed=changed,
        unchanged=int(in_any.sum()) - changed,
        kept=int(outside_file.sum()) if mode == "update" else 0,
        dropped=int(outside_file.sum()) if mode == "replace" else 0,
        taken=taken,
    )


# --- suggestions for unknown codes -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def nuts_changes() -> pd.DataFrame:
    """NUTS 2016 codes of BSR countries that NUTS 2021 replaced (data/nuts_2016_2021_changes.csv)."""
    return pd.read_csv(NUTS_CHANGES_FILE, dtype=str, keep_default_na=False).set_index("code_2016")


def suggester(context: Context) -> schema.Suggest:
    """Hints for unknown codes: NUTS 2016 → 2021 changes, regions outside the BSR, close codes and names."""
    names = dict(zip(context.regions["nuts_id"], context.regions["name"], strict=True))

    def suggest(reference: str, value: str) -> str | None:
        pool = sorted(context.known.get(reference, ()))
        if reference == "regions.nuts_id":
            return nuts_hint(value, pool, names)
        if reference == "sectors.nace":
            return nace_hint(value, pool)
        return _close(value, pool)

    return suggest


def nuts_hint(value: str, pool: Sequence[str], names: Mapping[str, str]) -> str | None:
    code = value.strip().upper().replace(" ", "")
    if code != value and code in pool:
        return f"did you mean '{code}'?"
    changes = nuts_changes()
    if code in changes.index:
        change = changes.loc[code]
        targets = " and ".join(f"{c} {names.get(c, '')}".strip() for c in change["codes_2021"].split(";"))
        return (
            f"{code} ({change['name_2016']}) is a NUTS 2016 code, {change['change']} in NUTS 2021: use "
            f"{targets} — {change['note']}"
        )
    if re.fullmatch(r"(EU|EA|EFTA)[0-9A-Z_]*", code):
        return f"{code} is an aggregate of countries, not a region"
    if len(code) >= 2 and not in_programme_area(code):
        if code[:2] not in BSR_COUNTRIES:
            return (
                f"{code} is outside the Interreg BSR programme area (country {code[:2]} is not one of "
                f"{', '.join(BSR_COUNTRIES)})"
            )
        if code[:2] == "DE" and len(code) > 2:
            return (
                f"{code} is outside the Interreg BSR programme area (in Germany only the northern Länder "
                f"{', '.join(BSR_DE_PREFIXES)} belong to it)"
            )
    siblings = [p for p in pool if p[:2] == code[:2] and len(p) == len(code)]
    close = difflib.get_close_matches(code, siblings or list(pool), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"{c} ({names.get(c, '')})" for c in close) + "?"
    if siblings and 2 < len(code) <= 5:
        shown = ", ".join(siblings[:10]) + (" …" if len(siblings) > 10 else "")
        return f"the NUTS {len(code) - 2} regions of {code[:2]} are {shown}"
    return None


def nace_hint(value: str, pool: Sequence[str]) -> str | None:
    text = value.strip().upper()
    if text != value and text in pool:
        return f"did you mean '{text}'?"
    match = re.fullmatch(r"([A-U])?\s*\.?\s*(\d{2})(\.?\d{1,2})?", text)
    if match:
        letter, digits, detail = match.groups()
        division = next((p for p in pool if p[1:] == digits and (letter is None or p[0] == letter)), None)
        if division is not None:
            if detail:
                return f"NACE groups and classes are not used: use the division '{division}'"
            return f"did you mean '{division}'?"
    if re.fullmatch(r"[A-U](-[A-U])?|[A-U]?\d{2}-[A-U]?\d{2}|[A-U](_[A-U])+", text):
        return f"'{value}' is a NACE section or aggregate: the data model uses divisions such as C16, or TOTAL"
    return _close(value, pool)


def _close(value: str, pool: Sequence[str]) -> str | None:
    lowered = {p.lower(): p for p in pool}
    if value.strip().lower() in lowered:
        return f"did you mean '{lowered[value.strip().lower()]}'?"
    close = difflib.get_close_matches(value, list(pool), n=3, cutoff=0.6)
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else None


# --- commit ---------------------------------------------------------------------------------------------------


def commit(store: Store, checked: Checked, who: Identity, progress: Progress | None = None) -> list[VersionInfo]:
    """Store a checked upload (and the indicator definitions it brought) as new versions, in one transaction.

    Refused with IngestError while the report has errors: a rejected file never touches the store.
    """
    if not checked.ok:
        raise IngestError(f"{checked.report.summary()}. Nothing was stored.")
    t = checked.table
    loads = []
    if not checked.new_indicators.empty:
        loads.append(
            Load(
                "indicators",
                checked.new_indicators,
                checked.dataset,
                mode="update",
                file_name=checked.parsed.file,
                note="indicator definitions entered on the Data page",
            )
        )
    note = f"{checked.parsed.describe()}; {checked.mode}"
    loads.append(
        Load(
            t.name,
            checked.rows,
            checked.dataset,
            mode=checked.mode,
            take_over=True,
            file_name=checked.parsed.file,
            note=note,
        )
    )
    mapping = (checked.parsed.source_key, t.name, checked.mapping.stored())
    return store.commit_loads(loads, who=who, mapping=mapping, progress=progress)


def load_file(
    store: Store,
    data: bytes | Path | str,
    file_name: str,
    table: str,
    *,
    dataset: str,
    options: ReadOptions | None = None,
    mapping: ColumnMap | None = None,
    new_indicators: pd.DataFrame | None = None,
    mode: Literal["update", "replace"] = "update",
) -> Checked:
    """read → remembered or automatic mapping → check against the store, as the Data page does."""
    parsed = read(data, file_name, options)
    cmap = mapping or auto_map(parsed, table, store.mapping(parsed.source_key, table))
    return check(
        parsed,
        table,
        cmap,
        Context.from_store(store, table),
        dataset=dataset,
        mode=mode,
        new_indicators=new_indicators,
        decimal=(options or ReadOptions()).decimal,
    )


# --- templates ---------------------------------------------------------------------------------------------------


def template_frame(table: str) -> pd.DataFrame:
    """The table's columns with one filled example row."""
    t = TABLES[table]
    return pd.DataFrame([{c.name: _example_text(c.example) for c in t.columns}])


def _example_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return "" if value is None else str(value)


def column_guide(table: str) -> pd.DataFrame:
    """What each column means and accepts: the second sheet of the Excel template and the page's help table."""
    t = TABLES[table]
    rows = []
    for c in t.columns:
        allowed = []
        if c.choices:
            allowed.append("one of: " + ", ".join(c.choices))
        if c.min is not None or c.max is not None:
            allowed.append(
                f"from {c.min:g}"
                if c.max is None
                else f"{c.min:g}–{c.max:g}"
                if c.min is not None
                else f"up to {c.max:g}"
            )
        if c.references:
            kind = c.references.split(".")[0].rstrip("s")
            allowed.append(f"a known {kind}" + (", separated by ;" if c.is_list else ""))
        rows.append(
            {
                "column": c.name,
                "type": _TYPE_NAMES[c.dtype],
                "required": "yes" if c.required else "no",
                "description": c.description,
                "allowed values": "; ".join(allowed),
                "example": _example_text(c.example),
                "part of the key": "yes" if c.name in t.key else "",
            }
        )
    return pd.DataFrame(rows)


_TYPE_NAMES = {"text": "text", "int": "whole number", "float": "number", "bool": "true/false", "timestamp": "date"}


def template_csv(table: str) -> bytes:
    return export.to_csv_bytes(template_frame(table))


def template_xlsx(table: str) -> bytes:
    """Sheet 'Data' (header + example row, read back by `read`) and sheet 'Columns' (column_guide)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    for sheet, frame in ((book.active, template_frame(table)), (book.create_sheet("Columns"), column_guide(table))):
        sheet.title = "Data" if sheet is book.worksheets[0] else "Columns"
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in frame.itertuples(index=False):
            sheet.append([export.neutralise(str(v)) for v in values])  # text: never a formula, never a date
        for i, col in enumerate(frame.columns, start=1):
            width = max(len(str(col)), *(len(str(v)) for v in frame[col])) + 2
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(width, 60)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
