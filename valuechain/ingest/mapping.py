"""Which file column fills which table column (`ColumnMap`), found by name and remembered per source."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from valuechain.ingest.common import _norm
from valuechain.ingest.source import Parsed
from valuechain.schema import TABLES, Table

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "region_id": (
        "geo",
        "nuts",
        "nutsid",
        "nutscode",
        "nuts2021",
        "regid",
        "geocode",
        "geocodes",  # Eurostat Data Browser sheets: GEO (Codes) beside GEO (Labels)
        "region",
        "regioncode",
        "regionid",
        "nutsregion",
        "refarea",  # SDMX's reference area (OECD Data Explorer: REF_AREA beside "Reference area")
    ),
    "nuts_id": ("geo", "geocodes", "nuts", "nutscode", "regionid", "regioncode", "regid"),
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
    "project_id": ("projectid", "projectcode", "projectnumber", "operationid", "id", "koodi", "projektnummer"),
    "title": ("projecttitle", "projectname", "operationname", "hankkeennimi", "projektnavn", "tytulprojektu"),
    "name": ("label", "nutsname", "regionname"),
}


# Where a wide panel's cells go once it is turned long: one row per file row and value column.
VALUE_CELLS = "(value column)"
INDICATOR_CELLS = "(indicator of the value column)"


@dataclass
class ColumnMap:
    """How a file fills a table: `columns` table column → file column; `constants` table column → value
    for every row; `filters` file column → the one value whose rows are loaded (e.g. one unit of several);
    `values` (observations of a wide panel, one column per indicator) file column → the indicator its cells
    measure: each such column becomes its own indicator."""

    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    def stored(self) -> dict[str, str]:
        """Flat form for store.save_mapping: `col:x`, `const:x`, `filter:x`, `value:x` keys."""
        return (
            {f"col:{k}": v for k, v in self.columns.items()}
            | {f"const:{k}": v for k, v in self.constants.items()}
            | {f"filter:{k}": v for k, v in self.filters.items()}
            | {f"value:{k}": v for k, v in self.values.items()}
        )

    @classmethod
    def from_stored(cls, stored: Mapping[str, str]) -> ColumnMap:
        out = cls()
        for key, value in stored.items():
            kind, _, name = str(key).partition(":")
            target = {"col": out.columns, "const": out.constants, "filter": out.filters, "value": out.values}.get(kind)
            if target is not None and name:
                target[name] = str(value)
        return out

    def long(self) -> ColumnMap:
        """The mapping of the panel turned long (see `_filtered`): value and indicator come from the value
        columns, replacing any value or indicator column or constant."""
        if not self.values:
            return self
        columns = {k: v for k, v in self.columns.items() if k not in ("value", "indicator")}
        columns |= {"value": VALUE_CELLS, "indicator": INDICATOR_CELLS}
        constants = {k: v for k, v in self.constants.items() if k not in ("value", "indicator")}
        return ColumnMap(columns, constants, dict(self.filters), dict(self.values))


def auto_map(parsed: Parsed, table: str | Table, remembered: Mapping[str, str] | ColumnMap | None = None) -> ColumnMap:
    """Columns matched by name (and common synonyms such as geo, nace_r2, TIME_PERIOD, OBS_VALUE), overridden by
    what was remembered for this source; `source` defaults to the file's dataset name."""
    t = TABLES[table] if isinstance(table, str) else table
    files = parsed.columns
    by_norm: dict[str, list[str]] = {}
    for c in files:  # TIME_PERIOD and its label column "Time period" are both candidates for year
        by_norm.setdefault(_norm(c), []).append(c)
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
        names = (col.name, *_SYNONYMS.get(col.name, ()))
        matches = [c for n in dict.fromkeys(map(_norm, names)) for c in by_norm.get(n, ()) if c not in used]
        if matches:
            match = max(matches, key=lambda c: _code_likeness(parsed.frame[c]))  # stable: the first of equals
            out.columns[col.name] = match
            used.add(match)
    out.constants = {k: v for k, v in old.constants.items() if k in t.column_names and k not in out.columns}
    out.filters = {k: v for k, v in old.filters.items() if k in files}
    out.values = {k: v for k, v in old.values.items() if k in files and "indicator" in t.column_names}
    if "source" in t.column_names and "source" not in out.columns and "source" not in out.constants:
        out.constants["source"] = parsed.source_name
    return out


_CODE = r"^[A-Z0-9][A-Z0-9_.\-]{0,11}$"


def _code_likeness(values: pd.Series, sample: int = 200) -> float:
    """Share of a column's first non-empty cells that look like codes (DE11, TIME_PERIOD's 2021, TOTAL), not
    labels (Stuttgart, Annual): a code column wins over its label column (REG_ID over Region, geo over Geo
    labels); an empty label column loses to any filled one."""
    filled = _first_filled(values, sample)
    return float(filled.str.fullmatch(_CODE).mean()) if len(filled) else -1.0


def _first_filled(values: pd.Series, n: int) -> pd.Series:
    """The first `n` non-blank cells, stripped: the head of a million-row column, read in growing windows,
    not every cell of it."""
    size = 4 * n
    while True:
        head = values.iloc[:size].str.strip()
        filled = head[head != ""]
        if len(filled) >= n or size >= len(values):
            return filled.head(n)
        size *= 4


def unmapped_dimensions(parsed: Parsed, mapping: ColumnMap, limit: int = 50) -> dict[str, list[str]]:
    """File columns not used by the mapping whose few distinct values split otherwise equal rows (a unit or
    a sex dimension): the analyst picks one value of each. Numeric columns (a panel's indicators) are values,
    not dimensions, and are not offered."""
    used = set(mapping.columns.values()) | set(mapping.filters) | set(mapping.values)
    out = {}
    for col in parsed.columns:
        if col in used or col in ("value", "flag") or (parsed.origin is not None and col == "year"):
            continue
        values = parsed.frame[col].str.strip().unique()
        if 1 < len(values) <= limit and not numeric_share(pd.Series(values)) >= 0.8:
            out[col] = sorted(str(v) for v in values)
    return out


_NUMBER = r"^[-+]?(\d{1,3}([ .,\u00a0\u202f]\d{3})*|\d+)([.,]\d+)?([eE][-+]?\d+)?$"
_MISSING_LOOK = r"^(|:.*|\.\.|…|-|n/?a|#n/a)$"


def numeric_share(values: pd.Series, sample: int = 200) -> float:
    """Share of a column's first cells holding a number, not counting missing-value markers (0 if none do):
    picks out a wide panel's indicator columns among its dimensions."""
    text = values.head(sample).astype("str").str.strip()
    text = text[~text.str.lower().str.fullmatch(_MISSING_LOOK)]
    return float(text.str.fullmatch(_NUMBER).mean()) if len(text) else 0.0


def indicator_id_for(column: str) -> str:
    """An indicator identifier made from a value column's name (`GDP per head (PPS)` → gdp_per_head_pps)."""
    slug = re.sub(r"[^a-z0-9]+", "_", column.strip().lower()).strip("_")
    return slug if slug and slug[0].isalnum() else f"x_{slug}" if slug else "value"


def value_column_candidates(parsed: Parsed, mapping: ColumnMap) -> list[str]:
    """File columns that hold numbers and are not mapped to a table column: a wide panel's indicators."""
    used = {v for k, v in mapping.columns.items() if k not in ("value", "indicator")} | set(mapping.filters)
    return [c for c in parsed.columns if c not in used and numeric_share(parsed.frame[c]) >= 0.8]


def _filtered(parsed: Parsed, mapping: ColumnMap) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
    """The rows kept by the mapping's filters; a wide panel's value columns turned long (one row per file row and
    value column, `origin` naming the column for the report)."""
    frame, rows, origin = parsed.frame, parsed.rows, parsed.origin
    keep = np.ones(len(frame), dtype=bool)
    for col, value in mapping.filters.items():
        if col in frame.columns:
            keep &= (frame[col].str.strip() == str(value).strip()).to_numpy()
    if not keep.all():
        origin = origin[keep] if origin is not None else None
        frame, rows = frame[keep].reset_index(drop=True), rows[keep]
    panel = [c for c in mapping.values if c in frame.columns]
    if not panel:
        return frame, rows, origin
    ids = frame.drop(columns=panel)
    n = len(frame)
    long = pd.concat([ids] * len(panel), ignore_index=True)
    long[VALUE_CELLS] = pd.concat([frame[c].astype("str") for c in panel], ignore_index=True)
    long[INDICATOR_CELLS] = np.repeat([str(mapping.values[c]).strip() for c in panel], n)
    return long, np.tile(rows, len(panel)), np.repeat(np.array(panel, dtype=object), n)


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
            if origin is not None and (col.name in ("value", "flag") or source == INDICATOR_CELLS):
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
