"""Backups and restores of the configured store, and the one-off set-up of a new database.

PostgreSQL: `pg_dump` in its custom format, restored by `pg_restore` in one transaction (all or nothing).
DuckDB: a copy of the file taken while this process holds the database open after a CHECKPOINT, so no other
process writes during the copy (DuckDB allows one writing process: stop the app first; the message says so).

  python -m valuechain init               create the tables; load the demo data into an empty database
  python -m valuechain backup DIR         write a backup file into DIR and print its path
  python -m valuechain restore FILE       replace the database's content with the backup (app stopped for DuckDB)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from valuechain.redact import redact
from valuechain.store import DEFAULT_DB_PATH, StoreError, _first_line, open_store


def _db_url() -> str:
    return os.environ.get("VALUECHAIN_DB_URL", "").strip()


def _db_path() -> Path:
    return Path(os.environ.get("VALUECHAIN_DB_PATH") or DEFAULT_DB_PATH)


def _hidden(text: str) -> str:
    """An operator's message: passwords hidden; paths shown (the operator runs this on the server)."""
    return redact(text, show_paths=True)


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore of the newest installed PostgreSQL (a dump needs a tool at least as new as the server)."""
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    found = str(versions[-1]) if versions else shutil.which(name)
    if not found:
        raise StoreError(f"{name} is missing: install the postgresql-client package.")
    return found


def _run(cmd: list[str], url: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise StoreError(_hidden(f"{Path(cmd[0]).name} failed on {url}: {message}"))


def _open_duckdb_alone(path: Path) -> object:
    import duckdb

    try:
        return duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise StoreError(
            f"{path} could not be opened ({_first_line(exc)}). DuckDB lets one process use the file: stop the "
            "app (e.g. systemctl stop valuechain), run this again, then start the app."
        ) from exc


def init() -> str:
    """Create the tables, and load the demo data when the database is empty (run once, before replicas start,
    so two replicas never seed the same empty database at the same time)."""
    from valuechain import demo

    store = open_store()
    try:
        if not store.is_empty():
            return f"{_hidden(store.url)} holds data already: nothing loaded"
        demo.seed_store(store)
        return f"{_hidden(store.url)}: tables created and the demo data (synthetic) loaded"
    finally:
        store.close()


def backup(folder: Path) -> Path:
    """Write one backup file of the configured store into `folder`; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    url = _db_url()
    if url:
        target = folder / f"valuechain-{stamp}.dump"
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", url], url)
        return target
    path = _db_path()
    if not path.exists():
        raise StoreError(f"There is no database file at {path} to back up.")
    target = folder / f"valuechain-{stamp}.duckdb"
    con = _open_duckdb_alone(path)
    try:
        con.execute("CHECKPOINT")  # type: ignore[attr-defined]  # everything in the file, nothing in the WAL
        shutil.copy2(path, target)  # while we hold the file, nobody else writes to it
    finally:
        con.close()  # type: ignore[attr-defined]
    return target


def restore(file: Path) -> str:
    """Replace the configured store's content with a backup made by `backup`."""
    if not file.is_file():
        raise StoreError(f"There is no backup file at {file}.")
    url = _db_url()
    if url:
        if file.suffix != ".dump":
            raise StoreError(f"{file.name} is not a PostgreSQL backup (.dump); VALUECHAIN_DB_URL is set.")
        cmd = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run([*cmd, f"--dbname={url}", str(file)], url)
        return f"{_hidden(url)} restored from {file.name}"
    if file.suffix != ".duckdb":
        raise StoreError(f"{file.name} is not a DuckDB backup (.duckdb); VALUECHAIN_DB_URL is not set.")
    path = _db_path()
    incoming = path.with_name(path.name + ".restoring")
    shutil.copy2(file, incoming)
    _open_duckdb_alone(incoming).close()  # type: ignore[attr-defined]  # a readable database, before it replaces ours
    if path.exists():
        _open_duckdb_alone(path).close()  # type: ignore[attr-defined]  # and nobody holds the current one
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    os.replace(incoming, path)
    return f"{path} restored from {file.name}"


def main(argv: Sequence[str] | None = None, command: str = "backup") -> int:
    parser = argparse.ArgumentParser(prog=f"python -m valuechain {command}", description=__doc__.splitlines()[0])
    if command == "backup":
        parser.add_argument("folder", type=Path, help="where to write the backup file")
    elif command == "restore":
        parser.add_argument("file", type=Path, help="a file written by `python -m valuechain backup`")
    args = parser.parse_args(argv)
    try:
        if command == "init":
            print(init())
        elif command == "backup":
            print(backup(args.folder))
        else:
            print(restore(args.file))
    except StoreError as exc:
        print(f"error: {exc}")
        return 1
    return 0


def main_init(argv: Sequence[str] | None = None) -> int:
    return main(argv, "init")


def main_restore(argv: Sequence[str] | None = None) -> int:
    return main(argv, "restore")
