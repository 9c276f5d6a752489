"""Analysts' files into the data model: read, map columns, check, preview, commit — never half-loaded.

No Streamlit here: components/upload/ draws the Data page, tests and bench/ingest.py call these
functions directly. One module per stage:

1. `read(data, file_name, options)` → `Parsed` (reading.py; text.py for CSV, Eurostat bulk TSV and SDMX-CSV,
   excel.py for .xlsx, cells.py for what every format shares): every cell as text with the file row of each
   record, each format possibly gzip-compressed. Wide tables (one column per year) become long; Eurostat flags
   (`12.3 p`) go to the flag column. Large files are parsed by pyarrow straight from the uploaded bytes.
2. `auto_map(parsed, table, remembered)` → `ColumnMap` (mapping.py): which file column fills which table
   column, values set for every row, one-value filters. `commit` remembers it for the source.
3. `check(parsed, table, mapping, context, …, choices)` → `Checked` (checks.py, suggestions.py): one
   `schema.Report` with every failure (file, row, column, value, check, message, severity) and a `Preview` of
   what a commit adds and replaces. `RowChoices` (options.py) holds the analyst's choices about rows.
4. `commit(store, checked, who)` → the new dataset versions, stored in one transaction or not at all
   (commit.py). Templates for each table: templates.py.
"""

from valuechain.ingest.cells import file_stem
from valuechain.ingest.checks import Checked, Context, Preview, check, new_indicator_ids
from valuechain.ingest.commit import commit, load_file
from valuechain.ingest.common import (
    DEFAULT_MAX_UPLOAD_MB,
    FAILURES_PER_CHECK,
    MAX_UPLOAD_ENV,
    UPLOADABLE,
    IngestError,
    max_upload_bytes,
    max_upload_mb,
)
from valuechain.ingest.excel import _has_formulas
from valuechain.ingest.mapping import (
    ColumnMap,
    auto_map,
    indicator_id_for,
    numeric_share,
    unmapped_dimensions,
    value_column_candidates,
)
from valuechain.ingest.options import DEFAULT_MISSING, LEAVE_OUT_KINDS, RECODE_KINDS, RowChoices
from valuechain.ingest.reading import read
from valuechain.ingest.rows import ISO3_TO_NUTS0, KIND_NAMES, RowGroup, region_kind
from valuechain.ingest.source import Parsed, ReadOptions
from valuechain.ingest.suggestions import NutsChange, nace_hint, nuts_change, nuts_correspondence, nuts_hint, suggester
from valuechain.ingest.templates import column_guide, template_csv, template_frame, template_xlsx
from valuechain.schema import FLAGS

__all__ = [
    "DEFAULT_MAX_UPLOAD_MB",
    "DEFAULT_MISSING",
    "FAILURES_PER_CHECK",
    "FLAGS",
    "ISO3_TO_NUTS0",
    "KIND_NAMES",
    "LEAVE_OUT_KINDS",
    "MAX_UPLOAD_ENV",
    "RECODE_KINDS",
    "UPLOADABLE",
    "Checked",
    "ColumnMap",
    "Context",
    "IngestError",
    "NutsChange",
    "Parsed",
    "Preview",
    "ReadOptions",
    "RowChoices",
    "RowGroup",
    "_has_formulas",
    "auto_map",
    "check",
    "column_guide",
    "commit",
    "file_stem",
    "indicator_id_for",
    "load_file",
    "max_upload_bytes",
    "max_upload_mb",
    "nace_hint",
    "new_indicator_ids",
    "numeric_share",
    "nuts_change",
    "nuts_correspondence",
    "nuts_hint",
    "read",
    "region_kind",
    "suggester",
    "template_csv",
    "template_frame",
    "template_xlsx",
    "unmapped_dimensions",
    "value_column_candidates",
]
