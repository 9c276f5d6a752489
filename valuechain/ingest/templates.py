"""Empty templates (CSV and Excel) and the column guide the Data page shows."""

from __future__ import annotations

import io

import pandas as pd

from valuechain import export
from valuechain.schema import TABLES


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
                "required": ("column yes, cells may be empty (missing value)" if c.empty_cells else "yes")
                if c.required
                else "no",
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
