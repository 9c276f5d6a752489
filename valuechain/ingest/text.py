"""Text files: encoding, delimiter, CSV, Eurostat bulk TSV and SDMX-CSV, parsed by pyarrow from the bytes."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from contextlib import suppress

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from valuechain import schema
from valuechain.ingest.cells import _arrow_types, _set_table, _wide_to_long, file_stem
from valuechain.ingest.common import _SUBANNUAL_NAME, _YEAR_NAME, DELIMITERS, MISSING_MARKS, _Problems, _Stop
from valuechain.ingest.layout import header_names, is_rule, merge_flag_columns, table_block, width
from valuechain.ingest.source import _ENCODING_NAMES, Parsed, ReadOptions, _Source


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
    trail = _trailing_delimiter(text)
    if trail:
        text = _strip_trailing(text, trail)
        parsed.notes.append(f"the {DELIMITERS.get(trail, trail)} that ends every line is not read as a delimiter")
    delimiter = options.delimiter or _sniff(text, found)
    parsed.delimiter = delimiter
    if trail or _needs_block(text, delimiter, options, _tail(src).decode(encoding, "replace")):
        frame, rows = _read_block(parsed, src, encoding, delimiter, trail, options, found)
        names = [str(c) for c in frame.columns]
    else:
        names = _header(text, delimiter, found)
        frame, rows = _parse_csv(src, encoding, delimiter, names, found)
    bare = {n.split(":")[0].strip().upper() for n in names}
    if {"TIME_PERIOD", "OBS_VALUE"} <= bare:
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


def _trailing_delimiter(text: str) -> str:
    """A delimiter that ends every line (some exports close each line with `;`): it ends no value."""
    lines = [line.rstrip("\r") for line in text[:65536].splitlines() if line.strip()][:200]
    for delimiter in DELIMITERS:
        if delimiter != "\t" and len(lines) > 1 and all(line.endswith(delimiter) for line in lines):
            return delimiter
    return ""


def _strip_trailing(text: str, trail: str) -> str:
    return re.sub(re.escape(trail) + r"(?=\r?\n|$)", "", text)


def _sniff(text: str, found: _Problems) -> str:
    """The delimiter among , ; tab | that splits most of the first lines into the same number (two or more) of
    fields, title and blank lines above the table or a footer below it notwithstanding."""
    sample = text[:65536]
    if len(sample) < len(text) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    scores = {}
    for delimiter in DELIMITERS:
        counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r][:200]
        common = Counter(n for n in counts if n >= 2)
        if not common:
            continue
        modal = max(common, key=lambda n: (common[n], n))
        scores[delimiter] = (common[modal] / len(counts), modal)
    if not scores:
        raise found.stop(
            "(header)",
            text.splitlines()[0][:80],
            "delimiter",
            "found only one column: the file uses none of comma, semicolon, tab or | between values",
        )
    return max(scores, key=lambda d: scores[d])


def _needs_block(text: str, delimiter: str, options: ReadOptions, tail: str) -> bool:
    """Whether the table does not start on the first line or does not run to the last (or the analyst set where
    it does): such files are read line by line through `layout`, the others straight by pyarrow."""
    if options.header_row is not None or options.header_lines is not None or options.footer_rows is not None:
        return True
    rows = [r for r in csv.reader(io.StringIO(text[:65536]), delimiter=delimiter)][:400]
    if not rows or width(rows[0]) < 2:  # a title line above the table
        return True
    lines = [next(csv.reader([line], delimiter=delimiter), []) for line in tail.rstrip().splitlines()]
    last = max((i for i, r in enumerate(lines) if width(r) >= 2), default=len(lines) - 1)
    after = lines[last + 1 :]
    # a footer: narrow lines below a blank line or a rule that closes the table
    return bool(after) and (not width(after[0]) or is_rule(after[0]))


def _read_block(
    parsed: Parsed,
    src: _Source,
    encoding: str,
    delimiter: str,
    trail: str,
    options: ReadOptions,
    found: _Problems,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The table inside a file with rows around it: every line read by Python's csv module, the header and data
    block found by `layout` (files with a preamble are small: statistical offices' table exports)."""
    with io.TextIOWrapper(src.open(), encoding=encoding, newline="", errors="replace") as stream:
        text = stream.read().lstrip("\ufeff")
    if trail:
        text = _strip_trailing(text, trail)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: list[list[str]] = []
    starts: list[int] = []
    line = 0
    try:
        for record in reader:
            grid.append(record)
            starts.append(line + 1)
            line = reader.line_num
    except csv.Error as exc:
        raise found.stop(
            "(file)", "", "quote", f"row {line + 1} cannot be read ({exc}): check its quotes", row=line + 1
        ) from exc
    block = table_block(parsed, grid, options)
    if block is None:
        raise found.stop("(file)", "", "empty", "the file has no table (no row with two or more values)")
    names = header_names(grid[block.header : block.data])
    kept = [i for i in range(block.data, block.end) if width(grid[i])]
    fields = max(len(r) for r in grid[block.header : block.data])
    short = [i for i in kept if len(grid[i]) < fields]
    for i in short[:20]:
        found.add(
            starts[i], "(row)", f"{len(grid[i])} fields", "fields", _fields_message(len(grid[i]), fields, delimiter)
        )
    if short:
        raise _Stop("ragged rows")
    names, records = merge_flag_columns(names, [grid[i] for i in kept])
    names = _named(names, starts[block.header], found)
    for record, i in zip(records, kept, strict=True):
        if width(record) > len(names):
            raise found.stop(
                "(row)",
                f"{len(record)} fields",
                "fields",
                _fields_message(width(record), len(names), delimiter),
                row=starts[i],
            )
    n = len(names)
    frame = pd.DataFrame([(r + [""] * n)[:n] for r in records], columns=names, dtype="str")
    if not records:
        frame = pd.DataFrame({c: pd.Series(dtype="str") for c in names})
    return frame, np.asarray([starts[i] for i in kept], dtype=np.int64)


def _header(text: str, delimiter: str, found: _Problems) -> list[str]:
    return _named(next(csv.reader(io.StringIO(text), delimiter=delimiter)), 1, found)


def _named(row: list[str], line: int, found: _Problems) -> list[str]:
    """Header cells as column names: unnamed columns numbered, a name used twice stops the read. In SDMX-CSV with
    labels in columns of their own (OECD Data Explorer: `MEASURE,Measure`), the label column after its code
    column differs in case only: it is called `Measure (label)`."""
    names = [c.strip().lstrip("\ufeff").strip() for c in row]
    sdmx = {"TIME_PERIOD", "OBS_VALUE"} <= {n.upper() for n in names}
    seen: dict[str, int] = {}
    for i, n in enumerate(names, start=1):
        if not n:
            names[i - 1] = f"(column {i})"
            continue
        if sdmx and n.lower() in seen and seen[n.lower()] == i - 1 and names[i - 2] != n:
            names[i - 1] = n = f"{n} (label)"
        if n.lower() in seen:
            raise found.stop(
                n,
                n,
                "header",
                f"column '{n}' appears twice in the header (columns {seen[n.lower()]} and {i}): rename or remove one",
                row=line,
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
    """Every cell as text; the columns the first block shows to be repetitive come dictionary-encoded from the
    parser, so they need no second pass to become Categoricals."""
    options = {
        "read_options": pacsv.ReadOptions(
            column_names=names,
            skip_rows_after_names=1,  # the header: one record, though a quoted name may span lines
            encoding=_arrow_encoding(encoding),
            block_size=1 << 20,
        ),
        "parse_options": pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=not lines_are_records, ignore_empty_lines=not lines_are_records
        ),
    }

    def text(types: dict[str, pa.DataType]) -> pacsv.ConvertOptions:
        # `_encoding` has checked that every byte decodes (and arrow writes what it transcodes as UTF-8): no check
        # of each cell's UTF-8 again
        return pacsv.ConvertOptions(
            column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=False
        )

    first = next(
        iter(pacsv.open_csv(src.arrow(), **options, convert_options=text(dict.fromkeys(names, pa.string())))), None
    )
    types = _arrow_types(first.to_pandas()) if first is not None else dict.fromkeys(names, pa.string())
    table = pacsv.read_csv(src.arrow(), **options, convert_options=text(types))
    encoded = [n for n in names if pa.types.is_dictionary(types[n])]
    plain = table.drop_columns(encoded).to_pandas()
    coded = {n: schema.dictionary_categorical(table[n], plain.index) for n in encoded}
    return pd.DataFrame({n: coded[n] if n in coded else plain[n] for n in names}, index=plain.index, copy=False)


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
    filled = _wide_to_long(parsed)
    parsed.frame = parsed.frame.rename(columns={"year": time_label})
    total = len(wide) * len(periods)
    if not filled and total:
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
    status = upper.get("OBS_STATUS")
    if status is not None:  # SDMX's observation status A is "normal value": no flag (OECD writes it on every row)
        frame[status] = frame[status].astype("str").mask(frame[status].str.strip() == "A", "")
    if len(frame) and frame[obs].str.strip().isin(MISSING_MARKS).all():
        raise found.stop(obs, "", "no_values", "no row has a value in OBS_VALUE")
    parsed.frame, parsed.rows = frame.rename(columns={time: "TIME_PERIOD"}), rows
    flow = upper.get("DATAFLOW") or upper.get("STRUCTURE_ID")
    code, agency = "", "ESTAT"
    if flow is not None and len(frame):
        # `ESTAT:NAMA_10R_2GDP(1.0)`; the OECD writes `OECD.CFE.EDS:DSD_REG_DEMO@DF_DEATH_5Y(2.0)`
        match = re.search(r"^\s*([A-Za-z0-9_.]+):([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?", str(frame[flow].iat[0]))
        if match:
            agency, code = match.group(1).upper(), (match.group(3) or match.group(2)).lower()
    publisher = {"ESTAT": "Eurostat"}.get(agency, agency.split(".")[0])
    parsed.kind = (
        "Eurostat SDMX-CSV" if publisher == "Eurostat" else "OECD SDMX-CSV" if publisher == "OECD" else "SDMX-CSV"
    )
    code = code or (_eurostat_code(name) if publisher == "Eurostat" else "")
    parsed.source_key = (
        f"sdmx:{code or 'unknown'}" if publisher == "Eurostat" else f"sdmx:{publisher.lower()}:{code or 'unknown'}"
    )
    parsed.source_name = f"{publisher} {code}" if code else file_stem(name)
