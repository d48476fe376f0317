# shellcheck shell=bash
# The four Hangar Java services of the local stack (sourced by bin/stack after common.sh).
#
# Each is built by Maven into <module>/target/quarkus-app/, copied to .local/services/<module>/
# (so a later `mvn verify` rebuilding target/ cannot break it) and run from the copy with
# cwd = the repository, output to .local/logs/<module>.log, pid in .local/run/<module>.pid.

# module:port, in start order (registry and storage first, then executor and gateway)
SERVICES=(registry-service:8081 storage-service:8083 executor-service:8082 gateway-service:8080)
SERVICE_READY_TIMEOUT=${SERVICE_READY_TIMEOUT:-90}
# HANGAR_SERVICE_JVM_OPTS replaces the JVM options (word-split), e.g. for a profile or a bigger heap
read -r -a SERVICE_JVM_OPTS <<< "${HANGAR_SERVICE_JVM_OPTS:--Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"

svc_port()    { local s; for s in "${SERVICES[@]}"; do [ "${s%%:*}" = "$1" ] && { echo "${s##*:}"; return 0; }; done; return 1; }
svc_pidfile() { echo "$RUN_DIR/$1.pid"; }
svc_log()     { echo "$LOG_DIR/$1.log"; }
svc_copy()    { echo "$LOCAL/services/$1"; }
svc_pattern() { echo "services/$1/quarkus-run\\.jar"; }
svc_pid()     { pidfile_pid "$(svc_pidfile "$1")" "$(svc_pattern "$1")"; }
svc_ready()   { http_ok "http://127.0.0.1:$(svc_port "$1")/q/health/ready"; }
svc_app()     { echo "$ROOT/$1/target/quarkus-app"; }

# ---------------------------------------------------------------- build

# svc_needs_build MODULE: its build output is missing or older than its (or contracts') sources
svc_needs_build() {
  local m=$1 jar
  [ -d "$ROOT/$m/src/main" ] || return 1          # module not written yet: nothing to build
  jar=$(svc_app "$m")/quarkus-run.jar
  [ -f "$jar" ] || return 0
  local src=("$ROOT/pom.xml" "$ROOT/$m/pom.xml" "$ROOT/$m/src/main")
  [ -d "$ROOT/contracts/src/main" ] && src+=("$ROOT/contracts/pom.xml" "$ROOT/contracts/src/main")
  [ -n "$(find "${src[@]}" -newer "$jar" -print -quit 2>/dev/null)" ]
}

# build_services FORCE(0|1): one `mvn package` at the root when any service is stale
build_services() {
  local force=$1 s m stale=()
  for s in "${SERVICES[@]}"; do
    m=${s%%:*}
    if svc_needs_build "$m"; then stale+=("$m"); fi
  done
  if [ "$force" != 1 ] && [ "${#stale[@]}" = 0 ]; then return 0; fi
  require_java
  if [ "$force" = 1 ]; then log "building the services (--rebuild; log $LOG_DIR/build.log) ..."
  else log "building the services (stale: ${stale[*]}; log $LOG_DIR/build.log) ..."; fi
  local t0=$SECONDS
  if ! (cd "$ROOT" && mvn_cmd -q package -DskipTests) >"$LOG_DIR/build.log" 2>&1; then
    grep -E '^\[ERROR\]' "$LOG_DIR/build.log" | head -n 40 >&2 || tail -n 40 "$LOG_DIR/build.log" >&2
    die "mvn package failed (log $LOG_DIR/build.log)"
  fi
  log "build done in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------- copy

# stamp DIR: cheap fingerprint of a quarkus-app tree (names, sizes, mtimes)
app_stamp() {
  (cd "$1" && find . -type f ! -name .hangar-stamp -printf '%P %s %T@\n' | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
}

# svc_copy_stale MODULE: the copy in .local/services differs from target/quarkus-app
svc_copy_stale() {
  local m=$1 copy
  copy=$(svc_copy "$m")
  [ -f "$copy/quarkus-run.jar" ] || return 0
  [ "$(cat "$copy/.hangar-stamp" 2>/dev/null)" != "$(app_stamp "$(svc_app "$m")")" ]
}

svc_install_copy() {
  local m=$1 copy tmp
  copy=$(svc_copy "$m"); tmp="$copy.new"
  rm -rf "$tmp"; mkdir -p "$(dirname "$copy")"
  cp -a "$(svc_app "$m")" "$tmp"
  app_stamp "$(svc_app "$m")" > "$tmp/.hangar-stamp"
  rm -rf "$copy"; mv "$tmp" "$copy"
}

# ---------------------------------------------------------------- start / stop

svc_start() {
  local m=$1 port pid other
  port=$(svc_port "$m")
  if port_open "$port"; then
    other=$(port_pid "$port")
    die "$m: 127.0.0.1:$port is already in use by pid ${other:-?} ($(tr '\0' ' ' < "/proc/${other:-0}/cmdline" 2>/dev/null | cut -c1-120)) - not started by the stack"
  fi
  local env=(QUARKUS_HTTP_HOST=127.0.0.1 "QUARKUS_HTTP_PORT=$port")
  if [ "$m" = executor-service ]; then
    mkdir -p "$LOCAL/executor"
    env+=("HANGAR_EXECUTOR_WORK_DIR=$LOCAL/executor")
  fi
  case "$m" in
    gateway-service) env+=("HANGAR_INTERNAL_TOKEN=$(stack_key internal-token)" "HANGAR_SECRETS_KEY=$(stack_key secrets-key)"
                            "HANGAR_BOOTSTRAP_TOKENS=local=$(stack_key local-token)"
                            "HANGAR_DB_PASSWORD=$(stack_key db-password)" "KAFKA_PASSWORD=$(stack_key kafka-password)") ;;
    executor-service) env+=("HANGAR_INTERNAL_TOKEN=$(stack_key internal-token)" "KAFKA_PASSWORD=$(stack_key kafka-password)") ;;
    registry-service) env+=("HANGAR_INTERNAL_TOKEN=$(stack_key internal-token)" "HANGAR_DB_PASSWORD=$(stack_key db-password)") ;;
    storage-service) env+=("HANGAR_INTERNAL_TOKEN=$(stack_key internal-token)") ;;
  esac
  log "starting $m on 127.0.0.1:$port (log $(svc_log "$m"))"
  printf '\n===== %s starting %s =====\n' "$(date -Is)" "$m" >> "$(svc_log "$m")"
  pid=$(cd "$ROOT" && spawn "$(svc_pidfile "$m")" "$(svc_log "$m")" env "${env[@]}" \
    "$JAVA_HOME/bin/java" "${SERVICE_JVM_OPTS[@]}" -jar ".local/services/$m/quarkus-run.jar")
  echo "$pid"
}

# svc_wait_ready MODULE PID: 0 when ready; 1 (after printing the log's tail) when it died or timed out
svc_wait_ready() {
  local m=$1 pid=$2 deadline=$((SECONDS + SERVICE_READY_TIMEOUT)) t0=$SECONDS
  until svc_ready "$m"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$(svc_log "$m")" >&2
      rm -f "$(svc_pidfile "$m")"
      warn "$m exited during startup (log $(svc_log "$m"))"
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 40 "$(svc_log "$m")" >&2
      warn "$m not ready after ${SERVICE_READY_TIMEOUT}s: http://127.0.0.1:$(svc_port "$m")/q/health/ready (log $(svc_log "$m"))"
      return 1
    fi
    sleep 0.5
  done
  log "$m ready (pid $pid, waited $((SECONDS - t0)) s)"
}

svc_stop() {
  local m=$1
  [ -e "$(svc_pidfile "$m")" ] || return 0
  stop_pidfile "$(svc_pidfile "$m")" "$(svc_pattern "$m")" "$m" 20
}

# svc_ensure MODULE: start it if it is not running; prints the PID to wait for (nothing when
# it already runs and is ready, or when the module has no build output yet)
svc_ensure() {
  local m=$1 pid
  if [ ! -f "$(svc_app "$m")/quarkus-run.jar" ] && [ ! -f "$(svc_copy "$m")/quarkus-run.jar" ]; then
    warn "$m: no $m/target/quarkus-app (module not written yet?) - skipping it"
    return 0
  fi
  if pid=$(svc_pid "$m"); then
    svc_ready "$m" && { log "$m running (pid $pid) on 127.0.0.1:$(svc_port "$m")"; return 0; }
    echo "$pid"; return 0                          # still starting: wait for it
  fi
  rm -f "$(svc_pidfile "$m")"
  [ -f "$(svc_copy "$m")/quarkus-run.jar" ] || svc_install_copy "$m"
  svc_start "$m"
}

# refresh_copies: services whose target/quarkus-app changed since they were copied are stopped
# (all at once, consumers first) and get the new copy; services_up then starts them again
refresh_copies() {
  local s m stale=() pids=() p
  for s in "${SERVICES[@]}"; do
    m=${s%%:*}
    [ -f "$(svc_app "$m")/quarkus-run.jar" ] && svc_copy_stale "$m" && stale+=("$m")
  done
  [ "${#stale[@]}" -gt 0 ] || return 0
  log "new build of: ${stale[*]} - (re)installing in .local/services/"
  for m in "${stale[@]}"; do svc_stop "$m" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || true; done
  for m in "${stale[@]}"; do svc_install_copy "$m"; done
}

# services_up: registry + storage, then executor + gateway; each pair starts in parallel.
# A service that fails to become ready does not stop the others; `up` fails at the end.
services_up() {
  local group m pid started=() failed=()
  refresh_copies
  for group in "registry-service storage-service" "executor-service gateway-service"; do
    started=()
    for m in $group; do
      pid=$(svc_ensure "$m")
      [ -n "$pid" ] && started+=("$m:$pid")
    done
    for m in "${started[@]}"; do
      svc_wait_ready "${m%%:*}" "${m##*:}" || failed+=("${m%%:*}")
    done
  done
  [ "${#failed[@]}" = 0 ] || die "not ready: ${failed[*]} (logs in $LOG_DIR/)"
}

services_down() {   # gateway and executor first (they consume and publish), then the rest
  local group m pids=() fail=0 p
  for group in "gateway-service executor-service" "storage-service registry-service"; do
    pids=()
    for m in $group; do svc_stop "$m" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || fail=1; done
  done
  return "$fail"
}

services_status() {
  local s m port pid
  for s in "${SERVICES[@]}"; do
    m=${s%%:*}; port=${s##*:}
    if pid=$(svc_pid "$m"); then
      if svc_ready "$m"; then status_line "$m" running "$pid" "http://127.0.0.1:$port" "$(svc_log "$m")" ready
      else status_line "$m" running "$pid" "http://127.0.0.1:$port" "$(svc_log "$m")" "NOT ready"; fi
    else
      status_line "$m" stopped - "http://127.0.0.1:$port" "$(svc_log "$m")"
    fi
  done
}
