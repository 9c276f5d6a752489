# Sourced by run.sh and test.sh: creates .venv and installs the pinned requirements when they change.
# Argument: "app" (runtime only) or "dev" (runtime + tests).
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq python3-venv >/dev/null && "$PY" -m venv .venv; }
fi
REQ=requirements.txt; [ "${1:-app}" = dev ] && REQ=requirements-dev.txt
STAMP=.venv/.installed-$(cat requirements.txt "$REQ" | sha256sum | cut -c1-16)
if [ ! -f "$STAMP" ]; then
  echo "== installing Python packages from $REQ"
  if .venv/bin/python -m pip install -q --upgrade pip >.venv/pip.log 2>&1 \
     && .venv/bin/python -m pip install -q -r "$REQ" >>.venv/pip.log 2>&1; then
    touch "$STAMP"
  else
    cat .venv/pip.log; echo "pip install failed (log above)"; exit 1
  fi
fi
