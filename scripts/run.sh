#!/usr/bin/env bash
# Installs the pinned requirements into .venv (first time only) and starts the app on its embedded
# defaults: a DuckDB file under var/ seeded with the demo data. Extra args go to `streamlit run`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh app
exec .venv/bin/streamlit run app.py "$@"
