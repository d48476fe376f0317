#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, broker+controller in one JVM) for Hangar's local stack.
# Jars come from Maven Central via mvn; no tarball, no Docker.
#
#   kafka.sh start  [BASE_DIR]   fetch jars if needed, format storage once, start, wait until
#                                ready, create the Hangar topics that are missing
#   kafka.sh stop   [BASE_DIR]   stop the broker recorded in the pidfile
#   kafka.sh status [BASE_DIR]
#   kafka.sh topics [BASE_DIR]   create the missing topics (broker must be up)
#   kafka.sh fetch  [BASE_DIR]   only fetch the jars
#
# BASE_DIR (default .local/kafka) holds libs-<version>/, data/, server.properties. The pidfile
# is .local/run/kafka.pid and the log .local/logs/kafka.log. Only 127.0.0.1 is bound.
# A broker already listening on the port that this script did not start is used as it is
# (topics are still created) but never stopped.
# Env: KAFKA_VERSION (4.3.1) KAFKA_PORT (9092) KAFKA_CONTROLLER_PORT (9093)
#      KAFKA_HEAP_OPTS (-Xms64m -Xmx256m -XX:+UseSerialGC) KAFKA_START_TIMEOUT (60 s)
#      KAFKA_TOPICS (comma list; default: the eight hangar.* topics) KAFKA_TOPIC_PARTITIONS (3)
#      KAFKA_PASSWORD (user hangar, SCRAM-SHA-512; default .local/keys/kafka-password)
#      KAFKA_PID_FILE KAFKA_LOG MAVEN_REPO_LOCAL JAVA_HOME (Java 17+)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034  # read by bin/lib/common.sh
LOG_TAG=kafka
# shellcheck source=bin/lib/common.sh
. "$ROOT/bin/lib/common.sh"
# shellcheck source=deploy/local/kafka-config.sh
. "$ROOT/deploy/local/kafka-config.sh"

cmd=${1:-}
BASE=${2:-${KAFKA_BASE_DIR:-$LOCAL/kafka}}
VERSION=${KAFKA_VERSION:-4.3.1}
PORT=${KAFKA_PORT:-9092}
CPORT=${KAFKA_CONTROLLER_PORT:-9093}
HEAP=${KAFKA_HEAP_OPTS:--Xms64m -Xmx256m -XX:+UseSerialGC}
TIMEOUT=${KAFKA_START_TIMEOUT:-60}
TOPICS=${KAFKA_TOPICS:-hangar.runs.submit,hangar.runs.submit.dlq,hangar.runs.requested,hangar.runs.requested.dlq,hangar.runs.events,hangar.runs.control,hangar.deploy.requested,hangar.deploy.events}
PARTITIONS=${KAFKA_TOPIC_PARTITIONS:-3}
# the deploy commands are the deployments' changelog, read from the start by every executor that
# starts (docs/deploy.md): compacted, so the newest command per key outlives the retention time
COMPACTED=hangar.deploy.requested
# user `hangar`'s password: the stack's generated key unless KAFKA_PASSWORD says otherwise
PASSWORD=${KAFKA_PASSWORD:-$(stack_key kafka-password)}
JAVA=$JAVA_HOME/bin/java
PATTERN='kafka\.Kafka '

[ -n "$cmd" ] || die "usage: kafka.sh {start|stop|status|topics|fetch} [BASE_DIR]"
mkdir -p "$BASE"
BASE=$(cd "$BASE" && pwd)
LIBS=$BASE/libs-$VERSION
PIDFILE=${KAFKA_PID_FILE:-$RUN_DIR/kafka.pid}
LOG=${KAFKA_LOG:-$LOG_DIR/kafka.log}
mkdir -p "$(dirname "$PIDFILE")" "$(dirname "$LOG")"

# A broker started by the reference script keeps its pidfile in BASE_DIR: take it over.
adopt_legacy_pidfile() {
  if [ ! -s "$PIDFILE" ] && pidfile_pid "$BASE/kafka.pid" "$PATTERN" >/dev/null; then
    mv "$BASE/kafka.pid" "$PIDFILE"
    log "took over the broker of $BASE/kafka.pid (pid $(cat "$PIDFILE"))"
  fi
}

running_pid() { pidfile_pid "$PIDFILE" "$PATTERN"; }

fetch() {
  if [ ! -f "$LIBS/.complete" ]; then
    local work=$BASE/.fetch
    rm -rf "$work" "$LIBS"; mkdir -p "$work"
    cat > "$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools-api</artifactId><version>${KAFKA_TOOLS_API_VERSION:-$VERSION}</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
  </dependencies>
</project>
EOF
    log "fetching Kafka $VERSION jars from Maven Central ..."
    if ! mvn_cmd -q -f "$work/pom.xml" \
          org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
          -DincludeScope=runtime -DoutputDirectory="$LIBS" > "$work/mvn.log" 2>&1; then
      tail -n 20 "$work/mvn.log" >&2; die "mvn failed (log: $work/mvn.log)"
    fi
    touch "$LIBS/.complete"
  fi
  # TopicCommand lives in kafka-tools; its own jar is enough (its other deps are the broker's)
  if [ ! -f "$LIBS/kafka-tools-$VERSION.jar" ]; then
    log "fetching org.apache.kafka:kafka-tools:$VERSION (topic admin) ..."
    # (run outside any Maven project: the repository's own pom must not be read)
    if ! (cd "$BASE" && mvn_cmd -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
          -Dartifact="org.apache.kafka:kafka-tools:$VERSION" -DoutputDirectory="$LIBS" \
          > "$BASE/fetch-tools.log" 2>&1); then
      tail -n 20 "$BASE/fetch-tools.log" >&2; die "mvn failed (log: $BASE/fetch-tools.log)"
    fi
  fi
}

write_config() {
  mkdir -p "$BASE/data"
  (umask 077
   kafka_server_properties 127.0.0.1 127.0.0.1 "$PORT" "$CPORT" "$BASE/data" "$PARTITIONS" "$PASSWORD" > "$BASE/server.properties"
   kafka_client_properties "$PASSWORD" > "$BASE/client.properties")
  cat > "$BASE/log4j2.properties" <<'EOF'
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
}

topic_admin() {
  [ -f "$BASE/client.properties" ] || write_config
  "$JAVA" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$LIBS/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "127.0.0.1:$PORT" --command-config "$BASE/client.properties" "$@"
}

# has_topic_dirs TOPIC: all partition folders exist in our own data dir (cheap, no JVM)
has_topic_dirs() {
  local t=$1 p
  for ((p = 0; p < PARTITIONS; p++)); do [ -d "$BASE/data/$t-$p" ] || return 1; done
}

ensure_topics() {
  fetch
  local t missing=() existing pids=() failed=0 i
  if running_pid >/dev/null; then
    for t in ${TOPICS//,/ }; do has_topic_dirs "$t" || missing+=("$t"); done
  else   # someone else's broker: ask it
    existing=$(topic_admin --list 2>/dev/null) || die "cannot list topics on 127.0.0.1:$PORT"
    for t in ${TOPICS//,/ }; do grep -qx -- "$t" <<<"$existing" || missing+=("$t"); done
  fi
  [ "${#missing[@]}" -gt 0 ] || return 0
  log "creating topics (${PARTITIONS} partitions, replication 1): ${missing[*]}"
  for t in "${missing[@]}"; do   # one JVM each, in parallel
    topic_admin --create --if-not-exists --topic "$t" --partitions "$PARTITIONS" --replication-factor 1 \
      $([ "$t" = "$COMPACTED" ] && echo --config cleanup.policy=compact) >"$BASE/topic-$t.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      failed=1; cat "$BASE/topic-${missing[$i]}.log" >&2
    fi
    rm -f "$BASE/topic-${missing[$i]}.log"
  done
  [ "$failed" = 0 ] || die "topic creation failed"
}

start() {
  local pid
  adopt_legacy_pidfile
  if pid=$(running_pid); then
    log "Kafka running (pid $pid) on 127.0.0.1:$PORT"
    ensure_topics; echo "127.0.0.1:$PORT"; return 0
  fi
  rm -f "$PIDFILE"
  "$JAVA" -version 2>&1 | head -n 1 | grep -qE '"(1[7-9]|[2-9][0-9])[".]' || die "$JAVA is not Java 17+"
  if port_open "$PORT"; then
    warn "127.0.0.1:$PORT is served by a process this stack did not start (pid $(port_pid "$PORT")) - using it as is"
    ensure_topics; echo "127.0.0.1:$PORT"; return 0
  fi
  port_open "$CPORT" && die "127.0.0.1:$CPORT is already in use (pid $(port_pid "$CPORT"))"
  fetch
  write_config
  local cp="$LIBS/*"
  if [ -f "$BASE/data/meta.properties" ] && [ ! -f "$BASE/data/.scram" ]; then
    # formatted before the broker authenticated its clients: its metadata has no SCRAM user
    log "re-formatting $BASE/data (made without SASL users; its topics are dropped)"
    rm -rf "$BASE/data"; mkdir -p "$BASE/data"
  fi
  if [ ! -f "$BASE/data/meta.properties" ]; then
    local id; id=$("$JAVA" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    "$JAVA" -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$BASE/server.properties" \
        --add-scram "$(kafka_format_scram "$PASSWORD")" > "$BASE/format.log" 2>&1 \
      || { cat "$BASE/format.log" >&2; die "storage format failed"; }
    touch "$BASE/data/.scram"
  fi
  local offset; offset=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
  log "starting Kafka $VERSION on 127.0.0.1:$PORT (controller $CPORT, log $LOG)"
  # shellcheck disable=SC2086
  pid=$(spawn "$PIDFILE" "$LOG" "$JAVA" $HEAP -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$BASE/log4j2.properties" -cp "$cp" kafka.Kafka "$BASE/server.properties")
  local deadline=$((SECONDS + TIMEOUT))
  until tail -c +"$((offset + 1))" "$LOG" | grep -q 'Kafka Server started' && port_open "$PORT"; do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$LOG" >&2; rm -f "$PIDFILE"; die "broker exited during startup (log: $LOG)"; }
    if [ "$SECONDS" -ge "$deadline" ]; then
      stop_pid "$pid" kafka 10; rm -f "$PIDFILE"; tail -n 30 "$LOG" >&2; die "not ready after ${TIMEOUT}s"
    fi
    sleep 0.2
  done
  log "Kafka $VERSION ready (pid $pid)"
  ensure_topics
  echo "127.0.0.1:$PORT"
}

stop() {
  adopt_legacy_pidfile
  if [ ! -e "$PIDFILE" ]; then
    if port_open "$PORT"; then log "Kafka on 127.0.0.1:$PORT not started by the stack - leaving it running"
    else log "Kafka not running"; fi
    return 0
  fi
  stop_pidfile "$PIDFILE" "$PATTERN" kafka 30
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  fetch) fetch ;;
  topics) ensure_topics ;;
  status)
    adopt_legacy_pidfile
    if pid=$(running_pid); then status_line kafka running "$pid" "127.0.0.1:$PORT" "$LOG" owned
    elif port_open "$PORT"; then status_line kafka running "$(port_pid "$PORT")" "127.0.0.1:$PORT" - "adopted (not started by the stack)"
    else status_line kafka stopped - "127.0.0.1:$PORT" "$LOG"; exit 3; fi ;;
  *) die "usage: kafka.sh {start|stop|status|topics|fetch} [BASE_DIR]" ;;
esac
