#!/usr/bin/env bash
# Slurm submit -> RUNNING through the Slurm adapter's REST path (slurmrestd, JWT, the adapter's
# request fields, GET job/{id} until RUNNING) against `sbatch` of the same job (squeue until
# RUNNING), alternating, in the same script on the same cluster; both poll every POLL_MS.
# Prints p50/p99 of both and their ratio, and appends a row to perf/results.md.
#   perf/slurm.sh [RUNS] [POLL_MS]     (default 20 runs each, 20 ms; SLURM_PERF_GAP_MS (1000) of quiet before each submit; needs deploy/local/slurm.sh start, root)
# PERF_RECORD=0 leaves results.md alone.
set -euo pipefail
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-20}
POLL=${2:-20}
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
