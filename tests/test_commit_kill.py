"""Commit safety: a process killed (SIGKILL) in the middle of a large commit leaves the previous version
intact; two editors committing uploads at once while viewers read get no error and both versions recorded.
Both run on DuckDB and on PostgreSQL. DuckDB is single-process: the killed writer opens the file in a
subprocess, and the test process reopens it after the kill.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from valuechain import demo, ingest
from valuechain.query import Data
from valuechain.store import INSERT_CHUNK_ROWS, Identity, Store

from .conftest import REPO, make_store

EDITOR = Identity("analyst", "editor")

WRITER = textwrap.dedent("""
    import sys, time
    import numpy as np, pandas as pd
    sys.path.insert(0, sys.argv[1])
    from tests.conftest import make_store
    from valuechain.store import Identity, Load

    store = make_store(sys.argv[2])
    n = int(sys.argv[3])
    i = np.arange(n)
    frame = pd.DataFrame({"region_id": np.array(["SE33", "FI1D", "EE00", "LV00"])[i % 4],
                          "sector": np.array([f"C{10 + k}" for k in range(20)])[(i // 4) % 20],
                          "indicator": pd.Series(i // 8000).map("ind_{}".format), "year": 1990 + (i // 80) % 100,
                          "value": i.astype(float), "unit": "persons", "source": "kill test", "flag": None})

    def progress(done, total):
        print(f"stored {done} of {total}", flush=True)
        time.sleep(0.3)  # a slow disk or network: the kill lands while the transaction is open

    store.commit_loads([Load("observations", frame, "Big upload", take_over=True, file_name="big.csv")],
                       who=Identity("analyst", "editor"), progress=progress)
    print("committed", flush=True)
""")


def seed(store: Store, demo_data: dict) -> None:
    demo.seed_store(
        store,
        demo.load_definitions()
        | {n: demo_data[n].head(500) for n in ("observations", "flows", "actors", "priorities", "projects")},
    )


def state(store: Store) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    current = store.current("observations").sort_values(["region_id", "sector", "indicator", "year"])
    versions = store.versions()[["version_id", "status", "rows", "content_hash"]]
    return current.reset_index(drop=True), versions.reset_index(drop=True), store.revision()


def test_kill_in_the_middle_of_a_commit_keeps_the_previous_version(backend_url: str, demo_data: dict) -> None:
    store = make_store(backend_url)
    seed(store, demo_data)
    store.commit_version(
        "observations",
        demo_data["observations"].head(50).assign(source="earlier upload"),
        who=EDITOR,
        dataset="Big upload",
        file_name="first.csv",
    )
    before = state(store)
    store.close()  # DuckDB: the file is the writer's now
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(REPO), backend_url, str(2 * INSERT_CHUNK_ROWS + 1000)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        line = writer.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith(f"stored {INSERT_CHUNK_ROWS} of"), (line, writer.stderr.read())  # type: ignore[union-attr]
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == -signal.SIGKILL
    assert "committed" not in writer.stdout.read()  # type: ignore[union-attr]
    again = make_store(backend_url)
    after = state(again)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    assert before[2] == after[2]
    assert (again.versions("observations")["file_name"] == "big.csv").sum() == 0
    info = again.commit_version("observations", demo_data["observations"].head(10), who=EDITOR, dataset="Big upload")
    assert info.replaced_version == int(before[1].query("status == 'current'")["version_id"].max())
    again.close()


def upload(store: Store, region: str, name: str) -> ingest.Checked:
    rows = "\n".join(
        f"{region},C{10 + i % 20},patents,{1990 + i // 20},{i},applications,upload {name}" for i in range(600)
    )
    data = ("region_id,sector,indicator,year,value,unit,source\n" + rows + "\n").encode()
    checked = ingest.load_file(store, data, f"{name}.csv", "observations", dataset=f"Patents {name}")
    assert checked.ok, checked.report.errors
    return checked


@pytest.mark.parametrize("same_dataset", [False, True], ids=["two datasets", "one dataset"])
def test_two_editors_commit_uploads_while_viewers_read(backend_url: str, demo_data: dict, same_dataset: bool) -> None:
    postgres = backend_url.startswith("postgresql")
    first = make_store(backend_url)
    seed(first, demo_data)
    base = len(first.current("observations"))
    stores = [first, *(make_store(backend_url) for _ in range(3))] if postgres else [first] * 4
    checked = [upload(stores[i], region, name) for i, (region, name) in enumerate([("SE33", "a"), ("FI1D", "b")])]
    if same_dataset:
        for c in checked:
            c.dataset = "Patents"
    errors: list[BaseException] = []
    seen: set[int] = set()
    done = threading.Event()

    def edit(i: int) -> None:
        try:
            ingest.commit(stores[i], checked[i], Identity(f"editor {i}", "editor"))
        except BaseException as exc:
            errors.append(exc)

    def view(i: int) -> None:
        try:
            while not done.is_set():
                data = Data.load(stores[i])
                seen.add(len(data["observations"]))
        except BaseException as exc:
            errors.append(exc)

    viewers = [threading.Thread(target=view, args=(i,)) for i in (2, 3)]
    editors = [threading.Thread(target=edit, args=(i,)) for i in (0, 1)]
    for t in viewers + editors:
        t.start()
    for t in editors:
        t.join(timeout=120)
    time.sleep(0.2)
    done.set()
    for t in viewers:
        t.join(timeout=60)
    assert errors == []
    versions = first.versions("observations")
    uploads = versions[versions["file_name"].isin(["a.csv", "b.csv"])]
    assert set(uploads["created_by"]) == {"editor 0", "editor 1"}
    assert len(uploads) == 2
    assert len(first.current("observations")) == base + 1200, "both files' rows are on screen"
    if same_dataset:
        # Uploads update their dataset by default: the later commit keeps the earlier one's rows.
        assert (uploads["status"] == "current").sum() == 1, "one dataset has one current version"
        assert uploads.sort_values("version_id")["rows"].tolist() == [600, 1200]
    else:
        assert (uploads["status"] == "current").sum() == 2
    assert seen <= {base, base + 600, base + 1200}, "viewers only ever saw whole versions"
    for s in set(stores):
        s.close()


def test_kill_test_writer_commits_when_left_alone(tmp_path: Path) -> None:
    """The subprocess used above really commits when not killed (so the kill is what stops it)."""
    path = str(tmp_path / "alone.duckdb")
    make_store(path).close()
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(REPO), path, "2000"], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("committed")
    store = make_store(path)
    assert len(store.current("observations")) == 2000
    store.close()
