"""Secrets never reach a message: every form a password takes in a connection string, and server paths."""

from __future__ import annotations

import pytest

from valuechain.redact import redact
from valuechain.store import StoreError, open_store

SECRET = "S3cr3t-pw"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql://me:S3cr3t-pw@db:5432/vc", "postgresql://me:***@db:5432/vc"),
        ("postgres://me:S3cr3t-pw@db/vc?sslmode=require", "postgres://me:***@db/vc?sslmode=require"),
        ("postgresql://:S3cr3t-pw@db/vc", "postgresql://:***@db/vc"),
        ("postgresql://me:S3cr3t-pw@with@at@db/vc", "postgresql://me:***@db/vc"),
        ("postgresql://db/vc?user=me&password=S3cr3t-pw", "postgresql://db/vc?user=me&password=***"),
        ("postgresql://db/vc?password=S3cr3t-pw&user=me", "postgresql://db/vc?password=***&user=me"),
        ("postgresql://db/vc?sslpassword=S3cr3t-pw", "postgresql://db/vc?sslpassword=***"),
        ("postgresql://db/vc?user=me&PASSWORD=S3cr3t-pw#x", "postgresql://db/vc?user=me&PASSWORD=***#x"),
        ("host=db user=me password=S3cr3t-pw dbname=vc", "host=db user=me password=*** dbname=vc"),
        ("host=db password = 'S3cr3t pw \\' x' dbname=vc", "host=db password = *** dbname=vc"),
        ('password="S3cr3t-pw" host=db', "password=*** host=db"),
        ("client_secret=S3cr3t-pw; token=S3cr3t-pw", "client_secret=***; token=***"),
        (
            "(got 'postgresql://me:S3cr3t-pw@db/vc?password=S3cr3t-pw')",
            "(got 'postgresql://me:***@db/vc?password=***')",
        ),
    ],
)
def test_every_form_of_password_is_hidden(text: str, shown: str) -> None:
    assert redact(text) == shown
    assert SECRET not in redact(text) and "S3cr3t" not in redact(text)


def test_text_without_secrets_is_unchanged() -> None:
    text = "PostgreSQL at postgresql://me@db:5432/vc could not be reached (password authentication failed)."
    assert redact(text) == text
    assert redact("sales and/or 1/2 of jobs, https://ec.europa.eu/eurostat/data") == (
        "sales and/or 1/2 of jobs, https://ec.europa.eu/eurostat/data"
    )


def test_absolute_paths_are_cut_to_file_names_unless_shown() -> None:
    text = "The database file /srv/app/var/valuechain.duckdb could not be opened (IO Error: /srv/app/var/x.wal)."
    assert redact(text) == "The database file valuechain.duckdb could not be opened (IO Error: x.wal)."
    assert redact(text, show_paths=True) == text
    assert redact("The database at duckdb:////srv/vc.duckdb could not be") == "The database at vc.duckdb could not be"
    assert redact(r"File C:\Users\me\vc.duckdb is locked") == "File vc.duckdb is locked"


def test_store_errors_quote_no_password() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("mysql://db/vc?user=me&password=S3cr3t-pw")
    assert SECRET not in str(caught.value)
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://127.0.0.1:9/vc?user=me&password=S3cr3t-pw&connect_timeout=1")
    assert SECRET not in str(caught.value)
