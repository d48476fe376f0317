#!/usr/bin/env bash
# A one-host Slurm 22.05 cluster for the Slurm backend's tests and perf (Debian's packages; no
# systemd needed): munged, slurmctld, slurmd (node1, a fake GPU gres), slurmrestd with JWT.
#
#   slurm.sh start    install what is missing (apt), then start what is down; idempotent
#   slurm.sh stop     stop what start started (by pidfile)
#   slurm.sh status   one line per daemon (exit 3 when something is down)
#   slurm.sh token [LIFESPAN_S]   print a fresh JWT for the job user (default 86400 s)
#   slurm.sh env      print the settings a client needs (SLURM_CONF, REST URL, user, shared dir)
#
# Everything binds to 127.0.0.1. State under BASE_DIR (default .local/slurm of this tree, or
# $SLURM_BASE_DIR): etc/ (slurm.conf, gres.conf, jwt key), munge/, ctld/, spool/, log/, run/
# (pidfiles), shared/ (the work dir that the executor and the jobs share: one folder per run)
# and shared/jobs/ (the jobs' own output, written as the job user).
# slurmrestd refuses to run as root or SlurmUser: it runs as its own user `slurmrest`, with
# SLURM_JWT=daemon. Jobs run as SLURM_JOB_USER (default hangarjob), a member of the `docker`
# group so that the job script can start the run's container on the node's Docker engine.
# Env: SLURM_BASE_DIR SLURM_JOB_USER (hangarjob) SLURM_CTLD_PORT (6817) SLURM_NODE_PORT (6818)
#      SLURM_REST_PORT (6820) SLURM_NODE_MEMORY_MB (4000) SLURM_START_TIMEOUT (30 s)
#      SLURM_CTLD_ADDR (127.0.0.1) SLURM_NODE_NAME (node1) SLURM_NODE_ADDR (127.0.0.1)
#      SLURM_NODE_NETNS: run slurmd in that network namespace (`nsenter --net=/run/netns/NS`, not
#      `ip netns exec`, which hides /sys/fs/cgroup from slurmd); the tests use it to put the node
#      across a veth pair (the caller makes and removes the namespace)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034  # read by bin/lib/common.sh
LOG_TAG=slurm
# shellcheck source=bin/lib/common.sh
. "$ROOT/bin/lib/common.sh"

cmd=${1:-}
BASE=${SLURM_BASE_DIR:-$LOCAL/slurm}
JOB_USER=${SLURM_JOB_USER:-hangarjob}
CTLD_PORT=${SLURM_CTLD_PORT:-6817}
NODE_PORT=${SLURM_NODE_PORT:-6818}
REST_PORT=${SLURM_REST_PORT:-6820}
NODE_MEMORY=${SLURM_NODE_MEMORY_MB:-4000}
TIMEOUT=${SLURM_START_TIMEOUT:-30}
CTLD_ADDR=${SLURM_CTLD_ADDR:-127.0.0.1}
NODE=${SLURM_NODE_NAME:-node1}
NODE_ADDR=${SLURM_NODE_ADDR:-127.0.0.1}
NETNS=${SLURM_NODE_NETNS:-}
PACKAGES=(slurmctld slurmd slurmrestd munge slurm-client slurm-wlm-jwt-plugin)
REST_URL=http://127.0.0.1:$REST_PORT
export SLURM_CONF=$BASE/etc/slurm.conf

MUNGE_PID=$BASE/munge/munged.pid
CTLD_PID=$BASE/run/slurmctld.pid
NODE_PID=$BASE/run/slurmd-$NODE.pid
REST_PID=$BASE/run/slurmrestd.pid

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

# the JWT plugin is only a Recommends of slurmctld: it is named explicitly
ensure_packages() {
  dpkg -s "${PACKAGES[@]}" >/dev/null 2>&1 && return 0
  ensure_dirs
  apt_install "${PACKAGES[@]}" curl
}

ensure_users() {
  id slurmrest >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin slurmrest
  id "$JOB_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$JOB_USER"
  getent group docker >/dev/null || groupadd --system docker
  id -nG "$JOB_USER" | tr ' ' '\n' | grep -qx docker || usermod -aG docker "$JOB_USER"
}

ensure_files() {
  mkdir -p "$BASE"/{etc,munge,ctld,spool/"$NODE",log,run,shared/jobs}
  chown munge:munge "$BASE/munge"; chmod 0755 "$BASE/munge"   # munged: its socket dir must be a+x
  [ -s "$BASE/munge/munge.key" ] || mungekey --create --keyfile="$BASE/munge/munge.key"
  chown munge:munge "$BASE/munge/munge.key"; chmod 0600 "$BASE/munge/munge.key"
  [ -s "$BASE/etc/jwt_hs256.key" ] || dd if=/dev/urandom of="$BASE/etc/jwt_hs256.key" bs=32 count=1 status=none
  chown slurm:slurm "$BASE/etc/jwt_hs256.key"; chmod 0600 "$BASE/etc/jwt_hs256.key"
  chown slurm:slurm "$BASE/ctld" "$BASE/log"                     # slurmctld drops to SlurmUser=slurm
  chmod 0755 "$BASE/shared"; chown "$JOB_USER:$JOB_USER" "$BASE/shared/jobs"
  local hw host
  # the node's hardware as slurmd sees it, minus its memory figure (ours is fixed)
  hw=$(slurmd -C | head -n 1 | sed -E 's/^NodeName=[^ ]+ //; s/ RealMemory=[0-9]+//; s/ UpTime=.*//')
  host=$(hostname -s)
  cat > "$BASE/etc/slurm.conf" <<CONF
# written by deploy/local/slurm.sh: a one-host test cluster, everything on 127.0.0.1
ClusterName=hangar
SlurmctldHost=$host($CTLD_ADDR)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$NODE_PORT
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
AuthType=auth/munge
AuthInfo=socket=$BASE/munge/munge.socket.2
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$BASE/etc/jwt_hs256.key
CredType=cred/munge
SlurmUser=slurm
SlurmdUser=root
StateSaveLocation=$BASE/ctld
SlurmdSpoolDir=$BASE/spool/%n
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$BASE/run/slurmd-%n.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
KillWait=5
MailProg=/bin/true
GresTypes=gpu
NodeName=$NODE NodeHostname=$host NodeAddr=$NODE_ADDR $hw RealMemory=$NODE_MEMORY Gres=gpu:1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  # a fake GPU: any existing device file will do
  printf 'NodeName=%s Name=gpu File=/dev/null\n' "$NODE" > "$BASE/etc/gres.conf"
}

munge_up() { pidfile_pid "$MUNGE_PID" munged >/dev/null; }
ctld_up() { pidfile_pid "$CTLD_PID" slurmctld >/dev/null; }
node_up() { pidfile_pid "$NODE_PID" slurmd >/dev/null; }
rest_up() { pidfile_pid "$REST_PID" slurmrestd >/dev/null; }

# wait_for WHAT CHECK...: polls CHECK every 0.2 s until it succeeds or the start timeout passes
wait_for() {
  local what=$1 i
  shift
  for ((i = 0; i < TIMEOUT * 5; i++)); do "$@" && return 0; sleep 0.2; done
  die "$what not ready after ${TIMEOUT}s (logs in $BASE/log/)"
}

ctld_ping() { scontrol ping >/dev/null 2>&1; }
node_idle() { [[ "$(sinfo -h -n "$NODE" -o %T 2>/dev/null)" =~ ^(idle|mixed|allocated) ]]; }

rest_ready() {
  [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' -H "X-SLURM-USER-NAME: $JOB_USER" \
       -H "X-SLURM-USER-TOKEN: $1" "$REST_URL/slurm/v0.0.38/ping")" = 200 ]
}

token() { scontrol token username="$JOB_USER" lifespan="${1:-86400}" | sed 's/^SLURM_JWT=//'; }

start() {
  local t0=$SECONDS tok
  require_root
  ensure_packages
  ensure_users
  if munge_up && ctld_up && node_up && rest_up; then
    log "Slurm running (slurmctld $(cat "$CTLD_PID"), slurmrestd $(cat "$REST_PID")) on $REST_URL"
    return 0
  fi
  if ! ctld_up && port_open "$CTLD_PORT"; then die "127.0.0.1:$CTLD_PORT is taken by pid $(port_pid "$CTLD_PORT"), not our slurmctld"; fi
  if ! rest_up && port_open "$REST_PORT"; then die "127.0.0.1:$REST_PORT is taken by pid $(port_pid "$REST_PORT"), not our slurmrestd"; fi
  ctld_up || ensure_files   # the config changes only while the controller is down
  if ! munge_up; then
    runuser -u munge -- munged --key-file="$BASE/munge/munge.key" --socket="$BASE/munge/munge.socket.2" \
      --pid-file="$MUNGE_PID" --log-file="$BASE/munge/munged.log" --seed-file="$BASE/munge/munged.seed"
  fi
  if ! ctld_up; then
    if [ "$CTLD_ADDR" = 127.0.0.1 ]; then
      slurmctld
    else
      # with NoCtldInAddrAny slurmctld binds to what its host name resolves to: in a mount namespace
      # of its own, that name resolves to CTLD_ADDR (the machine's /etc/hosts is untouched)
      printf '127.0.0.1 localhost\n%s %s\n' "$CTLD_ADDR" "$(hostname -s)" > "$BASE/etc/hosts.ctld"
      unshare --mount --propagation private sh -c 'mount --bind "$1" /etc/hosts && exec slurmctld' sh "$BASE/etc/hosts.ctld"
    fi
  fi
  wait_for slurmctld ctld_ping
  if ! node_up; then
    if [ -z "$NETNS" ]; then
      slurmd -N "$NODE"
    else
      # in the node's network namespace; its host name resolves to NODE_ADDR there (see slurmctld)
      printf '127.0.0.1 localhost\n%s %s\n' "$NODE_ADDR" "$(hostname -s)" > "$BASE/etc/hosts.$NODE"
      nsenter --net="/run/netns/$NETNS" unshare --mount --propagation private \
        sh -c 'mount --bind "$1" /etc/hosts && exec slurmd -N "$2"' sh "$BASE/etc/hosts.$NODE" "$NODE"
    fi
  fi
  wait_for "$NODE (slurmd)" node_idle
  tok=$(token 600)
  if ! rest_up; then
    # slurmrestd does not daemonize; without SLURM_JWT=daemon it refuses every token
    local wrapper rest
    wrapper=$(spawn "$REST_PID" "$BASE/log/slurmrestd.log" env SLURM_JWT=daemon SLURM_CONF="$SLURM_CONF" \
      runuser -u slurmrest -- slurmrestd -a rest_auth/jwt -s openapi/v0.0.38,openapi/v0.0.37,openapi/v0.0.36 \
      "127.0.0.1:$REST_PORT")
    wait_for slurmrestd rest_ready "$tok"
    # the pidfile names slurmrestd itself, the child of the runuser in front of it
    rest=$(pgrep -P "$wrapper" -x slurmrestd | head -n 1)
    [ -n "$rest" ] && echo "$rest" > "$REST_PID"
  fi
  wait_for slurmrestd rest_ready "$tok"
  log "Slurm ready in $((SECONDS - t0)) s: slurmrestd on $REST_URL (pid $(cat "$REST_PID")), $NODE $(sinfo -h -n "$NODE" -o %T), job user $JOB_USER, shared dir $BASE/shared"
}

stop() {
  require_root
  # a job still running would keep its container: cancel what is left first
  if ctld_up; then scancel --full --quiet -u "$JOB_USER" 2>/dev/null || true; fi
  stop_pidfile "$REST_PID" slurmrestd slurmrestd 10
  stop_pidfile "$NODE_PID" slurmd slurmd 20
  stop_pidfile "$CTLD_PID" slurmctld slurmctld 20
  stop_pidfile "$MUNGE_PID" munged munged 10
}

status() {
  local rc=0 name file pattern addr
  for name in munged slurmctld slurmd slurmrestd; do
    case $name in
      munged) file=$MUNGE_PID pattern=munged addr=$BASE/munge/munge.socket.2 ;;
      slurmctld) file=$CTLD_PID pattern=slurmctld addr=$CTLD_ADDR:$CTLD_PORT ;;
      slurmd) file=$NODE_PID pattern=slurmd addr=$NODE_ADDR:$NODE_PORT ;;
      slurmrestd) file=$REST_PID pattern=slurmrestd addr=$REST_URL ;;
    esac
    if pid=$(pidfile_pid "$file" "$pattern"); then status_line "$name" running "$pid" "$addr" "$BASE/log" owned
    else status_line "$name" stopped - "$addr" "$BASE/log"; rc=3; fi
  done
  return "$rc"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  token) token "${2:-86400}" ;;
  env) printf 'SLURM_CONF=%s\nHANGAR_SLURM_REST_URL=%s\nHANGAR_SLURM_USER=%s\nHANGAR_SLURM_SHARED_DIR=%s\n' \
         "$SLURM_CONF" "$REST_URL" "$JOB_USER" "$BASE/shared" ;;
  *) usage ;;
esac
