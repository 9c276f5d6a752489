"""Project ids for real project lists (issue 10, item 7): lists of operations have their own codes (`A70301`)
or none at all, never the slug ids of the projects table. An own code is written as an identifier; a list
without one gets a stable id made from the row, the same every year the list is published again."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from valuechain import schema
from valuechain.ingest.common import _label, _Problems
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
