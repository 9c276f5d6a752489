"""Shared fixtures: one store fixture parametrised over both backends, demo data, boundaries."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from valuechain import store as store_module
from valuechain.store import DuckDBBackend, PostgresBackend, Store

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("VALUECHAIN_TEST_PG_URL", "")


def _geo_dir() -> Path | None:
    configured = os.environ.get("VALUECHAIN_GEO_DIR")
    for candidate in (configured, REPO.parent / "shared" / "geo"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


GEO_DIR = _geo_dir()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the developer's database or cache, nor the internet."""
    monkeypatch.delenv("VALUECHAIN_DB_URL", raising=False)
    monkeypatch.setenv("VALUECHAIN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("VALUECHAIN_GISCO_URL", "http://127.0.0.1:9/unreachable")
    if GEO_DIR is not None:
        monkeypatch.setenv("VALUECHAIN_GEO_DIR", str(GEO_DIR))


@pytest.fixture
def geo_dir() -> Path:
    if GEO_DIR is None:
        pytest.skip("no boundaries: set VALUECHAIN_GEO_DIR or place shared/geo beside the repo")
    return GEO_DIR


def _postgres_database() -> Iterator[str]:
    """A fresh database on the throwaway cluster that scripts/test.sh starts."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("VALUECHAIN_TEST_PG_URL is not set: run the tests with scripts/test.sh")
        pytest.skip("PostgreSQL tests need VALUECHAIN_TEST_PG_URL (scripts/test.sh sets it)")
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database."""
    yield from _postgres_database()


@pytest.fixture(params=["duckdb", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a fresh, empty store lives: a DuckDB file path or a PostgreSQL URL."""
    if request.param == "duckdb":
        yield str(tmp_path / "test.duckdb")
    else:
        yield from _postgres_database()


def make_store(location: str) -> Store:
    if location.startswith("postgresql://"):
        return Store(PostgresBackend(location))
    return Store(DuckDBBackend(location))


@pytest.fixture
def store(backend_url: str) -> Iterator[Store]:
    """An empty store, once per backend: every test using it runs on DuckDB and on PostgreSQL."""
    s = make_store(backend_url)
    yield s
    s.close()


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo DuckDB file for one module's AppTests, seeded as the app seeds it on first start."""
    from valuechain import demo

    path = tmp_path_factory.mktemp("app") / "app.duckdb"
    store = make_store(str(path))
    demo.seed_store(store)
    store.close()
    return path


@pytest.fixture
def cli_store(monkeypatch: pytest.MonkeyPatch, seeded_db: Path, tmp_path: Path) -> Path:
    """A copy of the seeded demo database for one command-line run."""
    path = tmp_path / "cli.duckdb"
    shutil.copy(seeded_db, path)
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(path))
    return path


@pytest.fixture(scope="module")
def data(seeded_db: Path) -> object:
    """The module's demo database read back (a valuechain.query.Data), independently of any page."""
    from valuechain.query import Data

    store = make_store(str(seeded_db))
    data = Data.load(store)
    store.close()
    return data


@pytest.fixture
def app_db(monkeypatch: pytest.MonkeyPatch, seeded_db: Path) -> Path:
    """Point the app (run in-process by AppTest) at the module's demo database."""
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(seeded_db))
    return seeded_db


@pytest.fixture(scope="session")
def demo_data() -> dict:
    from valuechain import demo

    return demo.generate()


@pytest.fixture
def editor() -> store_module.Identity:
    return store_module.Identity("analyst", "editor")


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[object]:
    """A loopback Eurostat API serving recorded answers (tests/eurostat_server.py); yields its switches."""
    from .eurostat_server import recorded_api

    yield from recorded_api(monkeypatch, tmp_path)
