#!/usr/bin/env bash
# Slurm submit -> RUNNING through the Slurm adapter's REST path (slurmrestd, JWT, the adapter's
# request fields, GET job/{id} until RUNNING) against `sbatch` of the same job (squeue until
# RUNNING), alternating, in the same script on the same cluster; both poll every POLL_MS.
# Prints p50/p99 of both and their ratio, and appends a row to perf/results.md.
#   perf/slurm.sh [RUNS] [POLL_MS]     (default 20 runs each, 20 ms; SLURM_PERF_GAP_MS (1000) of quiet before each submit; needs deploy/local/slurm.sh start, root)
# Then, per backend: a run's submit -> envelope through the whole platform with the Slurm backend
# against the local engine's adapter, for the same mock run (e2e's slow processor, seconds=0),
# alternating in the same run: SlurmPoolIT in perf mode (-Dhangar.perf.slurm.runs=N: a gateway of this
# tree, a pool executor with backend slurm and one with backend docker); a row per percentile.
#   perf/slurm.sh --backend [RUNS]   only that part (default 20 runs each; the shared stack must be up)
#   SLURM_PERF_DB: the gateway's database for it (default hangar_gateway_slurmpool)
# PERF_RECORD=0 leaves results.md alone.
set -euo pipefail
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
backend_only=0
if [ "${1:-}" = --backend ]; then backend_only=1; shift; fi
RUNS=${1:-20}
POLL=${2:-20}

# per backend: SlurmPoolIT's perf mode, Slurm backend vs the local engine, through the platform
backend() {
  export HANGAR_DB_PASSWORD=${HANGAR_DB_PASSWORD:-$(cat "$STACK/.local/keys/db-password" 2>/dev/null)}
  export HANGAR_INTERNAL_TOKEN=${HANGAR_INTERNAL_TOKEN:-$(cat "$STACK/.local/keys/internal-token" 2>/dev/null)}
  export HANGAR_KAFKA_LIBS=${HANGAR_KAFKA_LIBS:-$STACK/.local/kafka/libs-4.3.1}
  local out="$ROOT/e2e/target/perf-slurm.tsv" rows
  rm -f "$out"
  (cd "$ROOT" && JAVA_HOME=$JAVA_HOME mvn -B -o -q -pl registry-service,gateway-service,executor-service,storage-service,e2e -am verify \
    -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dit.test='SlurmPoolIT#perf*' -Dhangar.perf.slurm.runs="$1" -Dhangar.it.slurmpool.db="${SLURM_PERF_DB:-hangar_gateway_slurmpool}")
  local runs sp50 sp99 lp50 lp99
  read -r runs sp50 sp99 lp50 lp99 < "$out"
  printf 'submit->envelope ms  p50      p99\nslurm backend       %7s  %7s\nlocal engine        %7s  %7s\nratio               %7s  %7s\n' \
    "$sp50" "$sp99" "$lp50" "$lp99" "$(ratio "$sp50" "$lp50")" "$(ratio "$sp99" "$lp99")"
  if [ "${PERF_RECORD:-1}" != 0 ]; then
    local machine day
    machine="$(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
    day=$(date -u +%F)
    rows=$(mktemp)
    {
      echo "| $day | $machine | remote submit→envelope p50 ($runs mock runs, Slurm backend) | $sp50 ms | $lp50 ms (local engine, backend docker) | $(ratio "$sp50" "$lp50")× |"
      echo "| $day | $machine | remote submit→envelope p99 (Slurm backend) | $sp99 ms | $lp99 ms | $(ratio "$sp99" "$lp99")× |"
    } > "$rows"
    if ! grep -q '^# Results: per backend' "$ROOT/perf/results.md"; then
      printf '\n# Results: per backend, submit → envelope (`perf/slurm.sh --backend`)\n\nSlurmPoolIT in perf mode: one gateway of this tree, a pool executor with backend slurm (each run a\nSlurm job on the local one-node cluster: POST job/submit through slurmrestd, the job script, docker run on the\nnode, events through the shared folder, the adapter polling every 100 ms) and a pool executor with\nbackend docker (the local engine'"'"'s adapter), the same mock run of e2e'"'"'s slow processor (seconds=0),\nalternating in the same run after two warm-up rounds. Submit → the terminal event as a consumer of\nthe events topic sees it.\n\n| date | machine | measure | Slurm backend | local engine, same run | ratio |\n|---|---|---|---|---|---|\n' >> "$ROOT/perf/results.md"
    fi
    record "# Results: per backend" "$rows"
    rm -f "$rows"
  fi
}
if [ "$backend_only" = 1 ]; then backend "$RUNS"; exit 0; fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

"$ROOT/deploy/local/slurm.sh" start
eval "$("$ROOT/deploy/local/slurm.sh" env | sed 's/^/export /')"
export SLURM_REST_URL=$HANGAR_SLURM_REST_URL SLURM_USER=$HANGAR_SLURM_USER
SLURM_TOKEN=$("$ROOT/deploy/local/slurm.sh" token 3600)
export SLURM_TOKEN

echo "warm-up" >&2
"$JAVA" "$ROOT/perf/SlurmSubmit.java" 2 "$POLL" >/dev/null
echo "$RUNS x (REST submit, sbatch), poll every $POLL ms" >&2
"$JAVA" "$ROOT/perf/SlurmSubmit.java" "$RUNS" "$POLL" > "$work/all"
awk '$1=="rest"{print $2}' "$work/all" > "$work/rest"
awk '$1=="sbatch"{print $2}' "$work/all" > "$work/sbatch"

r50=$(pct "$work/rest" 50) r99=$(pct "$work/rest" 99) s50=$(pct "$work/sbatch" 50) s99=$(pct "$work/sbatch" 99)
printf 'submit->RUNNING ms   p50      p99\nadapter REST        %7s  %7s\nsbatch              %7s  %7s\nratio               %7s  %7s\n' \
  "$r50" "$r99" "$s50" "$s99" "$(ratio "$r50" "$s50")" "$(ratio "$r99" "$s99")"

if [ "${PERF_RECORD:-1}" != 0 ]; then
  row="| $(date -u +%F) | $RUNS | $POLL | $r50 | $r99 | $s50 | $s99 | $(ratio "$r50" "$s50") | $(ratio "$r99" "$s99") |"
  if ! grep -q '^# Results: Slurm submit' "$ROOT/perf/results.md"; then
    cat >> "$ROOT/perf/results.md" <<'MD'

# Results: Slurm submit → RUNNING (`perf/slurm.sh`)

The Slurm adapter's REST path (slurmrestd with a JWT: POST job/submit, GET job/{id} until
RUNNING) against `sbatch` + `squeue` of the same job as the same user, alternating in the same
script, on the one-node local cluster (deploy/local/slurm.sh), each submit after 1 s with no job
in the queue (a job's end starts a scheduling pass that would flatter whatever is submitted next). Both poll at the interval given;
the adapter itself polls every `hangar.executor.slurm.poll-interval` (250 ms by default), which
adds up to that much to what a run sees. Times in ms; ratio = REST / sbatch.

| date | runs | poll ms | REST p50 | REST p99 | sbatch p50 | sbatch p99 | ratio p50 | ratio p99 |
|---|---|---|---|---|---|---|---|---|
MD
  fi
  echo "$row" > "$work/row"
  record "# Results: Slurm submit" "$work/row"
fi

echo "per backend: $RUNS x (Slurm backend, local engine) through the platform" >&2
backend "$RUNS"
