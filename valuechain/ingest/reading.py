"""`read`: one uploaded file (possibly gzip) into text cells, dispatched to the text or Excel reader."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from valuechain.ingest.cells import _check_cells, _compact
from valuechain.ingest.common import MAX_UPLOAD_ENV, _Problems, _size, _Stop, max_upload_bytes, max_upload_mb
from valuechain.ingest.excel import _read_xlsx
from valuechain.ingest.source import _GZIP, _OLE, _PDF, _ZIP, Parsed, ReadOptions, _gunzipped, _Source
from valuechain.ingest.text import _read_text


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
