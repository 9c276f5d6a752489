"""What a read produces (`Parsed`), what the analyst may set (`ReadOptions`) and the uploaded bytes (`_Source`)."""

from __future__ import annotations

import gzip
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from valuechain.ingest.common import DELIMITERS, MAX_UPLOAD_ENV, ReadKind, _failure_frame, _Problems, max_upload_mb
from valuechain.schema import ERROR_COLUMNS

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "cp1250", "latin-1")


_GZIP, _ZIP, _OLE, _PDF = b"\x1f\x8b", (b"PK\x03\x04", b"PK\x05\x06"), bytes.fromhex("d0cf11e0a1b11ae1"), b"%PDF"


_HEAD_BYTES = 1 << 20


@dataclass(frozen=True)
class ReadOptions:
    """What the analyst chose instead of automatic detection (None = detect)."""

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # file row (1 = first) of the column names; the rows above are skipped
    header_lines: int | None = None  # rows the header spans (names joined top-down)
    footer_rows: int | None = None  # rows at the end that are not data (a legend, a copyright line)


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
    header_row: int = 1  # file row of the (first) header row, as read or as chosen
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
        """A binary file object over the bytes: pyarrow's zero-copy reader of the buffer, or the spilled file."""
        if self.view is not None:
            return cast(BinaryIO, pa.BufferReader(pa.py_buffer(self.view)))
        return cast(BinaryIO, open(self.path, "rb"))  # type: ignore[arg-type]

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
