"""Eurostat → the explorer: fetch a catalogue entry for the programme area, then the same check → preview →
commit path as an upload (valuechain.ingest); the starter set in one call; which loads Eurostat has updated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from valuechain import ingest, schema
from valuechain.demo import DEMO_DATASET
from valuechain.eurostat import catalogue, client
from valuechain.eurostat.catalogue import Entry
from valuechain.store import Identity, Load, Progress, Provenance, Store, VersionInfo

_META_COLUMNS = {
    "STRUCTURE",
    "STRUCTURE_ID",
    "STRUCTURE_NAME",
    "DATAFLOW",
    "LAST UPDATE",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_FLAG",
    "CONF_STATUS",
}


def programme_geo(regions: pd.DataFrame, levels: Sequence[int]) -> tuple[str, ...]:
    """The programme area's region codes at these NUTS levels: what every request is limited to."""
    inside = regions[regions["bsr"].astype(bool) & regions["level"].isin([int(x) for x in levels])]
    return tuple(sorted(inside["nuts_id"].astype(str)))


def query_for(entry: Entry, regions: pd.DataFrame, sectors: pd.DataFrame | None = None) -> client.Query:
    """The request for an entry: its filters, the programme area at its levels, its first year. A NACE
    dimension without a filter is limited to the sectors the explorer knows (divisions and the codes the
    entry maps to TOTAL), so aggregates that could not be stored are not fetched at all."""
    filters = dict(entry.filters)
    if entry.sector_dim and entry.sector_dim not in filters and sectors is not None:
        known = [c for c in sectors["nace"].astype(str) if c != schema.TOTAL_SECTOR]
        filters[entry.sector_dim] = tuple(sorted({*known, *entry.sector_codes}))
    return client.Query(entry.code, filters, programme_geo(regions, entry.levels), entry.since)


@dataclass
class Prepared:
    """A fetched entry, read and checked: what the preview shows and a commit stores."""

    entry: Entry
    fetched: client.Fetched
    updated: str
    checked: ingest.Checked
    dimensions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def left_out(self) -> list[str]:
        """What did not make it into the rows, in words (rows without a value, filtered rows, warnings)."""
        notes = list(self.checked.parsed.notes)
        notes += [
            f"{g.rows:,} rows without a value stored as missing values, flags kept"
            for g in self.checked.groups
            if g.kind == "missing" and not g.left_out
        ]
        kept = len(self.checked.rows)
        read = len(self.checked.parsed.frame)
        if read > kept and self.checked.ok:
            notes.append(f"{read - kept:,} of {read:,} records not kept by the dimension choices")
        warnings = int((self.checked.report.failures["severity"] == "warning").sum())
        if warnings:
            notes.append(f"{warnings:,} warning(s) in the check report")
        return notes


def _is_dimension(col: str) -> bool:
    return col not in _META_COLUMNS and col == col.lower() and col.replace("_", "").isalnum()


def dimensions(parsed: ingest.Parsed) -> dict[str, list[tuple[str, str]]]:
    """Each dimension of an SDMX-CSV answer: its codes with their labels (SDMX-CSV 2.0 with labels puts the label
    column right after each dimension), or with the code as its own label (SDMX-CSV 1.0 has no labels)."""
    cols = list(parsed.columns)
    out: dict[str, list[tuple[str, str]]] = {}
    for i, col in enumerate(cols):
        if not _is_dimension(col):
            continue
        after = cols[i + 1] if i + 1 < len(cols) else ""
        labelled = bool(after) and not _is_dimension(after) and after not in _META_COLUMNS
        pairs = parsed.frame[[col, after]] if labelled else parsed.frame[[col, col]].set_axis([col, "label"], axis=1)
        out[col] = sorted((str(a), str(b)) for a, b in pairs.drop_duplicates().itertuples(index=False))
    return out


def mapping_for(entry: Entry, parsed: ingest.Parsed, keep: dict[str, str] | None = None) -> ingest.ColumnMap:
    """How an answer fills the observations table: the entry's recipe (geo, TIME_PERIOD, OBS_VALUE, OBS_FLAG and the
    NACE dimension or sector TOTAL; indicator and unit), with the codes kept of dimensions that split the answer."""
    cmap = catalogue.to_recipe(entry).column_map()
    cmap.filters = dict(keep if keep is not None else entry.keep)
    if "OBS_FLAG" not in parsed.columns:
        del cmap.columns["flag"]
    return cmap


def _definition(entry: Entry, known: set[str]) -> pd.DataFrame | None:
    return None if entry.indicator_id in known else pd.DataFrame([catalogue.definition(entry)])


def prepare(
    store: Store,
    entry: Entry,
    *,
    keep: dict[str, str] | None = None,
    refresh: bool = False,
    progress: client.Progress | None = None,
) -> Prepared:
    """Fetch the entry for the programme area and check it against the store, as an upload is checked."""
    regions = store.current("regions")
    fetched = client.fetch(query_for(entry, regions, store.current("sectors")), refresh=refresh, progress=progress)
    updated = client.last_update(entry.code)
    parsed = ingest.read(fetched.text, f"estat_{entry.code}.csv")
    if entry.sector_codes and entry.sector_dim in parsed.frame:  # e.g. the SBS business-economy total → TOTAL
        codes = parsed.frame[entry.sector_dim].astype("string")  # the reader's columns may be categorical
        parsed.frame[entry.sector_dim] = codes.replace(dict(entry.sector_codes))
    cmap = mapping_for(entry, parsed, keep)
    cmap.constants["source"] = f"Eurostat {entry.code}" + (f", last update {updated[:10]}" if updated else "")
    context = ingest.Context.from_store(store, "observations")
    checked = ingest.check(
        parsed,
        "observations",
        cmap,
        context,
        dataset=entry.dataset,
        mode="replace",
        new_indicators=_definition(entry, context.known.get("indicators.indicator_id", set())),
        choices=entry.choices,
    )
    return Prepared(entry, fetched, updated, checked, dimensions(parsed) if parsed.ok else {})


def commit(store: Store, prepared: Prepared, who: Identity, progress: Progress | None = None) -> VersionInfo:
    """Store a checked fetch as a new version of the entry's dataset, with where and when it came from."""
    source = Provenance(prepared.entry.code, prepared.updated, prepared.fetched.url, prepared.fetched.fetched_at)
    versions = ingest.commit(store, prepared.checked, who, progress=progress, source=source)
    return next(v for v in versions if v.table == "observations" and v.taken_over_by is None)


# --- the starter set ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What happened to one entry of a set: loaded, already there (skipped) or failed, in words."""

    entry: Entry
    status: str  # "loaded", "already loaded", "failed"
    rows: int = 0
    version_id: int | None = None
    message: str = ""
    left_out: tuple[str, ...] = ()


SetProgress = Callable[[int, int, str], None]  # entries done, entries in all, what is happening


def loaded(store: Store) -> pd.DataFrame:
    """Current versions fetched from Eurostat: dataset, code, last update, query URL, time fetched."""
    v = store.versions("observations")
    return v[(v["status"] == "current") & v["source_code"].fillna("").ne("")].reset_index(drop=True)


def load_set(
    store: Store,
    entries: Sequence[Entry],
    who: Identity,
    *,
    refresh: bool = False,
    progress: SetProgress | None = None,
) -> list[Outcome]:
    """Load several entries, one version each, one after the other. A failure stops nothing: the entries
    loaded before it stay, and a rerun skips what is already loaded (unless `refresh`) and does the rest."""
    outcomes = []
    done_before = set(loaded(store)["dataset"]) if not refresh else set()
    for i, entry in enumerate(entries):
        if progress is not None:
            progress(i, len(entries), f"{entry.code} ({entry.indicator_name})")
        if entry.dataset in done_before:
            outcomes.append(Outcome(entry, "already loaded", message="a current version is there; rerun to refresh"))
            continue
        try:
            prepared = prepare(store, entry, refresh=refresh)
            if not prepared.checked.ok:
                raise client.EurostatError(prepared.checked.report.summary())
            version = commit(store, prepared, who)
        except (client.EurostatError, ingest.IngestError, ValueError) as exc:
            outcomes.append(Outcome(entry, "failed", message=str(exc)))
            continue
        outcomes.append(Outcome(entry, "loaded", version.rows, version.version_id, left_out=tuple(prepared.left_out)))
    if progress is not None:
        progress(len(entries), len(entries), "done")
    return outcomes


def summary(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "dataset": o.entry.code,
                "indicator": o.entry.indicator_name,
                "status": o.status,
                "rows": o.rows,
                "version": o.version_id,
                "left out": "; ".join(o.left_out),
                "message": o.message,
            }
            for o in outcomes
        ]
    )


# --- updates ---------------------------------------------------------------------------------------------------


def updates(store: Store) -> pd.DataFrame:
    """Per loaded Eurostat dataset: the last update it was fetched at, Eurostat's last update now, and
    whether that is newer. Eurostat unreachable: `eurostat_updated` says so instead."""
    current = loaded(store)
    rows = []
    for r in current.itertuples():
        try:
            now = client.last_update(str(r.source_code))
        except client.EurostatError as exc:
            now, newer = f"(not known: {exc})", False
        else:
            newer = bool(now) and _stamp(now) > _stamp(str(r.source_updated or ""))
        rows.append(
            {
                "dataset": r.dataset,
                "code": r.source_code,
                "version": r.version_id,
                "loaded_update": r.source_updated,
                "eurostat_updated": now,
                "newer": newer,
                "fetched_at": r.fetched_at,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["dataset", "code", "version", "loaded_update", "eurostat_updated", "newer", "fetched_at"],
    )


def _stamp(text: str) -> datetime:
    """An ISO 8601 time as an aware datetime (naive ones taken as UTC); unreadable or empty: the earliest."""
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def entries_for(datasets: Sequence[str], entries: Sequence[Entry]) -> list[Entry]:
    """The catalogue entries behind these loaded dataset names (for a refresh)."""
    names = set(datasets)
    return [e for e in entries if e.dataset in names]


# --- the demo data --------------------------------------------------------------------------------------------


def demo_shown(store: Store) -> bool:
    """Whether synthetic demo rows are on screen (a current demo version with rows in a data table)."""
    v = store.datasets_on_screen()
    demo = v[(v["origin"] == "demo") & v["table_name"].isin(schema.DATA_TABLES)]
    return bool((demo["rows"] > 0).any())


def switch_off_demo(store: Store, who: Identity) -> list[VersionInfo]:
    """Hide the synthetic demo data: an empty new version of it per data table (the Versions tab can make the
    earlier one current again). Definitions (regions, sectors, chains, indicators) stay."""

    loads = [
        Load(t, schema.coerce(pd.DataFrame(), schema.TABLES[t]), DEMO_DATASET, origin="demo", note="demo switched off")
        for t in schema.DATA_TABLES
    ]
    return store.commit_loads(loads, who=who)
