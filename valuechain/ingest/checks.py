"""`check`: every failure of a mapped file at once, in file terms, and the preview of a commit."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from valuechain import schema
from valuechain.ingest.cells import _dates_as_years, _detect_decimal, _normalise_numbers
from valuechain.ingest.common import (
    _FORMULA,
    _HTML,
    DEMO_DATASET,
    FAILURES_PER_CHECK,
    MAX_MAGNITUDE,
    MAX_TEXT_CHARS,
    _failure_frame,
    _first_match,
    _label,
    _matches,
    _Problems,
)
from valuechain.ingest.mapping import ColumnMap, _filtered, _mapped, unmapped_dimensions
from valuechain.ingest.options import RowChoices
from valuechain.ingest.projects import group_partners, project_ids
from valuechain.ingest.regions import codes_from_names
from valuechain.ingest.rows import RowGroup, left_out_counts, left_rows, triage, with_group_hints
from valuechain.ingest.source import Parsed
from valuechain.ingest.suggestions import suggester
from valuechain.schema import ERROR_COLUMNS, FLAGS, TABLES, Table
from valuechain.store import Store, key_isin


@dataclass
class Context:
    """What an upload is checked against: reference values and the current rows of the target table."""

    known: dict[str, set[str]]
    regions: pd.DataFrame
    indicators: pd.DataFrame
    stages: pd.DataFrame
    current: pd.DataFrame  # current rows of the target table, with version_id and dataset
    revision: int = 0

    @classmethod
    def from_store(cls, store: Store, table: str) -> Context:
        frames = {name: store.current(name) for name in _REFERENCED}
        current = store.current_with_versions(table) if TABLES[table].versioned else pd.DataFrame()
        return cls.from_frames(frames, table, current, store.revision())

    @classmethod
    def from_frames(
        cls, frames: Mapping[str, pd.DataFrame], table: str, current: pd.DataFrame | None = None, revision: int = 0
    ) -> Context:
        known = {}
        for ref in _REFERENCES:
            ref_table, ref_col = ref.split(".")
            if ref_table in frames:
                known[ref] = set(frames[ref_table][ref_col].dropna().astype(str))
        if current is None:
            t = TABLES[table]
            current = schema.coerce(frames[table], t) if table in frames else schema.coerce(pd.DataFrame(), t)
            current = current.assign(version_id=0, dataset="(current data)")
        empty = {name: schema.coerce(pd.DataFrame(), TABLES[name]) for name in ("regions", "indicators", "stages")}
        return cls(
            known,
            schema.coerce(frames.get("regions", empty["regions"]), schema.REGIONS),
            schema.coerce(frames.get("indicators", empty["indicators"]), schema.INDICATORS),
            schema.coerce(frames.get("stages", empty["stages"]), schema.STAGES),
            current,
            revision,
        )


_REFERENCES = sorted({c.references for t in TABLES.values() for c in t.columns if c.references})


_REFERENCED = sorted({r.split(".")[0] for r in _REFERENCES})


@dataclass
class Preview:
    """What committing would do, counted against the data on screen now."""

    rows: int
    added: int
    changed: int
    unchanged: int
    kept: int  # mode update: rows of the dataset's current version not in the file, kept
    dropped: int  # mode replace: rows of the dataset's current version not in the file, no longer shown
    taken: dict[str, int]  # other dataset → its rows with the same key, replaced by this file's rows

    def summary(self) -> str:
        parts = [
            f"{self.rows:,} rows: {self.added:,} new",
            f"{self.changed:,} replace rows with other values",
            f"{self.unchanged:,} identical to rows on screen",
        ]
        if self.kept:
            parts.append(f"{self.kept:,} rows of the dataset's current version are kept")
        if self.dropped:
            parts.append(f"{self.dropped:,} rows of the dataset's current version will no longer be shown")
        for name, n in self.taken.items():
            parts.append(f"{n:,} rows of dataset '{name}' are replaced")
        return "; ".join(parts) + "."


@dataclass
class Checked:
    """A file checked against one table: the report, the preview and what a commit would store."""

    parsed: Parsed
    table: Table
    mapping: ColumnMap
    dataset: str
    mode: Literal["update", "replace"]
    report: schema.Report
    preview: Preview | None
    new_indicators: pd.DataFrame
    decimal: str
    revision: int
    groups: list[RowGroup] = field(default_factory=list)  # unplaceable rows and missing markers, by kind
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows not stored: file_row, left_out_as, cells

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def left_out_counts(self) -> dict[str, int]:
        return left_out_counts(self.left_out)

    @property
    def rows(self) -> pd.DataFrame:
        return self.report.clean


def new_indicator_ids(parsed: Parsed, mapping: ColumnMap, context: Context) -> list[str]:
    """Indicator identifiers the observations bring that the indicators table does not define yet."""
    known = context.known.get("indicators.indicator_id", set())
    if mapping.values:
        values = {v.strip() for c, v in mapping.values.items() if c in parsed.frame}
    elif "indicator" in mapping.constants:
        values = {mapping.constants["indicator"].strip()}
    elif "indicator" in mapping.columns and mapping.columns["indicator"] in parsed.frame:
        values = set(_filtered(parsed, mapping)[0][mapping.columns["indicator"]].str.strip().unique())
    else:
        values = set()
    return sorted(v for v in values if v and v not in known and re.fullmatch(schema.ID_PATTERN, v))


def check(
    parsed: Parsed,
    table: str,
    mapping: ColumnMap,
    context: Context,
    *,
    dataset: str,
    mode: Literal["update", "replace"] = "update",
    new_indicators: pd.DataFrame | None = None,
    decimal: str | None = None,
    choices: RowChoices = RowChoices(),  # noqa: B008 (frozen, so one shared default is safe)
) -> Checked:
    """Every failure of the mapped file at once, named by file, row, column and value; plus the preview."""
    t = TABLES[table]
    found = _Problems(parsed.file)
    defs = schema.coerce(new_indicators if new_indicators is not None else pd.DataFrame(), schema.INDICATORS)
    failures = [parsed.failures]
    decimal_used = decimal or parsed.decimal or "."
    if not parsed.ok:
        return _checked(
            parsed,
            t,
            mapping,
            dataset,
            mode,
            failures,
            schema.coerce(pd.DataFrame(), t),
            None,
            defs,
            decimal_used,
            context,
        )
    dataset = dataset.strip()
    if not dataset:
        found.add(None, "(dataset)", "", "dataset", "give the dataset a name (e.g. the Eurostat dataset code)")
    elif dataset == DEMO_DATASET:
        found.add(
            None,
            "(dataset)",
            dataset,
            "dataset",
            f"'{DEMO_DATASET}' is reserved for the generated demo data: choose another dataset name",
        )
    sub, rows, origin = _filtered(parsed, mapping)
    if sub.empty:
        found.add(
            None,
            "(filter)",
            "; ".join(f"{k} = {v}" for k, v in mapping.filters.items()),
            "filter",
            "no row has the values chosen to keep",
        )
    frame, labels = _mapped(sub, t, mapping.long(), origin)
    frame = codes_from_names(frame, t, rows, labels, context.regions, found)
    triaged = triage(frame, t, rows, labels, context.known, choices)
    frame, rows, labels = triaged.frame, triaged.rows, triaged.labels
    for group in triaged.groups:
        found.add(None, group.column, ", ".join(group.examples), f"rows:{group.kind}", group.message, "warning")
    decimal_used = decimal or parsed.decimal or _detect_decimal(frame, t, parsed.delimiter, found)
    frame = _normalise_numbers(frame, t, decimal_used, triaged.numbers)
    own_ids = "project_id" in frame  # before ids are made: only a file's own ids group partner rows
    frame = project_ids(frame, t, rows, labels, found)
    if own_ids:
        frame, rows, labels = group_partners(frame, t, rows, labels, found)
    known = {k: set(v) for k, v in context.known.items()}
    if new_indicators is not None and not defs.empty:
        report = schema.validate(
            new_indicators.reset_index(drop=True),
            schema.INDICATORS,
            file="new indicator definitions (form)",
            row_offset=1,
        )
        failures.append(_failure_frame(report.failures))
        known.setdefault("indicators.indicator_id", set()).update(defs["indicator_id"].dropna())
    indicators = pd.concat([context.indicators, defs], ignore_index=True).drop_duplicates("indicator_id", keep="last")
    if t is schema.OBSERVATIONS:
        frame = _unit_from_indicator(frame, indicators, found)
    stage = _Stage(parsed.file, t, context, known, indicators, set(mapping.constants))
    validated = stage.validate(frame, rows, labels)
    groups, left_out = list(triaged.groups), triaged.left_out
    unusable = validated.unusable[~triaged.undecided[validated.unusable]]
    if len(unusable):
        leave = "unusable" in choices.leave_out
        group = _unusable_group(validated.failures, rows[unusable], leave)
        found.add(None, group.column, ", ".join(group.examples), "rows:unusable", group.message, "warning")
        groups.append(group)
        if leave:  # the rows go, with every failure they caused: checked again without them
            keep = np.ones(len(frame), dtype=bool)
            keep[unusable] = False
            left_out = pd.concat([left_out, left_rows(frame, rows, unusable, "unusable")], ignore_index=True)
            frame, rows = frame[keep].reset_index(drop=True), rows[keep]
            labels = {k: (v[keep] if isinstance(v, np.ndarray) else v) for k, v in labels.items()}
            validated = stage.validate(frame, rows, labels)
    if frame.empty and not sub.empty:
        found.add(None, "(rows)", "", "left_out", "every row was left out: nothing would be stored")
    report = validated.report
    failures.append(validated.failures)
    if (report.failures["check"] == "unique_key").any():
        _explain_duplicates(parsed, mapping, found)
    merged = _cap(_concat_failures([*failures, found.frame()]))
    preview = None
    if not (merged["severity"] == "error").any():
        preview = _preview(report.clean, t, context, dataset, mode)
    out = _checked(parsed, t, mapping, dataset, mode, [merged], report.clean, preview, defs, decimal_used, context)
    out.groups, out.left_out = groups, left_out
    return out


@dataclass
class _Validated:
    report: schema.Report
    failures: pd.DataFrame  # in file terms: the schema's and the further checks'
    unusable: np.ndarray  # positions of rows failing a check of their own cells (not the key, not a value set for all)


@dataclass
class _Stage:
    """The checks of mapped rows, run again without the rows the analyst chose to leave out as unusable."""

    file: str
    table: Table
    context: Context
    known: dict[str, set[str]]
    indicators: pd.DataFrame
    constants: set[str]

    def validate(self, frame: pd.DataFrame, rows: np.ndarray, labels: dict[str, Any]) -> _Validated:
        t, found = self.table, _Problems(self.file)
        frame, dates = _dates_as_years(frame, t, rows, labels, found)
        suggest = with_group_hints(suggester(self.context), self.known.get("regions.nuts_id", set()))
        report = schema.validate(frame, t, file=self.file, row_offset=0, known=self.known, suggest=suggest)
        schema_failures = report.failures
        if dates:
            is_date = schema_failures.apply(
                lambda f: (f["row"], f["column"]) in dates and f["check"] == "dtype", axis=1
            )
            schema_failures = schema_failures[~is_date.astype(bool)] if len(schema_failures) else schema_failures
        own = (
            (schema_failures["severity"] == "error")
            & schema_failures["row"].notna()
            & (schema_failures["check"] != "unique_key")
            & ~schema_failures["column"].isin(self.constants)
        )
        positions = [schema_failures.loc[own, "row"].astype(int).to_numpy(), np.array([i for i, _ in dates], dtype=int)]
        positions.append(_extra_checks(frame, report.clean, t, rows, labels, self.context, self.indicators, found))
        failures = _concat_failures([_in_file_terms(schema_failures, rows, labels), found.frame()])
        return _Validated(report, failures, np.unique(np.concatenate(positions)).astype(int))


def _unusable_group(failures: pd.DataFrame, file_rows: np.ndarray, left_out: bool) -> RowGroup:
    """Rows failing a check of their own cells, as one group the analyst may leave out: which columns, and the
    first failures as examples (row, column and what is wrong)."""
    errors = failures[
        (failures["severity"] == "error")
        & failures["row"].isin(file_rows.tolist())
        & (failures["check"] != "unique_key")
    ].sort_values("row", kind="stable")
    columns = ", ".join(dict.fromkeys(errors["column"].astype(str)))
    examples = tuple(
        f"row {int(r['row'])}, {r['column']}: "
        + (r["message"] if r["value"] in r["message"] else f"'{r['value']}' {r['message']}")
        for _, r in errors.drop_duplicates("row").head(3).iterrows()
    )
    rows = len(file_rows)
    return RowGroup("unusable", columns, rows, examples, 0, left_out, 0)


def _concat_failures(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    filled = [_failure_frame(f) for f in frames if len(f)]
    return pd.concat(filled, ignore_index=True) if filled else _failure_frame(pd.DataFrame(columns=ERROR_COLUMNS))


def _checked(
    parsed: Parsed,
    t: Table,
    mapping: ColumnMap,
    dataset: str,
    mode: Literal["update", "replace"],
    failures: list[pd.DataFrame],
    clean: pd.DataFrame,
    preview: Preview | None,
    defs: pd.DataFrame,
    decimal: str,
    context: Context,
) -> Checked:
    return Checked(
        parsed,
        t,
        mapping,
        dataset.strip(),
        mode,
        schema.Report(t, clean, _concat_failures(failures)),
        preview,
        defs,
        decimal,
        context.revision,
    )


def _unit_from_indicator(frame: pd.DataFrame, indicators: pd.DataFrame, found: _Problems) -> pd.DataFrame:
    """Observations without a unit column get their indicator's unit (and the report says so)."""
    if "unit" in frame or "indicator" not in frame:
        return frame
    units = dict(zip(indicators["indicator_id"], indicators["unit"], strict=True))
    unit = frame["indicator"].str.strip().map(units)
    if unit.notna().any():
        names = ", ".join(sorted({f"{k}: {units[k]}" for k in frame["indicator"].str.strip().unique() if k in units}))
        found.add(
            None,
            "unit",
            names,
            "unit_default",
            f"the file has no unit column: units taken from the indicator definitions ({names})",
            "warning",
        )
    return frame.assign(unit=unit.astype("str"))


def _in_file_terms(failures: pd.DataFrame, rows: np.ndarray, labels: dict[str, Any]) -> pd.DataFrame:
    """Schema failures (0-based index, table column) → file row and the column as the file names it.
    A problem with a value set for every row is reported once, not once per row."""
    if failures.empty:
        return failures
    out = failures.copy()
    index = pd.to_numeric(out["row"], errors="coerce")
    has_row = index.notna().to_numpy()
    positions = index.fillna(0).astype(int).to_numpy()
    file_rows = rows[positions] if len(rows) else np.zeros(len(out), dtype=np.int64)
    out["row"] = pd.array(np.where(has_row, file_rows, 0), dtype="Int64")
    out.loc[~has_row, "row"] = pd.NA
    out["column"] = [_label(labels, c, p) if c in labels else c for c, p in zip(out["column"], positions, strict=True)]
    constant = out["column"].str.endswith("(set for every row)")
    if constant.any():
        once = out[constant].drop_duplicates(["column", "check", "value"]).assign(row=pd.NA)
        out = pd.concat([out[~constant], once], ignore_index=True)
    return out


def _extra_checks(
    raw: pd.DataFrame,
    clean: pd.DataFrame,
    t: Table,
    rows: np.ndarray,
    labels: dict[str, Any],
    context: Context,
    indicators: pd.DataFrame,
    found: _Problems,
) -> np.ndarray:
    """Checks beyond one column's own: markup and formulas in text, implausible numbers, the table's declared
    checks (schema.TableCheck: nonnegative indicators, units, flags, stages of the right chain) and regions
    outside the programme area. Returns the positions of rows with an error (all of them, not only those
    reported)."""
    failing: list[np.ndarray] = []

    def add(
        index: np.ndarray, column: str, values: pd.Series, check: str, message: Any, severity: str = "error"
    ) -> None:
        if severity == "error":
            failing.append(np.asarray(index, dtype=int))
        for i in index[:FAILURES_PER_CHECK]:
            text = message(values.iat[i]) if callable(message) else message
            found.add(int(rows[i]), _label(labels, column, i), values.iat[i], check, text, severity)

    for col in t.columns:
        if col.name not in raw:
            continue
        if col.dtype == "text" and not (col.references or col.pattern or col.choices):
            values = raw[col.name]
            codes, distinct = schema.text_codes(values)  # a unit or source column has a handful of distinct texts
            checks = (
                (
                    _HTML,
                    "html",
                    lambda v: (
                        f"contains HTML or script markup ('{_first_match(_HTML, str(v))[:40]}'): text is shown as "
                        "typed, so remove the tags"
                    ),
                ),
                (
                    _FORMULA,
                    "formula",
                    "starts like a spreadsheet formula (=, +, - or @): remove the leading "
                    "character, or the cell could run as a formula when someone opens an export in Excel",
                ),
                (None, "text_length", f"is longer than {MAX_TEXT_CHARS:,} characters: shorten it"),
            )
            for pattern, check, message in checks:
                bad = _matches(distinct, pattern) if pattern else (distinct.str.len() > MAX_TEXT_CHARS).to_numpy()
                if bad.any():
                    add(np.flatnonzero(schema.spread(bad, codes)), col.name, values, check, message)
        elif col.dtype in ("int", "float") and col.max is None:
            values = clean[col.name]
            huge = np.flatnonzero((values.abs() > MAX_MAGNITUDE).fillna(False).to_numpy())
            add(
                huge,
                col.name,
                values,
                "magnitude",
                lambda v: (
                    f"{float(v):.4g} is implausibly large (more than "
                    "10^15): check the unit and the decimal and thousands separators"
                ),
            )
    references = {"indicators": indicators, "stages": context.stages}
    for rule in t.checks:
        if rule.column in clean and (rule.by is None or rule.by in clean):
            _TABLE_CHECKS[rule.kind](clean, rule, references, add)
    _outside_programme_area(clean, t, rows, labels, context, found)
    return np.concatenate(failing) if failing else np.array([], dtype=int)


References = dict[str, pd.DataFrame]  # reference table name → its rows


def _nonnegative_if(clean: pd.DataFrame, rule: schema.TableCheck, references: References, add: Any) -> None:
    """Negative values where the row's reference (its indicator) is declared nonnegative."""
    ref_table, ref_col = str(rule.reference).split(".")
    ref = references[ref_table]
    key = schema.TABLES[ref_table].key[0]
    flagged = set(ref.loc[ref[ref_col].fillna(False).astype(bool), key])
    values = clean[rule.column]
    negative = (values < 0).fillna(False).to_numpy(dtype=bool) & schema.isin(clean[str(rule.by)], flagged)
    add(
        np.flatnonzero(negative),
        rule.column,
        values.astype("Float64"),
        rule.name,
        lambda v: f"{float(v):g} is negative, but the indicator cannot be negative (it is defined as nonnegative)",
        rule.severity,
    )


def _same_as_reference(clean: pd.DataFrame, rule: schema.TableCheck, references: References, add: Any) -> None:
    """Each distinct (by, column) pair whose value differs from the reference's (case-insensitive), once."""
    ref_table, ref_col = str(rule.reference).split(".")
    ref = references[ref_table]
    key = schema.TABLES[ref_table].key[0]
    expected = dict(zip(ref[key], ref[ref_col], strict=True))
    by = str(rule.by)
    firsts = schema.first_rows(clean, [by, rule.column])
    pairs = clean.iloc[firsts][[by, rule.column]].assign(position=firsts)
    differs = [
        str(v).lower() != str(expected.get(k, v)).lower() for k, v in zip(pairs[by], pairs[rule.column], strict=True)
    ]
    for _, r in pairs[differs].head(20).iterrows():
        add(
            np.array([r["position"]]),
            rule.column,
            clean[rule.column],
            rule.name,
            f"unit '{r[rule.column]}' differs from the unit of indicator '{r[by]}' ({expected[r[by]]}): values are "
            "stored as given; convert them, or define a new indicator",
            rule.severity,
        )


def _member_of(clean: pd.DataFrame, rule: schema.TableCheck, references: References, add: Any) -> None:
    """Known values that do not belong to the row's `by` value (a stage of another value chain)."""
    ref_table, ref_col = str(rule.reference).split(".")
    ref = references[ref_table]
    if ref.empty:
        return
    by = str(rule.by)
    pairs = set(zip(ref[by], ref[ref_col], strict=True))
    known = clean[rule.column].isin(list(ref[ref_col].dropna()))
    ok = pd.Series([(c, s) in pairs for c, s in zip(clean[by], clean[rule.column], strict=True)], index=clean.index)
    bad = np.flatnonzero((known.fillna(False) & ~ok).to_numpy())
    chain = clean[by]
    add(
        bad,
        rule.column,
        clean[rule.column].astype("str"),
        rule.name,
        lambda v: (
            f"'{v}' is not a stage of value chain '{chain.iat[0]}'"
            if chain.nunique() == 1
            else f"'{v}' is not a stage of the row's value chain"
        ),
        rule.severity,
    )


def _flags(clean: pd.DataFrame, rule: schema.TableCheck, references: References, add: Any) -> None:
    """One line per flag in the file with its meaning and count. Only flags the kept rows carry: a Categorical
    keeps the categories of rows a filter removed, with a count of 0 (they used to raise KeyError)."""
    values = clean[rule.column]
    firsts = schema.first_rows(clean, [rule.column])
    first_of = dict(zip(values.iloc[firsts], firsts, strict=True))
    for flag, n in values.value_counts().items():
        if n == 0 or flag not in first_of:
            continue
        meaning = ", ".join(FLAGS.get(ch, "unknown flag") for ch in str(flag))
        counted = "1 value is" if n == 1 else f"{n:,} values are"
        add(
            np.array([first_of[flag]]),
            rule.column,
            values,
            rule.name,
            f"{counted} flagged '{flag}' ({meaning}); the flag is kept and shown with the value",
            rule.severity,
        )


_TABLE_CHECKS = {
    "nonnegative_if": _nonnegative_if,
    "same_as_reference": _same_as_reference,
    "member_of": _member_of,
    "flags": _flags,
}


def _outside_programme_area(
    clean: pd.DataFrame, t: Table, rows: np.ndarray, labels: dict[str, Any], context: Context, found: _Problems
) -> None:
    if t is schema.REGIONS or context.regions.empty:
        return
    outside = set(context.regions.loc[~context.regions["bsr"].fillna(False).astype(bool), "nuts_id"])
    names = dict(zip(context.regions["nuts_id"], context.regions["name"], strict=True))
    for col in t.columns:
        if col.references != "regions.nuts_id" or col.is_list or col.name not in clean:
            continue
        hits = schema.isin(clean[col.name], outside)
        if not hits.any():
            continue
        positions = np.flatnonzero(hits)
        for i in schema.first_rows(clean[hits], [col.name])[:20]:
            position = int(positions[i])
            code = clean[col.name].iat[position]
            found.add(
                int(rows[position]),
                _label(labels, col.name, position),
                code,
                "programme_area",
                f"{code} ({names.get(code, '')}) is outside the Interreg BSR programme area: "
                "stored, but not shown on maps of the programme area",
                "warning",
            )


def _explain_duplicates(parsed: Parsed, mapping: ColumnMap, found: _Problems) -> None:
    for col, values in unmapped_dimensions(parsed, mapping).items():
        sample = ", ".join(values[:5]) + (" …" if len(values) > 5 else "")
        found.add(
            None,
            col,
            sample,
            "unmapped_dimension",
            f"column '{col}' is not used and has {len(values)} different values ({sample}): rows that differ "
            f"only there become duplicates; choose one value of '{col}' to load, or map the column",
        )


def _cap(failures: pd.DataFrame) -> pd.DataFrame:
    """At most FAILURES_PER_CHECK rows per column and check, then one line with how many more there are."""
    if failures.empty:
        return failures
    failures = failures.reset_index(drop=True)
    rank = failures.groupby(["column", "check"], sort=False).cumcount()
    over = failures[rank >= FAILURES_PER_CHECK]
    if over.empty:
        return failures
    extra = (
        over.groupby(["column", "check"], sort=False)
        .agg(file=("file", "first"), severity=("severity", "first"), n=("message", "size"))
        .reset_index()
    )
    summary = pd.DataFrame(
        {
            "file": extra["file"],
            "row": pd.NA,
            "column": extra["column"],
            "value": "",
            "check": extra["check"],
            "message": [f"… and {n:,} more rows with the same problem" for n in extra["n"]],
            "severity": extra["severity"],
        }
    )
    return pd.concat([failures[rank < FAILURES_PER_CHECK], summary], ignore_index=True)


def _preview(
    clean: pd.DataFrame, t: Table, context: Context, dataset: str, mode: Literal["update", "replace"]
) -> Preview:
    key = list(t.key)
    current = context.current
    same = current[current["dataset"] == dataset] if len(current) else current
    other = current[current["dataset"] != dataset] if len(current) else current
    in_any = key_isin(clean, current, key) if len(current) else pd.Series(False, index=clean.index)
    existing = current[t.column_names].drop_duplicates(key) if len(current) else current
    changed = 0
    if in_any.any():
        both = clean[in_any].merge(existing, on=key, how="inner", suffixes=("", "_now"))
        differs = pd.Series(False, index=both.index)
        for col in (c for c in t.column_names if c not in key):
            a, b = both[col], both[f"{col}_now"]
            if isinstance(a.dtype, pd.CategoricalDtype):  # a Categorical compares only with its own categories
                a, b = a.astype("string"), b.astype("string")
            same_value = (a == b).fillna(False) | (a.isna() & b.isna())
            differs |= ~same_value.astype(bool)
        changed = int(differs.sum())
    outside_file = ~key_isin(same, clean, key) if len(same) else pd.Series(dtype=bool)
    taken = {}
    if len(other):
        hit = other[key_isin(other, clean, key)]
        taken = {str(k): int(v) for k, v in hit.groupby("dataset").size().items()}
    return Preview(
        rows=len(clean),
        added=int((~in_any).sum()),
        changed=changed,
        unchanged=int(in_any.sum()) - changed,
        kept=int(outside_file.sum()) if mode == "update" else 0,
        dropped=int(outside_file.sum()) if mode == "replace" else 0,
        taken=taken,
    )
