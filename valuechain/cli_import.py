"""`python -m valuechain import FILE …`: check and store a regional data file from a shell, as the Data page does.

For analysts who script their yearly updates: the choices come from a recipe (`--recipe`, else the one
remembered for the file's source), and options on the command line override single choices. Exit status:
0 stored (or, with --dry-run, would be), 1 blocked by errors in the file, 2 usage (bad options, unreadable
recipe). `--json` prints the report as JSON on stdout. Writes go through the same store API as the page, as
the editor named by --editor or the VALUECHAIN_EDITOR environment variable, recorded in the version.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from valuechain import ingest
from valuechain.recipe import Recipe, new_indicator, remembered
from valuechain.schema import TABLES
from valuechain.store import Identity, Store, StoreError, open_store

EDITOR_ENV = "VALUECHAIN_EDITOR"
EXAMPLES_PER_KIND = 3
_DECIMALS = {"comma": ",", "point": "."}


class _Usage(Exception):
    """A usage error: the message says what to change on the command line."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m valuechain import",
        description="Check a regional data file and store it as a new dataset version (as the Data page does).",
    )
    p.add_argument("file", type=Path, help="CSV/TSV, Excel .xlsx, Eurostat TSV or SDMX-CSV, also .gz")
    p.add_argument("--table", choices=ingest.UPLOADABLE, help="target table (default: the recipe's, else observations)")
    p.add_argument("--sheet", help="Excel sheet to read")
    p.add_argument(
        "--header-row", type=int, metavar="N", help="file row holding the column names (1 = first; rows above skipped)"
    )
    p.add_argument("--header-lines", type=int, metavar="N", help="rows the header spans (default: detected)")
    p.add_argument("--footer-rows", type=int, metavar="N", help="rows at the end that are not data (default: detected)")
    p.add_argument("--map", action="append", default=[], metavar="FILECOL=FIELD", help="file column → table column")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="one value for every row")
    p.add_argument(
        "--keep", action="append", default=[], metavar="FILECOL=VALUE", help="load only rows with this value"
    )
    p.add_argument(
        "--value-column",
        action="append",
        default=[],
        metavar="FILECOL[=INDICATOR]",
        help="wide panels (one column per indicator): this column's cells are values of INDICATOR (default: an id "
        "made from the column's name); repeat for each column, each becomes its own indicator",
    )
    p.add_argument("--missing", action="append", default=[], metavar="TOKEN", help="a cell meaning 'no value'")
    p.add_argument("--decimal", choices=list(_DECIMALS), help="decimal separator (default: detected)")
    p.add_argument("--encoding", help="text encoding (default: detected)")
    p.add_argument("--delimiter", help="field delimiter (default: detected)")
    p.add_argument(
        "--new-indicator",
        nargs=4,
        action="append",
        default=[],
        metavar=("ID", "NAME", "UNIT", "sum|rate"),
        help="define an indicator the file brings",
    )
    p.add_argument("--leave-out", action="append", default=[], metavar="KIND", help="leave out a group of rows")
    p.add_argument("--recode", action="append", default=[], metavar="KIND", help="recode a group of rows")
    p.add_argument("--dataset", help="dataset name (default: the recipe's, else from the file name)")
    p.add_argument("--mode", choices=("update", "replace"), help="update keeps the dataset's other rows")
    p.add_argument("--recipe", type=Path, metavar="PATH", help="load every choice from this recipe")
    p.add_argument("--save-recipe", type=Path, metavar="PATH", help="write the choices used to this recipe")
    p.add_argument("--editor", help=f"editor name recorded in the version (default: ${EDITOR_ENV})")
    p.add_argument("--dry-run", action="store_true", help="check only; store nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage message
        return int(exit_.code or 0)
    try:
        return _run(args)
    except _Usage as exc:
        print(f"python -m valuechain import: error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise _Usage(f"{args.file}: no such file")
    editor = (args.editor or os.environ.get(EDITOR_ENV, "")).strip()
    if not editor and not args.dry_run:
        raise _Usage(f"name the editor recorded in the version: --editor NAME or {EDITOR_ENV}=NAME")
    try:
        given = Recipe.load(args.recipe) if args.recipe else None
    except ingest.IngestError as exc:
        raise _Usage(str(exc)) from exc
    try:
        store = open_store()
    except StoreError as exc:
        raise _Usage(str(exc)) from exc
    try:
        return _load(store, args, given, editor)
    finally:
        store.close()


def _load(store: Store, args: argparse.Namespace, given: Recipe | None, editor: str) -> int:
    table = args.table or (given.table if given else "observations")
    read = dict(given.read) if given else {}
    read |= {k: v for k, v in _read_overrides(args).items() if v is not None}
    recipe = dataclasses.replace(given, table=table, read=read) if given else Recipe(table=table, read=read)
    options = recipe.read_options()
    parsed = ingest.read(args.file, args.file.name, options)
    if given is None:  # what was remembered for this source, as the Data page starts from
        recipe = dataclasses.replace(remembered(store, parsed.source_key, table), table=table, read=read)
    mapping = ingest.auto_map(parsed, table, recipe.column_map())
    _override(mapping, args, table)
    recipe = recipe.with_mapping(mapping)
    if args.dataset or not recipe.dataset:
        recipe.dataset = args.dataset or parsed.source_name
    if args.mode:
        recipe.mode = args.mode
    try:
        recipe.new_indicators = _merged_definitions(recipe.new_indicators, args.new_indicator)
    except ingest.IngestError as exc:
        raise _Usage(str(exc)) from exc
    recipe.choices = _row_choices(args, recipe.choices)
    context = ingest.Context.from_store(store, table)
    if context.regions.empty and table != "regions":
        raise _Usage(
            "the database holds no regions, so no region code can be checked: create the tables and load the "
            "reference data first with `python -m valuechain init`"
        )
    checked = ingest.check(
        parsed,
        table,
        mapping,
        context,
        dataset=recipe.dataset,
        mode=recipe.mode,
        new_indicators=recipe.definitions(),
        decimal=options.decimal,
        choices=recipe.choices,
    )
    stored = False
    if checked.ok and not args.dry_run:
        ingest.commit(store, checked, Identity(editor, "editor"), remember=recipe.stored())
        stored = True
    if args.save_recipe:
        recipe.save(args.save_recipe)
    summary = report(checked, stored=stored, dry_run=args.dry_run)
    print(json.dumps(summary, ensure_ascii=False, indent=2) if args.json else _text(summary))
    return 0 if checked.ok else 1


def _read_overrides(args: argparse.Namespace) -> dict[str, Any]:
    out = {
        "sheet": args.sheet,
        "encoding": args.encoding,
        "delimiter": args.delimiter,
        "decimal": _DECIMALS.get(args.decimal) if args.decimal else None,
    }
    for option, least in (("header_row", 1), ("header_lines", 1), ("footer_rows", 0)):
        value = getattr(args, option)
        if value is not None:
            if value < least:
                raise _Usage(f"--{option.replace('_', '-')} is at least {least}")
            out[option] = value
    return out


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    out = []
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip():
            raise _Usage(f"{option} {value!r}: write it as NAME=VALUE")
        out.append((left.strip(), right.strip()))
    return out


def _override(mapping: ingest.ColumnMap, args: argparse.Namespace, table: str) -> None:
    """Command-line choices win over the recipe's and the automatic ones, one column at a time."""
    names = TABLES[table].column_names
    for file_col, field in _pairs(args.map, "--map"):
        if field not in names:
            raise _Usage(f"--map {file_col}={field}: {table} has no column {field!r}; its columns: {', '.join(names)}")
        mapping.columns = {k: v for k, v in mapping.columns.items() if v != file_col}
        mapping.columns[field] = file_col
        mapping.constants.pop(field, None)
    for field, value in _pairs(args.set, "--set"):
        if field not in names:
            raise _Usage(f"--set {field}={value}: {table} has no column {field!r}; its columns: {', '.join(names)}")
        mapping.columns.pop(field, None)
        mapping.constants[field] = value
    for file_col, value in _pairs(args.keep, "--keep"):
        mapping.filters[file_col] = value
    if args.value_column and "indicator" not in names:
        raise _Usage(f"--value-column: only observations have one indicator per value column, not {table}")
    for given in args.value_column:
        file_col, _, indicator = given.partition("=")
        if not file_col.strip():
            raise _Usage(f"--value-column {given!r}: write it as FILECOL or FILECOL=INDICATOR")
        mapping.values[file_col.strip()] = indicator.strip() or ingest.indicator_id_for(file_col)


def _merged_definitions(known: list[dict[str, Any]], given: list[list[str]]) -> list[dict[str, Any]]:
    by_id = {str(d.get("indicator_id")): d for d in known}
    for indicator_id, name, unit, kind in given:
        by_id[indicator_id] = new_indicator(indicator_id, name, unit, kind)
    return list(by_id.values())


def _row_choices(args: argparse.Namespace, choices: ingest.RowChoices) -> ingest.RowChoices:
    """The recipe's choices about rows plus the command line's: more markers, more groups left out or recoded."""
    for option, given, known in (
        ("--leave-out", args.leave_out, ingest.LEAVE_OUT_KINDS),
        ("--recode", args.recode, ingest.RECODE_KINDS),
    ):
        wrong = sorted(set(given) - set(known))
        if wrong:
            raise _Usage(f"{option} {', '.join(wrong)}: kinds are {', '.join(known)}")
    missing = choices.missing + tuple(m for m in args.missing if m not in choices.missing)
    return ingest.RowChoices(
        leave_out=choices.leave_out | frozenset(args.leave_out),
        recode=choices.recode | frozenset(args.recode),
        missing=missing,
    )


def report(checked: ingest.Checked, *, stored: bool, dry_run: bool) -> dict[str, Any]:
    """The check report in the shape scripts read: ok, rows, errors by kind with counts and first examples."""
    failures = checked.report.failures
    errors = failures[failures["severity"] == "error"]
    warnings = failures[failures["severity"] == "warning"]
    return {
        "ok": bool(checked.ok),
        "file": checked.parsed.file,
        "read_as": checked.parsed.describe(),
        "table": checked.table.name,
        "dataset": checked.dataset,
        "mode": checked.mode,
        "stored": stored,
        "dry_run": dry_run,
        "rows": len(checked.rows) if checked.ok else 0,
        "left_out": checked.left_out_counts,
        "undecided": _undecided(checked),
        "missing_values": _missing_values(checked),
        "errors": _by_kind(errors),
        "warnings": _by_kind(warnings),
    }


def _undecided(checked: ingest.Checked) -> dict[str, dict[str, Any]]:
    """Groups of rows that block the file until the analyst chooses: rows, first examples, and the options that
    decide them (as the Data page's buttons do)."""
    out: dict[str, dict[str, Any]] = {}
    for group in checked.groups:
        rest = group.rows - group.recoded
        if group.kind == "missing" or group.left_out or rest <= 0:
            continue
        entry = out.setdefault(group.kind, {"rows": 0, "examples": [], "options": [f"--leave-out {group.kind}"]})
        entry["rows"] += rest
        entry["examples"] = list(dict.fromkeys([*entry["examples"], *group.examples]))[:EXAMPLES_PER_KIND]
        if group.kind in ingest.RECODE_KINDS and group.recodable > group.recoded:
            entry["options"] = list(dict.fromkeys([*entry["options"], f"--recode {group.kind}"]))
    return out


def _missing_values(checked: ingest.Checked) -> dict[str, int]:
    """Rows stored as missing values, per marker as typed ('' for an empty cell)."""
    out: dict[str, int] = {}
    for group in checked.groups:
        if group.kind == "missing" and not group.left_out:
            for marker, n in group.markers:
                out[marker] = out.get(marker, 0) + n
    return out


def _by_kind(failures: pd.DataFrame) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for kind, group in failures.groupby("check", sort=True):
        first = group.head(EXAMPLES_PER_KIND)
        out[str(kind)] = {
            "count": len(group),
            "examples": [
                {
                    "row": None if pd.isna(r["row"]) else int(r["row"]),
                    "column": str(r["column"]),
                    "value": str(r["value"]),
                    "message": str(r["message"]),
                }
                for _, r in first.iterrows()
            ],
        }
    return out


def _text(summary: dict[str, Any]) -> str:
    lines = [f"{summary['file']}: read as {summary['read_as']}"]
    if summary["ok"]:
        verb = "stored" if summary["stored"] else "would store"
        lines.append(f"{verb} {summary['rows']:,} rows in {summary['table']} as dataset '{summary['dataset']}'")
    else:
        total = sum(k["count"] for k in summary["errors"].values())
        lines.append(f"blocked: {total:,} error(s); nothing was stored")
    for kind, n in summary["left_out"].items():
        lines.append(f"  left out ({kind}): {n:,} rows")
    for kind, group in summary["undecided"].items():
        examples = ", ".join(group["examples"]) if kind != "unusable" else "; ".join(group["examples"])
        lines.append(
            f"  to choose ({kind}): {group['rows']:,} rows, e.g. {examples} — " + " or ".join(group["options"])
        )
    if summary["missing_values"]:
        markers = ", ".join(f"{m!r} {n:,}" for m, n in summary["missing_values"].items())
        lines.append(f"  stored as missing values (flags kept): {markers}")
    for label in ("errors", "warnings"):
        for kind, group in summary[label].items():
            lines.append(f"  {label[:-1]} {kind}: {group['count']:,}")
            lines.extend(
                f"    row {e['row'] if e['row'] is not None else '-'}, {e['column']} = {e['value']!r}: {e['message']}"
                for e in group["examples"]
            )
    return "\n".join(lines)
