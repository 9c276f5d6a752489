"""Excel .xlsx: one sheet into text cells (calamine, or openpyxl when formulas must be named)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from typing import Any, BinaryIO
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from valuechain.ingest.cells import _set_table
from valuechain.ingest.common import MAX_UPLOAD_ENV, _Problems, _size, _Stop, max_upload_bytes, max_upload_mb
from valuechain.ingest.layout import Block, find_block, header_names, merge_flag_columns, table_block, width
from valuechain.ingest.source import Parsed, ReadOptions, _Source


def _read_xlsx(parsed: Parsed, src: _Source, name: str, options: ReadOptions, found: _Problems) -> None:
    """The chosen (else first) sheet; the header and data block as `layout.find_block` finds them. Values come
    from calamine (Rust, several times faster than openpyxl); a workbook with formulas is read by openpyxl,
    which sees the formulas themselves and so can name each cell that holds one."""
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
            _check_unpacked_size(archive, name, found)
            _check_extent(archive, name, options.sheet, found)
            formulas_inside = _has_formulas(archive)
        handle.seek(0)
        with _workbook(handle, formulas_inside) as (sheets, rows_of):
            parsed.kind = "Excel"
            parsed.sheets = tuple(sheets)
            sheet, grid = (options.sheet, None) if options.sheet else _first_table(sheets, rows_of)
            if sheet not in sheets:
                raise found.stop(
                    "(file)", sheet, "sheet", f"there is no sheet named '{sheet}'; the sheets are: {', '.join(sheets)}"
                )
            parsed.sheet = sheet
            if grid is None:
                grid = [[_cell_text(v) for v in values] for values in rows_of(sheet)]
            block = table_block(parsed, grid, options)
            header, records, rows = _sheet_records(grid, block, formulas_inside, found)
    except _Stop:
        raise
    except _damaged_workbook_errors() as exc:
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
    frame = (
        pd.DataFrame(records, columns=header, dtype="str")
        if records
        else pd.DataFrame({h: pd.Series(dtype="str") for h in header})
    )
    _set_table(parsed, frame, np.asarray(rows, dtype=np.int64), name, "xlsx", found)


def _first_table(sheets: list[str], rows_of: Any) -> tuple[str, list[list[str]] | None]:
    """The first sheet holding a table with data rows (a Data Browser workbook opens with a 'Summary' sheet),
    with its cells, so that the sheet is read once."""
    for sheet in sheets[:20]:
        grid = [[_cell_text(v) for v in values] for values in rows_of(sheet)]
        block = find_block(grid)
        if block is not None and any(width(r) for r in grid[block.data : block.end]):
            return str(sheet), grid
    return str(sheets[0]), None


def _sheet_records(
    grid: list[list[str]], block: Block | None, formulas_inside: bool, found: _Problems
) -> tuple[list[str] | None, list[list[str]], list[int]]:
    """Names and non-blank records of the block (flag columns merged into their year); formula cells named."""
    from openpyxl.utils import get_column_letter

    if block is None:
        return None, [], []
    names = header_names(grid[block.header : block.data])
    records: list[list[str]] = []
    rows: list[int] = []
    formulas = 0
    for r in range(block.data, block.end):
        cells = grid[r]
        if not any(c.strip() for c in cells):
            continue
        for ci, cell in enumerate(cells):
            if formulas_inside and cell.startswith("=") and formulas < 50:
                formulas += 1
                column = names[ci] if ci < len(names) else get_column_letter(ci + 1)
                found.add(
                    r + 1,
                    column,
                    cell,
                    "formula",
                    f"cell {get_column_letter(ci + 1)}{r + 1} holds a formula, "
                    "not a value: copy the column and paste it as values only",
                )
        records.append(cells)
        rows.append(r + 1)
    if formulas:
        raise _Stop("formula cells")
    names, records = merge_flag_columns(names, records)
    names = _excel_header(names, block.header + 1, found)
    for record, r in zip(records, rows, strict=True):
        for ci in range(len(names), width(record)):
            if record[ci].strip():
                raise found.stop(
                    get_column_letter(ci + 1),
                    record[ci],
                    "header",
                    f"cell {get_column_letter(ci + 1)}{r} has a value but its column has no name in the header row",
                    row=r,
                )
    width_ = len(names)
    return names, [(c + [""] * width_)[:width_] for c in records], rows


# Each cell of a sheet's rectangle becomes at least one pointer (8 bytes) when read: a sheet may span at most
# the upload limit / 8 cells (26 million at 200 MB), whatever its XML claims.
_BYTES_PER_CELL = 8
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})([0-9]{1,7})\"")
_CELL_ROW = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"[A-Z]{1,3}([0-9]{1,7})\"")
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW_OPEN = re.compile(rb"<(?:\w+:)?row[\s/>]")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"([0-9]{1,7})\"")
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _check_unpacked_size(archive: zipfile.ZipFile, name: str, found: _Problems) -> None:
    """An .xlsx is a ZIP: a small file can unpack to GBs of XML. The members' unpacked sizes (from the ZIP's
    directory; reading never goes past them) must stay within the upload limit, as for gzip."""
    total = sum(info.file_size for info in archive.infolist())
    if total > max_upload_bytes():
        raise found.stop(
            "(file)",
            _size(total),
            "file_size",
            f"unpacked, the Excel file {name} is {_size(total)}, more than the limit of {max_upload_mb():g} MB "
            f"({MAX_UPLOAD_ENV}); nothing was loaded: save the sheet as CSV (and gzip it), or split the workbook",
        )


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part, from the workbook and its relationships (both small, size-checked above)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    targets = {}
    with suppress(KeyError):
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for rel in rels:
            target = rel.get("Target", "").lstrip("/")
            targets[rel.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
    return {
        str(el.get("name")): targets.get(el.get(_REL_NS), "")
        for el in book.iter()
        if el.tag.rsplit("}", 1)[-1] == "sheet"
    }


def _check_extent(archive: zipfile.ZipFile, name: str, sheet: str | None, found: _Problems) -> None:
    """The sheet's real extent (last row × last column of any cell, streamed through its XML; the <dimension>
    tag is not trusted) must fit the upload limit: a reader makes one cell for every position of the
    rectangle, so one stray cell at XFD1048576 would ask for 17 billion."""
    parts = _sheet_parts(archive)
    title = sheet or next(iter(parts), "")
    part = parts.get(title)
    if not part or part not in archive.namelist():
        return  # no such sheet: the reader says which sheets there are
    last_row, last_col, last_ref = _extent(archive, part)
    limit = max_upload_bytes() // _BYTES_PER_CELL
    if last_row * last_col > limit:
        raise found.stop(
            "(file)",
            last_ref,
            "sheet_size",
            f"sheet '{title}' of {name} reaches cell {last_ref}: {last_row:,} rows × {last_col:,} columns = "
            f"{last_row * last_col:,} cells, more than the {limit:,} cells the limit of {max_upload_mb():g} MB "
            f"({MAX_UPLOAD_ENV}) allows; nothing was loaded. Delete the rows and columns after the table (a stray "
            "value or formatting far away), or save the sheet as CSV",
        )


def _extent(archive: zipfile.ZipFile, part: str) -> tuple[int, int, str]:
    """(last row, last column, its cell reference) of one sheet part, read in 1 MB pieces. Cells and rows
    without an `r` attribute (allowed, rare) count by position: a row's cells as columns, rows in order."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    last_row = last_col = rows = widest = 0
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            text = tail + chunk
            cut = text.rfind(b"<")
            text, tail = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
            refs = _CELL_REF.findall(text)
            if refs:
                letters = max({c for c, _ in refs}, key=lambda c: (len(c), c))
                last_col = max(last_col, column_index_from_string(letters.decode()))
            last_row = max(last_row, max(map(int, _ROW_REF.findall(text)), default=0))
            last_row = max(last_row, max(map(int, _CELL_ROW.findall(text)), default=0))
            rows += len(_ROW_OPEN.findall(text))
            if len(_CELL_OPEN.findall(text)) > len(refs):  # cells without `r`: each row's count is its width
                widest = max(widest, *(len(_CELL_OPEN.findall(row)) for row in _ROW_OPEN.split(text)))
    last_row, last_col = max(last_row, rows), max(last_col, widest)
    return last_row, last_col, f"{get_column_letter(max(last_col, 1))}{max(last_row, 1)}"


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


def _damaged_workbook_errors() -> tuple[type[BaseException], ...]:
    """What the readers raise on a damaged or truncated workbook (the Excel libraries are imported when needed)."""
    from openpyxl.utils.exceptions import InvalidFileException
    from python_calamine import CalamineError

    return (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, InvalidFileException, CalamineError)


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
