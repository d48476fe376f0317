#!/usr/bin/env bash
# Debian's PostgreSQL cluster for Hangar's local stack.
#
#   postgres.sh start    start the cluster (if down), create role and databases (if missing)
#   postgres.sh stop     stop the cluster, only if `start` started it
#   postgres.sh status
#   postgres.sh databases   the databases `start` creates, one per line
#
# The cluster is Debian's (<version>/main, data in /var/lib/postgresql, listening on
# localhost:5432 = 127.0.0.1 and ::1). Role `hangar` (password: the stack's .local/keys/db-password) owns the databases
# hangar_registry, hangar_gateway and the tests' own (DATABASES below; bin/test refuses to run when a
# database named in the repository is missing from it).
# When this script starts the cluster it writes the postmaster pid to .local/run/postgresql.pid
# (= the stack owns it, `stop` stops it); .local/logs/postgresql.log links to Debian's log.
# Env: PG_VERSION (newest installed, 15 on bookworm) PG_CLUSTER (main) PG_PORT (5432)
#      HANGAR_DB_USER (hangar) HANGAR_DB_PASSWORD (the stack's generated .local/keys/db-password)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034  # read by bin/lib/common.sh
LOG_TAG=postgres
# shellcheck source=bin/lib/common.sh
. "$ROOT/bin/lib/common.sh"

detect_version() {
  find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -n | tail -n 1
}
VER=${PG_VERSION:-$(detect_version)}
CLUSTER=${PG_CLUSTER:-main}
PORT=${PG_PORT:-5432}
DB_USER=${HANGAR_DB_USER:-hangar}
DB_PASSWORD=${HANGAR_DB_PASSWORD:-$(stack_key db-password)}
# the services', their @QuarkusTests', and the registry and gateway processes of the e2e ITs that run
# their own (ExecutorFailoverIT, SampleIT, TrainingSessionIT, CheckpointLifecycleIT), one pair each
DATABASES=(hangar_registry hangar_gateway hangar_registry_test hangar_gateway_test hangar_registry_failover hangar_gateway_failover
           hangar_registry_sample hangar_gateway_sample hangar_registry_session hangar_gateway_session
           hangar_gateway_ckpt hangar_gateway_test_pool hangar_registry_test_deploy hangar_gateway_slurmpool
           hangar_gateway_test_deploynet hangar_registry_test_deploynet hangar_gateway_test_tls hangar_registry_test_tls
           hangar_gateway_test_retry hangar_registry_test_retry)
PIDFILE=$RUN_DIR/postgresql.pid
PATTERN='postgres'

require_pg() {
  { [ -n "$VER" ] && [ -x "/usr/lib/postgresql/$VER/bin/postgres" ]; } || die "PostgreSQL is not installed (apt-get install postgresql)"
  have pg_ctlcluster || die "pg_ctlcluster missing (postgresql-common)"
}

pg_running() { pg_ctlcluster "$VER" "$CLUSTER" status >/dev/null 2>&1; }
postmaster_pid() { head -n 1 "/var/lib/postgresql/$VER/$CLUSTER/postmaster.pid" 2>/dev/null || true; }
debian_log() { echo "/var/log/postgresql/postgresql-$VER-$CLUSTER.log"; }

psql_admin() { (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" "$@"); }

ensure_cluster() {
  if ! pg_lsclusters -h 2>/dev/null | awk -v v="$VER" -v c="$CLUSTER" '$1==v && $2==c {f=1} END {exit !f}'; then
    log "creating cluster $VER/$CLUSTER"
    pg_createcluster "$VER" "$CLUSTER" >/dev/null
  fi
}

ensure_role_and_databases() {
  local list; list=$(printf "'%s'," "${DATABASES[@]}"); list=${list%,}
  psql_admin -d postgres <<SQL
SELECT format('CREATE ROLE %I LOGIN', '$DB_USER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER')\gexec
-- every start: a role made with an older (or the old built-in) password gets the stack's own
SELECT format('ALTER ROLE %I PASSWORD %L', '$DB_USER', '$DB_PASSWORD')\gexec
SELECT format('CREATE DATABASE %I OWNER %I', d, '$DB_USER')
  FROM unnest(ARRAY[$list]) AS d
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d)\gexec
SQL
}

start() {
  require_pg
  ensure_dirs
  ensure_cluster
  ln -sfn "$(debian_log)" "$LOG_DIR/postgresql.log"
  if pg_running; then
    if pidfile_pid "$PIDFILE" "$PATTERN" >/dev/null; then
      log "PostgreSQL $VER/$CLUSTER running (pid $(cat "$PIDFILE"), started by the stack)"
    else
      rm -f "$PIDFILE"
      log "PostgreSQL $VER/$CLUSTER already running (pid $(postmaster_pid)) - adopting it, not owned"
    fi
  else
    log "starting PostgreSQL $VER/$CLUSTER (log $(debian_log))"
    pg_ctlcluster "$VER" "$CLUSTER" start || { tail -n 20 "$(debian_log)" >&2; die "pg_ctlcluster start failed"; }
    postmaster_pid > "$PIDFILE"
  fi
  local i
  for ((i = 0; i < 150; i++)); do
    pg_isready -q -h 127.0.0.1 -p "$PORT" && break; sleep 0.2
  done
  pg_isready -q -h 127.0.0.1 -p "$PORT" || die "PostgreSQL does not accept connections on 127.0.0.1:$PORT"
  ensure_role_and_databases
}

stop() {
  local pid
  if ! pid=$(pidfile_pid "$PIDFILE" "$PATTERN"); then
    rm -f "$PIDFILE"
    if [ -n "$VER" ] && pg_running; then log "PostgreSQL not started by the stack - leaving it running"; fi
    return 0
  fi
  log "stopping PostgreSQL $VER/$CLUSTER (pid $pid)"
  if ! pg_ctlcluster "$VER" "$CLUSTER" stop 2>/dev/null; then
    stop_pid "$pid" postgresql 30
  fi
  rm -f "$PIDFILE"
}

status() {
  local note="adopted (not started by the stack)"
  [ -e "$PIDFILE" ] && note=owned
  if [ -n "$VER" ] && pg_running; then
    status_line postgresql running "$(postmaster_pid)" "127.0.0.1:$PORT" "$LOG_DIR/postgresql.log" "$note"
  else
    status_line postgresql stopped - "127.0.0.1:$PORT" "$LOG_DIR/postgresql.log"
  fi
}

case "${1:-}" in
  start) require_root; start ;;
  stop) require_root; stop ;;
  status) status ;;
  databases) printf '%s\n' "${DATABASES[@]}" ;;
  *) die "usage: postgres.sh {start|stop|status|databases}" ;;
esac
