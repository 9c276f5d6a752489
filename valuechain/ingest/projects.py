"""Project ids for real project lists (issue 10, item 7): lists of operations have their own codes (`A70301`)
or none at all, never the slug ids of the projects table. An own code is written as an identifier; a list
without one gets a stable id made from the row, the same every year the list is published again."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from valuechain import schema
from valuechain.ingest.common import FAILURES_PER_CHECK, _label, _Problems
from valuechain.ingest.regions import name_key
from valuechain.schema import Table

_MADE_FROM = ("title", "programme", "start_year")  # what identifies an operation in every list seen so far


def identifier(text: object) -> str:
    """`A70301` → `a70301`, `Vækst 2.0` → `vaekst-2-0`: lower-case ASCII words joined by '-'."""
    return "-".join(name_key(text).split())


def project_ids(
    frame: pd.DataFrame, t: Table, rows: np.ndarray, labels: dict[str, Any], found: _Problems
) -> pd.DataFrame:
    """The projects table's id: the file's own codes as identifiers, else one made from title, programme and
    start of each row (a short hash keeps two operations with one title apart)."""
    if t is not schema.PROJECTS or "title" not in frame:
        return frame
    if "project_id" in frame:
        own = frame["project_id"].astype("string").fillna("").str.strip()
        bad = ~own.str.fullmatch(schema.ID_PATTERN).fillna(False) & (own != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            written = own.where(~bad, own.map(identifier))
            found.add(
                int(rows[i]),
                _label(labels, "project_id", i),
                own.iat[i],
                "project_id",
                f"{int(bad.sum())} project code(s) written as identifiers, e.g. '{own.iat[i]}' → '{written.iat[i]}'",
                "warning",
            )
            frame = frame.assign(project_id=written)
        return frame
    parts = [frame[c].astype("string").fillna("").str.strip() for c in _MADE_FROM if c in frame]
    key = parts[0].str.cat(parts[1:], sep="\x1f") if len(parts) > 1 else parts[0]
    digest = key.map(lambda k: hashlib.sha1(k.encode()).hexdigest()[:6])
    made = frame["title"].astype("string").fillna("").map(lambda s: identifier(s)[:40].strip("-") or "project")
    found.add(
        None,
        "project_id",
        "",
        "project_id",
        "the file has no project id column: each project gets an id made from its "
        + ", ".join(c for c in _MADE_FROM if c in frame)
        + " (the same again for next year's list); map the file's own id column if it has one",
        "warning",
    )
    return frame.assign(project_id=made + "-" + digest)


_AMOUNTS = ("budget_eur", "public_funding_eur")
_LISTS = ("partner_regions", "partner_actors", "stages")


def group_partners(
    frame: pd.DataFrame, t: Table, rows: np.ndarray, labels: dict[str, Any], found: _Problems
) -> tuple[pd.DataFrame, np.ndarray, dict[str, Any]]:
    """Lists with one row per partner (Interreg and keep.eu exports, national lists naming each beneficiary) as one
    project per id: the partners' regions (and actors, stages) joined, the earliest start and the latest end. An
    amount repeated on every row of a project is the project's and taken once; amounts that differ are the
    partners' shares and added up; the report says how many projects were read each way. Texts that identify a
    project (title, programme, …) must agree, else the rows are named."""
    if t is not schema.PROJECTS or "project_id" not in frame or not frame["project_id"].duplicated().any():
        return frame, rows, labels
    ids = frame["project_id"].astype("string").fillna("")
    first = ~ids.duplicated().to_numpy()
    order = pd.factorize(ids)[0]  # group number of each row, in the order projects first appear
    out = frame[first].reset_index(drop=True).astype({c: "string" for c in frame.columns if c not in _AMOUNTS})
    groups = pd.Series(np.arange(len(frame))).groupby(order, sort=True)
    multi = groups.size().to_numpy() > 1
    counted = {"taken once": 0, "added up": 0}
    for col in frame.columns:
        values = frame[col]
        if col in _LISTS:
            parts = values.astype("string").fillna("").groupby(order, sort=True)
            out[col] = parts.agg(
                lambda s: ";".join(dict.fromkeys(p.strip() for v in s for p in v.split(";") if p.strip()))
            )
        elif col in ("start_year", "end_year"):
            text = values.astype("string").str.strip()
            dated = pd.to_numeric(text.str.extract(r"\b((?:19|20|21)\d\d)\b")[0], errors="coerce")
            years = pd.to_numeric(text, errors="coerce").fillna(dated).groupby(order, sort=True)  # '2015', '1.3.2015'
            joined = years.min() if col == "start_year" else years.max()
            keep = joined.isna().to_numpy() | ~multi  # a single row keeps its cell as typed, for the date check
            out[col] = out[col].where(keep, joined.astype("Int64").astype("string").to_numpy())
        elif col in _AMOUNTS:
            amounts = pd.to_numeric(values, errors="coerce")
            by = amounts.groupby(order, sort=True)
            same = (by.nunique(dropna=False) <= 1).to_numpy()
            parsed = (amounts.notna() | values.isna()).groupby(order, sort=True).all().to_numpy()
            summed = by.sum(min_count=1).to_numpy()
            use = multi & parsed & ~same  # unparsed amounts stay as typed, so the check names them
            out[col] = np.where(use, summed, out[col].to_numpy())
            counted["added up"] += int(use.sum())
            counted["taken once"] += int((multi & parsed & same).sum())
        elif col != "project_id":
            text = values.astype("string").fillna("").str.strip().str.casefold()
            differ = np.flatnonzero((text.groupby(order, sort=True).nunique() > 1).to_numpy())
            for g in differ[:FAILURES_PER_CHECK]:
                members = groups.get_group(g).to_numpy()
                shown = ", ".join(str(int(rows[i])) for i in members[:5])
                found.add(
                    int(rows[members[0]]),
                    _label(labels, col, int(members[0])),
                    values.iat[members[0]],
                    "partner_rows",
                    f"project '{ids.iat[members[0]]}' has rows (file rows {shown}) that differ in '{col}': one "
                    "project's rows must agree there; correct the rows, or map another id column",
                )
    n = int(multi.sum())
    found.add(
        None,
        "project_id",
        "",
        "partner_rows",
        f"{len(frame):,} rows are {len(out):,} projects: {n:,} projects have one row per partner, joined into one "
        "(partner regions joined; earliest start, latest end); amounts repeated on every row of a project taken "
        f"once for {counted['taken once']:,}, differing amounts added up as partners' shares for "
        f"{counted['added up']:,}",
        "warning",
    )
    kept = {k: (v[first] if isinstance(v, np.ndarray) else v) for k, v in labels.items()}
    return out, rows[first], kept
