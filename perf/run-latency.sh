#!/usr/bin/env bash
# 200 sequential mock runs of examples/echo, submit -> envelope, through the whole stack, beside
# a bare `docker run` of the same pinned image doing the same work (start the container with no
# network and the spec's limits, wait for READY, one prediction over the unix socket, remove it),
# in the same script.
# Prints p50/p99 of both and their ratio, and appends a row to perf/results.md.
#   perf/run-latency.sh [RUNS]     (needs `bin/stack up` and `bin/hangar push --override examples/processors/echo`)
# PERF_RECORD=0 leaves results.md alone (perf/bench.sh records its own table).
set -euo pipefail
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-200}
INPUTS='{"schema":"v1","params":{"messages":[{"role":"user","content":"Hello"}]}}'
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

image=$(image_of examples/echo@1)
limits=$(limits_of examples/echo@1)
echo "image: $image ($limits)" >&2

echo "warm-up" >&2
"$JAVA" "$ROOT/perf/RunLatency.java" 3 "{\"ref\":\"examples/echo@1\",\"inputs\":$INPUTS}" >/dev/null

echo "hangar: $RUNS sequential runs" >&2
"$JAVA" "$ROOT/perf/RunLatency.java" "$RUNS" "{\"ref\":\"examples/echo@1\",\"inputs\":$INPUTS}" > "$work/hangar.ms"

echo "bare docker run: $RUNS sequential runs" >&2
for _ in $(seq 1 "$RUNS"); do
  io=$(mktemp -d "$work/io.XXXX"); chmod 0777 "$io"
  start=$(date +%s%N)
  cid=$(bare_container "$io" "$image" "$limits")
  curl -fsS --unix-socket "$io/runtime.sock" -H 'Content-Type: application/json' \
       -d "{\"input\":$INPUTS}" http://runtime/predictions >/dev/null
  docker rm -f "$cid" >/dev/null
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 ))" | awk '{printf "%.1f\n", $1/1000}' >> "$work/bare.ms"
  rm -rf "$io"
done

h50=$(pct "$work/hangar.ms" 50); h99=$(pct "$work/hangar.ms" 99)
b50=$(pct "$work/bare.ms" 50);  b99=$(pct "$work/bare.ms" 99)
r50=$(ratio "$h50" "$b50"); r99=$(ratio "$h99" "$b99")
printf 'runs=%s  hangar p50=%sms p99=%sms  bare docker p50=%sms p99=%sms  ratio p50=%sx p99=%sx\n' \
  "$RUNS" "$h50" "$h99" "$b50" "$b99" "$r50" "$r99"
if [ "${PERF_RECORD:-1}" != 0 ]; then
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(date -u +%F)" "$RUNS" "$h50" "$h99" "$b50" "$b99" "$r50" "$r99" > "$work/row"
  record "# Results: submit" "$work/row"
fi
