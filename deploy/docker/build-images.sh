#!/usr/bin/env bash
# deploy/docker/build-images.sh - builds every image docker-compose.yml runs, here, from the local
# base images (no registry is pulled from): the four services from their target/quarkus-app, and
# Kafka, S3Proxy and PostgreSQL. Prerequisites: `bin/stack up --with-jre` once (dockerd, the OCI
# registry with base/debian and base/jre, the Kafka and S3Proxy jars) and
# `mvn -B -ntp package -DskipTests`. Tags: 127.0.0.1:5000/hangar/<name>:dev.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CTX=$ROOT/.local/compose/build
REG=127.0.0.1:5000/hangar
build() { # NAME CONTEXT DOCKERFILE [ARGS...]
  local name=$1 ctx=$2 file=$3
  shift 3
  echo "building $REG/$name:dev" >&2
  DOCKER_BUILDKIT=0 docker build -q --network host -t "$REG/$name:dev" -f "$file" "$@" "$ctx" >/dev/null
}
rm -rf "$CTX" && mkdir -p "$CTX/kafka" "$CTX/s3proxy"
cp -r "$ROOT/.local/kafka/libs-4.3.1" "$CTX/kafka/libs"
cp "$ROOT/deploy/docker/kafka-entrypoint.sh" "$ROOT/deploy/local/kafka-config.sh" "$CTX/kafka/"
cp "$ROOT"/.local/s3/s3proxy-*-jar-with-dependencies.jar "$CTX/s3proxy/s3proxy.jar"
build kafka "$CTX/kafka" "$ROOT/deploy/docker/Dockerfile.kafka"
build s3proxy "$CTX/s3proxy" "$ROOT/deploy/docker/Dockerfile.s3proxy"
build postgres "$ROOT/deploy/docker" "$ROOT/deploy/docker/Dockerfile.postgres"
for m in registry-service storage-service executor-service gateway-service; do
  [ -d "$ROOT/$m/target/quarkus-app" ] || { echo "no $m/target/quarkus-app: run mvn -B -ntp package -DskipTests" >&2; exit 1; }
  build "$m" "$ROOT/$m" "$ROOT/deploy/docker/Dockerfile.service" --build-arg "MODULE=$m"
done
rm -rf "$CTX"
