"""Where the table sits in a file: the header (possibly over several rows), the data block, and the rows around
it (titles and metadata above, a footer legend or copyright line below), as Eurostat Data Browser sheets, PXWeb
and GENESIS CSV files and funds lists have them. The same rules serve text files and Excel sheets."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from valuechain.ingest.common import _count
from valuechain.ingest.source import Parsed, ReadOptions

# A value cell: a number, possibly with separators, a sign or a trailing flag (`12.3 p`).
_NUMBER = re.compile(r"^[-+]?\d[\d .,'\u00a0]*(\s+[a-z]{1,3})?$")
_YEAR = re.compile(r"^(19|20)\d\d$")
# A reference date in a header row (GENESIS: `31.12.2018` under `Stichtag`) names its column; it is no value.
_DATE = re.compile(r"^(\d{1,2}\.\d{1,2}\.(19|20)\d\d|(19|20)\d\d-\d\d-\d\d)$")
_RULE = re.compile(r"^[-_=*\s]+$")
# Rows of the header that are read at most; more leading text rows mean a text-only table (header = first).
_MAX_HEADER_LINES = 5


@dataclass(frozen=True)
class Block:
    """Indexes into the rows: the header rows are [header, data), the data rows [data, end)."""

    header: int
    data: int
    end: int


def width(cells: list[str]) -> int:
    """Cells up to the last filled one (trailing empty cells, e.g. of a trailing delimiter, do not count)."""
    n = len(cells)
    while n and not cells[n - 1].strip():
        n -= 1
    return n


def is_rule(cells: list[str]) -> bool:
    """A line that closes a table above its footer (GENESIS writes `__________`)."""
    return bool(_RULE.match("".join(cells)))


def _filled(cells: list[str]) -> int:
    return sum(bool(c.strip()) for c in cells)


def _header_like(cells: list[str]) -> bool:
    """Text, years and dates only: no value cell."""
    return not any(
        _NUMBER.match(c.strip()) and not _YEAR.match(c.strip()) and not _DATE.match(c.strip())
        for c in cells
        if c.strip()
    )


def find_block(
    rows: list[list[str]],
    header_row: int | None = None,
    header_lines: int | None = None,
    footer_rows: int | None = None,
) -> Block | None:
    """The header and data block; the analyst's header row (0-based index here), header lines and footer rows
    replace detection. Detected: the data block is the longest run of rows about as wide as the rows holding
    most cells (blank rows inside do not end it); its leading rows without values, and the rows with two or
    more cells right above them, are the header; narrow rows after it, below a blank line or a rule, are the
    footer. None when no row has two filled cells."""
    widths = [width(r) for r in rows]
    if header_row is not None:
        start = min(header_row, len(rows))
        lines = header_lines or 1
        end = len(rows) - (footer_rows or 0) if footer_rows is not None else _run_end(rows, widths, start + lines)
        return Block(start, min(start + lines, len(rows)), max(end, start + lines))
    common = Counter(w for w in widths if w >= 2)
    if not common:
        return None
    modal = max(common, key=lambda w: (common[w] * w, w))  # the width holding the most cells
    like = [w >= max(2, (modal + 1) // 2) for w in widths]
    best, best_len, i = (0, 0), 0, 0
    while i < len(rows):
        if not like[i]:
            i += 1
            continue
        j, last = i, i
        while j < len(rows) and (like[j] or widths[j] == 0):
            if like[j]:
                last = j
            j += 1
        if last + 1 - i > best_len:
            best, best_len = (i, last + 1), last + 1 - i
        i = j
    start, end = best
    lead = start
    while lead < end and lead - start < _MAX_HEADER_LINES and _header_like(rows[lead]):
        lead += 1
        if lead < end and rows[lead] and rows[lead][0].strip():  # a header row goes on with an empty first cell
            break
    if lead == end or lead - start == _MAX_HEADER_LINES:  # text only: a plain table with one header row
        lead = start + 1
    first = start
    while first > 0 and _filled(rows[first - 1]) >= 2 and _header_like(rows[first - 1]):
        first -= 1
    if lead == start and first == start:  # a value row first and nothing above: the first row names the columns
        lead = start + 1
    if header_lines is not None:
        lead = first + header_lines
    if footer_rows is not None:
        end = len(rows) - footer_rows
    elif end < len(rows) and widths[end] and not is_rule(rows[end]):
        # no blank or rule line ends the table: the narrow rows after it are damaged data, checked as such
        end = max(i + 1 for i, w in enumerate(widths) if w)
    return Block(first, lead, max(end, lead))


def _run_end(rows: list[list[str]], widths: list[int], data: int) -> int:
    """End of the data block from a given first data row: the last row, before the first row half as wide
    as the header's data, that is not blank."""
    data_widths = [w for w in widths[data : data + 50] if w]
    if not data_widths:
        return data
    need = max(2, (max(Counter(data_widths), key=lambda w: (Counter(data_widths)[w], w)) + 1) // 2)
    end = data
    for i in range(data, len(rows)):
        if widths[i] == 0:
            continue
        if widths[i] < need:
            break
        end = i + 1
    return end


def header_names(rows: list[list[str]]) -> list[str]:
    """Column names from one or more header rows: each column's cells top-down joined by a space. A row with a
    single filled cell is a title over the table and names nothing; a first cell standing alone above a named
    first column (Eurostat's `TIME` above `GEO (Codes)`) names the columns to its right, not the first one.
    Under a header over several rows, the columns left of the first named one hold the rows' labels (GENESIS:
    the region) and are called so."""
    used = [r for r in rows if _filled(r) >= 2] or rows[-1:]
    n = max((width(r) for r in used), default=0)
    grid = [[(r[i].strip() if i < len(r) else "") for i in range(n)] for r in used]
    for row in grid[:-1]:
        if n > 1 and row[0] and not row[1] and grid[-1][0]:
            row[0] = ""
    names = [" ".join(c for c in column if c) for column in zip(*grid, strict=True)] if grid else []
    stub = next((i for i, name in enumerate(names) if name), 0) if len(rows) > 1 else 0
    return [f"row label {i + 1}" if stub > 1 else "row label" for i in range(stub)] + names[stub:]


def merge_flag_columns(names: list[str], records: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """A column without a name right after a year column holds that year's flags (Eurostat Data Browser sheets):
    each flag joins its value as `12.3 p`, as in Eurostat's TSV files, and the column goes."""
    names = names + [""] * (max((width(r) for r in records), default=0) - len(names))
    flag_of = {i: i - 1 for i in range(1, len(names)) if not names[i] and _YEAR.match(names[i - 1])}
    if not flag_of:
        return names, records
    keep = [i for i in range(len(names)) if i not in flag_of]
    merged = []
    for record in records:
        cells = list(record)
        for flag, year in flag_of.items():
            mark = cells[flag].strip() if flag < len(cells) else ""
            if mark and year < len(cells) and cells[year].strip():
                cells[year] = f"{cells[year].strip()} {mark}"
        merged.append([cells[i] if i < len(cells) else "" for i in keep])
    return [names[i] for i in keep], merged


def table_block(parsed: Parsed, rows: list[list[str]], options: ReadOptions) -> Block | None:
    """`find_block` with the analyst's choices; says in the notes which rows around the table were skipped."""
    chosen = options.header_row - 1 if options.header_row is not None else None
    block = find_block(rows, chosen, options.header_lines, options.footer_rows)
    if block is None:
        return None
    parsed.header_row = block.header + 1
    above = sum(bool(width(r)) for r in rows[: block.header])
    below = sum(bool(width(r)) for r in rows[block.end :])
    if block.data - block.header > 1:
        parsed.notes.append(f"header over rows {block.header + 1}–{block.data}")
    if above:
        parsed.notes.append(f"{_count(above, 'row')} above the header skipped (title, metadata)")
    if below:
        parsed.notes.append(f"{_count(below, 'row')} after the table left out (footer)")
    return block
