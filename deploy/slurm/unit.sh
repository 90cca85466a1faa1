#!/bin/bash
# One unit of a study per task of a Slurm job array:
#
#   sbatch --array=0-5 --cpus-per-task=8 --time=2:00:00 unit.sh subset-mnist --out /shared/out
#
# runs `mmcnf reproduce STUDY [FLAGS] --unit $SLURM_ARRAY_TASK_ID` with
# --threads from --cpus-per-task. Units share the output directory: each
# runs under its own lock. submit.sh submits the array with a preparation
# job before it and a report job after it.
#
# A unit longer than the job's time limit finishes across requeues:
# mmcnf gets --max-time (the time left less MMCNF_MARGIN seconds, for the
# evaluation that follows training), stops at the last checkpoint before
# it with exit status 75, and the task requeues itself. Should the limit
# come first all the same, Slurm's USR1 (--signal below) makes mmcnf
# checkpoint at once (status 130), and the task requeues itself too.
# Preemption and `scontrol requeue` requeue the task through Slurm (mmcnf
# checkpoints on SIGTERM); a requeued task resumes from the checkpoint.
#
# Environment: MMCNF (the mmcnf program; default: mmcnf on the PATH),
# MMCNF_MARGIN (seconds before the time limit to stop training; default
# 600).
#SBATCH --job-name=mmcnf-unit
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --signal=B:USR1@120
set -u

mmcnf=${MMCNF:-mmcnf}
margin=${MMCNF_MARGIN:-600}

if [ -z "${SLURM_ARRAY_TASK_ID:-}" ] || [ $# -eq 0 ]; then
	echo "usage: sbatch --array=0-N unit.sh STUDY [mmcnf reproduce flags]" >&2
	exit 2
fi

# seconds converts Slurm's [days-]hours:minutes:seconds, minutes:seconds
# or seconds to seconds; it prints nothing for UNLIMITED and the like.
seconds() {
	local t=$1 days=0 h=0 m=0 s=0
	case $t in
	*[!0-9:-]* | "") return ;;
	*-*) days=${t%%-*} t=${t#*-} ;;
	esac
	IFS=: read -r -a f <<<"$t"
	case ${#f[@]} in
	3) h=${f[0]} m=${f[1]} s=${f[2]} ;;
	2) m=${f[0]} s=${f[1]} ;;
	1) s=${f[0]} ;;
	*) return ;;
	esac
	echo $(((10#$days * 24 + 10#$h) * 3600 + 10#$m * 60 + 10#$s))
}

# This task (the array's own job id names every task).
self=${SLURM_ARRAY_JOB_ID}_$SLURM_ARRAY_TASK_ID

limit=()
left=$(seconds "$(squeue -h -j "$self" -o %L 2>/dev/null | head -n 1)")
if [ -n "$left" ]; then
	limit=(--max-time "$((left > margin + 60 ? left - margin : 60))s")
fi

echo "$(date -u +%FT%TZ) task $self (job $SLURM_JOB_ID, restart ${SLURM_RESTART_COUNT:-0}) on $(hostname): $mmcnf reproduce $* --unit $SLURM_ARRAY_TASK_ID --threads ${SLURM_CPUS_PER_TASK:-1} ${limit[*]}"
"$mmcnf" reproduce "$@" --unit "$SLURM_ARRAY_TASK_ID" --threads "${SLURM_CPUS_PER_TASK:-1}" "${limit[@]}" &
pid=$!

warned=
trap 'warned=1; kill -TERM "$pid" 2>/dev/null' USR1
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
# wait returns early when a trapped signal arrives; wait again until mmcnf
# has exited, then once more for its status.
while kill -0 "$pid" 2>/dev/null; do
	wait "$pid"
done
wait "$pid"
status=$?

requeue() {
	echo "$(date -u +%FT%TZ) task $SLURM_ARRAY_TASK_ID: $1; requeueing $self"
	scontrol requeue "$self"
	exit 0
}
case $status in
75) requeue "stopped before the time limit" ;;
130) if [ -n "$warned" ]; then requeue "stopped at the time-limit warning"; fi ;;
esac
echo "$(date -u +%FT%TZ) task $SLURM_ARRAY_TASK_ID: exit status $status"
exit "$status"
