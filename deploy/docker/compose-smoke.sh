#!/usr/bin/env bash
# deploy/docker/compose-smoke.sh - proves docker-compose.yml runs the platform: stops the local
# stack's Kafka, S3Proxy, PostgreSQL and services (the engine and the OCI registry stay), builds
# every image here, brings the platform up with docker-compose (host network, fresh secrets and
# data under .local/compose/, the services started before what they need), pushes examples/echo
# and runs it through the composed gateway, then takes it all down again. Leaves the local stack stopped (`bin/stack up` brings it back).
# Exit 0 only if the job succeeded. Needs root (as bin/stack does).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
log() { printf '[compose-smoke %s] %s\n' "$(date +%T)" "$*" >&2; }

command -v docker-compose >/dev/null || { log "installing docker-compose (Debian)"; apt-get install -y -qq docker-compose >/dev/null; }
bin/stack up --with-jre >/dev/null
log "stopping the local stack's services, Kafka, S3Proxy and PostgreSQL (the engine and registry stay)"
(. bin/lib/common.sh && . bin/lib/services.sh && services_down)
deploy/local/kafka.sh stop && deploy/local/s3proxy.sh stop && deploy/local/postgres.sh stop
pg_ctlcluster 15 main stop 2>/dev/null || true

mvn -B -q -ntp -o package -DskipTests
deploy/docker/build-images.sh

rm -rf .local/compose && mkdir -p .local/compose/{kafka,s3,postgres,executor}
chown 10002 .local/compose/kafka && chown 10003 .local/compose/s3 && chown 10001 .local/compose/executor
chmod 700 .local/compose/postgres
secret() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }
token=$(secret)
export HANGAR_DB_PASSWORD=$(secret) HANGAR_SECRETS_KEY=$(secret) HANGAR_INTERNAL_TOKEN=$(secret) KAFKA_PASSWORD=$(secret) \
  HANGAR_BOOTSTRAP_TOKENS=local=$token MINIO_STORAGE_ACCESS_KEY=$(secret) MINIO_STORAGE_SECRET_KEY=$(secret) \
  DOCKER_GID=$(stat -c %g /var/run/docker.sock)
# the postgres image's user owns its data dir
chown "$(docker run --rm --network none --entrypoint id 127.0.0.1:5000/hangar/postgres:dev -u)" .local/compose/postgres

down() { log "docker-compose down"; docker-compose down -t 20 >/dev/null 2>&1 || true; }
# what failed, last, so the tail of a CI log shows it: each container's state and the gateway's readiness
failed() { docker-compose logs --tail 40; docker-compose ps; curl -sS -m 2 http://127.0.0.1:8080/q/health/ready || true; exit 1; }
trap down EXIT
# compose (like Kubernetes) starts what depends on PostgreSQL, Kafka and S3 without waiting for
# them: the services come up first here, on purpose, and must wait for the rest and then be ready
log "docker-compose up: the four services first, Kafka, S3 and PostgreSQL 15 s later"
docker-compose up -d --no-deps registry-service storage-service executor-service gateway-service
sleep 15
docker-compose up -d
for _ in $(seq 1 90); do
  curl -fsS -m 2 http://127.0.0.1:8080/q/health/ready >/dev/null 2>&1 && break
  sleep 2
done
curl -fsS -m 2 http://127.0.0.1:8080/q/health/ready >/dev/null || failed
log "platform ready; pushing and running examples/echo"
export HANGAR_TOKEN=$token
bin/hangar push examples/processors/echo >/dev/null
out=$(bin/hangar run --ref examples/echo@1 --json \
  --inputs-json '{"schema":"v1","params":{"messages":[{"role":"user","content":"hello from compose"}]}}')
echo "$out"
grep -q '"status" *: *"success"' <<<"$out" || failed
log "ok: a job ran end to end on the composed platform"
