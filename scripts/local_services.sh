#!/usr/bin/env bash
# The servers a scaled-out convrec uses, started on this machine on loopback: a PostgreSQL
# cluster for the sessions and a Chroma server for the catalog index. For trying the deployment
# recipe (README, "Serving many users") on one machine, the load test and the failure drill.
#
#   bash scripts/local_services.sh start  DIR   # cluster in DIR/postgres, Chroma data in DIR/chroma
#   bash scripts/local_services.sh stop   DIR
#   bash scripts/local_services.sh status DIR
#   bash scripts/local_services.sh {start,stop}-{postgres,chroma} DIR   # one of them
#
# Ports: CONVREC_PG_PORT (default 5433) and CONVREC_CHROMA_PORT (default 8000). `start` prints
# the two variables the workers read (CONVREC_SESSIONS, CONVREC_CHROMA_URL). As root, PostgreSQL
# runs as the `postgres` system user (it refuses root). Needs Debian's postgresql package
# (scripts/install.sh --dev installs it) and the venv's `chroma` (part of chromadb).
set -euo pipefail

ACTION=${1:?usage: local_services.sh start|stop|status|start-postgres|stop-postgres|start-chroma|stop-chroma DIR}
DIR=$(mkdir -p "${2:?give the folder for the servers\' data}" && cd "$2" && pwd)
PG_PORT=${CONVREC_PG_PORT:-5433}
CHROMA_PORT=${CONVREC_CHROMA_PORT:-8000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
CHROMA=${CONVREC_CHROMA_BIN:-$HERE/.venv/bin/chroma}

pg_bin() {  # Debian keeps the server binaries out of PATH, in a folder per version
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$found" ] && command -v initdb >/dev/null 2>&1; then found=$(dirname "$(command -v initdb)"); fi
  [ -n "$found" ] || { echo "no PostgreSQL binaries: apt-get install postgresql" >&2; exit 1; }
  echo "$found"
}

as_pg() {  # run a server command as the postgres user when we are root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local bin data=$DIR/postgres
  bin=$(pg_bin)
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    if [ "$(id -u)" = 0 ]; then
      chown postgres:postgres "$data"
      runuser -u postgres -- test -x "$data" \
        || { echo "the postgres user cannot reach $data: make its parent folders world-searchable (chmod o+x)" >&2; exit 1; }
    fi
    as_pg "$bin/initdb" -D "$data" -U postgres -A trust -N >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $data" start >/dev/null
  fi
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'convrec'" | grep -q 1 \
    || as_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres convrec
  echo "export CONVREC_SESSIONS=postgresql://postgres@127.0.0.1:$PG_PORT/convrec"
}

stop_postgres() {
  local bin
  bin=$(pg_bin)
  [ -f "$DIR/postgres/PG_VERSION" ] || return 0
  as_pg "$bin/pg_ctl" -D "$DIR/postgres" -m fast -w status >/dev/null 2>&1 || return 0
  as_pg "$bin/pg_ctl" -D "$DIR/postgres" -m fast -w stop >/dev/null
}

start_chroma() {
  local pidfile=$DIR/chroma.pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "export CONVREC_CHROMA_URL=http://127.0.0.1:$CHROMA_PORT"; return
  fi
  mkdir -p "$DIR/chroma"
  ANONYMIZED_TELEMETRY=False nohup "$CHROMA" run --path "$DIR/chroma" --host 127.0.0.1 \
    --port "$CHROMA_PORT" >"$DIR/chroma.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do  # up to 60 s
    if curl -fsS "http://127.0.0.1:$CHROMA_PORT/api/v2/heartbeat" >/dev/null 2>&1; then
      echo "export CONVREC_CHROMA_URL=http://127.0.0.1:$CHROMA_PORT"; return
    fi
    sleep 0.5
  done
  echo "chroma did not start: see $DIR/chroma.log" >&2; exit 1
}

stop_chroma() {
  local pidfile=$DIR/chroma.pid
  [ -f "$pidfile" ] || return 0
  kill "$(cat "$pidfile")" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.25; done
  rm -f "$pidfile"
}

case "$ACTION" in
  start) start_postgres; start_chroma ;;
  stop) stop_chroma; stop_postgres ;;
  status)
    as_pg "$(pg_bin)/pg_ctl" -D "$DIR/postgres" status || true
    curl -fsS "http://127.0.0.1:$CHROMA_PORT/api/v2/heartbeat" || echo "chroma: not answering" ;;
  start-postgres) start_postgres ;;
  stop-postgres) stop_postgres ;;
  start-chroma) start_chroma ;;
  stop-chroma) stop_chroma ;;
  *) echo "unknown action $ACTION" >&2; exit 2 ;;
esac
