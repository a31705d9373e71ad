#!/usr/bin/env bash
# A real Slurm cluster on this one machine, for Allot's cluster-mode tests (Debian 12, root).
#
# Usage:
#   scripts/local-slurm.sh [start]     install (apt) what is missing, set up munge, write the
#                                      config, start the accounting (a private MariaDB and
#                                      slurmdbd), slurmctld and one slurmd per node (only those
#                                      not running) and wait until every node is idle
#   scripts/local-slurm.sh stop        kill every slurmd, slurmctld, slurmdbd and MariaDB of this
#                                      cluster (munge stays)
#   scripts/local-slurm.sh status      daemons (pid or "not running") and sinfo
#   scripts/local-slurm.sh kill-node nX [--wait]
#                                      simulate a node failure: SIGKILL to nX's slurmd and to
#                                      every process of the jobs on nX (its slurmstepds, all
#                                      below them, and whatever a step there left behind); with
#                                      --wait, wait until sinfo shows it DOWN (about SlurmdTimeout)
#   scripts/local-slurm.sh env         print the export line for the Slurm client commands
#
#   eval "$(scripts/local-slurm.sh env)"   # then: sinfo, srun -N3 -l hostname, sbatch, squeue...
#
# After kill-node, `start` restarts the missing slurmd and the node comes back by itself
# (ReturnToService=2). Slurm sets a killed node DOWN about SlurmdTimeout (10 s) later and then
# ends every job on it, unless the job was submitted with --no-kill (sbatch -k, srun -k): then
# the job and its steps go on with the other nodes.
#
# Environment (all optional):
#   ALLOT_SLURM_DIR     state directory, config included (default /var/lib/allot-slurm);
#                       /etc/slurm is never touched: clients need SLURM_CONF=$ALLOT_SLURM_DIR/slurm.conf
#   ALLOT_SLURM_NODES   number of nodes n1..nN (default 3)
#   ALLOT_SLURM_CPUS    CPUs per node (default: nproc; every node shares the same physical CPUs,
#                       so the cluster oversubscribes them N times, which is fine for tests; more
#                       than nproc works too, thanks to SlurmdParameters=config_overrides)
#   ALLOT_SLURM_MEM_MB  RealMemory per node in MB (default: 80% of MemTotal / nodes)
#   ALLOT_SLURM_TIMEOUT seconds to wait for the nodes to come up (default 60)
#   ALLOT_SLURM_CTLD_PORT  slurmctld port (default 16817, so a real cluster on 6817 is left alone);
#                       slurmd ports are 17001..1700N
#   ALLOT_SLURM_ACCOUNTING  1 (default): job accounting, so that `sacct` answers (per-task Slurm
#                       jobs read their usage there): slurmdbd on port 16819 over a MariaDB of
#                       its own ($ALLOT_SLURM_DIR/mysql, 127.0.0.1:16306, never the system's),
#                       JobAcctGatherType=jobacct_gather/linux. 0: none (sacct says accounting
#                       storage is disabled), as before
#
# Every node is `slurmd -N nX` on this host with its own port, pid file, spool dir and log
# (%n in slurm.conf). Logs: $ALLOT_SLURM_DIR/log/. A changed config (other node count...) while
# daemons run restarts them. Exits with a message on any failure; every wait is bounded.
set -euo pipefail

STATE_DIR=${ALLOT_SLURM_DIR:-/var/lib/allot-slurm}
CONF=$STATE_DIR/slurm.conf
NODES=${ALLOT_SLURM_NODES:-3}
WAIT_S=${ALLOT_SLURM_TIMEOUT:-60}
CTLD_PORT=${ALLOT_SLURM_CTLD_PORT:-16817}
BASE_PORT=17000
CLUSTER=allot
PARTITION="test"
ACCOUNTING=${ALLOT_SLURM_ACCOUNTING:-1}
DBD_PORT=16819
DB_PORT=16306
DB_NAME=slurm_acct_db
DB_USER=slurm
DB_PASS=allot-local-test  # a private test database on 127.0.0.1 only
DBD_CONF=$STATE_DIR/slurmdbd.conf
export SLURM_CONF=$CONF

die() { echo "local-slurm: error: $*" >&2; exit 1; }
say() { echo "local-slurm: $*"; }

[[ $NODES =~ ^[1-9][0-9]*$ ]] || die "ALLOT_SLURM_NODES must be a positive integer (got '$NODES')"
[[ $WAIT_S =~ ^[1-9][0-9]*$ ]] || die "ALLOT_SLURM_TIMEOUT must be a positive integer (got '$WAIT_S')"
[[ $ACCOUNTING =~ ^[01]$ ]] || die "ALLOT_SLURM_ACCOUNTING must be 0 or 1 (got '$ACCOUNTING')"

node_names() { local i; for ((i = 1; i <= NODES; i++)); do echo "n$i"; done; }

need_root() { [ "$(id -u)" -eq 0 ] || die "'$1' must run as root (it manages the Slurm and munge daemons)"; }

# ---------------------------------------------------------------- packages
install_packages() {
  local packages=(slurm-wlm munge) missing=() p
  ((ACCOUNTING)) && packages+=(slurmdbd mariadb-server)
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "local-slurm: missing packages: ${missing[*]}" >&2
    echo "local-slurm: run as root:  $line" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq || die "apt-get update failed"
  timeout 900 apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed"
}

# ---------------------------------------------------------------- munge
munge_ok() { timeout 5 munge -n 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1; }

setup_munge() {
  local key=/etc/munge/munge.key d
  id munge >/dev/null 2>&1 || die "user 'munge' missing (is the munge package installed?)"
  install -d -o munge -g munge -m 0700 /etc/munge
  if [ ! -s "$key" ]; then
    say "creating $key"
    (umask 077 && head -c 1024 /dev/urandom >"$key")
  fi
  chown munge:munge "$key"
  chmod 0400 "$key"
  for d in /run/munge /var/log/munge /var/lib/munge; do
    install -d -o munge -g munge -m 0755 "$d"
    chown munge:munge "$d"
  done
  chmod 0700 /var/log/munge /var/lib/munge
  if munge_ok; then return 0; fi
  if ! pgrep -x munged >/dev/null; then
    say "starting munged"
    # As root munged complains about the ownership of its dirs; --force makes it run anyway.
    timeout 20 munged --force || die "munged did not start (see /var/log/munge/munged.log)"
  fi
  local i
  for ((i = 0; i < 20; i++)); do munge_ok && return 0; sleep 0.5; done
  tail -n 20 /var/log/munge/munged.log >&2 2>/dev/null || true
  die "munge -n | unmunge fails: munged is not working"
}

# ---------------------------------------------------------------- config
node_cpus() {
  local c=${ALLOT_SLURM_CPUS:-$(nproc)}
  [[ $c =~ ^[1-9][0-9]*$ ]] || die "ALLOT_SLURM_CPUS must be a positive integer (got '$c')"
  echo "$c"
}

node_mem_mb() {
  if [ -n "${ALLOT_SLURM_MEM_MB:-}" ]; then
    [[ $ALLOT_SLURM_MEM_MB =~ ^[1-9][0-9]*$ ]] || die "ALLOT_SLURM_MEM_MB must be a positive integer"
    echo "$ALLOT_SLURM_MEM_MB"
    return
  fi
  local kb
  kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
  local mb=$((kb * 8 / 10 / 1024 / NODES))
  ((mb >= 100)) || mb=100
  echo "$mb"
}

render_conf() {
  local host cpus mem n i names
  host=$(hostname -s)
  cpus=$(node_cpus)
  mem=$(node_mem_mb)
  names=$(node_names | paste -sd,)
  cat <<EOF
# Written by scripts/local-slurm.sh: a local test cluster, $NODES nodes on one host. Do not edit;
# rerun the script (ALLOT_SLURM_NODES/CPUS/MEM_MB) instead.
ClusterName=$CLUSTER
SlurmctldHost=$host
SlurmctldPort=$CTLD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# Nodes take CPUs/RealMemory from this file, not from the hardware: every node shares the host's
# CPUs, and ALLOT_SLURM_CPUS may exceed them (without this, slurmd reports the real count and
# slurmctld sets such a node INVAL, "Low socket*core*thread count").
SlurmdParameters=config_overrides
StateSaveLocation=$STATE_DIR/ctld
SlurmctldPidFile=$STATE_DIR/run/slurmctld.pid
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdPidFile=$STATE_DIR/run/slurmd-%n.pid
SlurmdSpoolDir=$STATE_DIR/spool/slurmd-%n
SlurmdLogFile=$STATE_DIR/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
$(accounting_conf)
JobCompType=jobcomp/none
# Short timeouts for tests: a killed slurmd is DOWN after ~SlurmdTimeout.
SlurmdTimeout=10
SlurmctldTimeout=10
MessageTimeout=5
InactiveLimit=0
KillWait=5
MinJobAge=300
Waittime=0

EOF
  for ((i = 1; i <= NODES; i++)); do
    echo "NodeName=n$i NodeHostname=$host NodeAddr=127.0.0.1 Port=$((BASE_PORT + i)) CPUs=$cpus RealMemory=$mem State=UNKNOWN"
  done
  echo "PartitionName=$PARTITION Nodes=$names Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO"
}

# The accounting lines of slurm.conf (ALLOT_SLURM_ACCOUNTING).
accounting_conf() {
  if ((ACCOUNTING)); then
    cat <<EOF
# Accounting: sacct answers from slurmdbd ($DBD_CONF). Usage sampled every 2 s (MaxRSS); CPU
# time is the steps' own rusage at their end.
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=2
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$DBD_PORT
EOF
  else
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "AccountingStorageType=accounting_storage/none"
  fi
}

render_dbd_conf() {
  cat <<EOF
# Written by scripts/local-slurm.sh: slurmdbd of the local test cluster. Do not edit.
AuthType=auth/munge
DbdHost=$(hostname -s)
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
SlurmUser=root
PidFile=$STATE_DIR/run/slurmdbd.pid
LogFile=$STATE_DIR/log/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=$DB_USER
StoragePass=$DB_PASS
StorageLoc=$DB_NAME
EOF
}

# Writes the config; returns 0 when it changed (or was new), 1 when it is unchanged.
write_conf() {
  install -d -m 0755 "$STATE_DIR" "$STATE_DIR/run" "$STATE_DIR/log" "$STATE_DIR/spool"
  install -d -m 0700 "$STATE_DIR/ctld"
  local n
  for n in $(node_names); do install -d -m 0755 "$STATE_DIR/spool/slurmd-$n"; done
  local tmp=$CONF.tmp
  render_conf >"$tmp"
  if [ -f "$CONF" ] && cmp -s "$tmp" "$CONF"; then
    rm -f "$tmp"
    return 1
  fi
  mv "$tmp" "$CONF"
  chmod 0644 "$CONF"
  return 0
}

# slurmdbd.conf holds the database password: 0600, as slurmdbd insists. Returns as write_conf.
write_dbd_conf() {
  local tmp=$DBD_CONF.tmp
  (umask 077 && render_dbd_conf >"$tmp")
  if [ -f "$DBD_CONF" ] && cmp -s "$tmp" "$DBD_CONF"; then
    rm -f "$tmp"
    return 1
  fi
  mv "$tmp" "$DBD_CONF"
  return 0
}

# ---------------------------------------------------------------- processes
# Prints the pid from pidfile $1 if that process is alive and its command is $2 (-N $3).
live_pid() {
  local pidfile=$1 exe=$2 node=${3:-} pid cmd
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  [[ $cmd == *"$exe"* ]] || return 1
  if [ -n "$node" ]; then [[ " $cmd " == *" -N $node "* ]] || return 1; fi
  echo "$pid"
}

ctld_pid() { live_pid "$STATE_DIR/run/slurmctld.pid" slurmctld; }
dbd_pid() { live_pid "$STATE_DIR/run/slurmdbd.pid" slurmdbd; }
db_pid() { live_pid "$STATE_DIR/run/mysqld.pid" mariadbd; }
slurmd_pid() { live_pid "$STATE_DIR/run/slurmd-$1.pid" slurmd "$1"; }

# Every slurmd of this cluster, also of nodes beyond the current count (from the pid files).
all_slurmd_nodes() {
  local f
  for f in "$STATE_DIR"/run/slurmd-*.pid; do
    [ -e "$f" ] || continue
    f=${f##*/slurmd-}
    echo "${f%.pid}"
  done
}

kill_pid() { # pid name: TERM, wait up to 10 s, then KILL
  local pid=$1 name=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  say "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  die "$name (pid $pid) does not exit"
}

show_logs() {
  local f
  for f in "$STATE_DIR/log/slurmdbd.log" "$STATE_DIR/log/slurmctld.log" "$STATE_DIR"/log/slurmd-*.log; do
    [ -f "$f" ] || continue
    echo "---- tail $f" >&2
    # (the mpi/pmix errors are noise: PMIx is not installed and not needed)
    grep -vE 'pmix|MPI: Cannot create context' "$f" | tail -n 15 >&2 || true
  done
}

fail() { show_logs; die "$*"; }

sinfo_nodes() { timeout 10 sinfo -h -N -p "$PARTITION" -o '%N %t' 2>/dev/null; }

# ---------------------------------------------------------------- subcommands
cmd_stop() {
  need_root stop
  local n pid stopped=0
  for n in $(all_slurmd_nodes); do
    if pid=$(slurmd_pid "$n"); then
      kill_pid "$pid" "slurmd $n"
      stopped=1
    fi
    rm -f "$STATE_DIR/run/slurmd-$n.pid"
  done
  if pid=$(ctld_pid); then
    kill_pid "$pid" slurmctld
    stopped=1
  fi
  rm -f "$STATE_DIR/run/slurmctld.pid"
  if pid=$(dbd_pid); then
    kill_pid "$pid" slurmdbd
    stopped=1
  fi
  rm -f "$STATE_DIR/run/slurmdbd.pid"
  if pid=$(db_pid); then
    kill_pid "$pid" mariadbd
    stopped=1
  fi
  if ((stopped)); then say "stopped"; else say "not running"; fi
}

start_ctld() {
  ctld_pid >/dev/null && return 0
  say "starting slurmctld (port $CTLD_PORT)"
  # -i: ignore state that does not match the config (e.g. after a node-count change).
  timeout 30 slurmctld -i -f "$CONF" || fail "slurmctld failed to start"
  local i
  for ((i = 0; i < 40; i++)); do
    if ctld_pid >/dev/null && timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; then return 0; fi
    sleep 0.5
  done
  fail "slurmctld does not answer 'scontrol ping' after 20 s"
}

# ---------------------------------------------------------------- accounting
db() { timeout 20 mariadb --no-defaults --socket="$STATE_DIR/run/mysqld.sock" -uroot "$@"; }
db_up() { timeout 5 mariadb-admin --no-defaults --socket="$STATE_DIR/run/mysqld.sock" -uroot ping >/dev/null 2>&1; }

# A MariaDB of this cluster's own: its data in $STATE_DIR/mysql, listening on 127.0.0.1:$DB_PORT
# and a socket in $STATE_DIR/run; root logs in through the socket only.
start_db() {
  local data=$STATE_DIR/mysql i
  if ! db_pid >/dev/null; then
    id mysql >/dev/null 2>&1 || die "user 'mysql' missing (is mariadb-server installed?)"
    if [ ! -d "$data/mysql" ]; then
      say "creating the accounting database in $data"
      rm -rf "$data"
      install -d -o mysql -g mysql -m 0700 "$data"
      timeout 120 mariadb-install-db --no-defaults --user=mysql --datadir="$data" \
        --auth-root-authentication-method=socket --skip-test-db \
        >"$STATE_DIR/log/mariadb-install-db.log" 2>&1 \
        || { tail -n 20 "$STATE_DIR/log/mariadb-install-db.log" >&2; die "mariadb-install-db failed"; }
    fi
    # mariadbd runs as mysql: its socket and pid file go into run/, its log into log/.
    chown mysql:mysql "$STATE_DIR/run" "$STATE_DIR/log"
    say "starting MariaDB (127.0.0.1:$DB_PORT)"
    setsid mariadbd --no-defaults --user=mysql --datadir="$data" --bind-address=127.0.0.1 \
      --port="$DB_PORT" --socket="$STATE_DIR/run/mysqld.sock" --pid-file="$STATE_DIR/run/mysqld.pid" \
      --log-error="$STATE_DIR/log/mysqld.log" --skip-name-resolve --innodb-buffer-pool-size=64M \
      </dev/null >/dev/null 2>&1 &
  fi
  for ((i = 0; i < 120; i++)); do
    db_up && break
    sleep 0.25
  done
  db_up || { tail -n 20 "$STATE_DIR/log/mysqld.log" >&2 || true; die "MariaDB does not answer after 30 s"; }
  db -e "CREATE DATABASE IF NOT EXISTS $DB_NAME;
         CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
         GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'127.0.0.1';" || die "cannot create the accounting database"
}

start_dbd() {
  if ! dbd_pid >/dev/null; then
    say "starting slurmdbd (port $DBD_PORT)"
    timeout 30 slurmdbd || fail "slurmdbd failed to start"
  fi
  local i
  # Its first start creates the database's tables: allow a slow machine a minute.
  for ((i = 0; i < 120; i++)); do
    if timeout 10 sacctmgr -n -P show cluster format=cluster >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  timeout 10 sacctmgr -n -P show cluster format=cluster >/dev/null 2>&1 \
    || fail "slurmdbd does not answer sacctmgr after 60 s"
  if ! timeout 10 sacctmgr -n -P show cluster format=cluster | grep -qx "$CLUSTER"; then
    say "adding cluster $CLUSTER to the accounting"
    timeout 20 sacctmgr -i add cluster "$CLUSTER" >/dev/null || fail "sacctmgr add cluster failed"
  fi
}

start_slurmd() {
  local n=$1
  slurmd_pid "$n" >/dev/null && return 0
  say "starting slurmd -N $n"
  timeout 30 slurmd -N "$n" -f "$CONF" || fail "slurmd -N $n failed to start"
}

wait_idle() {
  local deadline=$((SECONDS + WAIT_S)) n st bad resumed=" "
  while :; do
    bad=""
    while read -r n st; do
      [ -n "$n" ] || continue
      case $st in
      idle | alloc | mix | comp) ;;
      down | drain | fail)
        # Registered (no '*') but down or drained, e.g. by an earlier failure kept in the saved
        # state, or an `scontrol update State=DRAIN`: resume it once. A node that is still
        # invalid is set INVAL again and the wait fails with its reason.
        if [[ $resumed != *" $n "* ]] && slurmd_pid "$n" >/dev/null; then
          say "resuming $n (was $st: $(timeout 10 sinfo -h -N -n "$n" -o '%E' 2>/dev/null || true))"
          timeout 10 scontrol update NodeName="$n" State=RESUME >/dev/null 2>&1 || true
          resumed+="$n "
        fi
        bad+=" $n:$st" ;;
      *) bad+=" $n:$st" ;;
      esac
    done < <(sinfo_nodes || true)
    local count
    count=$(sinfo_nodes | wc -l || true)
    if [ -z "$bad" ] && [ "$count" -eq "$NODES" ]; then return 0; fi
    if ((SECONDS >= deadline)); then
      timeout 10 sinfo -N -l >&2 || true
      timeout 10 sinfo -R >&2 || true
      fail "nodes not idle after ${WAIT_S}s:${bad:- (sinfo shows $count of $NODES nodes)}"
    fi
    sleep 1
  done
}

cmd_start() {
  install_packages # as non-root: prints the apt line for what is missing and exits
  need_root start
  setup_munge
  local changed=0
  write_conf && changed=1
  if ((ACCOUNTING)); then write_dbd_conf && changed=1; fi
  if ((changed)); then
    if ctld_pid >/dev/null || dbd_pid >/dev/null || [ -n "$(all_slurmd_nodes)" ]; then
      say "config changed; restarting the daemons"
      cmd_stop
    fi
    say "wrote $CONF"
  fi
  local n
  # slurmds of nodes beyond the current count (ALLOT_SLURM_NODES lowered) would not be
  # cleaned up by the restart above when the config is unchanged; stop them.
  for n in $(all_slurmd_nodes); do
    if [ "${n#n}" -gt "$NODES" ] 2>/dev/null; then
      local pid
      if pid=$(slurmd_pid "$n"); then kill_pid "$pid" "slurmd $n"; fi
      rm -f "$STATE_DIR/run/slurmd-$n.pid"
    fi
  done
  if ((ACCOUNTING)); then
    start_db
    start_dbd
  fi
  start_ctld
  for n in $(node_names); do start_slurmd "$n"; done
  wait_idle
  timeout 10 sinfo || true
  say "cluster up: $NODES nodes. For the Slurm commands:"
  echo "export SLURM_CONF=$CONF"
}

cmd_status() {
  local pid n rc=0
  if [ ! -f "$CONF" ]; then echo "no config at $CONF (never started)"; return 3; fi
  if pid=$(ctld_pid); then echo "slurmctld: pid $pid"; else echo "slurmctld: not running"; rc=3; fi
  if grep -q '^AccountingStorageType=accounting_storage/slurmdbd' "$CONF"; then
    if pid=$(dbd_pid); then echo "slurmdbd: pid $pid"; else echo "slurmdbd: not running"; rc=3; fi
    if pid=$(db_pid); then echo "mariadb: pid $pid"; else echo "mariadb: not running"; rc=3; fi
  fi
  for n in $(node_names); do
    if pid=$(slurmd_pid "$n"); then echo "slurmd $n: pid $pid"; else echo "slurmd $n: not running"; rc=3; fi
  done
  if munge_ok; then echo "munge: ok"; else echo "munge: not working"; rc=3; fi
  if ctld_pid >/dev/null; then timeout 10 sinfo -N -l || true; fi
  echo "export SLURM_CONF=$CONF"
  return $rc
}

# The processes of the jobs on node $1, one pid a line: its slurmstepds (each has the node's
# slurmd log open), everything below them (by parent pid), and processes a step there started
# that left that tree (their environment names the node and this cluster's config).
node_job_pids() {
  local n=$1 log=$STATE_DIR/log/slurmd-$1.log p fd
  local -a roots=()
  for p in $(pgrep -x slurmstepd || true); do
    for fd in /proc/"$p"/fd/*; do
      if [ "$(readlink "$fd" 2>/dev/null)" = "$log" ]; then roots+=("$p"); break; fi
    done
  done
  local -a queue=("${roots[@]}") children
  while ((${#queue[@]})); do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    echo "$p"
    mapfile -t children < <(pgrep -P "$p" || true)
    queue+=("${children[@]}")
  done
  local f
  for f in $(grep -slzxF "SLURMD_NODENAME=$n" /proc/[0-9]*/environ || true); do
    grep -qszxF "SLURM_CONF=$CONF" "$f" || continue
    p=${f#/proc/}
    echo "${p%/environ}"
  done
}

# SIGSTOP to every process of the jobs on $1 until no new one appears (a stopped process
# cannot fork), then SIGKILL to all: nothing of them runs on, as after a power cut.
kill_node_jobs() {
  local n=$1 round p
  local -A seen=()
  local -a new
  for ((round = 0; round < 50; round++)); do
    new=()
    while read -r p; do
      [ -n "$p" ] && [ "$p" != $$ ] && [ -z "${seen[$p]:-}" ] && new+=("$p")
    done < <(node_job_pids "$n" | sort -un)
    ((${#new[@]})) || break
    for p in "${new[@]}"; do seen[$p]=1; done
    kill -STOP "${new[@]}" 2>/dev/null || true
  done
  ((${#seen[@]})) || return 0
  kill -KILL "${!seen[@]}" 2>/dev/null || true
  say "killed ${#seen[@]} processes of jobs on $n"
}

cmd_kill_node() {
  need_root kill-node
  local n=${1:-} wait=${2:-} pid
  [[ $n =~ ^n[1-9][0-9]*$ ]] || die "usage: $0 kill-node nX [--wait]"
  [ -z "$wait" ] || [ "$wait" = --wait ] || die "usage: $0 kill-node nX [--wait]"
  pid=$(slurmd_pid "$n") || die "slurmd $n is not running"
  # SIGKILL: a crash, not a clean shutdown (a clean one would tell slurmctld). The slurmd first,
  # so that it cannot report its jobs' end.
  kill -KILL "$pid"
  say "killed slurmd $n (pid $pid)"
  kill_node_jobs "$n"
  [ -n "$wait" ] || return 0
  local deadline=$((SECONDS + 60)) st
  while ((SECONDS < deadline)); do
    st=$(timeout 10 sinfo -h -N -n "$n" -o '%t' 2>/dev/null | head -n1 || true)
    if [[ $st == down* ]]; then say "$n is $st"; return 0; fi
    sleep 1
  done
  die "$n is not DOWN 60 s after its slurmd was killed (state: ${st:-?})"
}

case ${1:-start} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
kill-node) shift; cmd_kill_node "$@" ;;
env) echo "export SLURM_CONF=$CONF" ;;
-h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' ;;
*) die "unknown command '$1' (start|stop|status|kill-node nX [--wait]|env)" ;;
esac
