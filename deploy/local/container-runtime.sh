#!/usr/bin/env bash
# container-runtime.sh - a bridgeless Docker engine, a loopback-only OCI registry
# (Distribution 2.8) and locally built base images, for Hangar's local stack.
#
#   container-runtime.sh start    dockerd + registry + base images + the runtime image
#   container-runtime.sh stop     stop the registry and dockerd, if this script started them
#   container-runtime.sh status   one line each for dockerd and the registry
#   container-runtime.sh dockerd|registry|images|runtime-image   one step of `start`
#
# * dockerd runs with NO bridge (no docker0, no iptables, no ip_forward). If a dockerd already
#   answers on /var/run/docker.sock it is adopted (after checking it has no `bridge`
#   network) but not owned: `stop` leaves it alone.
# * the registry serves 127.0.0.1:5000 from .local/registry/data (delete enabled). dockerd
#   treats 127.0.0.0/8 as an insecure registry by default: no daemon config needed.
# * base images: debootstrap minbase -> docker import (base/debian:bookworm), + python3
#   (base/python:3.11-bookworm), optional jlinked JRE (base/jre:25-bookworm, WITH_JRE=1);
#   then runtime/Dockerfile -> hangar/runtime-python:3.11, rebuilt only when runtime/ changes.
# * idempotent: a second `start` only checks (under a second).
#
# Containers must run with --network host or none; `docker build` steps that need the
# network use --network host. Never create Docker networks.
#
# State: .local/run/{dockerd,registry}.pid (only when started here), .local/logs/{dockerd,
# registry}.log, .local/registry/ (config + data), .local/container-runtime/ (debootstrap cache,
# build contexts, stamps, images.env with digest-pinned references).
# Env: REGISTRY_ADDR (127.0.0.1:5000) DEBIAN_MIRROR JLINK_JDK WITH_JRE (0) HANGAR_LOCAL_DIR
#      DOCKER_SOCK (/var/run/docker.sock) DOCKERD_PIDFILE (/var/run/docker.pid) DOCKERD_EXTRA_ARGS
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034  # read by bin/lib/common.sh
LOG_TAG=container-runtime
# shellcheck source=bin/lib/common.sh
. "$ROOT/bin/lib/common.sh"

REG=${REGISTRY_ADDR:-127.0.0.1:5000}
REG_DIR=$LOCAL/registry
STATE=$LOCAL/container-runtime
SUITE=bookworm
JDK=${JLINK_JDK:-$JAVA_HOME}
WITH_JRE=${WITH_JRE:-0}
SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
DAEMON_PIDFILE=${DOCKERD_PIDFILE:-/var/run/docker.pid}     # dockerd's own pidfile
read -r -a DOCKERD_EXTRA <<<"${DOCKERD_EXTRA_ARGS:-}"       # e.g. --data-root DIR (tests)
export DOCKER_HOST=unix://$SOCK
DOCKERD_PID=$RUN_DIR/dockerd.pid
DOCKERD_LOG=$LOG_DIR/dockerd.log
REG_PID=$RUN_DIR/registry.pid
REG_LOG=$LOG_DIR/registry.log
DOCKERD_PATTERN='(^|/)dockerd '
REG_PATTERN='docker-registry serve'
ACCEPT='application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json'

IMG_DEBIAN=$REG/base/debian:$SUITE
IMG_PYTHON=$REG/base/python:3.11-$SUITE
IMG_JRE=$REG/base/jre:25-$SUITE
IMG_RUNTIME=$REG/hangar/runtime-python:3.11
# modules a Quarkus service needs (deploy/docker/Dockerfile.service runs FROM this JRE)
JRE_MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.management.rmi,java.naming,java.net.http,java.rmi,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs

# The Debian mirror: the first "URIs:" (deb822) or "deb" line of this machine's apt sources.
apt_mirror() {
  { grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}'
  } | grep -v -- '-security' | head -n 1 || true
}

# ---------------------------------------------------------------- dockerd
docker_ping() { curl -fsS -m 3 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

dockerd_pid() { # the running dockerd's pid (ours or adopted), empty if none
  local pid
  if pid=$(pidfile_pid "$DOCKERD_PID" "$DOCKERD_PATTERN"); then echo "$pid"; return 0; fi
  pidfile_pid "$DAEMON_PIDFILE" "$DOCKERD_PATTERN" || true
}

start_dockerd() {
  have dockerd || die "dockerd not installed (apt-get install docker.io)"
  have docker || die "no docker CLI"
  # keep `service docker start` bridgeless too, should anyone use it
  if ! grep -q 'bridge=none' /etc/default/docker 2>/dev/null; then
    echo 'DOCKER_OPTS="--bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false"' >> /etc/default/docker
  fi
  if docker_ping; then
    if pidfile_pid "$DOCKERD_PID" "$DOCKERD_PATTERN" >/dev/null; then
      log "dockerd running (pid $(cat "$DOCKERD_PID"), started by the stack)"
    else
      rm -f "$DOCKERD_PID"
      log "dockerd already answers on $SOCK (pid $(dockerd_pid)) - adopting it, not owned"
    fi
  else
    # a stale docker.pid whose pid now belongs to something else would block dockerd
    if [ -s "$DAEMON_PIDFILE" ] && ! pidfile_pid "$DAEMON_PIDFILE" "$DOCKERD_PATTERN" >/dev/null; then
      rm -f "$DAEMON_PIDFILE"
    fi
    if pidfile_pid "$DAEMON_PIDFILE" "$DOCKERD_PATTERN" >/dev/null; then
      die "a dockerd (pid $(cat "$DAEMON_PIDFILE")) runs but does not answer on $SOCK"
    fi
    log "starting dockerd (bridge=none, iptables=false, ip-forward=false; log $DOCKERD_LOG)"
    spawn "$DOCKERD_PID" "$DOCKERD_LOG" dockerd --bridge=none --iptables=false --ip6tables=false \
      --ip-forward=false --ip-masq=false -H "unix://$SOCK" --pidfile "$DAEMON_PIDFILE" \
      "${DOCKERD_EXTRA[@]}" >/dev/null
    local i
    for ((i = 0; i < 300; i++)); do docker_ping && break; sleep 0.1; done
    docker_ping || { tail -n 20 "$DOCKERD_LOG" >&2; die "dockerd did not come up"; }
  fi
  if docker network inspect bridge >/dev/null 2>&1; then
    die "the running dockerd has a 'bridge' network (not started with --bridge=none); stop it (pid $(dockerd_pid)) and rerun"
  fi
}

stop_dockerd() {
  local pid children=() c
  if ! pid=$(pidfile_pid "$DOCKERD_PID" "$DOCKERD_PATTERN"); then
    rm -f "$DOCKERD_PID"
    docker_ping && log "dockerd not started by the stack - leaving it running"
    return 0
  fi
  remove_managed_containers
  # containerd is dockerd's child; remember it in case dockerd has to be killed
  mapfile -t children < <(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ')
  stop_pid "$pid" dockerd 45
  rm -f "$DOCKERD_PID"
  for c in "${children[@]}"; do
    if pid_matches "$c" 'containerd'; then stop_pid "$c" containerd 15; fi
  done
}

remove_managed_containers() {
  docker_ping || return 0
  local label ids
  for label in dev.hangar.managed=true org.testcontainers=true; do
    ids=$(docker ps -aq --filter "label=$label" 2>/dev/null || true)
    if [ -n "$ids" ]; then
      log "removing containers labelled $label: $(echo "$ids" | tr '\n' ' ')"
      # shellcheck disable=SC2086
      docker rm -f $ids >/dev/null 2>&1 || warn "could not remove some containers labelled $label"
    fi
  done
}

# ---------------------------------------------------------------- registry
reg_ping() { curl -fsS -m 3 "http://$REG/v2/" >/dev/null 2>&1; }

write_registry_config() {
  mkdir -p "$REG_DIR/data"
  cat > "$REG_DIR/config.yml.new" <<EOF
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $REG_DIR/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $REG
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
EOF
  if cmp -s "$REG_DIR/config.yml.new" "$REG_DIR/config.yml"; then rm -f "$REG_DIR/config.yml.new"
  else mv "$REG_DIR/config.yml.new" "$REG_DIR/config.yml"; fi
}

start_registry() {
  have docker-registry || die "docker-registry not installed (apt-get install docker-registry)"
  write_registry_config
  if reg_ping; then
    if pidfile_pid "$REG_PID" "$REG_PATTERN" >/dev/null; then
      log "registry running on $REG (pid $(cat "$REG_PID"), started by the stack)"
    else
      rm -f "$REG_PID"
      log "a registry already answers on $REG (pid $(port_pid "${REG##*:}")) - adopting it, not owned"
    fi
    return 0
  fi
  port_open "${REG##*:}" && die "$REG is in use by something that is not an OCI registry (pid $(port_pid "${REG##*:}"))"
  log "starting docker-registry on $REG (storage $REG_DIR/data, log $REG_LOG)"
  spawn "$REG_PID" "$REG_LOG" docker-registry serve "$REG_DIR/config.yml" >/dev/null
  local i
  for ((i = 0; i < 100; i++)); do reg_ping && break; sleep 0.1; done
  reg_ping || { tail -n 20 "$REG_LOG" >&2; die "registry did not come up on $REG"; }
}

stop_registry() {
  if [ -e "$REG_PID" ]; then stop_pidfile "$REG_PID" "$REG_PATTERN" registry 20
  elif reg_ping; then log "registry on $REG not started by the stack - leaving it running"; fi
}

# ---------------------------------------------------------------- images
remote_digest() { # $1 = REG/repo:tag -> sha256:... or empty
  local ref=${1#"$REG"/}
  local name=${ref%:*} tag=${ref##*:}
  curl -fsS -m 10 -I -H "Accept: $ACCEPT" "http://$REG/v2/$name/manifests/$tag" 2>/dev/null \
    | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}' || true
}
local_digests() { docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$1" 2>/dev/null || true; }
image_present() { docker image inspect "$1" >/dev/null 2>&1; }
push() { log "pushing $1"; docker push -q "$1" >/dev/null || die "docker push $1 failed"; }

# ensure_image REF BUILD_FUNCTION: make REF present both locally and in the registry
ensure_image() {
  local ref=$1 build=$2 rd
  rd=$(remote_digest "$ref")
  if image_present "$ref"; then
    if [ -n "$rd" ] && local_digests "$ref" | grep -qx "${ref%:*}@$rd"; then return 0; fi
    push "$ref"
  elif [ -n "$rd" ]; then
    log "pulling $ref from the local registry"; docker pull -q "$ref" >/dev/null
  else
    log "building $ref"; "$build" "$ref"
    push "$ref"
  fi
}

build_debian() {
  local ref=$1 tmp="$STATE/tmp/rootfs" try mirror
  mirror=${DEBIAN_MIRROR:-$(apt_mirror)}
  [ -n "$mirror" ] || die "no Debian mirror found in the apt sources (set DEBIAN_MIRROR)"
  have debootstrap || die "debootstrap not installed (apt-get install debootstrap)"
  rm -rf "$tmp"; mkdir -p "$STATE/debcache" "$STATE/tmp"
  for try in 1 2; do
    if debootstrap --variant=minbase --cache-dir="$STATE/debcache" "$SUITE" "$tmp" "$mirror" \
        >"$LOG_DIR/debootstrap.log" 2>&1; then break; fi
    [ "$try" = 2 ] && { tail -n 20 "$LOG_DIR/debootstrap.log" >&2; die "debootstrap failed (log $LOG_DIR/debootstrap.log)"; }
    log "debootstrap failed, retrying"; rm -rf "$tmp"
  done
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/cache/apt/*.bin "$tmp"/var/lib/apt/lists/* \
         "$tmp"/usr/share/doc/* "$tmp"/usr/share/man/* "$tmp"/usr/share/info/* "$tmp"/var/log/* "$tmp"/tmp/*
  find "$tmp/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar -C "$tmp" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . \
    | docker import -c 'ENV LANG=C.UTF-8' -c 'CMD ["bash"]' - "$ref" >/dev/null
  rm -rf "$tmp"
}

build_python() {
  local ref=$1 ctx="$STATE/build/python"
  mkdir -p "$ctx"
  cat > "$ctx/Dockerfile" <<EOF
FROM $IMG_DEBIAN
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*
ENV PYTHONUNBUFFERED=1
CMD ["python3"]
EOF
  DOCKER_BUILDKIT=0 docker build -q --network host -t "$ref" "$ctx" >/dev/null 2>"$LOG_DIR/build-python.log" \
    || { cat "$LOG_DIR/build-python.log" >&2; die "python image build failed"; }
}

build_jre() {
  local ref=$1 ctx="$STATE/build/jre"
  rm -rf "$ctx"; mkdir -p "$ctx"
  "$JDK/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --generate-cds-archive --output "$ctx/jre" >/dev/null
  cat > "$ctx/Dockerfile" <<EOF
FROM $IMG_DEBIAN
COPY jre /opt/java/openjdk
LABEL dev.hangar.jre-modules="$JRE_MODULES"
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["java", "-version"]
EOF
  DOCKER_BUILDKIT=0 docker build -q -t "$ref" "$ctx" >/dev/null 2>"$LOG_DIR/build-jre.log" \
    || { cat "$LOG_DIR/build-jre.log" >&2; die "jre image build failed"; }
  rm -rf "$ctx/jre"
}

ensure_jre() {
  [ -x "$JDK/bin/jlink" ] || { warn "no jlink in $JDK - skipping $IMG_JRE"; return 0; }
  # an image built with another module list (e.g. by an older script) is rebuilt
  if image_present "$IMG_JRE" &&
     [ "$(docker image inspect --format '{{index .Config.Labels "dev.hangar.jre-modules"}}' "$IMG_JRE" 2>/dev/null)" != "$JRE_MODULES" ]; then
    log "$IMG_JRE has another module set - rebuilding"
    build_jre "$IMG_JRE"; push "$IMG_JRE"
  fi
  ensure_image "$IMG_JRE" build_jre
}

ensure_base_images() {
  mkdir -p "$STATE"
  ensure_image "$IMG_DEBIAN" build_debian
  ensure_image "$IMG_PYTHON" build_python
  if [ "$WITH_JRE" = 1 ]; then ensure_jre; fi
  # short aliases (no registry round trip needed in FROM lines of local builds)
  docker tag "$IMG_DEBIAN" "local/debian:$SUITE"
  docker tag "$IMG_PYTHON" "local/python:3.11-$SUITE"
  if image_present "$IMG_JRE"; then docker tag "$IMG_JRE" "local/jre:25-$SUITE"; fi
}

# ---------------------------------------------------------------- the Hangar runtime image
runtime_hash() { # content of runtime/ (minus build output) + the base image it builds on
  local dir=$ROOT/runtime
  {
    (cd "$dir" && find . \( -name target -o -name __pycache__ -o -name '*.pyc' \) -prune -o -type f -print0 \
      | LC_ALL=C sort -z | xargs -0 -r sha256sum)
    docker image inspect --format '{{.Id}}' "$IMG_PYTHON" 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
}

ensure_runtime_image() {
  local stamp=$STATE/runtime-image.stamp hash rd
  if [ ! -f "$ROOT/runtime/Dockerfile" ]; then
    warn "runtime/Dockerfile does not exist yet - skipping $IMG_RUNTIME"
    return 0
  fi
  hash=$(runtime_hash)
  if image_present "$IMG_RUNTIME" && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
    rd=$(remote_digest "$IMG_RUNTIME")
    if [ -n "$rd" ] && local_digests "$IMG_RUNTIME" | grep -qx "${IMG_RUNTIME%:*}@$rd"; then return 0; fi
    push "$IMG_RUNTIME"
    return 0
  fi
  log "building $IMG_RUNTIME from runtime/ (log $LOG_DIR/build-runtime.log)"
  # the context is runtime/ minus Maven's target/ (a build running meanwhile may rewrite it)
  if ! tar -C "$ROOT/runtime" --exclude=./target --exclude=__pycache__ --exclude='*.pyc' -cf - . \
       | DOCKER_BUILDKIT=0 docker build --network host -t "$IMG_RUNTIME" - >"$LOG_DIR/build-runtime.log" 2>&1; then
    tail -n 30 "$LOG_DIR/build-runtime.log" >&2
    die "runtime image build failed (log $LOG_DIR/build-runtime.log)"
  fi
  push "$IMG_RUNTIME"
  echo "$hash" > "$stamp"
}

# digest-pinned references for tests and tools: source .local/container-runtime/images.env
write_images_env() {
  local v ref
  {
    echo "REGISTRY=$REG"
    for v in IMG_DEBIAN IMG_PYTHON IMG_JRE IMG_RUNTIME; do
      ref=${!v}
      image_present "$ref" || continue
      echo "${v#IMG_}_IMAGE=$ref"
      echo "${v#IMG_}_IMAGE_PINNED=${ref%:*}@$(remote_digest "$ref")"
    done
  } > "$STATE/images.env.new" && mv "$STATE/images.env.new" "$STATE/images.env"
}

# ---------------------------------------------------------------- safety
check_no_bridge() {
  local bad
  bad=$(forbidden_interfaces)
  if [ -n "$bad" ]; then ip -br addr >&2; die "forbidden interface(s) exist: $(echo "$bad" | tr '\n' ' ')"; fi
  if [ "$(sysctl -n net.ipv4.ip_forward 2>/dev/null || echo 0)" != 0 ]; then
    log "net.ipv4.ip_forward was 1 - setting it to 0"; sysctl -qw net.ipv4.ip_forward=0 || true
  fi
}

status() {
  local pid note
  pid=$(dockerd_pid); note="adopted (not started by the stack)"
  [ -e "$DOCKERD_PID" ] && note=owned
  local logf=-; [ "$note" = owned ] && logf=$DOCKERD_LOG
  if docker_ping; then status_line dockerd running "$pid" "unix://$SOCK" "$logf" "$note"
  else status_line dockerd stopped - "unix://$SOCK" "$DOCKERD_LOG"; fi
  note="adopted (not started by the stack)"; pid=$(pidfile_pid "$REG_PID" "$REG_PATTERN" || true)
  [ -n "$pid" ] && note=owned
  [ -n "$pid" ] || pid=$(port_pid "${REG##*:}")
  logf=-; [ "$note" = owned ] && logf=$REG_LOG
  if reg_ping; then status_line registry running "$pid" "http://$REG" "$logf" "$note"
  else status_line registry stopped - "http://$REG" "$REG_LOG"; fi
}

start_all() {
  start_dockerd
  start_registry
  ensure_base_images
  ensure_runtime_image
  write_images_env
  check_no_bridge
}

case "${1:-}" in
  start) require_root; ensure_dirs; start_all ;;
  dockerd) require_root; ensure_dirs; start_dockerd ;;
  registry) require_root; ensure_dirs; start_registry ;;
  images) require_root; ensure_dirs; ensure_base_images; write_images_env ;;
  runtime-image) require_root; ensure_dirs; ensure_runtime_image; write_images_env ;;
  stop) require_root; stop_registry; stop_dockerd ;;
  status) status ;;
  *) die "usage: container-runtime.sh {start|stop|status|dockerd|registry|images|runtime-image}" ;;
esac
