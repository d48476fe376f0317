#!/usr/bin/env bash
# Local S3-compatible object store for Hangar's local stack: S3Proxy (org.gaul:s3proxy,
# Apache-2.0) with its filesystem backend, fetched from Maven Central via mvn; no Docker.
#
#   s3proxy.sh start  [BASE_DIR]   fetch the jar if needed, start, wait until ready, print endpoint
#   s3proxy.sh stop   [BASE_DIR]   stop the server recorded in the pidfile
#   s3proxy.sh status [BASE_DIR]
#   s3proxy.sh fetch  [BASE_DIR]   only fetch the jar
#
# BASE_DIR (default .local/s3) holds the jar, objects/ (one folder per bucket, one file per
# object) and s3proxy.conf. The pidfile is .local/run/s3proxy.pid, the log .local/logs/s3proxy.log.
# Binds 127.0.0.1 only and checks request signatures.
# Env: S3PROXY_VERSION (4.1.0) S3_PORT (9000) S3_ACCESS_KEY (local-access-key)
#      S3_SECRET_KEY (local-secret-key) S3_BUCKETS (comma list created at start; hangar-artifacts)
#      S3_HEAP_OPTS (-Xms32m -Xmx256m -XX:+UseSerialGC) S3_START_TIMEOUT (60 s)
#      S3_PID_FILE S3_LOG MAVEN_REPO_LOCAL JAVA_HOME (Java 17+)
# Clients: path-style access, region us-east-1, endpoint http://127.0.0.1:$S3_PORT.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034  # read by bin/lib/common.sh
LOG_TAG=s3proxy
# shellcheck source=bin/lib/common.sh
. "$ROOT/bin/lib/common.sh"

cmd=${1:-}
BASE=${2:-${S3_BASE_DIR:-$LOCAL/s3}}
VERSION=${S3PROXY_VERSION:-4.1.0}
PORT=${S3_PORT:-9000}
AK=${S3_ACCESS_KEY:-local-access-key}
SK=${S3_SECRET_KEY:-local-secret-key}
BUCKETS=${S3_BUCKETS:-hangar-artifacts}
HEAP=${S3_HEAP_OPTS:--Xms32m -Xmx256m -XX:+UseSerialGC}
TIMEOUT=${S3_START_TIMEOUT:-60}
JAVA=$JAVA_HOME/bin/java
PATTERN='s3proxy.*\.jar'

[ -n "$cmd" ] || die "usage: s3proxy.sh {start|stop|status|fetch} [BASE_DIR]"
mkdir -p "$BASE"
BASE=$(cd "$BASE" && pwd)
JAR=$BASE/s3proxy-$VERSION-jar-with-dependencies.jar
PIDFILE=${S3_PID_FILE:-$RUN_DIR/s3proxy.pid}
LOG=${S3_LOG:-$LOG_DIR/s3proxy.log}
ENDPOINT=http://127.0.0.1:$PORT
mkdir -p "$(dirname "$PIDFILE")" "$(dirname "$LOG")"

# A server started by the reference script keeps its pidfile in BASE_DIR: take it over.
adopt_legacy_pidfile() {
  if [ ! -s "$PIDFILE" ] && pidfile_pid "$BASE/s3proxy.pid" "$PATTERN" >/dev/null; then
    mv "$BASE/s3proxy.pid" "$PIDFILE"
    log "took over the server of $BASE/s3proxy.pid (pid $(cat "$PIDFILE"))"
  fi
}

running_pid() { pidfile_pid "$PIDFILE" "$PATTERN"; }

# buckets are folders of the filesystem backend: creating them needs no request
make_buckets() {
  local b
  mkdir -p "$BASE/objects"
  for b in ${BUCKETS//,/ }; do mkdir -p "$BASE/objects/$b"; done
}

fetch() {
  [ -s "$JAR" ] && return 0
  log "fetching org.gaul:s3proxy:$VERSION (jar-with-dependencies) from Maven Central ..."
  # The plain s3proxy jar + its pom resolve jackson-annotations 2.18 (too old for its jackson 3):
  # use the self-contained jar-with-dependencies that the project publishes.
  if ! (cd "$BASE" && mvn_cmd -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        -Dartifact="org.gaul:s3proxy:$VERSION:jar:jar-with-dependencies" -DoutputDirectory="$BASE" \
        > "$BASE/fetch.log" 2>&1); then
    tail -n 20 "$BASE/fetch.log" >&2; die "mvn failed (log: $BASE/fetch.log)"
  fi
  [ -s "$JAR" ] || die "jar not found after fetch: $JAR"
}

ready() { [ "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$ENDPOINT/" 2>/dev/null)" = 403 ]; }

start() {
  local pid
  adopt_legacy_pidfile
  if pid=$(running_pid); then
    make_buckets
    log "S3Proxy running (pid $pid) on $ENDPOINT"; echo "$ENDPOINT"; return 0
  fi
  rm -f "$PIDFILE"
  if port_open "$PORT"; then
    ready || die "127.0.0.1:$PORT is in use by something that is not S3Proxy (pid $(port_pid "$PORT"))"
    warn "$ENDPOINT is served by a process this stack did not start (pid $(port_pid "$PORT")) - using it as is; buckets not checked"
    echo "$ENDPOINT"; return 0
  fi
  "$JAVA" -version 2>&1 | head -n 1 | grep -qE '"(1[7-9]|[2-9][0-9])[".]' || die "$JAVA is not Java 17+"
  fetch
  make_buckets
  cat > "$BASE/s3proxy.conf" <<EOF
s3proxy.endpoint=$ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AK
s3proxy.credential=$SK
jclouds.provider=filesystem
jclouds.filesystem.basedir=$BASE/objects
EOF
  chmod 600 "$BASE/s3proxy.conf"
  log "starting S3Proxy $VERSION on $ENDPOINT (objects in $BASE/objects, log $LOG)"
  # shellcheck disable=SC2086
  pid=$(spawn "$PIDFILE" "$LOG" "$JAVA" $HEAP -jar "$JAR" --properties "$BASE/s3proxy.conf")
  local deadline=$((SECONDS + TIMEOUT))
  # ready = the S3 endpoint answers HTTP (anonymous GET / gives 403 AccessDenied)
  until ready; do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$LOG" >&2; rm -f "$PIDFILE"; die "server exited during startup (log: $LOG)"; }
    if [ "$SECONDS" -ge "$deadline" ]; then
      stop_pid "$pid" s3proxy 10; rm -f "$PIDFILE"; tail -n 30 "$LOG" >&2; die "not ready after ${TIMEOUT}s"
    fi
    sleep 0.2
  done
  log "S3Proxy $VERSION ready (pid $pid)"
  echo "$ENDPOINT"
}

stop() {
  adopt_legacy_pidfile
  if [ ! -e "$PIDFILE" ]; then
    if port_open "$PORT"; then log "S3 on $ENDPOINT not started by the stack - leaving it running"
    else log "S3Proxy not running"; fi
    return 0
  fi
  stop_pidfile "$PIDFILE" "$PATTERN" s3proxy 30
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  fetch) fetch ;;
  status)
    adopt_legacy_pidfile
    if pid=$(running_pid); then status_line s3proxy running "$pid" "$ENDPOINT" "$LOG" owned
    elif port_open "$PORT"; then status_line s3proxy running "$(port_pid "$PORT")" "$ENDPOINT" - "adopted (not started by the stack)"
    else status_line s3proxy stopped - "$ENDPOINT" "$LOG"; exit 3; fi ;;
  *) die "usage: s3proxy.sh {start|stop|status|fetch} [BASE_DIR]" ;;
esac
