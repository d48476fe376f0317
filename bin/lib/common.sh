# shellcheck shell=bash
# Shared helpers for bin/stack, bin/test, bin/demo, .ci/run and deploy/local/*.sh.
# Source it; it sets ROOT (the repository), LOCAL (.local), RUN_DIR, LOG_DIR and JAVA_HOME.
#
# Conventions of the local stack:
#   .local/run/<name>.pid   pidfile of a process the stack started (= the stack owns it)
#   .local/logs/<name>.log  its stdout+stderr
# Processes are only ever stopped by the PID in their pidfile, after checking that the PID
# still belongs to the expected program (its command line matches a pattern).

shopt -s inherit_errexit 2>/dev/null || true

if [ -z "${ROOT:-}" ]; then
  ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fi
LOCAL=${HANGAR_LOCAL_DIR:-$ROOT/.local}
RUN_DIR=$LOCAL/run
LOG_DIR=$LOCAL/logs
# the services build with --release 21: use Temurin 25 unless HANGAR_JAVA_HOME says otherwise
if [ -x "${HANGAR_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" ]; then
  JAVA_HOME=${HANGAR_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
fi
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock} DOCKER_CLI_HINTS=false

LOG_TAG=${LOG_TAG:-stack}

log()  { printf '[%s %s] %s\n' "$LOG_TAG" "$(date +%T)" "$*" >&2; }
warn() { printf '[%s %s] WARNING: %s\n' "$LOG_TAG" "$(date +%T)" "$*" >&2; }
die()  { printf '[%s %s] ERROR: %s\n' "$LOG_TAG" "$(date +%T)" "$*" >&2; exit 1; }

have() { command -v "$1" >/dev/null 2>&1; }

ensure_dirs() { mkdir -p "$RUN_DIR" "$LOG_DIR"; }

require_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

require_java() {
  [ -x "$JAVA_HOME/bin/java" ] || die "no JDK at $JAVA_HOME (set JAVA_HOME to a Java 21+ JDK)"
}

# ---------------------------------------------------------------- processes

# pid_matches PID PATTERN: the process is alive and its command line matches the ERE PATTERN
pid_matches() {
  local pid=$1 pattern=$2
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -Eq -- "$pattern"
}

# pidfile_pid PIDFILE PATTERN: prints the PID if the pidfile points at a live matching process
pidfile_pid() {
  local file=$1 pattern=$2 pid
  [ -s "$file" ] || return 1
  pid=$(tr -d '[:space:]' < "$file")
  pid_matches "$pid" "$pattern" || return 1
  echo "$pid"
}

# stop_pid PID NAME [TIMEOUT_S]: SIGTERM, wait, SIGKILL after the timeout
stop_pid() {
  local pid=$1 name=$2 timeout=${3:-30} i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < timeout * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || { log "stopped $name (pid $pid)"; return 0; }
    sleep 0.2
  done
  warn "$name (pid $pid) did not stop within ${timeout}s - sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  warn "$name (pid $pid) still alive after KILL"
}

# stop_pidfile PIDFILE PATTERN NAME [TIMEOUT_S]: stop what the pidfile owns, remove the pidfile
stop_pidfile() {
  local file=$1 pattern=$2 name=$3 timeout=${4:-30} pid
  if pid=$(pidfile_pid "$file" "$pattern"); then
    stop_pid "$pid" "$name" "$timeout"
  elif [ -e "$file" ]; then
    log "$name: stale pidfile $file (process gone) - removing"
  fi
  rm -f "$file"
}

# spawn PIDFILE LOGFILE CMD...: start CMD detached (own session, stdin /dev/null, output
# appended to LOGFILE) and write its PID to PIDFILE. Prints the PID.
spawn() {
  local pidfile=$1 logfile=$2 i
  shift 2
  rm -f "$pidfile"
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  # shellcheck disable=SC2016  # $$ and $@ are for the inner shell
  setsid sh -c 'echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidfile" "$@" \
    >>"$logfile" 2>&1 </dev/null &
  for ((i = 0; i < 100; i++)); do
    [ -s "$pidfile" ] && { cat "$pidfile"; return 0; }
    sleep 0.05
  done
  die "could not start $1 (no pidfile $pidfile)"
}

# ---------------------------------------------------------------- network

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# port_pid PORT: the PID listening on 127.0.0.1:PORT (empty if unknown)
port_pid() {
  have ss || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true
}

# http_ok URL: the URL answers 2xx within 3 s
http_ok() { curl -fsS -m 3 -o /dev/null "$1" 2>/dev/null; }

# forbidden_interfaces: prints docker0 / br-* / veth* interfaces (none expected)
forbidden_interfaces() {
  have ip || return 0
  ip -br link 2>/dev/null | awk '{print $1}' | grep -E '^(docker0|br-|veth)' || true
}

# ---------------------------------------------------------------- packages

# apt_install PKG...: install Debian packages without letting their scripts start services
apt_install() {
  [ "$#" -gt 0 ] || return 0
  local policy=/usr/sbin/policy-rc.d backup="" rc=0
  if [ -e "$policy" ]; then
    backup=$(mktemp /tmp/policy-rc.d.XXXXXX)
    cp -p "$policy" "$backup"
  fi
  printf '#!/bin/sh\n# written by hangar bin/stack during apt-get install\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  log "apt-get install $* (service starts disabled by $policy)"
  local opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  if ! DEBIAN_FRONTEND=noninteractive apt-get install "${opts[@]}" "$@" >"$LOG_DIR/apt.log" 2>&1; then
    log "apt-get install failed; running apt-get update and retrying"
    if ! DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$LOG_DIR/apt.log" 2>&1 ||
       ! DEBIAN_FRONTEND=noninteractive apt-get install "${opts[@]}" "$@" >>"$LOG_DIR/apt.log" 2>&1; then
      rc=1
    fi
  fi
  if [ -n "$backup" ]; then mv -f "$backup" "$policy"; else rm -f "$policy"; fi
  if [ "$rc" != 0 ]; then tail -n 30 "$LOG_DIR/apt.log" >&2; die "apt-get install $* failed (log: $LOG_DIR/apt.log)"; fi
}

# mvn_fetch ARGS...: run mvn with JAVA_HOME and the optional MAVEN_REPO_LOCAL
mvn_cmd() {
  local repo=()
  [ -n "${MAVEN_REPO_LOCAL:-}" ] && repo=("-Dmaven.repo.local=$MAVEN_REPO_LOCAL")
  have mvn || die "mvn not found (apt-get install maven)"
  JAVA_HOME=$JAVA_HOME mvn -B -ntp "${repo[@]}" "$@"
}

# status_line NAME STATE PID ADDRESS LOGFILE [NOTE]: one aligned line of `bin/stack status`
status_line() {
  local logf=${5:--}
  [ "$logf" != - ] && logf=${logf#"$ROOT"/}
  printf '%-17s %-8s pid %-8s %-28s %-34s %s\n' "$1" "$2" "${3:--}" "$4" "$logf" "${6:-}"
}

# stack_key NAME: a random key made once for this stack and kept (mode 600) in .local/keys/NAME;
# the secrets key must outlive restarts or stored secrets could no longer be opened
stack_key() {
  local f=$LOCAL/keys/$1
  if [ ! -s "$f" ]; then
    mkdir -p "$LOCAL/keys" && chmod 700 "$LOCAL/keys"
    (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$f")
  fi
  cat "$f"
}
