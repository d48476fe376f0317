#!/usr/bin/env bash
# Prints the classpath of the perf programs that need libraries (kafka-clients, vertx-core,
# jackson; versions from Quarkus's BOM, perf/pom.xml), resolved offline from ~/.m2 once and
# cached in perf/target/classpath.txt until perf/pom.xml changes.
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
out=$DIR/target/classpath.txt
if [ ! -s "$out" ] || [ "$DIR/pom.xml" -nt "$out" ]; then
  mkdir -p "$DIR/target"
  log=$(mktemp)
  JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64} mvn -B -o -q -f "$DIR/pom.xml" \
    dependency:build-classpath -Dmdep.outputFile="$out" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log" "$out"; exit 1; }
  rm -f "$log"
fi
cat "$out"
