"""One store interface over an embedded DuckDB file or a PostgreSQL server.

Rows of data tables belong to dataset versions. A write inserts a whole version and makes it
current in one transaction, so a reader (one SQL statement over current versions) never sees half
a dataset, and a failed or killed write leaves the previous version in place. Every write bumps a
revision counter that callers use as a small, hashable cache key.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

import pandas as pd

from valuechain import schema, text
from valuechain.redact import redact
from valuechain.schema import TABLES, Table

SCHEMA_VERSION = "1"
DEFAULT_DB_PATH = Path(__file__).resolve().parent.parent / "var" / "valuechain.duckdb"
# Rows sent per insert call, the unit of commit progress: four DuckDB row groups (122,880 rows each). Inserts of
# whole row groups go straight to the database file; 100,000-row inserts took twice as long plus a slow commit.
INSERT_CHUNK_ROWS = 4 * 122_880
_WRITE_LOCK_KEY = 5_318_008  # PostgreSQL advisory lock that serialises writers across processes
# Sign-in: this many wrong passwords for one editor name, or from one client address, within the window lock
# that name or address out for a short while (a person who mistyped waits minutes; a guesser gets nowhere).
SIGN_IN_ATTEMPTS = 5
SIGN_IN_WINDOW = timedelta(minutes=15)
SIGN_IN_LOCKOUT = timedelta(minutes=5)

# Workshops: participants may vote and comment, at most RATE_LIMIT times per RATE_WINDOW_S seconds each.
RATE_LIMIT = 20
RATE_WINDOW_S = 60
MAX_COMMENT_CHARS = 280
MAX_NOTE_CHARS = 2000
MAX_PARTICIPANTS = 500
ITEM_PATTERN = re.compile(r"^(partner:[A-Z0-9]{2,5}:[A-Z0-9]{2,5}|idea:[0-9]{1,9})$")
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CONFLICT_RETRIES = 50

Progress = Callable[[int, int], None]  # (rows stored so far, rows to store)


class StoreError(RuntimeError):
    """The store cannot be used; the message says what happened and what to do."""


class PermissionDenied(StoreError):
    """A write was attempted by someone who may only read."""


class RateLimited(StoreError):
    """A participant voted or commented faster than a person in a workshop does."""


@dataclass(frozen=True)
class Identity:
    """Who is calling: viewers read, editors may write (checked here, not only in the UI)."""

    name: str
    role: str = "viewer"

    @property
    def can_write(self) -> bool:
        return self.role in ("editor", "system")

    @property
    def is_participant(self) -> bool:
        """A workshop participant: `name` is the browser's token; may only vote and comment."""
        return self.role == "participant"


SYSTEM = Identity("demo generator", "system")

_SQL_TYPES = {"text": "TEXT", "int": "BIGINT", "float": "DOUBLE PRECISION", "bool": "BOOLEAN", "timestamp": "TIMESTAMP"}


def ddl(table: Table) -> str:
    """CREATE TABLE statement valid in both DuckDB and PostgreSQL."""
    cols = [f"{c.name} {_SQL_TYPES[c.dtype]}" for c in table.columns]
    if table.versioned:
        cols.append("version_id BIGINT NOT NULL")
    else:
        cols.append(f"PRIMARY KEY ({', '.join(table.key)})")
        cols.extend(f"UNIQUE ({', '.join(u)})" for u in table.unique)
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(cols)})"


class Backend(Protocol):
    """What the store needs of a database: transactions, queries to DataFrames, bulk insert."""

    url: str

    def transaction(self) -> Any: ...

    def query(self, sql: str, params: tuple = ()) -> pd.DataFrame: ...

    def insert(self, cur: Any, table: str, frame: pd.DataFrame) -> None: ...

    def close(self) -> None: ...


class DuckDBBackend:
    """An embedded DuckDB file; one connection per process, a cursor per call."""

    def __init__(self, path: str | Path) -> None:
        import duckdb

        self.path = Path(path)
        self.url = f"duckdb:///{self.path}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.Error as exc:
            raise StoreError(
                f"The database file {self.path} could not be opened ({_first_line(exc)}). If it is damaged, "
                "move it away or delete it: the app then creates a new one with the demo data. If another "
                "program has it open, close that program."
            ) from exc
        self._write_lock = threading.Lock()  # DuckDB lets one writer at a time change a row

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._write_lock:
            cur = self._con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    def query(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        cur = self._con.cursor()
        try:
            return cur.execute(sql, list(params)).df()
        finally:
            cur.close()

    def insert(self, cur: Any, table: str, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        cols = ", ".join(frame.columns)
        cur.register("_incoming", pa.Table.from_pandas(frame, preserve_index=False))
        try:
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
        finally:
            cur.unregister("_incoming")

    def close(self) -> None:
        self._con.close()


class PostgresBackend:
    """A PostgreSQL server; one connection per thread, COPY for bulk inserts."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self._psycopg = psycopg
        self._local = threading.local()
        self._connect()  # fail now, with a clear message, rather than on first use

    def _connect(self) -> Any:
        con = getattr(self._local, "con", None)
        if con is not None and not con.closed:
            return con
        try:
            con = self._psycopg.connect(self.url, connect_timeout=5, autocommit=True)
        except self._psycopg.Error as exc:
            raise StoreError(
                f"PostgreSQL at {redact(self.url)} could not be reached ({_first_line(exc)}). Check that "
                "the server runs and VALUECHAIN_DB_URL is right, or unset VALUECHAIN_DB_URL to use the "
                "embedded DuckDB file."
            ) from exc
        self._local.con = con
        return con

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        con = self._connect()
        with con.transaction(), con.cursor() as cur:
            # One writer at a time, also across app processes: a version read and superseded inside this
            # transaction cannot be superseded by another writer at the same moment.
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK_KEY,))
            yield cur

    def query(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        con = self._connect()
        with con.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params)
            rows = cur.fetchall()
            names = [d.name for d in cur.description]
        return pd.DataFrame.from_records(rows, columns=names)

    def insert(self, cur: Any, table: str, frame: pd.DataFrame) -> None:
        """COPY as CSV written by pyarrow (a million rows: 0.4 s, against 3 s for pandas' to_csv; numbers in
        their shortest exact form). An unquoted empty field is NULL; coerced text is never empty, so nothing
        is ambiguous."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        cols = ", ".join(frame.columns)
        buffer = io.BytesIO()
        pacsv.write_csv(
            pa.Table.from_pandas(frame, preserve_index=False),
            buffer,
            write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"),
        )
        with cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()


def _execute(cur: Any, sql: str, params: tuple = ()) -> Any:
    """Run one statement on a cursor of either backend (DuckDB takes ?, psycopg %s)."""
    if type(cur).__module__.startswith("psycopg"):
        sql = sql.replace("?", "%s")
    return cur.execute(sql, params)


def _fetchone(cur: Any, sql: str, params: tuple = ()) -> tuple:
    _execute(cur, sql, params)
    return cur.fetchone()


def _fetch_frame(cur: Any, sql: str, params: tuple = ()) -> pd.DataFrame:
    """Rows read inside a write transaction (so they cannot change before the write uses them)."""
    _execute(cur, sql, params)
    names = [d[0] for d in cur.description]
    return pd.DataFrame.from_records(cur.fetchall(), columns=names)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check_text(texts: Sequence[tuple[object, str, bool]]) -> None:
    """Refuse names (value, what it is, whether required) that could run as a formula in an export, hold
    markup, control or direction characters: the same rule as every uploaded cell. (Idea cards are workshop
    notes: shown as text and neutralised in every export, they may hold anything.)"""
    problems = [p for value, what, required in texts if (p := text.problem(value, what, required=required)) is not None]
    if problems:
        raise StoreError("Nothing was stored. " + " ".join(problems))


def content_hash(frame: pd.DataFrame) -> str:
    """SHA-256 over the column names and the sorted 64-bit hashes of the rows: independent of row order,
    and fast enough for a million rows (no sort or text rendering of the rows themselves)."""
    digest = hashlib.sha256(",".join(map(str, frame.columns)).encode())
    if len(frame):
        row_hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy(copy=True)
        row_hashes.sort()
        digest.update(row_hashes.tobytes())
    return digest.hexdigest()


def key_isin(frame: pd.DataFrame, other: pd.DataFrame, key: Sequence[str]) -> pd.Series:
    """Whether each row of `frame` has a key that occurs in `other` (both coerced to the table's types)."""
    if frame.empty or other.empty:
        return pd.Series(False, index=frame.index)
    mine = pd.MultiIndex.from_frame(frame[list(key)].astype(object))
    theirs = pd.MultiIndex.from_frame(other[list(key)].astype(object))
    return pd.Series(mine.isin(theirs), index=frame.index)


@dataclass(frozen=True)
class VersionInfo:
    version_id: int
    dataset_id: int
    table: str
    rows: int
    content_hash: str
    replaced_version: int | None
    dataset: str = ""
    taken_over_by: int | None = None  # set on a version made by removing rows that this new version took over


@dataclass(frozen=True)
class Restored:
    """A dataset whose rows a version had taken over: `version` is current again in place of `instead`,
    or, when `clashes` rows of it collide with rows other datasets now show, it was left as it was."""

    dataset: str
    version: int
    instead: int
    clashes: int = 0

    def message(self) -> str:
        if self.clashes:
            return (
                f"Dataset '{self.dataset}': version {self.version}, from before the takeover, was not made current "
                f"again because {self.clashes:,} of its rows collide with rows now shown from other datasets; "
                f"make it current yourself if it should be shown."
            )
        return (
            f"Dataset '{self.dataset}' has its rows back: version {self.version}, from before the takeover, is "
            f"current again (instead of version {self.instead})."
        )


@dataclass
class _Part:
    """One new version being planned inside a commit: its dataset, the version it supersedes, its rows."""

    dataset_id: int
    dataset: str
    previous: int | None
    rows: pd.DataFrame
    taken: int = 0  # rows of `previous` that another load took over
    others: list[_Part] = field(default_factory=list)


@dataclass(frozen=True)
class Provenance:
    """Where a version fetched from a statistics office came from: recorded with the version, in its commit."""

    code: str  # the dataset's code there, e.g. Eurostat's tgs00042
    updated: str  # its last update as the office states it (ISO 8601)
    url: str  # the query the rows were fetched with
    fetched_at: datetime


@dataclass(frozen=True)
class Load:
    """One table's rows to store as the new current version of `dataset`, within a commit.

    mode "replace": the version holds exactly these rows. mode "update": it also keeps the rows of the
    dataset's current version whose key is not among these rows (add a year without re-sending the rest).
    take_over: rows of *other* datasets with a key among these rows stop being shown: each such dataset
    gets a new version without them (its earlier version stays, so this too can be rolled back). Without it
    two datasets could show the same region, sector, indicator and year twice, and sums would count it twice.
    """

    table: str
    frame: pd.DataFrame
    dataset: str
    mode: Literal["replace", "update"] = "replace"
    take_over: bool = False
    origin: str = "upload"
    file_name: str = ""
    note: str = ""
    left_out: pd.DataFrame | None = None  # rows of the file not stored (ingest's file_row, left_out_as, cells)
    source: Provenance | None = None  # where fetched rows came from (empty for uploads and the demo data)


class Store:
    """The data model's tables in one database, with versioned, transactional writes."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.url = backend.url
        try:
            self._ensure_schema()
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(
                f"The database at {redact(self.url, show_paths=True)} could not be prepared "
                f"({_first_line(exc)}). If it is a DuckDB file, it may be damaged or from an incompatible version: "
                "move it away and restart."
            ) from exc

    # --- schema and bookkeeping ---------------------------------------------------------------
    def _ensure_schema(self) -> None:
        with self.backend.transaction() as cur:
            for table in TABLES.values():
                _execute(cur, ddl(table))
            # Columns added since a database file was made (a schema that only grows: no data migration).
            present = {
                (r[0], r[1])
                for r in _fetch_frame(
                    cur,
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema()",
                ).itertuples(index=False)
            }
            for table in TABLES.values():
                for col in table.columns:
                    if (table.name, col.name) not in present:
                        _execute(cur, f"ALTER TABLE {table.name} ADD COLUMN {col.name} {_SQL_TYPES[col.dtype]}")
            for seq in ("dataset_seq", "version_seq", "idea_seq", "workshop_seq", "scene_seq", "comment_seq"):
                _execute(cur, f"CREATE SEQUENCE IF NOT EXISTS {seq}")
            if _fetchone(cur, "SELECT COUNT(*) FROM meta WHERE key = 'revision'")[0] == 0:
                _execute(
                    cur,
                    "INSERT INTO meta (key, value) VALUES ('revision', '0'), ('schema_version', ?)",
                    (SCHEMA_VERSION,),
                )

    def revision(self) -> int:
        """Counter bumped by every write: part of every cache key."""
        return int(self.backend.query("SELECT value FROM meta WHERE key = 'revision'").iloc[0, 0])

    def is_empty(self) -> bool:
        return int(self.backend.query("SELECT COUNT(*) AS n FROM dataset_versions").iloc[0, 0]) == 0

    @staticmethod
    def _bump(cur: Any) -> None:
        _execute(cur, "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'revision'")

    @staticmethod
    def _require_writer(who: Identity) -> None:
        if not who.can_write:
            raise PermissionDenied(f"{who.name} may only read: writing needs the editor role.")
        _check_text([(who.name, "editor name", True)])

    # --- reading --------------------------------------------------------------------------------
    def current(self, table: str) -> pd.DataFrame:
        """All rows of `table` that belong to current dataset versions (or all rows if unversioned)."""
        t = TABLES[table]
        cols = ", ".join(t.column_names)
        if t.versioned:
            sql = (
                f"SELECT {cols} FROM {t.name} WHERE version_id IN "
                "(SELECT version_id FROM dataset_versions WHERE status = 'current')"
            )
        else:
            sql = f"SELECT {cols} FROM {t.name}"
        return schema.coerce(self.backend.query(sql), t)

    def current_with_versions(self, table: str) -> pd.DataFrame:
        """Current rows of a versioned table with the version and dataset each belongs to (for previews)."""
        t = TABLES[table]
        sql = (
            f"SELECT {', '.join('r.' + c for c in t.column_names)}, r.version_id, d.name AS dataset "
            f"FROM {t.name} r JOIN dataset_versions v ON v.version_id = r.version_id "
            "JOIN datasets d ON d.dataset_id = v.dataset_id WHERE v.status = 'current'"
        )
        found = self.backend.query(sql)
        return pd.concat([schema.coerce(found, t), found[["version_id", "dataset"]]], axis=1)

    def left_out_rows(self, version_id: int) -> str:
        """The rows a version's file had that were left out, as the CSV stored with the version ('' if none)."""
        found = self.backend.query("SELECT left_out_rows FROM dataset_versions WHERE version_id = ?", (version_id,))
        value = found["left_out_rows"].iat[0] if len(found) else None
        return "" if value is None or pd.isna(value) else str(value)

    def rows_of_version(self, version_id: int) -> pd.DataFrame:
        table = self._version_table(version_id)
        t = TABLES[table]
        sql = f"SELECT {', '.join(t.column_names)} FROM {t.name} WHERE version_id = ?"
        return schema.coerce(self.backend.query(sql, (version_id,)), t)

    def versions(self, table: str | None = None) -> pd.DataFrame:
        """Every dataset version with its dataset, newest first."""
        sql = (
            "SELECT v.version_id, v.dataset_id, d.name AS dataset, d.table_name, d.origin, v.created_at, "
            "v.created_by, v.file_name, v.rows, v.content_hash, v.status, v.note, v.left_out, v.left_out_kinds, "
            "v.source_code, v.source_updated, v.source_url, v.fetched_at "
            "FROM dataset_versions v JOIN datasets d ON d.dataset_id = v.dataset_id"
        )
        params: tuple = ()
        if table is not None:
            sql += " WHERE d.table_name = ?"
            params = (table,)
        return self.backend.query(sql + " ORDER BY v.version_id DESC", params)

    def datasets_on_screen(self) -> pd.DataFrame:
        """Current versions: which data is shown (for the dataset badge)."""
        v = self.versions()
        return v[v["status"] == "current"].reset_index(drop=True)

    def _version_table(self, version_id: int) -> str:
        found = self.backend.query(
            "SELECT d.table_name FROM dataset_versions v JOIN datasets d ON d.dataset_id = v.dataset_id "
            "WHERE v.version_id = ?",
            (version_id,),
        )
        if found.empty:
            raise StoreError(f"There is no dataset version {version_id}.")
        return str(found.iloc[0, 0])

    # --- writing --------------------------------------------------------------------------------
    def commit_version(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        who: Identity,
        dataset: str,
        origin: str = "upload",
        file_name: str = "",
        note: str = "",
    ) -> VersionInfo:
        """Store `frame` as the new current version of dataset `dataset`, all rows or none."""
        load = Load(table, frame, dataset, origin=origin, file_name=file_name, note=note)
        return self.commit_loads([load], who=who)[0]

    def commit_loads(
        self,
        loads: Sequence[Load],
        *,
        who: Identity,
        mapping: tuple[str, str, dict[str, str]] | None = None,
        progress: Progress | None = None,
    ) -> list[VersionInfo]:
        """Store several loads (e.g. new indicator definitions and their observations) in ONE transaction.

        Either every version is stored and made current, or nothing changes (an error, a killed process
        or a lost connection all roll back). `mapping` (source key, table, column mapping) is remembered in
        the same transaction. Returns the new versions, each load's own version first.
        """
        self._require_writer(who)
        for load in loads:
            if not TABLES[load.table].versioned:
                raise StoreError(f"{load.table} is not a versioned data table.")
        _check_text(
            [(load.dataset, "dataset name", True) for load in loads]
            + [(load.file_name, "file name", False) for load in loads]
        )
        now = _utcnow()
        infos: list[VersionInfo] = []
        with self.backend.transaction() as cur:
            plans = [self._plan_load(cur, load, now) for load in loads]
            total = sum(len(p.rows) + sum(len(o.rows) for o in p.others) for p in plans)
            done = 0

            def store(load: Load, part: _Part, note: str, taken_over_by: int | None) -> VersionInfo:
                nonlocal done
                own = taken_over_by is None
                info = self._store_version(
                    cur,
                    load.table,
                    part,
                    load.file_name,
                    note,
                    who,
                    now,
                    taken_over_by,
                    load.left_out if own else None,
                    load.source if own else None,
                )
                for start in range(0, len(part.rows), INSERT_CHUNK_ROWS):
                    chunk = part.rows.iloc[start : start + INSERT_CHUNK_ROWS]
                    self.backend.insert(cur, load.table, chunk.assign(version_id=info.version_id))
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
                infos.append(info)
                return info

            for load, plan in zip(loads, plans, strict=True):
                own = store(load, plan, load.note, None)
                for other in plan.others:
                    note = f"{other.taken} rows taken over by version {own.version_id} of dataset '{load.dataset}'" + (
                        f" ({load.file_name})" if load.file_name else ""
                    )
                    store(load, other, note, own.version_id)
            if mapping is not None:
                self._write_mapping(cur, *mapping, now)
            self._bump(cur)
        return infos

    def _plan_load(self, cur: Any, load: Load, now: datetime) -> _Part:
        """The rows of the load's own new version, and of the other datasets whose rows it takes over.

        Runs inside the write transaction, on the data as it is at commit time (another editor may have
        committed since the preview).
        """
        t = TABLES[load.table]
        rows = schema.coerce(load.frame, t).reset_index(drop=True)
        dataset_id = self._dataset_id(cur, load.table, load.dataset, load.origin, now)
        previous = _fetchone(
            cur,
            "SELECT MAX(version_id) FROM dataset_versions WHERE dataset_id = ? AND status = 'current'",
            (dataset_id,),
        )[0]
        cols = ", ".join(t.column_names)
        if load.mode == "update" and previous is not None:
            kept = schema.coerce(_fetch_frame(cur, f"SELECT {cols} FROM {t.name} WHERE version_id = ?", (previous,)), t)
            kept = kept[~key_isin(kept, rows, t.key)]
            rows = pd.concat([rows, kept], ignore_index=True) if len(kept) else rows
        own = _Part(dataset_id, load.dataset, None if previous is None else int(previous), rows)
        if not load.take_over or rows.empty:
            return own
        # The bookkeeping columns get names no data table uses (regions, actors, ... have their own `name`).
        found = _fetch_frame(
            cur,
            f"SELECT {', '.join('r.' + c for c in t.column_names)}, r.version_id AS _version_id, "
            "v.dataset_id AS _dataset_id, d.name AS _dataset_name "
            f"FROM {t.name} r JOIN dataset_versions v ON v.version_id = r.version_id "
            "JOIN datasets d ON d.dataset_id = v.dataset_id WHERE v.status = 'current' AND v.dataset_id <> ?",
            (dataset_id,),
        )
        if found.empty:
            return own
        data = schema.coerce(found, t)
        overlap = key_isin(data, rows, t.key).to_numpy()
        for version_id in sorted(found.loc[overlap, "_version_id"].unique()):
            mine = (found["_version_id"] == version_id).to_numpy()
            first = found[mine].iloc[0]
            own.others.append(
                _Part(
                    int(first["_dataset_id"]),
                    str(first["_dataset_name"]),
                    int(version_id),
                    data[mine & ~overlap].reset_index(drop=True),
                    int((mine & overlap).sum()),
                )
            )
        return own

    def _dataset_id(self, cur: Any, table: str, dataset: str, origin: str, now: datetime) -> int:
        found = _fetchone(
            cur, "SELECT MIN(dataset_id) FROM datasets WHERE table_name = ? AND name = ?", (table, dataset)
        )[0]
        if found is not None:
            return int(found)
        dataset_id = _fetchone(cur, "SELECT nextval('dataset_seq')")[0]
        _execute(
            cur,
            "INSERT INTO datasets (dataset_id, table_name, name, origin, created_at) VALUES (?, ?, ?, ?, ?)",
            (dataset_id, table, dataset, origin, now),
        )
        return int(dataset_id)

    @staticmethod
    def _store_version(
        cur: Any,
        table: str,
        part: _Part,
        file_name: str,
        note: str,
        who: Identity,
        now: datetime,
        taken_over_by: int | None,
        left_out: pd.DataFrame | None = None,
        source: Provenance | None = None,
    ) -> VersionInfo:
        version_id = int(_fetchone(cur, "SELECT nextval('version_seq')")[0])
        left = left_out if left_out is not None and len(left_out) else None
        kinds = (
            "; ".join(f"{k} {n}" for k, n in left["left_out_as"].value_counts().items())
            if left is not None and "left_out_as" in left
            else None
        )
        digest = content_hash(part.rows)
        _execute(
            cur,
            "UPDATE dataset_versions SET status = 'superseded' WHERE dataset_id = ? AND status = 'current'",
            (part.dataset_id,),
        )
        _execute(
            cur,
            "INSERT INTO dataset_versions (version_id, dataset_id, created_at, created_by, file_name, "
            "rows, content_hash, status, note, replaces, taken_over_by, left_out, left_out_kinds, left_out_rows, "
            "source_code, source_updated, source_url, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'current', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                version_id,
                part.dataset_id,
                now,
                who.name,
                file_name,
                len(part.rows),
                digest,
                note,
                part.previous,
                taken_over_by,
                len(left) if left is not None else 0,
                kinds,
                left.to_csv(index=False) if left is not None else None,
                source.code if source else None,
                source.updated if source else None,
                source.url if source else None,
                source.fetched_at.replace(tzinfo=None) if source else None,
            ),
        )
        return VersionInfo(
            version_id, part.dataset_id, table, len(part.rows), digest, part.previous, part.dataset, taken_over_by
        )

    def set_current(self, version_id: int, *, who: Identity) -> list[Restored]:
        """Make an earlier version of its dataset current again (rollback). Rows that the version it
        supersedes had taken over from other datasets are given back to them (see `_give_back`)."""
        self._require_writer(who)
        with self.backend.transaction() as cur:
            row = _fetchone(cur, "SELECT dataset_id, status FROM dataset_versions WHERE version_id = ?", (version_id,))
            if row is None:
                raise StoreError(f"There is no dataset version {version_id}.")
            if row[1] == "deleted":
                raise StoreError(f"Version {version_id} was deleted and cannot be made current.")
            was = _fetchone(
                cur,
                "SELECT MAX(version_id) FROM dataset_versions WHERE dataset_id = ? AND status = 'current'",
                (row[0],),
            )[0]
            _execute(
                cur,
                "UPDATE dataset_versions SET status = 'superseded' WHERE dataset_id = ? AND status = 'current'",
                (row[0],),
            )
            _execute(cur, "UPDATE dataset_versions SET status = 'current' WHERE version_id = ?", (version_id,))
            restored = self._give_back(cur, int(was)) if was is not None and int(was) != version_id else []
            self._bump(cur)
        return restored

    def delete_version(self, version_id: int, *, who: Identity) -> list[Restored]:
        """Delete a version's rows; its record stays, marked deleted, for the audit trail. If it was current,
        the rows it had taken over from other datasets are given back to them."""
        self._require_writer(who)
        table = self._version_table(version_id)
        with self.backend.transaction() as cur:
            status = _fetchone(cur, "SELECT status FROM dataset_versions WHERE version_id = ?", (version_id,))[0]
            _execute(cur, f"DELETE FROM {table} WHERE version_id = ?", (version_id,))
            _execute(cur, "UPDATE dataset_versions SET status = 'deleted' WHERE version_id = ?", (version_id,))
            restored = self._give_back(cur, version_id) if status == "current" else []
            self._bump(cur)
        return restored

    @staticmethod
    def _give_back(cur: Any, gone: int) -> list[Restored]:
        """Version `gone` stops being shown: each dataset it took rows from, and that has not changed since,
        gets its version from before the takeover back, unless those rows would now collide with rows another
        dataset shows (then it is left for the editor to decide, and reported)."""
        takers = _fetch_frame(
            cur,
            "SELECT v.version_id, v.replaces, v.dataset_id, d.name, d.table_name FROM dataset_versions v "
            "JOIN datasets d ON d.dataset_id = v.dataset_id "
            "JOIN dataset_versions e ON e.version_id = v.replaces AND e.status = 'superseded' "
            "WHERE v.taken_over_by = ? AND v.status = 'current' ORDER BY v.version_id",
            (gone,),
        )
        out = []
        for made, earlier, dataset_id, name, table in takers.itertuples(index=False):
            on = " AND ".join(f"p.{k} = o.{k}" for k in TABLES[table].key)
            clashes = _fetchone(
                cur,
                f"SELECT COUNT(*) FROM {table} p JOIN {table} o ON {on} JOIN dataset_versions v "
                "ON v.version_id = o.version_id WHERE p.version_id = ? AND v.status = 'current' "
                "AND v.dataset_id <> ?",
                (int(earlier), int(dataset_id)),
            )[0]
            if not clashes:
                _execute(cur, "UPDATE dataset_versions SET status = 'superseded' WHERE version_id = ?", (int(made),))
                _execute(cur, "UPDATE dataset_versions SET status = 'current' WHERE version_id = ?", (int(earlier),))
            out.append(Restored(str(name), int(earlier), int(made), int(clashes)))
        return out

    def save_mapping(self, source_key: str, table: str, mapping: dict[str, str], *, who: Identity) -> None:
        """Remember how a source's columns map onto a table, for its next upload."""
        self._require_writer(who)
        now = _utcnow()
        with self.backend.transaction() as cur:
            self._write_mapping(cur, source_key, table, mapping, now)
            self._bump(cur)

    @staticmethod
    def _write_mapping(cur: Any, source_key: str, table: str, mapping: dict[str, str], now: datetime) -> None:
        _execute(cur, "DELETE FROM column_mappings WHERE source_key = ? AND table_name = ?", (source_key, table))
        _execute(
            cur,
            "INSERT INTO column_mappings (source_key, table_name, mapping, updated_at) VALUES (?, ?, ?, ?)",
            (source_key, table, json.dumps(mapping), now),
        )

    def mapping(self, source_key: str, table: str) -> dict[str, str]:
        found = self.backend.query(
            "SELECT mapping FROM column_mappings WHERE source_key = ? AND table_name = ?", (source_key, table)
        )
        return {} if found.empty else json.loads(found.iloc[0, 0])

    def save_idea(self, idea: dict[str, Any], *, who: Identity) -> int:
        """Insert an idea card, or update it when it has an idea_id; returns its id."""
        self._require_writer(who)
        now = _utcnow()
        fields = [
            c.name for c in schema.IDEAS.columns if c.name not in ("idea_id", "created_by", "created_at", "updated_at")
        ]
        values = tuple(idea.get(f) for f in fields)
        with self.backend.transaction() as cur:
            idea_id = idea.get("idea_id")
            if idea_id is None:
                idea_id = _fetchone(cur, "SELECT nextval('idea_seq')")[0]
                cols = ", ".join(["idea_id", *fields, "created_by", "created_at", "updated_at"])
                marks = ", ".join("?" * (len(fields) + 4))
                _execute(cur, f"INSERT INTO ideas ({cols}) VALUES ({marks})", (idea_id, *values, who.name, now, now))
            else:
                sets = ", ".join(f"{f} = ?" for f in fields)
                _execute(cur, f"UPDATE ideas SET {sets}, updated_at = ? WHERE idea_id = ?", (*values, now, idea_id))
            self._bump(cur)
        return int(idea_id)

    def delete_idea(self, idea_id: int, *, who: Identity) -> None:
        """Remove an idea card (a workshop draft, not data: no version is kept)."""
        self._require_writer(who)
        with self.backend.transaction() as cur:
            _execute(cur, "DELETE FROM ideas WHERE idea_id = ?", (idea_id,))
            self._bump(cur)

    # --- workshops: agendas of scenes (editors), votes and comments (participants) ---------------
    def create_workshop(self, title: str, *, who: Identity) -> tuple[int, str]:
        """A new, open workshop with a fresh join code; returns (workshop_id, code)."""
        self._require_writer(who)
        title = _title(title, "workshop title")
        now = _utcnow()
        with self.backend.transaction() as cur:
            taken = set(_fetch_frame(cur, "SELECT code FROM workshops")["code"])
            code = next(c for c in iter(_join_code, None) if c not in taken)
            workshop_id = int(_fetchone(cur, "SELECT nextval('workshop_seq')")[0])
            _execute(
                cur,
                "INSERT INTO workshops (workshop_id, title, code, closed, created_by, created_at) "
                "VALUES (?, ?, ?, FALSE, ?, ?)",
                (workshop_id, title, code, who.name, now),
            )
        return workshop_id, code

    def workshops(self) -> pd.DataFrame:
        """Every workshop, newest first."""
        return self.backend.query(
            "SELECT workshop_id, title, code, closed, created_by, created_at FROM workshops ORDER BY workshop_id DESC"
        )

    def workshop(self, workshop_id: int) -> dict[str, Any] | None:
        found = self.backend.query("SELECT * FROM workshops WHERE workshop_id = ?", (int(workshop_id),))
        return None if found.empty else found.iloc[0].to_dict()

    def set_closed(self, workshop_id: int, closed: bool, *, who: Identity) -> None:
        """Close a workshop (votes and comments are frozen) or open it again."""
        self._require_writer(who)
        with self.backend.transaction() as cur:
            _execute(cur, "UPDATE workshops SET closed = ? WHERE workshop_id = ?", (bool(closed), int(workshop_id)))

    def add_scene(self, workshop_id: int, scene: Mapping[str, Any], *, who: Identity) -> int:
        """Append a scene (title, note, page, state dict, optional chart JSON and items list) to the agenda."""
        self._require_writer(who)
        title = _title(scene["title"], "scene title")
        note = _note(scene.get("note"))
        now = _utcnow()
        with self.backend.transaction() as cur:
            if _fetchone(cur, "SELECT COUNT(*) FROM workshops WHERE workshop_id = ?", (int(workshop_id),))[0] == 0:
                raise StoreError(f"There is no workshop {workshop_id}.")
            scene_id = int(_fetchone(cur, "SELECT nextval('scene_seq')")[0])
            position = int(
                _fetchone(cur, "SELECT COALESCE(MAX(position), 0) FROM scenes WHERE workshop_id = ?", (workshop_id,))[0]
            )
            _execute(
                cur,
                "INSERT INTO scenes (scene_id, workshop_id, position, title, note, page, state, chart, items, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    scene_id,
                    int(workshop_id),
                    position + 1,
                    title,
                    note,
                    str(scene.get("page") or ""),
                    json.dumps(scene.get("state") or {}, sort_keys=True),
                    scene.get("chart"),
                    json.dumps(scene.get("items") or []),
                    now,
                ),
            )
        return scene_id

    def update_scene(self, scene_id: int, title: str, note: str, *, who: Identity) -> None:
        self._require_writer(who)
        with self.backend.transaction() as cur:
            _execute(
                cur,
                "UPDATE scenes SET title = ?, note = ? WHERE scene_id = ?",
                (_title(title, "scene title"), _note(note), int(scene_id)),
            )

    def move_scene(self, scene_id: int, step: int, *, who: Identity) -> None:
        """Move a scene `step` places up (-1) or down (+1) in its agenda."""
        self._require_writer(who)
        with self.backend.transaction() as cur:
            workshop_id = _fetchone(cur, "SELECT workshop_id FROM scenes WHERE scene_id = ?", (int(scene_id),))[0]
            order = list(
                _fetch_frame(
                    cur, "SELECT scene_id FROM scenes WHERE workshop_id = ? ORDER BY position", (workshop_id,)
                )["scene_id"]
            )
            i = order.index(int(scene_id))
            j = min(max(i + step, 0), len(order) - 1)
            order.insert(j, order.pop(i))
            self._renumber(cur, order)

    def delete_scene(self, scene_id: int, *, who: Identity) -> None:
        self._require_writer(who)
        with self.backend.transaction() as cur:
            found = _fetchone(cur, "SELECT workshop_id FROM scenes WHERE scene_id = ?", (int(scene_id),))
            _execute(cur, "DELETE FROM scenes WHERE scene_id = ?", (int(scene_id),))
            if found is not None:
                rest = _fetch_frame(
                    cur, "SELECT scene_id FROM scenes WHERE workshop_id = ? ORDER BY position", (found[0],)
                )
                self._renumber(cur, list(rest["scene_id"]))

    @staticmethod
    def _renumber(cur: Any, order: Sequence[int]) -> None:
        for position, scene_id in enumerate(order, start=1):
            _execute(cur, "UPDATE scenes SET position = ? WHERE scene_id = ?", (position, int(scene_id)))

    def scenes(self, workshop_id: int) -> pd.DataFrame:
        """The agenda in order; `state` and `items` decoded from JSON."""
        found = self.backend.query(
            "SELECT scene_id, workshop_id, position, title, note, page, state, chart, items, created_at "
            "FROM scenes WHERE workshop_id = ? ORDER BY position",
            (int(workshop_id),),
        )
        found["state"] = [json.loads(v) for v in found["state"]]
        found["items"] = [json.loads(v) if isinstance(v, str) and v else [] for v in found["items"]]
        return found

    def join(self, code: str) -> Identity:
        """A participant joins an open workshop by its code: no account, a random token for this browser."""
        code = str(code or "").strip().upper()
        now = _utcnow()
        with self.backend.transaction() as cur:
            found = _fetchone(cur, "SELECT workshop_id, closed FROM workshops WHERE code = ?", (code,))
            if found is None:
                raise StoreError(f"There is no workshop with the code {code!r}: check it with the facilitator.")
            if found[1]:
                raise StoreError("This workshop is closed: votes and comments are frozen.")
            joined = _fetchone(cur, "SELECT COUNT(*) FROM participants WHERE workshop_id = ?", (found[0],))[0]
            if joined >= MAX_PARTICIPANTS:
                raise StoreError(f"This workshop already has {MAX_PARTICIPANTS} participants.")
            token = secrets.token_urlsafe(16)
            _execute(
                cur,
                "INSERT INTO participants (token, workshop_id, joined_at) VALUES (?, ?, ?)",
                (token, int(found[0]), now),
            )
        return Identity(token, "participant")

    def participant_workshop(self, who: Identity) -> int | None:
        """The workshop a participant token belongs to (None for anyone else or an unknown token)."""
        if not who.is_participant:
            return None
        found = self.backend.query("SELECT workshop_id FROM participants WHERE token = ?", (who.name,))
        return None if found.empty else int(found.iloc[0, 0])

    def vote(self, item: str, *, who: Identity) -> bool:
        """One vote of a participant for an item; False when this browser had already voted for it."""
        item = _item(item)

        def write(cur: Any, workshop_id: int, now: datetime) -> bool:
            if _fetchone(
                cur,
                "SELECT COUNT(*) FROM votes WHERE workshop_id = ? AND item = ? AND participant = ?",
                (workshop_id, item, who.name),
            )[0]:
                return False
            _execute(
                cur,
                "INSERT INTO votes (workshop_id, item, participant, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (workshop_id, item, who.name, now),
            )
            return True

        return self._participant_write(who, write)

    def comment(self, item: str, text: str, *, who: Identity) -> int:
        """A participant's short comment on an item; returns its number."""
        item = _item(item)
        text = _comment(text)

        def write(cur: Any, workshop_id: int, now: datetime) -> int:
            comment_id = int(_fetchone(cur, "SELECT nextval('comment_seq')")[0])
            _execute(
                cur,
                "INSERT INTO comments (comment_id, workshop_id, item, participant, text, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (comment_id, workshop_id, item, who.name, text, now),
            )
            return comment_id

        return self._participant_write(who, write)

    def _participant_write(self, who: Identity, write: Callable[[Any, int, datetime], Any]) -> Any:
        """Run a participant's vote or comment in a transaction, after checking the token, that the workshop
        is open and the rate limit. DuckDB detects concurrent writers optimistically: a conflict is retried."""
        if not who.is_participant:
            raise PermissionDenied("Only workshop participants vote and comment: join with the workshop's code.")
        for attempt in range(_CONFLICT_RETRIES):
            now = _utcnow()
            try:
                with self.backend.transaction() as cur:
                    found = _fetchone(
                        cur,
                        "SELECT p.workshop_id, w.closed FROM participants p "
                        "JOIN workshops w ON w.workshop_id = p.workshop_id WHERE p.token = ?",
                        (who.name,),
                    )
                    if found is None:
                        raise PermissionDenied("This browser has not joined the workshop: enter its code again.")
                    if found[1]:
                        raise StoreError("The workshop is closed: votes and comments are frozen.")
                    since = now - timedelta(seconds=RATE_WINDOW_S)
                    recent = _fetchone(
                        cur,
                        "SELECT (SELECT COUNT(*) FROM votes WHERE participant = ? AND created_at > ?) + "
                        "(SELECT COUNT(*) FROM comments WHERE participant = ? AND created_at > ?)",
                        (who.name, since, who.name, since),
                    )[0]
                    if recent >= RATE_LIMIT:
                        raise RateLimited(
                            f"Slow down: at most {RATE_LIMIT} votes and comments per {RATE_WINDOW_S} seconds."
                        )
                    return write(cur, int(found[0]), now)
            except StoreError:
                raise
            except Exception as exc:
                if "conflict" not in str(exc).lower() or attempt == _CONFLICT_RETRIES - 1:
                    raise
                time.sleep(0.005 * (attempt + 1))
        raise StoreError("unreachable")  # pragma: no cover

    def tallies(self, workshop_id: int) -> pd.DataFrame:
        """Votes per item, most first."""
        return self.backend.query(
            "SELECT item, COUNT(*) AS votes FROM votes WHERE workshop_id = ? GROUP BY item ORDER BY votes DESC, item",
            (int(workshop_id),),
        )

    def comments(self, workshop_id: int) -> pd.DataFrame:
        return self.backend.query(
            "SELECT comment_id, item, text, created_at FROM comments WHERE workshop_id = ? ORDER BY comment_id",
            (int(workshop_id),),
        )

    def voted(self, who: Identity) -> set[str]:
        """The items this participant browser has voted for."""
        found = self.backend.query("SELECT item FROM votes WHERE participant = ?", (who.name,))
        return set(found["item"])

    # --- sign-in attempts (bookkeeping, not data: anyone may cause it, and it does not bump the revision) ------
    def sign_in_locked_until(self, subjects: Sequence[str], now: datetime | None = None) -> datetime | None:
        """When the lockout of any of `subjects` (e.g. "name:anna", "address:192.0.2.7") ends, or None."""
        now = now or _utcnow()
        marks = ", ".join("?" * len(subjects))
        found = self.backend.query(
            f"SELECT MAX(locked_until) AS until FROM sign_in_failures WHERE subject IN ({marks}) AND locked_until > ?",
            (*subjects, now),
        )
        until = found.iloc[0, 0] if len(found) else None
        return None if until is None or pd.isna(until) else pd.Timestamp(until).to_pydatetime()

    def record_sign_in(self, subjects: Sequence[str], ok: bool, now: datetime | None = None) -> datetime | None:
        """Count a wrong password against each subject (the lockout it starts, if any, is returned), or clear
        their counts after a right one. One transaction, so app processes sharing the database count together."""
        now = now or _utcnow()
        marks = ", ".join("?" * len(subjects))
        locked: list[datetime] = []
        with self.backend.transaction() as cur:
            if ok:
                _execute(cur, f"DELETE FROM sign_in_failures WHERE subject IN ({marks})", tuple(subjects))
                return None
            for subject in subjects:
                row = _fetchone(cur, "SELECT failures, first_at FROM sign_in_failures WHERE subject = ?", (subject,))
                failures = 1 if row is None or row[1] < now - SIGN_IN_WINDOW else int(row[0]) + 1
                first = now if failures == 1 else row[1]
                until = now + SIGN_IN_LOCKOUT if failures >= SIGN_IN_ATTEMPTS else None
                if until is not None:
                    locked.append(until)
                    failures, first = 0, now  # after the lockout, the next attempts are counted afresh
                _execute(cur, "DELETE FROM sign_in_failures WHERE subject = ?", (subject,))
                _execute(
                    cur,
                    "INSERT INTO sign_in_failures (subject, failures, first_at, locked_until) VALUES (?, ?, ?, ?)",
                    (subject, failures, first, until),
                )
        return max(locked) if locked else None

    def close(self) -> None:
        self.backend.close()


def _join_code() -> str:
    """Six characters without look-alikes (no 0/O, 1/I/L): easy to read off a shared screen."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


def _title(value: object, what: str) -> str:
    """A workshop's or scene's title on one line, checked like every name the store records."""
    line = " ".join(str(value or "").split())
    _check_text([(line, what, True)])
    return line


def _comment(value: object) -> str:
    """A participant's comment on one line: shown as text and escaped in the report, so only its length counts."""
    line = " ".join(str(value or "").split())
    if not line:
        raise StoreError("The comment is empty: write one.")
    if len(line) > MAX_COMMENT_CHARS:
        raise StoreError(f"The comment is longer than {MAX_COMMENT_CHARS} characters: shorten it.")
    return line


def _note(value: object) -> str:
    """A talking note: free text for the presenter, shown as text."""
    note = str(value or "")
    if len(note) > MAX_NOTE_CHARS:
        raise StoreError(f"The talking note is longer than {MAX_NOTE_CHARS:,} characters: shorten it.")
    return note


def _item(item: str) -> str:
    if not ITEM_PATTERN.match(str(item)):
        raise StoreError(f"{item!r} is not a partner suggestion or an idea card.")
    return str(item)


def _utcnow() -> datetime:
    """Naive UTC, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def open_store(url: str | None = None, path: str | Path | None = None) -> Store:
    """The configured store: PostgreSQL when `VALUECHAIN_DB_URL` is set, else the DuckDB file."""
    url = url if url is not None else os.environ.get("VALUECHAIN_DB_URL", "").strip()
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise StoreError(f"VALUECHAIN_DB_URL must start with postgresql:// (got {redact(url)!r}).")
        return Store(PostgresBackend(url))
    path = path or os.environ.get("VALUECHAIN_DB_PATH") or DEFAULT_DB_PATH
    return Store(DuckDBBackend(path))
