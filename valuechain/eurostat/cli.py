"""`python -m valuechain eurostat DATASET …`: fetch a Eurostat dataset for the programme area, check it as the
Data page does, and store it as a new version (or only report with --dry-run).

DATASET is a catalogue entry (`gdp`), a Eurostat code the catalogue holds once (`tgs00042`), `starter` for the
catalogue's starter set, or any code together with --recipe: a recipe as the Data page and `python -m valuechain
import --recipe` use them (valuechain.recipe), with an `eurostat` part saying where to fetch. --save-recipe writes
an entry (with the options given) as such a recipe, the start of one for a dataset the catalogue does not hold.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from valuechain import demo, ingest
from valuechain.eurostat import catalogue, client
from valuechain.eurostat import load as eload
from valuechain.store import Identity, StoreError, open_store

STARTER = "starter"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m valuechain eurostat", description=__doc__.splitlines()[0])
    p.add_argument("dataset", metavar="DATASET", help="catalogue entry, Eurostat code, or 'starter'")
    p.add_argument("--filter", action="append", default=[], metavar="DIM=CODE", help="keep these codes (repeatable)")
    p.add_argument("--level", action="append", type=int, choices=(0, 1, 2, 3), help="NUTS level (repeatable)")
    p.add_argument("--since", type=int, metavar="YEAR", help="first year")
    p.add_argument("--recipe", type=Path, metavar="PATH", help="recipe (JSON) for a dataset not in the catalogue")
    p.add_argument("--save-recipe", type=Path, metavar="PATH", help="write the (one) dataset's choices as a recipe")
    p.add_argument("--refresh", action="store_true", help="fetch again even if the answer is in the cache")
    p.add_argument("--dry-run", action="store_true", help="fetch and check, store nothing")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    return p


def _entries(args: argparse.Namespace) -> list[catalogue.Entry]:
    if args.recipe is not None:
        return [catalogue.read_recipe(args.recipe)]
    entries = catalogue.load()
    if args.dataset == STARTER:
        return [e for e in entries if e.starter]
    by_id = [e for e in entries if e.entry_id == args.dataset]
    by_code = [e for e in entries if e.code == args.dataset.lower()]
    found = by_id or by_code
    if len(found) == 1:
        return found
    if found:
        ids = ", ".join(e.entry_id for e in found)
        raise ValueError(f"{args.dataset} has several catalogue entries: name one of {ids}")
    raise ValueError(
        f"{args.dataset} is not in the catalogue ({catalogue.catalogue_path()}): give --recipe PATH, a recipe "
        'with an "eurostat" part; write one from a catalogue entry and edit it, e.g. `python -m valuechain eurostat '
        "gdp --save-recipe my_recipe.json` (see README, Recipes)"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        filters = catalogue.parse_filters(";".join(args.filter))
        entries = [
            e.with_choices(filters=filters, levels=tuple(args.level or ()) or None, since=args.since)
            for e in _entries(args)
        ]
        if args.save_recipe is not None:
            if len(entries) != 1:
                raise ValueError("--save-recipe writes one dataset's recipe: name one entry, not the starter set")
            catalogue.to_recipe(entries[0]).save(args.save_recipe)
            print(f"recipe written to {args.save_recipe}", file=sys.stderr)
        store = open_store()
        if store.is_empty():
            demo.seed_store(store)
    except (ValueError, OSError, StoreError, ingest.IngestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    who = Identity(f"{getpass.getuser()} (command line)", "editor")
    report = (lambda *a: None) if args.json else _print_progress
    if args.dry_run:
        return _dry_run(store, entries, args.json, args.refresh)
    outcomes = eload.load_set(store, entries, who, refresh=args.refresh, progress=report)
    table = eload.summary(outcomes)
    if args.json:
        print(table.to_json(orient="records", force_ascii=False))
    else:
        print(table.to_string(index=False))
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def _dry_run(store: object, entries: list[catalogue.Entry], as_json: bool, refresh: bool) -> int:
    results = []
    failed = False
    for entry in entries:
        try:
            prepared = eload.prepare(store, entry, refresh=refresh)  # type: ignore[arg-type]
        except client.EurostatError as exc:
            results.append({"dataset": entry.code, "ok": False, "message": str(exc)})
            failed = True
            continue
        checked = prepared.checked
        failed |= not checked.ok
        results.append(
            {
                "dataset": entry.code,
                "ok": checked.ok,
                "rows": len(checked.rows),
                "last_update": prepared.updated,
                "url": prepared.fetched.url,
                "report": checked.report.summary(),
                "preview": checked.preview.summary() if checked.preview else "",
                "left_out": prepared.left_out,
            }
        )
    if as_json:
        print(json.dumps(results, ensure_ascii=False, default=str))
    else:
        for r in results:
            print("\n".join(f"{k}: {v}" for k, v in r.items()), end="\n\n")
    return 1 if failed else 0


def _print_progress(done: int, total: int, what: str) -> None:
    print(f"[{done}/{total}] {what}", file=sys.stderr)
