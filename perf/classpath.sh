#!/usr/bin/env bash
# Prints the classpath of the perf programs that need libraries (kafka-clients, vertx-core,
# jackson; versions from Quarkus's BOM, perf/pom.xml), resolved from ~/.m2 (Maven Central for what is missing) once and
# cached in perf/target/classpath.txt until perf/pom.xml changes.
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
out=$DIR/target/classpath.txt
if [ ! -s "$out" ] || [ "$DIR/pom.xml" -nt "$out" ]; then
  mkdir -p "$DIR/target"
  log=$(mktemp)
  resolve() { JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64} mvn -B -q "$@" -f "$DIR/pom.xml" \
    dependency:build-classpath -Dmdep.outputFile="$out" >"$log" 2>&1; }
  # offline first (the reactor's build has fetched the libraries); Maven Central for what a fresh ~/.m2 lacks
  resolve -o || resolve || { cat "$log" >&2; rm -f "$log" "$out"; exit 1; }
  rm -f "$log"
fi
cat "$out"
