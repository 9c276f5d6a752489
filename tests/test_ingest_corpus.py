"""Every bad file of tests/bad_files gives its expected clear message (naming file, row and column) and
leaves the store exactly as it was, on DuckDB and on PostgreSQL (full table dumps; for DuckDB also the
database file's bytes after closing). The corpus and its manifest are made by tests/bad_files/make_corpus.py.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from valuechain import demo, ingest
from valuechain.store import Identity, Store

from .conftest import make_store
from .test_store import assert_unchanged, snapshot

CORPUS = Path(__file__).resolve().parent / "bad_files"
MANIFEST = list(csv.DictReader(open(CORPUS / "manifest.csv", encoding="utf-8")))  # noqa: SIM115


@pytest.fixture(scope="module")
def seed_data(demo_data: dict) -> dict[str, pd.DataFrame]:
    """Reference tables and a little of every data table, as in a store that already holds data."""
    small = {name: demo_data[name].head(60) for name in ("observations", "flows", "actors", "priorities", "projects")}
    return demo.load_definitions() | small


def seed(store: Store, data: dict[str, pd.DataFrame]) -> None:
    demo.seed_store(store, data)


def options(row: dict[str, str]) -> dict[str, str]:
    return dict(part.split("=", 1) for part in row["options"].split("&") if part)


def attempt(
    row: dict[str, str], context: ingest.Context, monkeypatch: pytest.MonkeyPatch, store: Store | None = None
) -> ingest.Checked:
    """What the Data page does with the file: read, map (plus the analyst's constants), check, try to commit."""
    opts = options(row)
    monkeypatch.delenv(ingest.MAX_UPLOAD_ENV, raising=False)
    if "max_mb" in opts:
        monkeypatch.setenv(ingest.MAX_UPLOAD_ENV, opts["max_mb"])
    read_options = ingest.ReadOptions(
        encoding=opts.get("encoding"), delimiter=opts.get("delimiter"), sheet=opts.get("sheet")
    )
    path = Path(row.get("path") or CORPUS / row["file"])
    parsed = ingest.read(path.read_bytes(), row["file"], read_options)
    remembered = store.mapping(parsed.source_key, row["table"]) if store is not None else None
    mapping = ingest.auto_map(parsed, row["table"], remembered)
    mapping.constants |= {k.removeprefix("const."): v for k, v in opts.items() if k.startswith("const.")}
    checked = ingest.check(parsed, row["table"], mapping, context, dataset=opts.get("dataset", "Analyst upload"))
    if store is not None:
        with pytest.raises(ingest.IngestError, match="Nothing was stored"):
            ingest.commit(store, checked, Identity("analyst", "editor"))
    return checked


def assert_expected_message(checked: ingest.Checked, row: dict[str, str]) -> None:
    errors = checked.report.errors
    assert not errors.empty, f"{row['file']} was accepted"
    assert set(errors["file"]) == {row["file"]}, "every failure names the file"
    hits = errors[(errors["check"] == row["check"]) & errors["message"].str.contains(row["message"], regex=False)]
    shown = errors[["row", "column", "value", "check", "message"]].to_string()
    assert not hits.empty, f"{row['file']}: expected {row['check']!r} with {row['message']!r}, got\n{shown}"
    if row["row"]:
        assert (hits["row"].astype("string") == row["row"]).any(), f"{row['file']}: not row {row['row']}\n{shown}"
    if row["column"]:
        assert hits["column"].str.contains(row["column"], regex=False).any(), f"{row['file']}: column\n{shown}"


def test_the_corpus_has_at_least_40_distinct_bad_files() -> None:
    files = [row["file"] for row in MANIFEST]
    assert len(files) >= 40
    assert len(set(files)) == len(files)
    assert all((CORPUS / f).exists() for f in files)
    assert len({row["check"] for row in MANIFEST}) >= 25, "the corpus covers many different checks"


@pytest.mark.parametrize("row", MANIFEST, ids=[row["file"] for row in MANIFEST])
def test_bad_file_gives_its_clear_message(
    row: dict[str, str], seed_data: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = ingest.Context.from_frames(seed_data, row["table"])
    assert_expected_message(attempt(row, context, monkeypatch), row)


def test_store_is_unchanged_after_every_rejected_file(
    store: Store, seed_data: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On both backends: a full dump of every table, before and after each rejected file, is identical."""
    seed(store, seed_data)
    revision = store.revision()
    for row in MANIFEST:
        before = snapshot(store)
        checked = attempt(row, ingest.Context.from_store(store, row["table"]), monkeypatch, store)
        assert_expected_message(checked, row)
        assert store.revision() == revision, row["file"]
        assert_unchanged(before, snapshot(store))


def test_duckdb_file_is_byte_for_byte_unchanged_after_every_rejected_file(
    tmp_path: Path, seed_data: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "corpus.duckdb"
    first = make_store(str(path))
    seed(first, seed_data)
    first.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    again = make_store(str(path))
    for row in MANIFEST:
        attempt(row, ingest.Context.from_store(again, row["table"]), monkeypatch, again)
    again.close()
    wal = Path(f"{path}.wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_rejected_files_leave_no_temporary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Gzip files are unpacked to a temporary file; a rejected one must not leave it behind."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for row in MANIFEST:
        if row["file"].endswith(".gz"):
            ingest.read((CORPUS / row["file"]).read_bytes(), row["file"])
    assert list(tmp_path.iterdir()) == []


def test_manifest_rows_name_real_checks() -> None:
    checks = set(pd.DataFrame(MANIFEST)["check"])
    assert {
        "encoding",
        "fields",
        "quote",
        "gzip",
        "unique_key",
        "reference",
        "html",
        "formula",
        "magnitude",
        "date_not_year",
        "nonnegative",
        "no_rows",
        "empty",
    } <= checks


def test_reports_do_not_depend_on_how_text_columns_are_held(
    tmp_path: Path, seed_data: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repetitive text columns are read as Categoricals so that checks run once per distinct value. With every
    column as a Categorical, and with every column as plain text, each file of the corpus (and a valid one) gives
    the same report and rows."""
    valid = tmp_path / "valid.csv"
    seed_data["observations"].to_csv(valid, index=False)
    cases = [*MANIFEST, {"file": "valid.csv", "path": str(valid), "table": "observations", "options": ""}]
    assert any(isinstance(t, pd.CategoricalDtype) for t in ingest.read(valid.read_bytes(), "valid.csv").frame.dtypes)

    def outcomes() -> list[tuple[pd.DataFrame, pd.DataFrame]]:
        out = []
        for row in cases:
            checked = attempt(row, ingest.Context.from_frames(seed_data, row["table"]), monkeypatch)
            failures = checked.report.failures.sort_values(["row", "column", "check", "value"]).reset_index(drop=True)
            rows = checked.rows.astype(object).where(checked.rows.notna(), None)  # NaN or NA: both missing
            out.append((failures, rows.reset_index(drop=True)))
        return out

    monkeypatch.setattr(ingest.cells, "_repetitive", lambda values: not isinstance(values.dtype, pd.CategoricalDtype))
    compacted = outcomes()
    monkeypatch.setattr(ingest.cells, "_repetitive", lambda values: False)
    for row, (failures, rows), (plain_failures, plain_rows) in zip(cases, compacted, outcomes(), strict=True):
        pd.testing.assert_frame_equal(failures, plain_failures, obj=row["file"])
        pd.testing.assert_frame_equal(rows, plain_rows, obj=row["file"])


def test_keeping_rows_by_any_value_of_any_dimension_never_crashes(
    tmp_path: Path, seed_data: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10, item 10: a "keep rows where" filter that removed every row carrying one flag raised KeyError in
    the observation checks. Every file of the corpus, a valid one and a flagged two-unit one, filtered by each
    value of each dimension-like column, gives a report (and keeps exactly the rows with that value)."""
    valid = tmp_path / "valid.csv"
    seed_data["observations"].to_csv(valid, index=False)
    flagged = (
        seed_data["observations"]
        .head(8)
        .assign(unit=["persons", "percent"] * 4, flag=["p", "", "e", "", "p", "", "e", ""])
    )
    flagged_path = tmp_path / "flagged_units.csv"
    flagged.to_csv(flagged_path, index=False)
    cases = [
        *MANIFEST,
        {"file": "valid.csv", "path": str(valid), "table": "observations", "options": ""},
        {"file": "flagged_units.csv", "path": str(flagged_path), "table": "observations", "options": ""},
    ]
    filtered = 0
    for row in cases:
        opts = options(row)
        monkeypatch.delenv(ingest.MAX_UPLOAD_ENV, raising=False)
        if "max_mb" in opts:
            monkeypatch.setenv(ingest.MAX_UPLOAD_ENV, opts["max_mb"])
        path = Path(row.get("path") or CORPUS / row["file"])
        read_options = ingest.ReadOptions(
            encoding=opts.get("encoding"), delimiter=opts.get("delimiter"), sheet=opts.get("sheet")
        )
        parsed = ingest.read(path.read_bytes(), row["file"], read_options)
        context = ingest.Context.from_frames(seed_data, row["table"])
        for col in parsed.columns:
            values = parsed.frame[col].astype("str").str.strip()
            if not 1 < values.nunique() <= 50:
                continue
            for value in values.unique():
                mapping = ingest.auto_map(parsed, row["table"])
                mapping.filters = {col: value}
                checked = ingest.check(parsed, row["table"], mapping, context, dataset="Analyst upload")
                filtered += 1
                if checked.ok:
                    assert len(checked.rows) == int((values == value).sum()), (row["file"], col, value)
    assert filtered > 100
