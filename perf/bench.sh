#!/usr/bin/env bash
# The issue #8 benchmarks in one command, each against a baseline measured in the same run, on
# the same machine; prints one table (measure, baseline, ratio, the issue's goal) and what
# bounded each number, and records the table in perf/results.md.
#
#   perf/bench.sh [--only LIST] [--small] [--no-record]
#     LIST: comma-separated of warm, cold, throughput, fanout, http (default: all)
#     --small      development sizes (20 warm runs, 10 cold, 50 runs/s runs, 50 subscribers); never recorded
#     --no-record  leave perf/results.md alone
#   Sizes (full / --small), each overridable by its env var:
#     BENCH_WARM_RUNS 200/20  BENCH_COLD_RUNS 100/10  BENCH_TP_RUNS 1000/50  BENCH_TP_COLD_RUNS 40/10
#     BENCH_SUBS 1000/50  BENCH_TOKENS 50/20  BENCH_INTERVAL_MS 200/50  BENCH_WRK_SECONDS 5/2  BENCH_WRK_CONNS "1 16 64"/"1 8"
#   Needs the stack up (`bin/stack up`; another checkout's with HANGAR_STACK_ROOT=...), Docker, and
#   wrk (installed here with apt-get when missing). Pushes perf/processors/{noop,tokens} with --override.
#
# warm:       submit → envelope of perf/noop (warm spec), sequential, vs bare POST /predictions to a
#             container of the same image started here (RuntimePost.java)
# cold:       perf/run-latency.sh (examples/echo vs bare `docker run`)
# throughput: no-op runs/s submitted on the bus, with the stack's executor and then with a second one
#             started here (stopped by PID at the end), vs a bare produce→consume (Throughput.java)
# fanout:     1,000 subscribers on one run's stream and 1,000 on the all-runs stream vs a bare
#             Vert.x broadcast of the same frames (FanOut.java)
# http:       GET /v1/runs/{id} req/s with wrk at a few connection counts, beside GET /q/health/live
set -euo pipefail
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
ONLY=warm,cold,throughput,fanout,http SMALL=0 RECORD=1
while [ "$#" -gt 0 ]; do
  case "$1" in
    --only) ONLY=$2; shift ;;
    --small) SMALL=1 ;;
    --no-record) RECORD=0 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
  shift
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }
size() { if [ "$SMALL" = 1 ]; then echo "$2"; else echo "$1"; fi; }
WARM_RUNS=${BENCH_WARM_RUNS:-$(size 200 20)}
COLD_RUNS=${BENCH_COLD_RUNS:-$(size 100 10)}
TP_RUNS=${BENCH_TP_RUNS:-$(size 1000 50)}
TP_COLD_RUNS=${BENCH_TP_COLD_RUNS:-$(size 40 10)}
SUBS=${BENCH_SUBS:-$(size 1000 50)}
TOKENS=${BENCH_TOKENS:-$(size 50 20)}
INTERVAL_MS=${BENCH_INTERVAL_MS:-$(size 200 50)}
WRK_SECONDS=${BENCH_WRK_SECONDS:-$(size 5 2)}
WRK_CONNS=${BENCH_WRK_CONNS:-$(size "1 16 64" "1 8")}
GATEWAY=${HANGAR_GATEWAY:-http://127.0.0.1:8080}

work=$(mktemp -d)
BARE_CID="" EXEC2_PID="" EXEC2_ID=""
trap 'rm -rf "$work"' EXIT
log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }
row() { printf '| %s | %s | %s | %s | %s |\n' "$@" >> "$work/rows"; }
note() { echo "- $*" >> "$work/notes"; log "$*"; }
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -n 1; } # kv KEY LINE: the value of KEY=value in LINE
java_cp() { "$JAVA" -cp "$CP" "$@" 2> >(grep -v -e SLF4J -e 'WARNING: ' >&2); }
CPU_PID=""
cpu_start() { rm -f "$work/cpu"; python3 "$ROOT/perf/cpu.py" watch "$work/cpu" & CPU_PID=$!; sleep 0.3; }
cpu_report() { # the CPU line of what ran since cpu_start (may run in a subshell: waits for the file, not the pid)
  kill -TERM "$CPU_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do [ -s "$work/cpu" ] && break; sleep 0.1; done
  cat "$work/cpu" 2>/dev/null || echo "(no CPU sample)"
}

# ---------------------------------------------------------------- preflight and fixtures
[ -n "$HANGAR_TOKEN" ] || die "no token: set HANGAR_TOKEN or HANGAR_STACK_ROOT (a checkout with .local/keys/local-token)"
curl -fsS "$GATEWAY/q/health/ready" >/dev/null || die "the gateway at $GATEWAY is not ready: bin/stack up"
docker info >/dev/null 2>&1 || die "Docker is not reachable"
CP=$("$ROOT/perf/classpath.sh")
: > "$work/rows"; : > "$work/notes"

# the warm spec, or (a registry that does not know `warm:` yet) the same processor without it
WARM=0
if out=$("$HANGAR_CLI" push "$ROOT/perf/processors/noop" --override 2>&1); then
  WARM=1
elif grep -q -e "unknown key 'warm'" -e 'Unrecognized field "warm"' <<<"$out"; then
  # the CLI (unknown key) or the registry (unrecognized field) does not know the key yet
  note "warm pool not available: the spec's \`warm:\` is refused ($(grep -m1 -o -e "unknown key 'warm'" -e 'Unrecognized field "warm"' <<<"$out"))"
  mkdir -p "$work/noop" && cp "$ROOT/perf/processors/noop/"* "$work/noop/"
  python3 - "$work/noop/hangar.yaml" <<'EOF'
import re, sys
spec = open(sys.argv[1]).read()
open(sys.argv[1], "w").write(re.sub(r"(?m)^warm:\n(?:  .*\n)+", "", spec))
EOF
  "$HANGAR_CLI" push "$work/noop" --override >/dev/null 2>"$work/push.err" || { cat "$work/push.err" >&2; die "pushing perf/noop without warm: failed"; }
else
  die "pushing perf/processors/noop failed: $out"
fi
NOOP_IMAGE=$(image_of perf/noop@1); NOOP_LIMITS=$(limits_of perf/noop@1)
log "perf/noop@1: $NOOP_IMAGE (warm pool: $([ "$WARM" = 1 ] && echo yes || echo no))"
NA="warm pool not available"
# x RATIO: "1.31×", or "-" when there is none
x() { if [ "$1" = - ]; then echo -; else echo "$1×"; fi; }
ms_or_na() { if [ -n "$1" ]; then echo "$1 ms"; else echo "$NA"; fi; }

# ---------------------------------------------------------------- warm submit → envelope
bench_warm() {
  log "warm: $WARM_RUNS sequential runs of perf/noop, and as many bare POST /predictions"
  local body='{"ref":"perf/noop@1","mode":"mock","inputs":{}}' h50="" h99="" w50="" w99="" b50 b99 io
  if [ "$WARM" = 1 ]; then
    "$JAVA" "$ROOT/perf/RunLatency.java" 20 "$body" "$GATEWAY" >/dev/null
    "$JAVA" "$ROOT/perf/RunLatency.java" "$WARM_RUNS" "$body" "$GATEWAY" > "$work/warm.ms"
    h50=$(pct "$work/warm.ms" 50); h99=$(pct "$work/warm.ms" 99)
    # the same runs answered by the POST itself (Prefer: wait): no WebSocket upgrade, auth or replay per run
    "$JAVA" "$ROOT/perf/RunLatency.java" "$WARM_RUNS" "$body" "$GATEWAY" wait > "$work/warm-wait.ms"
    w50=$(pct "$work/warm-wait.ms" 50); w99=$(pct "$work/warm-wait.ms" 99)
    local kept
    kept=$(docker ps -q --filter "ancestor=$NOOP_IMAGE" | wc -l)
    note "warm: $kept container(s) of perf/noop running after the runs"
    [ "$kept" -gt 0 ] || note "warm: WARNING: no container of perf/noop outlives its run, so the executor keeps no warm pool: the warm rows measured the cold path"
  fi
  io=$(mktemp -d "$work/io.XXXX"); chmod 0777 "$io"
  BARE_CID=$(bare_container "$io" "$NOOP_IMAGE" "$NOOP_LIMITS")
  "$JAVA" "$ROOT/perf/RuntimePost.java" 20 "$WARM_RUNS" "$io/runtime.sock" '{"input":{}}' > "$work/bare-warm.ms"
  docker rm -f "$BARE_CID" >/dev/null; BARE_CID=""
  b50=$(pct "$work/bare-warm.ms" 50); b99=$(pct "$work/bare-warm.ms" 99)
  row "warm submit→envelope p50, sequential ($WARM_RUNS runs)" "$(ms_or_na "$h50")" "$b50 ms (bare POST /predictions)" "$(x "$(ratio "$h50" "$b50")")" "≤ 25 ms"
  row "warm submit→envelope p99, sequential" "$(ms_or_na "$h99")" "$b99 ms" "$(x "$(ratio "$h99" "$b99")")" "≤ 100 ms"
  row "warm submit→envelope p50, \`Prefer: wait\` ($WARM_RUNS runs)" "$(ms_or_na "$w50")" "$b50 ms" "$(x "$(ratio "$w50" "$b50")")" "≤ 25 ms"
  row "warm submit→envelope p99, \`Prefer: wait\`" "$(ms_or_na "$w99")" "$b99 ms" "$(x "$(ratio "$w99" "$b99")")" "≤ 100 ms"
}

# ---------------------------------------------------------------- cold submit → envelope
bench_cold() {
  log "cold: perf/run-latency.sh $COLD_RUNS"
  "$HANGAR_CLI" processors get examples/echo@1 --json >/dev/null 2>&1 || "$HANGAR_CLI" push "$ROOT/examples/processors/echo" >/dev/null
  local line
  line=$(PERF_RECORD=0 "$ROOT/perf/run-latency.sh" "$COLD_RUNS" | tail -n 1)
  local h50 h99 b50 b99
  h50=$(sed -n 's/.*hangar p50=\([0-9.]*\)ms.*/\1/p' <<<"$line"); h99=$(sed -n 's/.*hangar p50=[0-9.]*ms p99=\([0-9.]*\)ms.*/\1/p' <<<"$line")
  b50=$(sed -n 's/.*bare docker p50=\([0-9.]*\)ms.*/\1/p' <<<"$line"); b99=$(sed -n 's/.*bare docker p50=[0-9.]*ms p99=\([0-9.]*\)ms.*/\1/p' <<<"$line")
  row "cold submit→envelope p50 (examples/echo, $COLD_RUNS runs)" "$h50 ms" "$b50 ms (bare \`docker run\`)" "$(x "$(ratio "$h50" "$b50")")" "≤ 1.2×"
  row "cold submit→envelope p99" "$h99 ms" "$b99 ms" "$(x "$(ratio "$h99" "$b99")")" "≤ 1.2×"
}

# ---------------------------------------------------------------- runs/s
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# a second executor like the stack's (same build, same environment as bin/lib/services.sh gives
# it), with its own HTTP port, id and work folder; it joins the consumer group hangar-executor
start_executor2() {
  local jar=${EXECUTOR_JAR:-} j port deadline
  if [ -z "$jar" ]; then
    for j in "$STACK/.local/services/executor-service/quarkus-run.jar" "$STACK/executor-service/target/quarkus-app/quarkus-run.jar"; do
      [ -f "$j" ] && { jar=$j; break; }
    done
  fi
  [ -n "$jar" ] || die "no executor build (EXECUTOR_JAR, or $STACK/.local/services/executor-service/quarkus-run.jar)"
  port=$(free_port)
  EXEC2_ID=perf-executor-$(date +%s)
  mkdir -p "$work/executor-2"
  (cd "$STACK" && exec env QUARKUS_HTTP_HOST=127.0.0.1 "QUARKUS_HTTP_PORT=$port" "HANGAR_EXECUTOR_WORK_DIR=$work/executor-2" \
     "HANGAR_EXECUTOR_ID=$EXEC2_ID" "HANGAR_INTERNAL_TOKEN=$(cat "$STACK/.local/keys/internal-token")" "KAFKA_PASSWORD=$KAFKA_PASSWORD" \
     "$JAVA" -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar") > "$work/executor-2.log" 2>&1 &
  EXEC2_PID=$!
  log "second executor $EXEC2_ID (pid $EXEC2_PID, :$port, $jar)"
  deadline=$((SECONDS + 90))
  until curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; do
    kill -0 "$EXEC2_PID" 2>/dev/null || { tail -n 30 "$work/executor-2.log" >&2; die "the second executor exited"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 30 "$work/executor-2.log" >&2; die "the second executor is not ready after 90 s"; }
    sleep 0.5
  done
}

stop_executor2() {
  [ -n "$EXEC2_PID" ] || return 0
  kill -TERM "$EXEC2_PID" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$EXEC2_PID" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$EXEC2_PID" 2>/dev/null || true
  wait "$EXEC2_PID" 2>/dev/null || true
  EXEC2_PID=""
  docker ps -aq --filter "label=dev.hangar.executor=$EXEC2_ID" | xargs -r docker rm -f >/dev/null
}

# tp_run LABEL RUNS [ENTRY]: one measured batch of no-op runs, on the bus (or ENTRY=http: POST
# /v1/runs, 32 in flight); prints the result line, notes the CPU and the executors' shares
tp_run() {
  local line
  cpu_start
  line=$(java_cp "$ROOT/perf/Throughput.java" hangar "$2" perf/noop@1 "${3:-bus}" 120)
  note "$1: $(cpu_report); runs by executor: $(kv by_executor "$line")"
  [ "$(kv failed "$line")" = 0 ] || note "$1: $(kv failed "$line") run(s) failed"
  [ "$(kv timed_out "$line")" = false ] || note "$1: only $(kv done "$line") of $2 runs ended within 120 s"
  echo "$line"
}

bench_throughput() {
  log "throughput: bare produce→consume of $TP_RUNS records"
  local bare line rate
  bare=$(java_cp "$ROOT/perf/Throughput.java" bare "$TP_RUNS")
  local b
  b=$(kv rate "$bare")
  note "bare Kafka: $TP_RUNS records of $(kv record_bytes "$bare") bytes on $(kv partitions "$bare") partitions, one producer and one consumer, in $(kv seconds "$bare") s"
  if [ "$WARM" = 1 ]; then
    java_cp "$ROOT/perf/Throughput.java" hangar 50 perf/noop@1 bus 60 >/dev/null # fills the pool
    line=$(tp_run "1 executor" "$TP_RUNS"); rate=$(kv rate "$line")
    row "no-op runs/s on the bus, 1 executor, warm ($TP_RUNS runs)" "$rate" "$b (bare Kafka)" "$(x "$(ratio "$rate" "$b")")" "≥ 1,000"
    line=$(tp_run "1 executor, POST /v1/runs" "$TP_RUNS" http); rate=$(kv rate "$line")
    row "no-op runs/s by POST /v1/runs (32 in flight), 1 executor, warm" "$rate" "$b" "$(x "$(ratio "$rate" "$b")")" "—"
    start_executor2
    java_cp "$ROOT/perf/Throughput.java" hangar 100 perf/noop@1 bus 60 >/dev/null # the rebalance, the new pool
    line=$(tp_run "2 executors" "$TP_RUNS"); rate=$(kv rate "$line")
    stop_executor2
    row "no-op runs/s on the bus, 2 executors, warm" "$rate" "$b" "$(x "$(ratio "$rate" "$b")")" "≥ 1,000"
  else
    row "no-op runs/s on the bus, 1 executor, warm" "$NA" "$b (bare Kafka)" "-" "≥ 1,000"
    row "no-op runs/s on the bus, 2 executors, warm" "$NA" "$b" "-" "≥ 1,000"
    log "throughput: $TP_COLD_RUNS cold runs instead, with 1 and 2 executors"
    line=$(tp_run "1 executor, cold" "$TP_COLD_RUNS"); rate=$(kv rate "$line")
    row "(no warm pool) no-op runs/s, 1 executor, cold ($TP_COLD_RUNS runs)" "$rate" "$b" "$(x "$(ratio "$rate" "$b")")" "—"
    start_executor2
    java_cp "$ROOT/perf/Throughput.java" hangar 4 perf/noop@1 bus 60 >/dev/null # the rebalance
    line=$(tp_run "2 executors, cold" "$TP_COLD_RUNS"); rate=$(kv rate "$line")
    stop_executor2
    row "(no warm pool) no-op runs/s, 2 executors, cold" "$rate" "$b" "$(x "$(ratio "$rate" "$b")")" "—"
  fi
}

# ---------------------------------------------------------------- WebSocket fan-out
bench_fanout() {
  "$HANGAR_CLI" push "$ROOT/perf/processors/tokens" --override >/dev/null 2>"$work/push.err" || { cat "$work/push.err" >&2; die "pushing perf/processors/tokens failed"; }
  local delay=$((3000 + SUBS * 6)) out
  log "fanout: $SUBS subscribers, $TOKENS tokens ${INTERVAL_MS} ms apart (the run waits ${delay} ms for its subscribers)"
  cpu_start
  out=$(java_cp "$ROOT/perf/FanOut.java" "$SUBS" "$TOKENS" "$INTERVAL_MS" "$delay")
  note "fan-out: $(cpu_report)"
  local run all bare closing
  run=$(grep '^case=hangar-run' <<<"$out"); all=$(grep '^case=hangar-all' <<<"$out")
  bare=$(grep '^case=bare-vertx ' <<<"$out"); closing=$(grep '^case=bare-vertx-closing ' <<<"$out")
  note "fan-out: $(kv events "$run") events a run; the $SUBS run-stream sockets joined in $(kv connect_s "$run") s and got $(kv replayed "$run") event(s) as replay (older than their socket), the all-runs ones in $(kv connect_s "$all") s; spread after the first receipt p50/p99: one run $(kv spread_p50 "$run")/$(kv spread_p99 "$run") ms, all runs $(kv spread_p50 "$all")/$(kv spread_p99 "$all") ms, bare $(kv spread_p50 "$closing")/$(kv spread_p99 "$closing") ms closing, $(kv spread_p50 "$bare")/$(kv spread_p99 "$bare") ms not; the slowest event most sockets got live (seq:p50/p99 over the sockets) one run $(kv slowest "$run"), all runs $(kv slowest "$all"), bare $(kv slowest "$closing") closing, $(kv slowest "$bare") not, ms; the terminal event (p50/p99) one run $(kv terminal "$run"), all runs $(kv terminal "$all"), bare $(kv terminal "$closing") closing, $(kv terminal "$bare") not, ms"
  fan_row() { # LABEL LINE BASELINE-LINE BASELINE-NAME
    row "$1" "$(kv p50 "$2") / $(kv p99 "$2") ms, $(kv dropped "$2") dropped" \
        "$(kv p50 "$3") / $(kv p99 "$3") ms, $(kv dropped "$3") dropped ($4)" \
        "$(x "$(ratio "$(kv p50 "$2")" "$(kv p50 "$3")")") / $(x "$(ratio "$(kv p99 "$2")" "$(kv p99 "$3")")")" "p99 ≤ 50 ms, none dropped"
  }
  fan_row "WS delivery p50 / p99, $SUBS subscribers on one run" "$run" "$closing" "bare Vert.x, closing after the envelope"
  fan_row "WS delivery p50 / p99, $SUBS subscribers on all runs" "$all" "$bare" "bare Vert.x"
}

# ---------------------------------------------------------------- GET /v1/runs/{id}
ensure_wrk() {
  command -v wrk >/dev/null && return 0
  log "installing wrk (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; } \
    || die "wrk is missing and apt-get could not install it"
}

wrk_rate() { # CONNS URL: "req/s p99_ms non2xx"
  local out threads=$(( $1 < 2 ? 1 : 2 ))
  out=$(wrk -t"$threads" -c"$1" -d"${WRK_SECONDS}s" --latency -H "Authorization: Bearer $HANGAR_TOKEN" "$2")
  printf '%s %s %s\n' "$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")" \
    "$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.1f", v}' <<<"$out")" \
    "$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
}

bench_http() {
  ensure_wrk
  local id c r h
  id=$(curl -fsS -H "Authorization: Bearer $HANGAR_TOKEN" -H 'Content-Type: application/json' \
        -d '{"ref":"perf/noop@1","mode":"mock","inputs":{}}' "$GATEWAY/v1/runs" | sed -n 's/.*"execution_id":"\([^"]*\)".*/\1/p')
  for _ in $(seq 1 120); do
    curl -fsS -H "Authorization: Bearer $HANGAR_TOKEN" "$GATEWAY/v1/runs/$id" | grep -q '"status":"success"' && break
    sleep 0.5
  done
  log "http: wrk on GET /v1/runs/$id (ended run), ${WRK_SECONDS} s per connection count"
  for c in $WRK_CONNS; do
    cpu_start
    read -r -a r <<<"$(wrk_rate "$c" "$GATEWAY/v1/runs/$id")"
    note "GET /v1/runs/{id} c=$c: $(cpu_report)"
    read -r -a h <<<"$(wrk_rate "$c" "$GATEWAY/q/health/live")"
    [ -z "${r[2]:-}" ] || note "GET /v1/runs/{id} c=$c: ${r[2]} answers were not 2xx"
    row "GET /v1/runs/{id} req/s, $c connection(s) (p99 latency)" "${r[0]} (${r[1]} ms)" "${h[0]} (${h[1]} ms) GET /q/health/live" "$(x "$(ratio "${r[0]}" "${h[0]}")")" "report"
  done
}

# each part in a subshell of its own: one that fails leaves a row saying so, cleans up what it
# started (a container, the second executor, the sampler) and the others still run
part_cleanup() {
  [ -z "$CPU_PID" ] || kill -TERM "$CPU_PID" 2>/dev/null || true
  [ -z "$BARE_CID" ] || docker rm -f "$BARE_CID" >/dev/null 2>&1 || true
  stop_executor2
}
for part in warm cold throughput fanout http; do
  wants "$part" || continue
  set +e
  (trap part_cleanup EXIT; trap "exit 130" INT TERM; set -e; "bench_$part")
  rc=$?
  set -e
  [ "$rc" = 0 ] || row "$part" "failed (exit $rc): see the messages above" "-" "-" "-"
done

machine="$(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "perf/bench.sh — $(date -u '+%F %H:%M UTC'), $machine$([ "$SMALL" = 1 ] && echo ', --small sizes')"
echo
echo "| measure | Hangar | baseline, same run | ratio | goal (2 cores) |"
echo "|---|---|---|---|---|"
cat "$work/rows"
echo
echo "What bounded them:"
cat "$work/notes"
if [ "$RECORD" = 1 ] && [ "$SMALL" = 0 ]; then
  sed "s/^/| $(date -u +%F) | $machine /" "$work/rows" > "$work/record"
  record "# Results: perf/bench.sh" "$work/record"
  log "recorded in perf/results.md"
fi
