#!/usr/bin/env bash
# Runs every test from a clean clone: installs what the tests need (Python packages, Debian's
# Chromium, PostgreSQL), starts a throwaway PostgreSQL cluster on loopback, then ruff (lint and format), mypy,
# the import contracts (lint-imports) and pytest.
# Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh dev

# Chromium for the end-to-end tests (Debian's package; Playwright drives it, no browser download).
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian chromium"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi

# pdftotext / pdftoppm read the PDF reports in the tests.
if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then
  echo "== installing poppler-utils"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq poppler-utils >/dev/null
fi

# PostgreSQL for the store tests on the second backend.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "== installing PostgreSQL"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
PG_DIR=$(mktemp -d /tmp/valuechain-pg.XXXXXX)
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "$(id -u)" = 0 ]; then AS_PG=(runuser -u postgres --); chown postgres "$PG_DIR"; else AS_PG=(); fi
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U valuechain --auth=trust -E UTF8 >/dev/null
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off" start >/dev/null
cleanup() { "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; }
trap cleanup EXIT
export VALUECHAIN_TEST_PG_URL="postgresql://valuechain@127.0.0.1:$PG_PORT/postgres"

# Boundaries for tests: the BSR cut of GISCO's files beside the clone (never copied into it).
export VALUECHAIN_GEO_DIR="${VALUECHAIN_GEO_DIR:-$(cd .. && pwd)/shared/geo}"

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== import contracts"
.venv/bin/lint-imports --no-cache
echo "== pytest"
.venv/bin/pytest "$@"
