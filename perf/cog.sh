#!/usr/bin/env bash
# Issue #9, the Cog lifecycle: cold start and build time, each against a baseline measured in the
# same run on the same machine, printed as ratios and recorded under `## Issue #9` in results.md.
#
#   perf/cog.sh [--runs N] [--builds N] [--calls N] [--no-record]
#
# (a) cold start = container start -> READY, started locked down as `hangar predict` / the executor
#     start it (network none, read-only, no capabilities, uid 10001, run folder at /hangar/io):
#     - a Cog project image built by `hangar build` (the Hangar runtime answers READY on its unix
#       socket) vs a bare `docker run --rm --network none --entrypoint true` of the same image;
#     - an unmodified Cog image (the hand-written Cog HTTP server CogImageIT uses, FROM the plain
#       base, TCP 5000) plus the forwarder sidecar the executor adds (`hangar_runtime.forward` in
#       the Cog container's network namespace, the run folder's socket -> 127.0.0.1:5000) vs a bare
#       `docker run ... true` of that image.
# (b) `hangar build` of an unchanged project (cache hit) and after a one-line change to predict.py,
#     vs a bare `docker build` of the same generated Dockerfile and context (what Hangar adds: the
#     JVM, the schema derivation in the image, the labels and tags).
# (c) warm prediction overhead: in one container of the project image, --calls sequential predictions through
#     the image's runtime over its unix socket vs the predictor's predict() called directly in the same
#     container (runtime/perf/overhead.py --predictor, mounted read-only).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=10 BUILDS=3 CALLS=300 RECORD=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --builds) BUILDS=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --no-record) RECORD=0; shift ;;
    *) echo "usage: perf/cog.sh [--runs N] [--builds N] [--calls N] [--no-record]" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d /tmp/hangar-perf-cog.XXXXXX)
chmod 755 "$work"
tag=hangar-perf-cog-$$
cleanup() {
  docker ps -aq --filter "label=$tag" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^(hangar-perf-cog-$$|$tag)" | xargs -r docker rmi >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f\n", (b-a)/1e6}'; }
LOCK=(--network none --read-only --tmpfs /tmp:rw,nosuid,nodev,size=64m --cap-drop ALL --security-opt no-new-privileges
      --user 10001:10001 --label "$tag")

# The runtime base from THIS tree's runtime/ (as the tests do), so the numbers are of this code.
BASE=$tag/runtime-python:3.11
tar -C "$ROOT/runtime" -c --exclude=__pycache__ Dockerfile python/hangar_runtime python/cog \
  | DOCKER_BUILDKIT=0 docker build -q --network host -t "$BASE" - >/dev/null
export HANGAR_RUNTIME_BASE=$BASE

# The Cog project, built by `hangar build`.
proj=$work/perfcog$$
mkdir -p "$proj"
printf 'build:\n  python_version: "3.11"\npredict: "predict.py:Predictor"\n' > "$proj/cog.yaml"
cat > "$proj/predict.py" <<'EOF'
from cog import BasePredictor, Input


class Predictor(BasePredictor):
    def setup(self) -> None:
        self.greeting = "hello"

    def predict(self, name: str = Input(description="Who")) -> str:
        return self.greeting + " " + name
EOF
(cd "$proj" && "$HANGAR_CLI" build -t "$tag-project:latest" >/dev/null)
PROJECT=$tag-project:latest

# The unmodified Cog image (no Hangar runtime in it).
COG=$tag-coghttp:latest
DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "BASE=127.0.0.1:5000/base/python:3.11-bookworm" -t "$COG" \
  "$ROOT/executor-service/src/test/resources/processors/cog-http" >/dev/null

: > "$work/p.h"; : > "$work/p.b"; : > "$work/c.h"; : > "$work/c.b"
ready() { until curl -fsS --max-time 1 --unix-socket "$1/runtime.sock" http://runtime/health-check 2>/dev/null | grep -q READY; do sleep 0.005; done; }
for i in $(seq "$RUNS"); do
  # project image: start -> READY on the runtime's socket
  io=$(mktemp -d "$work/io.XXXX"); chmod 777 "$io"
  t0=$(now); cid=$(docker run -d "${LOCK[@]}" -v "$io:/hangar/io" -e HANGAR_MODE=mock "$PROJECT"); ready "$io"; t1=$(now)
  ms "$t0" "$t1" >> "$work/p.h"; docker rm -f "$cid" >/dev/null
  t0=$(now); docker run --rm "${LOCK[@]}" --entrypoint true "$PROJECT"; t1=$(now); ms "$t0" "$t1" >> "$work/p.b"

  # unmodified Cog image + the executor's forwarder sidecar: start -> READY through the socket
  io=$(mktemp -d "$work/io.XXXX"); chmod 777 "$io"
  t0=$(now)
  cid=$(docker run -d "${LOCK[@]}" "$COG")
  sid=$(docker run -d --network "container:$cid" --read-only --cap-drop ALL --security-opt no-new-privileges \
        --user 10001:10001 --label "$tag" -v "$io:/hangar/io" --entrypoint python3 "$BASE" \
        -m hangar_runtime.forward --unix /hangar/io/runtime.sock --tcp 127.0.0.1:5000)
  ready "$io"; t1=$(now)
  ms "$t0" "$t1" >> "$work/c.h"; docker rm -f "$sid" "$cid" >/dev/null
  t0=$(now); docker run --rm "${LOCK[@]}" --entrypoint true "$COG"; t1=$(now); ms "$t0" "$t1" >> "$work/c.b"
done

# (b) builds: hangar build vs bare docker build of the same Dockerfile and context
ctx=$work/ctx; mkdir -p "$ctx/src"
(cd "$proj" && "$HANGAR_CLI" build --dockerfile) > "$ctx/Dockerfile"
# The bare context gets its own copy and its own change line: neither build may reuse a layer the other made.
cp "$proj/cog.yaml" "$proj/predict.py" "$ctx/src/"
bare_build() { DOCKER_BUILDKIT=0 docker build -q --network host -t "$tag-bare:latest" "$ctx" >/dev/null; }
bare_build
: > "$work/u.h"; : > "$work/u.b"; : > "$work/x.h"; : > "$work/x.b"
for i in $(seq "$BUILDS"); do
  t0=$(now); (cd "$proj" && "$HANGAR_CLI" build -t "$tag-project:latest" >/dev/null); t1=$(now); ms "$t0" "$t1" >> "$work/u.h"
  t0=$(now); bare_build; t1=$(now); ms "$t0" "$t1" >> "$work/u.b"
  echo "# change $i, hangar $$" >> "$proj/predict.py" # the one-line change
  echo "# change $i, bare $$" >> "$ctx/src/predict.py"
  t0=$(now); (cd "$proj" && "$HANGAR_CLI" build -t "$tag-project:latest" >/dev/null); t1=$(now); ms "$t0" "$t1" >> "$work/x.h"
  t0=$(now); bare_build; t1=$(now); ms "$t0" "$t1" >> "$work/x.b"
done

# (c) warm prediction overhead, in one container of the project image: the image's runtime over its unix socket
#     (a Cog predictor: inputs checked against the signature, output encoded) vs the same class's predict()
#     called directly, one after the other in the same container.
docker run --rm "${LOCK[@]}" -v "$ROOT/runtime/perf/overhead.py:/opt/perf/overhead.py:ro" --entrypoint python3 "$PROJECT" \
  /opt/perf/overhead.py --calls "$CALLS" --predictor /src/predict.py:Predictor --input '{"name": "x"}' --numbers > "$work/w"
read -r w_rt50 w_rt99 w_d50 w_d99 < "$work/w"

machine="$(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
rows=$work/rows; : > "$rows"
row() { # measure file-hangar file-baseline baseline-label
  local h50 b50 h99 b99
  h50=$(pct "$2" 50); b50=$(pct "$3" 50); h99=$(pct "$2" 99); b99=$(pct "$3" 99)
  printf '| %s | %s | %s p50 / p99 | %s / %s ms | %s / %s ms (%s) | %s× / %s× |\n' "$(date -u +%F)" "$machine" "$1" \
    "$h50" "$h99" "$b50" "$b99" "$4" "$(ratio "$h50" "$b50")" "$(ratio "$h99" "$b99")" >> "$rows"
}
row "cold start → READY, Cog project image (\`hangar build\`), $RUNS runs" "$work/p.h" "$work/p.b" "bare \`docker run\` of it running \`true\`"
row "cold start → READY, unmodified Cog image + forwarder sidecar, $RUNS runs" "$work/c.h" "$work/c.b" "bare \`docker run\` of it running \`true\`"
printf '| %s | %s | warm prediction, Cog project image, %s sequential calls in one container, p50 / p99 | %s / %s ms (the runtime over its unix socket) | %s / %s ms (predict() called directly, same container) | +%s ms at p50 |\n' \
  "$(date -u +%F)" "$machine" "$CALLS" "$w_rt50" "$w_rt99" "$w_d50" "$w_d99" "$(awk -v a="$w_rt50" -v b="$w_d50" 'BEGIN{printf "%.2f", a-b}')" >> "$rows"
row "\`hangar build\`, unchanged project (cache hit), $BUILDS builds" "$work/u.h" "$work/u.b" "bare \`docker build\`, same Dockerfile"
row "\`hangar build\` after a one-line change to predict.py, $BUILDS builds" "$work/x.h" "$work/x.b" "bare \`docker build\`, same change"

echo "perf/cog.sh — $(date -u '+%F %H:%M UTC'), $machine"
echo "| date | machine | measure | Hangar | baseline, same run | ratio |"
echo "|---|---|---|---|---|---|"
cat "$rows"

if [[ $RECORD = 1 ]]; then
  if ! grep -q '^## Issue #9' "$ROOT/perf/results.md"; then
    cat >> "$ROOT/perf/results.md" <<'EOF'

## Issue #9

Recorded by `perf/cog.sh` (the Cog lifecycle). Each baseline was measured in the same run on the
same machine; `machine` is cores, memory and the load average (1/5/15 min) at the end of the run.
The warm prediction overhead row compares, in one container of the project image, predictions through
the image's runtime over its unix socket with the predictor's `predict()` called directly
(`runtime/perf/overhead.py --predictor`); rows before 2026-12-02 did not have it.

| date | machine | measure | Hangar | baseline, same run | ratio |
|---|---|---|---|---|---|
EOF
  fi
  # lib.sh's record() reads the section up to the next "# " heading, which would put these rows under
  # "## Issue #10" that follows: insert after the last row of the first table under "## Issue #9" instead.
  tmp=$(mktemp)
  awk -v rows="$rows" '
    { line[NR] = $0 }
    END {
      sect = 0; last = 0
      for (i = 1; i <= NR; i++) {
        if (line[i] == "## Issue #9") sect = 1; else if (sect && line[i] ~ /^#/) sect = 0
        if (sect && line[i] ~ /^\|/) last = i; else if (sect && last) sect = 0
      }
      for (i = 1; i <= NR; i++) { print line[i]; if (i == last) while ((getline l < rows) > 0) print l }
    }' "$ROOT/perf/results.md" > "$tmp" && cat "$tmp" > "$ROOT/perf/results.md"
  rm -f "$tmp"
fi
