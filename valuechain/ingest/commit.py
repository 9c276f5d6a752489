"""`commit`: a checked upload stored in one transaction, or not at all; `load_file` for scripts and tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pandas as pd

from valuechain.ingest.checks import Checked, Context, check
from valuechain.ingest.common import IngestError
from valuechain.ingest.mapping import ColumnMap, auto_map
from valuechain.ingest.reading import read
from valuechain.ingest.source import ReadOptions
from valuechain.store import Identity, Load, Progress, Provenance, Store, VersionInfo


def commit(
    store: Store,
    checked: Checked,
    who: Identity,
    progress: Progress | None = None,
    remember: Mapping[str, str] | None = None,
    source: Provenance | None = None,
) -> list[VersionInfo]:
    """Store a checked upload (and the indicator definitions it brought) as new versions, in one transaction.

    Refused with IngestError while the report has errors: a rejected file never touches the store. What is
    remembered for the source is the column mapping, or `remember` (a whole recipe's stored form) when given;
    `source` (where fetched rows came from) is recorded with the data's version in the same transaction.
    """
    if not checked.ok:
        raise IngestError(f"{checked.report.summary()}. Nothing was stored.")
    t = checked.table
    loads = []
    if not checked.new_indicators.empty:
        loads.append(
            Load(
                "indicators",
                checked.new_indicators,
                checked.dataset,
                mode="update",
                file_name=checked.parsed.file,
                note="indicator definitions entered on the Data page",
            )
        )
    note = f"{checked.parsed.describe()}; {checked.mode}"
    loads.append(
        Load(
            t.name,
            checked.rows,
            checked.dataset,
            mode=checked.mode,
            take_over=True,
            file_name=checked.parsed.file,
            note=note,
            left_out=checked.left_out if len(checked.left_out) else None,
            source=source,
        )
    )
    mapping = (checked.parsed.source_key, t.name, dict(remember) if remember is not None else checked.mapping.stored())
    return store.commit_loads(loads, who=who, mapping=mapping, progress=progress)


def load_file(
    store: Store,
    data: bytes | Path | str,
    file_name: str,
    table: str,
    *,
    dataset: str,
    options: ReadOptions | None = None,
    mapping: ColumnMap | None = None,
    new_indicators: pd.DataFrame | None = None,
    mode: Literal["update", "replace"] = "update",
) -> Checked:
    """read → remembered or automatic mapping → check against the store, as the Data page does."""
    parsed = read(data, file_name, options)
    cmap = mapping or auto_map(parsed, table, store.mapping(parsed.source_key, table))
    return check(
        parsed,
        table,
        cmap,
        Context.from_store(store, table),
        dataset=dataset,
        mode=mode,
        new_indicators=new_indicators,
        decimal=(options or ReadOptions()).decimal,
    )
