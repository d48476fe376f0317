#!/usr/bin/env bash
# The cost of one Prometheus scrape of each service's /q/metrics against its /q/health/live, in
# the same run (perf/MetricsScrape.java). Prints a table.   perf/metrics-scrape.sh [N]  (needs bin/stack up)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
"$JAVA_HOME/bin/java" "$ROOT/perf/MetricsScrape.java" "${1:-500}" \
  http://127.0.0.1:8080 http://127.0.0.1:8081 http://127.0.0.1:8082 http://127.0.0.1:8083
