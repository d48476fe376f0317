#!/usr/bin/env bash
# Overhead of `hangar run` against a bare `docker run` of the same container, for mock runs with a
# 1 KB and a 50 MB output (perf/processors/blob), and the CLI's start-up against a bare JVM start.
# Every number is a ratio against a baseline measured in this same run. Appends to perf/results.md.
#   perf/output-overhead.sh [RUNS]      (needs `bin/stack up`)
set -euo pipefail
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-20}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

"$HANGAR_CLI" push --override "$ROOT/perf/processors/blob" >/dev/null
image=$("$HANGAR_CLI" processors get perf/blob@1 --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["image"]+"@"+s["digests"]["amd64"])')

bare() { # SIZE -> one bare run's ms on stdout
  local io start cid
  io=$(mktemp -d "$work/io.XXXX"); chmod 0777 "$io"
  start=$(date +%s%N)
  cid=$(docker run -d --network none --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
        --user 10001:10001 -v "$io:/hangar/io" -e HANGAR_MODE=mock "$image")
  until curl -fsS --unix-socket "$io/runtime.sock" http://runtime/health-check 2>/dev/null | grep -q READY; do sleep 0.005; done
  curl -fsS --unix-socket "$io/runtime.sock" -H 'Content-Type: application/json' -d "{\"input\":{\"size_bytes\":$1}}" \
       http://runtime/predictions >/dev/null
  docker rm -f "$cid" >/dev/null
  ms_since "$start"
  rm -rf "$io"
}

report() { # LABEL HANGAR_FILE BARE_FILE
  local h50 h99 b50 b99
  h50=$(pct "$2" 50); h99=$(pct "$2" 99); b50=$(pct "$3" 50); b99=$(pct "$3" 99)
  local r50 r99
  r50=$(awk -v a="$h50" -v b="$b50" 'BEGIN{printf "%.2f", a/b}'); r99=$(awk -v a="$h99" -v b="$b99" 'BEGIN{printf "%.2f", a/b}')
  printf '%-22s hangar p50=%sms p99=%sms  baseline p50=%sms p99=%sms  ratio p50=%sx p99=%sx\n' "$1" "$h50" "$h99" "$b50" "$b99" "$r50" "$r99"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(date -u +%F)" "$1" "$RUNS" "$h50" "$h99" "$b50" "$b99" "$r50" "$r99" > "$work/row"
  record "# Results: output size" "$work/row"
}

for size in 1024 52428800; do
  label="output $((size / 1024)) KiB"
  "$JAVA_HOME/bin/java" "$ROOT/perf/RunLatency.java" 2 "{\"ref\":\"perf/blob@1\",\"inputs\":{\"size_bytes\":$size}}" >/dev/null
  "$JAVA_HOME/bin/java" "$ROOT/perf/RunLatency.java" "$RUNS" "{\"ref\":\"perf/blob@1\",\"inputs\":{\"size_bytes\":$size}}" > "$work/h.$size"
  for _ in $(seq 1 "$RUNS"); do bare "$size" >> "$work/b.$size"; done
  report "$label" "$work/h.$size" "$work/b.$size"
done

# CLI start-up: `hangar --version` against the JVM alone printing its version, same JDK, same flags.
for _ in $(seq 1 "$RUNS"); do
  s=$(date +%s%N); "$HANGAR_CLI" --version >/dev/null; ms_since "$s" >> "$work/cli"
  s=$(date +%s%N); "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version 2>/dev/null; ms_since "$s" >> "$work/jvm"
done
report "cli start-up" "$work/cli" "$work/jvm"
