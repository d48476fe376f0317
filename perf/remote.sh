#!/usr/bin/env bash
# Remote run overhead (issue #11): a pool executor of this tree in a network namespace, reached
# across a veth pair (docs/remote.md), against the same executor code as a pool executor on the
# gateway's own host, for the same mock run of e2e's slow processor (seconds=0), alternating so
# the shared machine's load hits both alike; and the time from a pool executor's SIGKILL to its
# run's attempt 2 starting on the pool's other executor. Both come from RemotePoolIT
# (perf mode: -Dhangar.perf.remote.runs=N), which prints them; this appends a row to results.md.
#   perf/remote.sh [RUNS]      (root: it creates a network namespace; the shared stack must be up)
#   perf/remote.sh --record    (records e2e/target/perf-remote.tsv of the last run without running again)
set -euo pipefail
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-20}
export HANGAR_DB_PASSWORD=${HANGAR_DB_PASSWORD:-$(cat "$STACK/.local/keys/db-password" 2>/dev/null)}
export HANGAR_INTERNAL_TOKEN=${HANGAR_INTERNAL_TOKEN:-$(cat "$STACK/.local/keys/internal-token" 2>/dev/null)}
export HANGAR_KAFKA_LIBS=${HANGAR_KAFKA_LIBS:-$STACK/.local/kafka/libs-4.3.1}
out="$ROOT/e2e/target/perf-remote.tsv"
if [[ $RUNS != --record ]]; then
rm -f "$out"
(cd "$ROOT" && JAVA_HOME=$JAVA_HOME mvn -B -o -q -pl gateway-service,executor-service,e2e -am verify \
  -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dit.test=RemotePoolIT -Dhangar.perf.remote.runs="$RUNS")
fi
read -r runs rp50 rp99 hp50 hp99 retry < "$out"
machine="$(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
day=$(date -u +%F)
rows=$(mktemp)
{
  echo "| $day | $machine | remote submit→envelope p50 ($runs mock runs, across a veth) | $rp50 ms | $hp50 ms (pool executor on the gateway's host) | $(ratio "$rp50" "$hp50")× |"
  echo "| $day | $machine | remote submit→envelope p99 | $rp99 ms | $hp99 ms | $(ratio "$rp99" "$hp99")× |"
  echo "| $day | $machine | executor SIGKILL → attempt 2 started on the pool's other executor | $retry ms | 6000 ms (the Kafka session timeout; the 5 s lease runs out meanwhile) | $(ratio "$retry" 6000)× |"
} > "$rows"
cat "$rows"
if ! grep -q '^# Results: perf/remote.sh' "$ROOT/perf/results.md"; then
  printf '\n# Results: perf/remote.sh\n\nRecorded by `perf/remote.sh` (RemotePoolIT in perf mode). Baseline of the overhead: the same\nexecutor code serving another pool on the gateway'"'"'s host (no network hop), measured alternately in\nthe same run (the default executors run the same RunService and LocalAdapter code, so this is the cost\nof the network hop: veth, forwarders, the pool's topic); baseline of the retry: the Kafka session timeout\nthe test configures (6 s), the least a partition hand-over can take (the 5 s attempt lease runs out meanwhile).\n\n| date | machine | measure | Hangar | baseline, same run | ratio |\n|---|---|---|---|---|---|\n' >> "$ROOT/perf/results.md"
fi
record "# Results: perf/remote.sh" "$rows"
rm -f "$rows"
