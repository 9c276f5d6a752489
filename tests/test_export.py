"""Every download goes through one CSV writer that neutralises spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pandas as pd

from valuechain.export import neutralise, to_csv_bytes


def test_formula_cells_are_neutralised_numbers_are_not() -> None:
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "Åland", None],
            "value": [-1.5, 2, 3, 4, 5, 6, 7, 8],
        }
    )
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"), newline="")))
    names = [r[0] for r in rows[1:]]
    assert names[:6] == ['\'=HYPERLINK("http://x")', "'+1+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx"]
    assert names[6:] == ["Åland", ""]
    assert [float(r[1]) for r in rows[1:]] == [-1.5, 2, 3, 4, 5, 6, 7, 8]


def test_header_cells_and_plain_values() -> None:
    assert to_csv_bytes(pd.DataFrame({"=x": [1]})).decode("utf-8-sig").splitlines()[0] == "'=x"
    assert neutralise("SE33") == "SE33" and neutralise(3) == 3
