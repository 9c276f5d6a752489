#!/usr/bin/env bash
# The deployment of deploy/compose.yaml from Debian packages, on this machine's loopback: a PostgreSQL cluster,
# two app replicas and nginx with sticky websocket sessions in front of them. Everything lives under
# $VALUECHAIN_DEPLOY_DIR (default var/deploy); nothing is installed as a service.
#
#   bash deploy/local.sh start          install what is missing, start all, wait for health → http://127.0.0.1:8080
#   bash deploy/local.sh status         health of each replica and of the proxy
#   bash deploy/local.sh backup [DIR]   pg_dump into DIR (default $VALUECHAIN_DEPLOY_DIR/backups)
#   bash deploy/local.sh restore FILE   stop the replicas, restore, start them again
#   bash deploy/local.sh stop           stop all (the data stays for the next start)
#
# Settings: PROXY_PORT (8080), APP_PORTS ("8601 8602"), PG_PORT (5433). Editors: .streamlit/secrets.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
DIR=$(mkdir -p "${VALUECHAIN_DEPLOY_DIR:-var/deploy}" && cd "${VALUECHAIN_DEPLOY_DIR:-var/deploy}" && pwd)
PROXY_PORT=${PROXY_PORT:-8080}
read -r -a APP_PORTS <<<"${APP_PORTS:-8601 8602}"
PG_PORT=${PG_PORT:-5433}
DB_URL="postgresql://valuechain@127.0.0.1:$PG_PORT/valuechain"
if [ "$(id -u)" = 0 ]; then SUDO=""; AS_PG=(runuser -u postgres --); else SUDO="sudo"; AS_PG=(); fi

install_packages() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]} (Debian packages)"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

health() {  # URL → 0 when it answers "ok"
  [ "$(curl -fsS --max-time 5 "$1/_stcore/health" 2>/dev/null)" = ok ]
}

wait_health() {  # URL NAME
  for _ in $(seq 1 120); do health "$1" && { echo "   $2 healthy ($1/_stcore/health)"; return 0; }; sleep 1; done
  echo "$2 did not become healthy; see $DIR/*.log"; return 1
}

start_postgres() {
  if [ ! -d "$DIR/pg/data" ]; then
    echo "== creating a PostgreSQL cluster in $DIR/pg (loopback port $PG_PORT, local trust only)"
    mkdir -p "$DIR/pg"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR/pg"
    "${AS_PG[@]}" "$PG_BIN/initdb" -D "$DIR/pg/data" -U valuechain --auth=trust -E UTF8 >/dev/null
  fi
  if ! "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg/data" status >/dev/null 2>&1; then
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $DIR/pg" start >/dev/null
  fi
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U valuechain -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'valuechain'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U valuechain valuechain
  echo "   PostgreSQL up: $DB_URL"
}

start_replicas() {
  [ -f "$DIR/cookie_secret" ] || python3 -c "import secrets; print(secrets.token_hex(32))" >"$DIR/cookie_secret"
  for port in "${APP_PORTS[@]}"; do
    if [ -f "$DIR/app-$port.pid" ] && kill -0 "$(cat "$DIR/app-$port.pid")" 2>/dev/null; then continue; fi
    # One cookie secret for all replicas: XSRF tokens and sign-in cookies stay valid if a browser moves over.
    VALUECHAIN_DB_URL="$DB_URL" STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$DIR/cookie_secret")" \
      nohup .venv/bin/streamlit run app.py --server.address 127.0.0.1 --server.port "$port" \
      --server.headless true >"$DIR/app-$port.log" 2>&1 &
    echo $! >"$DIR/app-$port.pid"
  done
  for port in "${APP_PORTS[@]}"; do wait_health "http://127.0.0.1:$port" "replica :$port"; done
  # One session through every page per replica: modules imported and shared caches filled before users come
  # (a cold process spends seconds on that, and a crowd arriving at once would all wait for it).
  for port in "${APP_PORTS[@]}"; do
    .venv/bin/python bench/load.py --warm-up "http://127.0.0.1:$port" --timeout 300 | sed 's/^/   /' || true
  done
}

start_proxy() {
  mkdir -p "$DIR/nginx/conf.d" "$DIR/nginx/logs" "$DIR/nginx/tmp"
  sed -e "s|\${APP_1}|127.0.0.1:${APP_PORTS[0]}|; s|\${APP_2}|127.0.0.1:${APP_PORTS[1]}|; s|\${LISTEN}|127.0.0.1:$PROXY_PORT|" \
    deploy/nginx/valuechain.conf.template >"$DIR/nginx/conf.d/valuechain.conf"
  cat >"$DIR/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/logs/error.log;
events { worker_connections 1024; }
http {
    # Which replica served each request (upstream=), for checking that sessions stick.
    log_format replica '\$remote_addr [\$time_local] "\$request" \$status upstream=\$upstream_addr';
    access_log $DIR/nginx/logs/access.log replica;
    client_body_temp_path $DIR/nginx/tmp/body;
    proxy_temp_path $DIR/nginx/tmp/proxy;
    fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
    scgi_temp_path $DIR/nginx/tmp/scgi;
    include /etc/nginx/mime.types;
    include $DIR/nginx/conf.d/*.conf;
}
EOF
  "$NGINX" -t -q -p "$DIR/nginx" -e "$DIR/nginx/logs/error.log" -c "$DIR/nginx/nginx.conf"
  if [ -f "$DIR/nginx/nginx.pid" ] && kill -0 "$(cat "$DIR/nginx/nginx.pid")" 2>/dev/null; then
    "$NGINX" -p "$DIR/nginx" -e "$DIR/nginx/logs/error.log" -c "$DIR/nginx/nginx.conf" -s reload
  else
    "$NGINX" -p "$DIR/nginx" -e "$DIR/nginx/logs/error.log" -c "$DIR/nginx/nginx.conf"
  fi
  wait_health "http://127.0.0.1:$PROXY_PORT" "nginx :$PROXY_PORT"
}

stop_replicas() {
  for port in "${APP_PORTS[@]}"; do
    if [ -f "$DIR/app-$port.pid" ]; then
      pid=$(cat "$DIR/app-$port.pid")
      kill "$pid" 2>/dev/null && for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      rm -f "$DIR/app-$port.pid"
    fi
  done
}

case "${1:-}" in
  start)
    install_packages
    [ -x .venv/bin/streamlit ] || source scripts/setup.sh app
    start_postgres
    echo "== creating the tables (and the demo data in an empty database), once for all replicas"
    VALUECHAIN_DB_URL="$DB_URL" .venv/bin/python -m valuechain init
    echo "== starting ${#APP_PORTS[@]} replicas"
    start_replicas
    echo "== starting nginx"
    start_proxy
    echo "Open http://127.0.0.1:$PROXY_PORT — stop with: bash deploy/local.sh stop"
    ;;
  status)
    for port in "${APP_PORTS[@]}"; do
      health "http://127.0.0.1:$port" && echo "replica :$port ok" || echo "replica :$port DOWN"
    done
    health "http://127.0.0.1:$PROXY_PORT" && echo "nginx :$PROXY_PORT ok" || echo "nginx :$PROXY_PORT DOWN"
    ;;
  backup)
    VALUECHAIN_DB_URL="$DB_URL" .venv/bin/python -m valuechain backup "${2:-$DIR/backups}"
    ;;
  restore)
    [ -n "${2:-}" ] || { echo "usage: bash deploy/local.sh restore FILE"; exit 2; }
    install_packages
    stop_replicas  # no replica holds a connection or a stale view while the tables are replaced
    VALUECHAIN_DB_URL="$DB_URL" .venv/bin/python -m valuechain restore "$2"
    start_replicas
    ;;
  stop)
    install_packages
    [ -f "$DIR/nginx/nginx.pid" ] && "$NGINX" -p "$DIR/nginx" -e "$DIR/nginx/logs/error.log" \
      -c "$DIR/nginx/nginx.conf" -s quit 2>/dev/null || true
    stop_replicas
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg/data" -m fast stop >/dev/null 2>&1 || true
    echo "stopped (data kept in $DIR/pg)"
    ;;
  *)
    sed -n '2,12p' "$0"; exit 2
    ;;
esac
