"""Store behaviour, run on DuckDB and on PostgreSQL through the one parametrised `store` fixture."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from valuechain import schema
from valuechain.store import (
    DuckDBBackend,
    Identity,
    Load,
    PermissionDenied,
    Store,
    StoreError,
    content_hash,
    ddl,
    open_store,
)

from .conftest import make_store

VIEWER = Identity("visitor", "viewer")


def observations(n: int = 3, value: float = 1.0, region: str = "SE33") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_id": [region] * n,
            "sector": ["C16"] * n,
            "indicator": ["employment"] * n,
            "year": list(range(2018, 2018 + n)),
            "value": [value * (i + 1) for i in range(n)],
            "unit": ["persons"] * n,
            "source": ["test"] * n,
            "flag": [None] * n,
        }
    )


def snapshot(store: Store) -> dict[str, pd.DataFrame]:
    """Every table's full content, to prove a failed write changed nothing."""
    out = {}
    for name, table in schema.TABLES.items():
        cols = table.column_names + (["version_id"] if table.versioned else [])
        frame = store.backend.query(f"SELECT {', '.join(cols)} FROM {name}")
        out[name] = frame.sort_values(cols).reset_index(drop=True) if len(frame) else frame
    return out


def assert_unchanged(before: dict, after: dict) -> None:
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], check_dtype=False)


def test_new_store_is_empty_with_revision_zero(store: Store) -> None:
    assert store.is_empty()
    assert store.revision() == 0
    assert store.current("observations").empty
    assert list(store.current("observations").columns) == schema.OBSERVATIONS.column_names


def test_commit_makes_rows_current_and_bumps_revision(store: Store, editor: Identity) -> None:
    info = store.commit_version("observations", observations(), who=editor, dataset="Eurostat", file_name="a.csv")
    got = store.current("observations")
    assert info.rows == 3 and len(got) == 3
    assert sorted(got["year"].tolist()) == [2018, 2019, 2020]
    assert got["value"].sum() == pytest.approx(6.0)
    assert store.revision() == 1
    versions = store.versions("observations")
    assert versions.iloc[0]["file_name"] == "a.csv"
    assert versions.iloc[0]["created_by"] == "analyst"
    assert versions.iloc[0]["status"] == "current"
    assert versions.iloc[0]["content_hash"] == info.content_hash


def test_new_version_replaces_only_its_own_dataset(store: Store, editor: Identity) -> None:
    first = store.commit_version("observations", observations(value=1), who=editor, dataset="A")
    store.commit_version("observations", observations(region="FI1D"), who=editor, dataset="B")
    second = store.commit_version("observations", observations(value=10), who=editor, dataset="A")
    assert second.replaced_version == first.version_id
    got = store.current("observations")
    assert len(got) == 6
    assert got[got["region_id"] == "SE33"]["value"].sum() == pytest.approx(60.0)
    statuses = store.versions().set_index("version_id")["status"]
    assert statuses[first.version_id] == "superseded"


def test_rollback_restores_previous_version(store: Store, editor: Identity) -> None:
    first = store.commit_version("observations", observations(value=1), who=editor, dataset="A")
    store.commit_version("observations", observations(value=10), who=editor, dataset="A")
    store.set_current(first.version_id, who=editor)
    assert store.current("observations")["value"].sum() == pytest.approx(6.0)
    assert store.revision() == 3


def test_delete_version_removes_rows_and_keeps_record(store: Store, editor: Identity) -> None:
    info = store.commit_version("observations", observations(), who=editor, dataset="A")
    store.delete_version(info.version_id, who=editor)
    assert store.current("observations").empty
    assert store.versions().iloc[0]["status"] == "deleted"
    with pytest.raises(StoreError, match="deleted"):
        store.set_current(info.version_id, who=editor)


def _sorted(frame: pd.DataFrame, table: schema.Table) -> pd.DataFrame:
    return frame.sort_values(list(table.key)).reset_index(drop=True)


@pytest.mark.parametrize("table_name", schema.LOAD_ORDER)
def test_upload_takes_over_rows_of_another_dataset_and_rollback_gives_them_back(
    store: Store, editor: Identity, demo_data: dict, table_name: str
) -> None:
    """Out of the box every table already holds the demo dataset's rows: an upload of one of its keys must
    commit (regions, actors, ... crashed: their own `name` column clashed with the dataset's name)."""
    table = schema.TABLES[table_name]
    demo = schema.coerce(demo_data[table_name].head(20), table)
    store.commit_version(table_name, demo, who=editor, dataset="demo data (synthetic)", origin="demo")
    before = _sorted(store.current(table_name), table)
    changed = next(c.name for c in table.columns if c.dtype == "text" and c.name not in table.key)
    upload = demo.iloc[[0]].assign(**{changed: "changed by the upload"})

    own, shrunk = store.commit_loads([Load(table_name, upload, "Upload", take_over=True)], who=editor)

    after = _sorted(store.current(table_name), table)
    expected = _sorted(pd.concat([demo.iloc[1:], schema.coerce(upload, table)]), table)
    pd.testing.assert_frame_equal(after, expected, check_dtype=False)
    assert (own.rows, shrunk.rows, shrunk.dataset, shrunk.taken_over_by) == (
        1,
        len(demo) - 1,
        "demo data (synthetic)",
        own.version_id,
    )
    restored = store.delete_version(own.version_id, who=editor)
    assert [(r.dataset, r.instead, r.clashes) for r in restored] == [("demo data (synthetic)", shrunk.version_id, 0)]
    pd.testing.assert_frame_equal(_sorted(store.current(table_name), table), before, check_dtype=False)


@pytest.mark.parametrize(
    ("dataset", "who", "file_name", "problem"),
    [
        ('=HYPERLINK("http://evil.example","x")', "analyst", "a.csv", "dataset name starts like a spreadsheet"),
        ("Eurostat", "@SUM(1+1) Anna", "a.csv", "editor name starts like a spreadsheet"),
        ("Eurostat", "analyst", "report\u202efdp.csv", "file name holds an invisible character"),
        ("<b>Eurostat</b>", "analyst", "a.csv", "dataset name holds HTML"),
    ],
)
def test_names_that_could_run_as_formulas_are_refused(
    store: Store, editor: Identity, dataset: str, who: str, file_name: str, problem: str
) -> None:
    store.commit_version("observations", observations(), who=editor, dataset="A")
    before = snapshot(store)
    with pytest.raises(StoreError, match=problem):
        store.commit_version(
            "observations", observations(), who=Identity(who, "editor"), dataset=dataset, file_name=file_name
        )
    assert_unchanged(before, snapshot(store))


def test_wrong_passwords_lock_a_name_or_address_out_for_a_while(backend_url: str) -> None:
    """Counted in the database: two stores on it (two app processes) count the same attempts."""
    from datetime import datetime, timedelta

    from valuechain.store import SIGN_IN_ATTEMPTS, SIGN_IN_LOCKOUT

    one, other = make_store(backend_url), make_store(backend_url)
    try:
        t0 = datetime(2026, 11, 30, 12, 0)
        anna, mallory = ("name:anna", "address:192.0.2.7"), ("name:mallory", "address:192.0.2.7")
        for i in range(SIGN_IN_ATTEMPTS - 1):
            store = one if i % 2 else other
            assert store.record_sign_in(anna, ok=False, now=t0 + timedelta(seconds=i)) is None
        assert one.sign_in_locked_until(anna, now=t0 + timedelta(minutes=1)) is None
        # The fifth wrong password from the same address, under another name, locks the address (and so Anna).
        until = one.record_sign_in(mallory, ok=False, now=t0 + timedelta(minutes=1))
        assert until == t0 + timedelta(minutes=1) + SIGN_IN_LOCKOUT
        assert other.sign_in_locked_until(anna, now=t0 + timedelta(minutes=2)) == until
        assert other.sign_in_locked_until(("name:anna", "address:198.51.100.1"), now=t0 + timedelta(minutes=2)) is None
        assert one.sign_in_locked_until(anna, now=until + timedelta(seconds=1)) is None
        assert one.revision() == 0  # bookkeeping, not data: no cache is invalidated
    finally:
        one.close()
        other.close()


def test_wrong_passwords_spread_out_or_followed_by_the_right_one_do_not_lock(store: Store) -> None:
    from datetime import datetime, timedelta

    from valuechain.store import SIGN_IN_ATTEMPTS, SIGN_IN_WINDOW

    t0, who = datetime(2026, 11, 30, 12, 0), ("name:bo", "address:local")
    for i in range(SIGN_IN_ATTEMPTS * 2):
        assert (
            store.record_sign_in(
                who, ok=False, now=t0 + i * (SIGN_IN_WINDOW / (SIGN_IN_ATTEMPTS - 1) + timedelta(seconds=1))
            )
            is None
        )
    for i in range(SIGN_IN_ATTEMPTS - 1):
        store.record_sign_in(who, ok=False, now=t0 + timedelta(hours=1, seconds=i))
    store.record_sign_in(who, ok=True, now=t0 + timedelta(hours=1, minutes=1))
    assert store.record_sign_in(who, ok=False, now=t0 + timedelta(hours=1, minutes=2)) is None


def test_viewer_cannot_write_anything(store: Store, editor: Identity) -> None:
    info = store.commit_version("observations", observations(), who=editor, dataset="A")
    before = snapshot(store)
    with pytest.raises(PermissionDenied):
        store.commit_version("observations", observations(), who=VIEWER, dataset="A")
    with pytest.raises(PermissionDenied):
        store.set_current(info.version_id, who=VIEWER)
    with pytest.raises(PermissionDenied):
        store.delete_version(info.version_id, who=VIEWER)
    with pytest.raises(PermissionDenied):
        store.save_idea({"title": "x", "regions": "SE33"}, who=VIEWER)
    with pytest.raises(PermissionDenied):
        store.save_mapping("src", "observations", {"a": "b"}, who=VIEWER)
    assert_unchanged(before, snapshot(store))


def test_failed_write_changes_nothing(store: Store, editor: Identity) -> None:
    store.commit_version("observations", observations(), who=editor, dataset="A")
    before = snapshot(store)

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    store.backend.insert = explode  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="disk full"):
        store.commit_version("observations", observations(value=99), who=editor, dataset="A")
    assert_unchanged(before, snapshot(store))


def test_readers_see_whole_versions_during_writes(store: Store, editor: Identity) -> None:
    """A reader running next to writers sees 0 or a full dataset, never part of one."""
    big = pd.concat([observations(n=6, region=r) for r in ["SE33", "FI1D", "EE00", "LV00", "LT01"] * 40])
    big["sector"] = [f"C{10 + i % 20}" for i in range(len(big))]
    big = big.drop_duplicates(["region_id", "sector", "indicator", "year"])
    sizes: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            sizes.add(len(store.current("observations")))

    reader = threading.Thread(target=read)
    reader.start()
    for _ in range(5):
        store.commit_version("observations", big, who=editor, dataset="A")
    stop.set()
    reader.join()
    assert sizes <= {0, len(big)}


def test_two_editors_commit_concurrently(backend_url: str) -> None:
    """Two sessions writing at once: no error, both versions recorded."""
    # PostgreSQL: one store per writer; DuckDB: both writers share one store (one process, one file handle)
    stores = [make_store(backend_url) for _ in range(2 if backend_url.startswith("postgresql") else 1)]
    errors: list[BaseException] = []

    def write(i: int) -> None:
        s = stores[i % len(stores)]
        try:
            for j in range(3):
                s.commit_version(
                    "observations", observations(value=i + j), who=Identity(f"ed{i}", "editor"), dataset=f"D{i}"
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check = stores[0]
    assert errors == []
    versions = check.versions()
    assert len(versions) == 6
    assert set(versions["created_by"]) == {"ed0", "ed1"}
    assert (versions["status"] == "current").sum() == 2
    assert check.revision() == 6
    for s in stores:
        s.close()


def test_ideas_insert_and_update(store: Store, editor: Identity) -> None:
    idea_id = store.save_idea(
        {
            "title": "Lignin pilot",
            "regions": "SE33;FI1D",
            "chain_id": "circular_bioeconomy",
            "description": "<b>not html</b>",
        },
        who=editor,
    )
    store.save_idea({"idea_id": idea_id, "title": "Lignin pilot plant", "regions": "SE33;FI1D"}, who=editor)
    ideas = store.current("ideas")
    assert len(ideas) == 1
    assert ideas.iloc[0]["title"] == "Lignin pilot plant"
    assert ideas.iloc[0]["created_by"] == "analyst"


def test_ideas_can_be_deleted_by_editors_only(store: Store, editor: Identity) -> None:
    keep = store.save_idea({"title": "Keep", "regions": "SE33;FI1D"}, who=editor)
    drop = store.save_idea({"title": "Drop", "regions": "SE33;EE00"}, who=editor)
    with pytest.raises(PermissionDenied):
        store.delete_idea(drop, who=VIEWER)
    store.delete_idea(drop, who=editor)
    assert store.current("ideas")["idea_id"].tolist() == [keep]


def test_column_mapping_is_remembered(store: Store, editor: Identity) -> None:
    store.save_mapping("eurostat", "observations", {"geo": "region_id"}, who=editor)
    store.save_mapping("eurostat", "observations", {"geo": "region_id", "TIME_PERIOD": "year"}, who=editor)
    assert store.mapping("eurostat", "observations") == {"geo": "region_id", "TIME_PERIOD": "year"}
    assert store.mapping("other", "observations") == {}


def test_reopening_keeps_data(backend_url: str, editor: Identity) -> None:
    first = make_store(backend_url)
    first.commit_version("observations", observations(), who=editor, dataset="A")
    first.close()
    again = make_store(backend_url)
    assert len(again.current("observations")) == 3
    assert again.revision() == 1
    again.close()


def test_a_database_made_before_new_columns_gets_them_on_opening(backend_url: str, editor: Identity) -> None:
    """The schema only grows: a file or server from an earlier release gets the columns added since."""
    first = make_store(backend_url)
    first.commit_version("observations", observations(), who=editor, dataset="A")
    with first.backend.transaction() as cur:
        for column in ("replaces", "taken_over_by"):
            cur.execute(f"ALTER TABLE dataset_versions DROP COLUMN {column}")
    first.close()
    again = make_store(backend_url)
    again.commit_version("observations", observations(value=2.0), who=editor, dataset="A")
    found = again.backend.query("SELECT version_id, replaces FROM dataset_versions ORDER BY version_id")
    assert found["replaces"].isna().tolist() == [True, False] and int(found["replaces"].iat[1]) == 1
    assert len(again.current("observations")) == 3
    again.close()


def test_every_value_comes_back_exactly(store: Store, editor: Identity) -> None:
    """Texts with quotes, separators, line breaks and letters of the region; missing cells; floats to the last
    bit; Categorical columns (as ingest hands them over): stored and read back unchanged on both backends."""
    texts = [
        'He said "hi", then left',
        "a;b|c\td",
        "line one\nline two",
        "Ålands landskapsregering ąčęėįšųūž",
        "=SUM(A1)",
        " ",
    ]
    frame = observations(n=len(texts)).assign(
        source=texts,
        value=[0.1, 1 / 3, 1e15 + 0.5, -2.5e-300, 123456789.12345679, 7.0],
        flag=pd.Series(["p", None, "e", None, "", "c"]).astype("category"),
        unit=pd.Series(["persons"] * len(texts)).astype("category"),
    )
    store.commit_version("observations", frame, who=editor, dataset="Tricky")
    back = store.current("observations").sort_values("year").reset_index(drop=True)
    expected = schema.coerce(frame, schema.OBSERVATIONS)

    def values(column: pd.Series) -> list:
        return column.astype(object).where(column.notna(), None).tolist()

    assert values(back["source"]) == [t.strip() or None for t in texts]
    assert values(back["value"]) == values(expected["value"])
    assert values(back["flag"]) == ["p", None, "e", None, None, "c"]
    assert values(back["unit"]) == ["persons"] * len(texts)


def test_ddl_covers_every_column() -> None:
    for table in schema.TABLES.values():
        sql = ddl(table)
        for col in table.columns:
            assert f"{col.name} " in sql
        assert ("version_id BIGINT NOT NULL" in sql) == table.versioned


def test_content_hash_ignores_row_order() -> None:
    frame = schema.coerce(observations(), schema.OBSERVATIONS)
    assert content_hash(frame) == content_hash(frame.iloc[::-1])
    assert content_hash(frame) != content_hash(frame.assign(value=frame["value"] + 1))


def test_corrupt_duckdb_file_gives_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"could not be opened.*move it away or delete it"):
        Store(DuckDBBackend(path))


def test_unreachable_postgres_gives_clear_error() -> None:
    with pytest.raises(StoreError, match=r"could not be reached.*VALUECHAIN_DB_URL") as caught:
        open_store(url="postgresql://someone:secret@127.0.0.1:9/none")
    assert "secret" not in str(caught.value)


def test_open_store_uses_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(tmp_path / "env.duckdb"))
    s = open_store()
    assert s.url.endswith("env.duckdb")
    s.close()
    monkeypatch.setenv("VALUECHAIN_DB_URL", "mysql://nope")
    with pytest.raises(StoreError, match="postgresql://"):
        open_store()
