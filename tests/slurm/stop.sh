#!/usr/bin/env bash
# Stop the one-node SLURM cluster of tests/slurm/start.sh and remove its state directory.
#
# Every daemon is stopped through its own pid file under $EXOMIR_SLURM_DIR (default
# /tmp/exomir-slurm), so nothing that start.sh did not start is touched. Jobs still in the queue
# are cancelled first. Set EXOMIR_SLURM_KEEP_STATE=1 to keep the directory (logs, database) for a
# look after a failure. Safe to run when nothing is running.
set -uo pipefail

STATE=${EXOMIR_SLURM_DIR:-/tmp/exomir-slurm}
export SLURM_CONF=$STATE/etc/slurm.conf

log() { echo "stop.sh: $*" >&2; }

# stop NAME PIDFILE: SIGTERM, wait up to 20 s, then SIGKILL.
stop() {
    local name=$1 pidfile=$2 pid
    [[ -s $pidfile ]] || return 0
    pid=$(cat "$pidfile")
    if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$pidfile"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name ($pid) did not stop on SIGTERM, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$pidfile"
    log "$name stopped"
}

if [[ ! -d $STATE ]]; then
    log "nothing to stop: $STATE does not exist"
    exit 0
fi

if [[ -s $SLURM_CONF ]] && command -v squeue >/dev/null 2>&1 &&
    [[ -s $STATE/run/slurmctld.pid ]] && kill -0 "$(cat "$STATE/run/slurmctld.pid")" 2>/dev/null; then
    jobs=$(timeout 10 squeue -h -o %i 2>/dev/null | tr '\n' ' ')
    if [[ -n ${jobs// /} ]]; then
        log "cancelling jobs: $jobs"
        # shellcheck disable=SC2086
        timeout 10 scancel $jobs 2>/dev/null
    fi
fi

# SLURM daemons first, then accounting, then its database and munged, so that the last job
# records reach the database; daemons of one stage stop side by side.
stop slurmd "$STATE/run/slurmd.pid" &
stop slurmctld "$STATE/run/slurmctld.pid" &
wait
stop slurmdbd "$STATE/run/slurmdbd.pid"
stop mariadbd "$STATE/run/mariadbd.pid" &
stop munged "$STATE/run/munged.pid" &
wait

# The link that start.sh made from the default configuration path, and nothing else.
if [[ -L /etc/slurm/slurm.conf && $(readlink /etc/slurm/slurm.conf) == "$STATE/etc/slurm.conf" ]]; then
    rm -f /etc/slurm/slurm.conf
    log "removed the link /etc/slurm/slurm.conf"
fi

if [[ ${EXOMIR_SLURM_KEEP_STATE:-0} == 1 ]]; then
    log "kept $STATE"
else
    rm -rf "$STATE"
    log "removed $STATE"
fi
