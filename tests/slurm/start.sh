#!/usr/bin/env bash
# Start a one-node SLURM cluster with job accounting on this machine.
#
# Used by tests/test_slurm.py to run the workflow through `snakemake --executor slurm`, and by
# hand to try the SLURM profile:
#
#     bash tests/slurm/start.sh --install      # as root; prints the SLURM_CONF to export
#     export SLURM_CONF=/tmp/exomir-slurm/etc/slurm.conf
#     sbatch --wrap hostname; sacct
#     bash tests/slurm/stop.sh
#
# What runs, all under one state directory ($EXOMIR_SLURM_DIR, default /tmp/exomir-slurm):
#   munged     a private instance (own socket and pid file) with the machine's munge key
#   mariadbd   a private MariaDB server on 127.0.0.1 holding the slurm_acct_db database
#   slurmdbd   the accounting daemon: the executor plugin reads job states with sacct
#   slurmctld  the controller; slurmd the single compute node "localhost" with this machine's
#              CPUs and memory; partition $EXOMIR_SLURM_PARTITION, account $EXOMIR_SLURM_ACCOUNT
#
# Jobs read SLURM's default configuration path, so /etc/slurm/slurm.conf is made a link to the
# cluster's file (stop.sh removes it); the script refuses to run where that path belongs to
# another SLURM installation.
#
# The script is idempotent: a daemon whose pid file names a live process is left running, the
# database and the accounting entries are created only when missing. It exits non-zero with a
# message on stderr (and the tail of the daemon's log) when something cannot start.
#
# Options:  --install   install the Debian packages (slurm-wlm, slurmdbd, munge,
#                       mariadb-server) with apt-get when a command is missing
# Environment (defaults in brackets): EXOMIR_SLURM_DIR [/tmp/exomir-slurm],
#   EXOMIR_SLURM_PARTITION [exomir], EXOMIR_SLURM_ACCOUNT [exomir], EXOMIR_SLURM_CLUSTER
#   [exomir], EXOMIR_SLURM_PORT_BASE [16817]: slurmctld, slurmd, slurmdbd and MariaDB listen on
#   this port and the three after it (not SLURM's defaults, so a real installation is left alone);
#   EXOMIR_SLURM_TIMEOUT [60]: seconds to wait for each daemon to answer.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${EXOMIR_SLURM_DIR:-/tmp/exomir-slurm}
PARTITION=${EXOMIR_SLURM_PARTITION:-exomir}
ACCOUNT=${EXOMIR_SLURM_ACCOUNT:-exomir}
CLUSTER=${EXOMIR_SLURM_CLUSTER:-exomir}
PORT_BASE=${EXOMIR_SLURM_PORT_BASE:-16817}
CTLD_PORT=$PORT_BASE
SLURMD_PORT=$((PORT_BASE + 1))
DBD_PORT=$((PORT_BASE + 2))
DB_PORT=$((PORT_BASE + 3))
DB_USER=slurm
# Only reachable on the loopback interface of a test machine; not a secret.
DB_PASS=exomir-test-only
INSTALL=0
TIMEOUT=${EXOMIR_SLURM_TIMEOUT:-60}

for arg in "$@"; do
    case $arg in
        --install) INSTALL=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "start.sh: unknown option '$arg' (see --help)" >&2
            exit 2
            ;;
    esac
done

SOCK_DB=$STATE/run/mysqld.sock
MUNGE_SOCKET=$STATE/run/munge.socket
export SLURM_CONF=$STATE/etc/slurm.conf

log() { echo "start.sh: $*" >&2; }

# die MESSAGE [LOGFILE]: print the message and the last lines of the log, then exit 1.
die() {
    echo "start.sh: ERROR: $1" >&2
    if [[ -n ${2:-} && -s ${2:-} ]]; then
        echo "--- last lines of $2 ---" >&2
        tail -n 15 "$2" >&2
    fi
    exit 1
}

# alive PIDFILE: true when the pid file names a running process.
alive() {
    [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every 0.5 s until it succeeds.
wait_for() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            return 1
        fi
        sleep 0.5
    done
    log "$what: ready"
}

# --- preconditions -----------------------------------------------------------------------------
if [[ $(id -u) -ne 0 ]]; then
    die "must run as root (the daemons run as root and munged, slurmd need it); now uid $(id -u)"
fi

REQUIRED=(munged munge unmunge mariadbd mariadb-install-db mariadb mariadb-admin slurmdbd
    slurmctld slurmd sbatch sacct sacctmgr sinfo scontrol)
missing=()
for cmd in "${REQUIRED[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if ((${#missing[@]})); then
    if ((INSTALL == 0)); then
        die "missing commands: ${missing[*]}; run with --install (apt-get) or install slurm-wlm slurmdbd munge mariadb-server"
    fi
    command -v apt-get >/dev/null 2>&1 || die "missing commands: ${missing[*]}, and no apt-get to install them"
    log "installing slurm-wlm slurmdbd munge mariadb-server (missing: ${missing[*]})"
    mkdir -p "$STATE/log"
    {
        apt-get update -q &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                slurm-wlm slurmdbd munge mariadb-server
    } >"$STATE/log/apt.log" 2>&1 || die "apt-get install failed" "$STATE/log/apt.log"
    for cmd in "${REQUIRED[@]}"; do
        command -v "$cmd" >/dev/null 2>&1 || die "still missing after apt-get install: $cmd"
    done
fi

mkdir -p "$STATE"/{etc,log,run,spool/ctld,spool/d,mysql}
# munged and slurmdbd refuse group- or world-writable directories on their paths.
chmod 755 "$STATE" "$STATE"/{etc,log,run}

# --- munge -----------------------------------------------------------------------------------
MUNGE_KEY=/etc/munge/munge.key
if ! alive "$STATE/run/munged.pid"; then
    if [[ ! -s $MUNGE_KEY ]]; then
        log "creating $MUNGE_KEY"
        mkdir -p /etc/munge
        mungekey --create --keyfile="$MUNGE_KEY" || die "could not create $MUNGE_KEY"
        chown munge:munge /etc/munge "$MUNGE_KEY" 2>/dev/null || true
        chmod 700 /etc/munge
        chmod 400 "$MUNGE_KEY"
    fi
    # munged as root needs --force; its state (socket, pid, seed, log) stays in $STATE.
    munged --force --socket="$MUNGE_SOCKET" --pid-file="$STATE/run/munged.pid" \
        --seed-file="$STATE/run/munged.seed" --log-file="$STATE/log/munged.log" \
        --key-file="$MUNGE_KEY" >>"$STATE/log/munged.log" 2>&1 ||
        die "munged did not start" "$STATE/log/munged.log"
fi
munge_ok() { munge -n --socket="$MUNGE_SOCKET" | unmunge --socket="$MUNGE_SOCKET"; }
wait_for 20 munged munge_ok || die "munged does not answer on $MUNGE_SOCKET" "$STATE/log/munged.log"

# --- MariaDB -----------------------------------------------------------------------------------
if [[ ! -d $STATE/mysql/mysql ]]; then
    log "initialising MariaDB in $STATE/mysql"
    mariadb-install-db --no-defaults --datadir="$STATE/mysql" --user=root \
        --auth-root-authentication-method=socket --skip-test-db \
        >"$STATE/log/mariadb-install.log" 2>&1 ||
        die "mariadb-install-db failed" "$STATE/log/mariadb-install.log"
fi
if ! alive "$STATE/run/mariadbd.pid"; then
    # InnoDB settings towards what slurmdbd recommends (long lock waits for big purges).
    setsid mariadbd --no-defaults --user=root --datadir="$STATE/mysql" --socket="$SOCK_DB" \
        --port="$DB_PORT" --bind-address=127.0.0.1 --pid-file="$STATE/run/mariadbd.pid" \
        --log-error="$STATE/log/mariadbd.log" --innodb-buffer-pool-size=256M \
        --innodb-log-file-size=64M --innodb-lock-wait-timeout=900 \
        </dev/null >/dev/null 2>&1 &
fi
wait_for "$TIMEOUT" mariadbd mariadb-admin --no-defaults --socket="$SOCK_DB" ping ||
    die "MariaDB does not answer on $SOCK_DB" "$STATE/log/mariadbd.log"
mariadb --no-defaults --socket="$SOCK_DB" -u root >"$STATE/log/mariadb-setup.log" 2>&1 <<SQL ||
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL ON slurm_acct_db.* TO '$DB_USER'@'localhost';
GRANT ALL ON slurm_acct_db.* TO '$DB_USER'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
    die "could not create the slurm_acct_db database and user" "$STATE/log/mariadb-setup.log"

# --- configuration ---------------------------------------------------------------------------
CPUS=$(nproc)
# 90 % of MemTotal: slurmd drains a node whose configured RealMemory exceeds what it measures.
REAL_MEMORY=$(awk '/^MemTotal:/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
fill() {
    sed -e "s|@STATE@|$STATE|g" -e "s|@CLUSTER@|$CLUSTER|g" -e "s|@PARTITION@|$PARTITION|g" \
        -e "s|@HOSTNAME@|$(hostname -s)|g" -e "s|@CTLD_PORT@|$CTLD_PORT|g" \
        -e "s|@SLURMD_PORT@|$SLURMD_PORT|g" -e "s|@DBD_PORT@|$DBD_PORT|g" \
        -e "s|@DB_PORT@|$DB_PORT|g" -e "s|@DB_USER@|$DB_USER|g" -e "s|@DB_PASS@|$DB_PASS|g" \
        -e "s|@CPUS@|$CPUS|g" -e "s|@REAL_MEMORY@|$REAL_MEMORY|g" "$1"
}
fill "$HERE/slurm.conf.in" >"$STATE/etc/slurm.conf"
# slurmdbd reads slurmdbd.conf from the directory of $SLURM_CONF and insists on mode 600.
fill "$HERE/slurmdbd.conf.in" >"$STATE/etc/slurmdbd.conf"
chmod 600 "$STATE/etc/slurmdbd.conf"
chmod 644 "$STATE/etc/slurm.conf"
# Commands inside a job (srun of the Snakemake job step) do not see $SLURM_CONF: the executor
# clears SLURM_* variables for them. They read the compiled-in default path, as on a real
# cluster, which is linked to this cluster's file (and unlinked by stop.sh).
SYSTEM_CONF=/etc/slurm/slurm.conf
if [[ -L $SYSTEM_CONF && $(readlink "$SYSTEM_CONF") == "$STATE/etc/slurm.conf" ]]; then
    :
elif [[ -e $SYSTEM_CONF || -L $SYSTEM_CONF ]]; then
    die "$SYSTEM_CONF exists and belongs to another SLURM installation; jobs of this test cluster would read it (move it away, or run the test on a machine without SLURM)"
else
    mkdir -p /etc/slurm
    ln -s "$STATE/etc/slurm.conf" "$SYSTEM_CONF"
fi

# --- slurmdbd and the accounting entries ---------------------------------------------------------
if ! alive "$STATE/run/slurmdbd.pid"; then
    slurmdbd >>"$STATE/log/slurmdbd.log" 2>&1 || die "slurmdbd did not start" "$STATE/log/slurmdbd.log"
fi
wait_for "$TIMEOUT" slurmdbd sacctmgr -n list cluster ||
    die "slurmdbd does not answer sacctmgr" "$STATE/log/slurmdbd.log"

sacctmgr_has() { [[ -n $(sacctmgr -n -P "$@" 2>/dev/null) ]]; }
if ! sacctmgr_has list cluster "$CLUSTER" format=cluster; then
    sacctmgr -i add cluster "$CLUSTER" >>"$STATE/log/sacctmgr.log" 2>&1 ||
        die "sacctmgr add cluster $CLUSTER failed" "$STATE/log/sacctmgr.log"
fi
if ! sacctmgr_has list account "$ACCOUNT" format=account; then
    sacctmgr -i add account "$ACCOUNT" cluster="$CLUSTER" description="exomir tests" \
        organization=exomir >>"$STATE/log/sacctmgr.log" 2>&1 ||
        die "sacctmgr add account $ACCOUNT failed" "$STATE/log/sacctmgr.log"
fi
if ! sacctmgr_has list association cluster="$CLUSTER" account="$ACCOUNT" user=root format=user; then
    sacctmgr -i add user root account="$ACCOUNT" cluster="$CLUSTER" \
        >>"$STATE/log/sacctmgr.log" 2>&1 ||
        die "sacctmgr add user root account=$ACCOUNT failed" "$STATE/log/sacctmgr.log"
fi

# --- slurmctld and slurmd ------------------------------------------------------------------------
if ! alive "$STATE/run/slurmctld.pid"; then
    slurmctld >>"$STATE/log/slurmctld.log" 2>&1 || die "slurmctld did not start" "$STATE/log/slurmctld.log"
fi
wait_for "$TIMEOUT" slurmctld scontrol ping ||
    die "slurmctld does not answer scontrol ping" "$STATE/log/slurmctld.log"
if ! alive "$STATE/run/slurmd.pid"; then
    # -N: the node is called localhost whatever this machine's host name is.
    slurmd -N localhost >>"$STATE/log/slurmd.log" 2>&1 || die "slurmd did not start" "$STATE/log/slurmd.log"
fi

node_state() { sinfo -h -N -n localhost -o %T 2>/dev/null | head -n 1; }
node_idle() { [[ $(node_state) == idle || $(node_state) == mixed || $(node_state) == allocated ]]; }
if ! wait_for "$TIMEOUT" "node localhost" node_idle; then
    # A node drained by an earlier run (e.g. killed daemons) is resumed once.
    scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true
    wait_for 15 "node localhost (resumed)" node_idle || {
        scontrol show node localhost >&2 || true
        die "node localhost is '$(node_state)', not idle" "$STATE/log/slurmd.log"
    }
fi
wait_for "$TIMEOUT" sacct sacct -X -n ||
    die "sacct does not answer" "$STATE/log/slurmdbd.log"

log "cluster '$CLUSTER' is up: partition $PARTITION, account $ACCOUNT, $CPUS CPUs, ${REAL_MEMORY} MB"
echo "SLURM_CONF=$SLURM_CONF"
