# shellcheck shell=bash
# Shared by the perf scripts (sourced): where the stack is, its credentials, the CLI, percentiles.
#   HANGAR_STACK_ROOT  the checkout whose `bin/stack up` runs the stack (its .local/keys); default
#                      this checkout. HANGAR_CLI: the hangar command (default $HANGAR_STACK_ROOT/bin/hangar).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK=${HANGAR_STACK_ROOT:-$ROOT}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
HANGAR_CLI=${HANGAR_CLI:-$STACK/bin/hangar}
export HANGAR_TOKEN=${HANGAR_TOKEN:-$(cat "$STACK/.local/keys/local-token" 2>/dev/null)}
export KAFKA_PASSWORD=${KAFKA_PASSWORD:-$(cat "$STACK/.local/keys/kafka-password" 2>/dev/null)}

# pct FILE P: the P-th percentile (nearest rank) of one number a line
pct() { sort -n "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int((NR*p+99)/100); if(i<1)i=1; printf "%.1f", a[i]}'; }
# ratio A B: A/B with two decimals, two significant digits below 0.1 ("-" when either is missing)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "" || b == "" || b + 0 == 0) print "-"; else if (a/b < 0.1) printf "%.2g", a/b; else printf "%.2f", a/b }'; }
# image_of REF: the pinned amd64 image of a pushed processor (image@digest)
image_of() {
  "$HANGAR_CLI" processors get "$1" --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["image"]+"@"+s["digests"]["amd64"])'
}
# limits_of REF: the docker flags of the limits the executor puts on a pushed processor's container
# (the spec's runtime.cpu and memory_mb, the executor's default pids limit of 256)
limits_of() {
  "$HANGAR_CLI" processors get "$1" --json | python3 -c 'import json,sys; r=json.load(sys.stdin)["runtime"]
print("--cpus %s --memory %dm --memory-swap %dm --pids-limit 256" % (r["cpu"], r["memory_mb"], r["memory_mb"]))'
}
# bare_container IO IMAGE [LIMITS]: starts the image as the executor does (no network, read-only,
# unprivileged, the spec's limits as limits_of prints them, IO mounted at /hangar/io), waits until
# its runtime answers READY; prints the container id
bare_container() {
  local cid
  # shellcheck disable=SC2086 # LIMITS is a list of flags
  cid=$(docker run -d --network none --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
        ${3:-} --user 10001:10001 -v "$1:/hangar/io" -e HANGAR_MODE=mock "$2")
  until curl -fsS --unix-socket "$1/runtime.sock" http://runtime/health-check 2>/dev/null | grep -q READY; do sleep 0.005; done
  echo "$cid"
}
# record HEADING ROWS_FILE: adds the table rows in ROWS_FILE to perf/results.md, after the last row
# of the table under the line that starts with HEADING (at the end of the file if there is none); the
# section ends at the next heading of any level, so a "## Issue #9" below a "# Results" is its own
record() {
  local file=$ROOT/perf/results.md tmp
  tmp=$(mktemp)
  awk -v head="$1" -v rows="$2" '
    { line[NR] = $0 }
    END {
      sect = 0; last = 0
      for (i = 1; i <= NR; i++) {
        if (index(line[i], head) == 1) sect = 1
        else if (sect && line[i] ~ /^#+ /) sect = 0
        if (sect && line[i] ~ /^\|/) last = i
      }
      for (i = 1; i <= NR; i++) { print line[i]; if (i == last) while ((getline l < rows) > 0) print l }
      if (last == 0) while ((getline l < rows) > 0) print l
    }' "$file" > "$tmp" && cat "$tmp" > "$file"
  rm -f "$tmp"
}
