#!/usr/bin/env bash
# 200 sequential mock runs of examples/echo, submit -> envelope, through the whole stack, beside
# a bare `docker run` of the same pinned image doing the same work (start the container with no
# network, wait for READY, one prediction over the unix socket, remove it), in the same script.
# Prints p50/p99 of both and their ratio, and appends a row to perf/results.md.
#   perf/run-latency.sh [RUNS]     (needs `bin/stack up` and `bin/hangar push --override examples/processors/echo`)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-200}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export HANGAR_TOKEN=${HANGAR_TOKEN:-$(cat "$ROOT/.local/keys/local-token" 2>/dev/null)}
INPUTS='{"schema":"v1","params":{"messages":[{"role":"user","content":"Hello"}]}}'
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

image=$("$ROOT/bin/hangar" processors get examples/echo@1 --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["image"]+"@"+s["digests"]["amd64"])')
echo "image: $image" >&2

pct() { sort -n "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int((NR*p+99)/100); if(i<1)i=1; printf "%.1f", a[i]}'; }

echo "warm-up" >&2
"$JAVA_HOME/bin/java" "$ROOT/perf/RunLatency.java" 3 "{\"ref\":\"examples/echo@1\",\"inputs\":$INPUTS}" >/dev/null

echo "hangar: $RUNS sequential runs" >&2
"$JAVA_HOME/bin/java" "$ROOT/perf/RunLatency.java" "$RUNS" "{\"ref\":\"examples/echo@1\",\"inputs\":$INPUTS}" > "$work/hangar.ms"

echo "bare docker run: $RUNS sequential runs" >&2
for _ in $(seq 1 "$RUNS"); do
  io=$(mktemp -d "$work/io.XXXX"); chmod 0777 "$io"
  start=$(date +%s%N)
  cid=$(docker run -d --network none --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
        --user 10001:10001 -v "$io:/hangar/io" -e HANGAR_MODE=mock "$image")
  until curl -fsS --unix-socket "$io/runtime.sock" http://runtime/health-check 2>/dev/null | grep -q READY; do sleep 0.005; done
  curl -fsS --unix-socket "$io/runtime.sock" -H 'Content-Type: application/json' \
       -d "{\"input\":$INPUTS}" http://runtime/predictions >/dev/null
  docker rm -f "$cid" >/dev/null
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 ))" | awk '{printf "%.1f\n", $1/1000}' >> "$work/bare.ms"
  rm -rf "$io"
done

h50=$(pct "$work/hangar.ms" 50); h99=$(pct "$work/hangar.ms" 99)
b50=$(pct "$work/bare.ms" 50);  b99=$(pct "$work/bare.ms" 99)
r50=$(awk -v a="$h50" -v b="$b50" 'BEGIN{printf "%.2f", a/b}'); r99=$(awk -v a="$h99" -v b="$b99" 'BEGIN{printf "%.2f", a/b}')
printf 'runs=%s  hangar p50=%sms p99=%sms  bare docker p50=%sms p99=%sms  ratio p50=%sx p99=%sx\n' \
  "$RUNS" "$h50" "$h99" "$b50" "$b99" "$r50" "$r99"
printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(date -u +%F)" "$RUNS" "$h50" "$h99" "$b50" "$b99" "$r50" "$r99" >> "$ROOT/perf/results.md"
