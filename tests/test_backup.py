"""Back up, change, restore, check — on DuckDB and on PostgreSQL, through the commands operators run
(`python -m valuechain backup|restore`, as deploy/README and the README's Deployment section say)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO, make_store
from valuechain import backup, schema
from valuechain.store import Identity, StoreError

EDITOR = Identity("Backup tester", "editor")


def env_for(location: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if location.startswith("postgresql://"):
        monkeypatch.setenv("VALUECHAIN_DB_URL", location)
    else:
        monkeypatch.setenv("VALUECHAIN_DB_PATH", location)


def snapshot(location: str) -> tuple[int, pd.DataFrame, pd.Series, pd.DataFrame]:
    """Revision, idea cards, observations per year and the version list of the store at `location`."""
    store = make_store(location)
    try:
        ideas = store.current("ideas").sort_values("idea_id").reset_index(drop=True)
        years = store.current("observations")["year"].value_counts().sort_index()
        return store.revision(), ideas, years, store.versions()
    finally:
        store.close()


def cli(*args: str) -> subprocess.CompletedProcess:
    """The operator's command, in a process of its own (as deploy/ runs it)."""
    return subprocess.run(
        [sys.executable, "-m", "valuechain", *args], cwd=REPO, env=os.environ, capture_output=True, text=True
    )


def test_backup_change_restore_gives_the_backed_up_data_back(
    backend_url: str, demo_data: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_for(backend_url, monkeypatch)
    done = cli("init")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "demo data (synthetic) loaded" in done.stdout
    store = make_store(backend_url)
    store.save_idea({"title": "Kept: biorefinery pilot", "chain_id": "circular_bioeconomy"}, who=EDITOR)
    store.close()
    before = snapshot(backend_url)

    done = cli("backup", str(tmp_path / "backups"))
    assert done.returncode == 0, done.stdout + done.stderr
    file = Path(done.stdout.strip())
    assert file.parent == tmp_path / "backups" and file.stat().st_size > 0

    # Changes after the backup: another idea card, an edited one, a new dataset of observations.
    store = make_store(backend_url)
    store.save_idea({"title": "Lost: written after the backup"}, who=EDITOR)
    store.save_idea({"idea_id": int(before[1]["idea_id"].iloc[0]), "title": "Edited after the backup"}, who=EDITOR)
    late = demo_data["observations"].head(5).assign(year=2099)
    store.commit_version("observations", schema.coerce(late, schema.OBSERVATIONS), who=EDITOR, dataset="late")
    store.close()
    assert snapshot(backend_url)[0] > before[0]

    done = cli("restore", str(file))
    assert done.returncode == 0, done.stdout + done.stderr
    revision, ideas, years, versions = snapshot(backend_url)
    assert revision == before[0]
    pd.testing.assert_frame_equal(ideas, before[1])
    pd.testing.assert_series_equal(years, before[2])
    pd.testing.assert_frame_equal(versions, before[3])
    assert 2099 not in years.index
    # The restored database takes new writes on from where it was: sequences came back too.
    store = make_store(backend_url)
    new_id = store.save_idea({"title": "After the restore"}, who=EDITOR)
    store.close()
    assert new_id > int(before[1]["idea_id"].max())


def test_duckdb_backup_refuses_while_another_process_holds_the_file(tmp_path: Path, monkeypatch) -> None:
    """DuckDB allows one process: the backup says to stop the app rather than copying a file mid-write."""
    path = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; con = duckdb.connect({str(path)!r}); print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        monkeypatch.setenv("VALUECHAIN_DB_PATH", str(path))
        with pytest.raises(StoreError, match="stop the app"):
            backup.backup(tmp_path / "out")
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    finally:
        holder.kill()
        holder.wait()


def test_a_backup_of_the_other_kind_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(tmp_path / "app.duckdb"))
    dump = tmp_path / "valuechain-20260101-000000.dump"
    dump.write_bytes(b"PGDMP")
    with pytest.raises(StoreError, match="not a DuckDB backup"):
        backup.restore(dump)


def test_a_failed_dump_names_the_server_but_not_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUECHAIN_DB_URL", "postgresql://operator:s3cret-pw@127.0.0.1:9/valuechain?password=s3cret-pw")
    with pytest.raises(StoreError) as failed:
        backup.backup(tmp_path / "out")
    assert "pg_dump failed on postgresql://operator:***@127.0.0.1:9/valuechain" in str(failed.value)
    assert "s3cret-pw" not in str(failed.value)
