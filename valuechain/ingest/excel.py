"""Excel .xlsx: one sheet into text cells (calamine, or openpyxl when formulas must be named)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from valuechain.ingest.cells import _set_table
from valuechain.ingest.common import _Problems, _Stop
from valuechain.ingest.source import Parsed, ReadOptions, _Source


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
