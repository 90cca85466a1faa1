#!/bin/bash
# Submits a study to Slurm: a job that prepares what the units share, a
# job array with one unit per task (unit.sh) once it has succeeded, and a
# job that writes the report once every task has ended:
#
#   deploy/slurm/submit.sh [SBATCH OPTIONS --] STUDY --out DIR [mmcnf reproduce flags]
#   deploy/slurm/submit.sh --cpus-per-task=8 --time=4:00:00 -- subset-mnist --out /shared/mmcnf
#
# The sbatch options go to all three jobs; the reproduce flags (--seeds,
# --iters, --quick, --data-dir, ...) to every mmcnf command, so that all
# mean the same units. --out and the data directory must be on a
# filesystem every node shares. The units are counted with --list. Logs go
# to $MMCNF_LOGS (default: DIR/slurm-logs). It prints the three job ids
# on one line: prepare, array, report.
#
# Environment: MMCNF (the mmcnf program, on every node; default: mmcnf on
# the PATH), MMCNF_MARGIN (see unit.sh), MMCNF_LOGS.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mmcnf=${MMCNF:-mmcnf}

sbatch_opts=()
if printf '%s\n' "$@" | grep -qx -- --; then
	while [ "$1" != -- ]; do
		sbatch_opts+=("$1")
		shift
	done
	shift
fi
if [ $# -eq 0 ]; then
	echo "usage: $0 [SBATCH OPTIONS --] STUDY --out DIR [mmcnf reproduce flags]" >&2
	exit 2
fi
args=("$@")

out=out
for ((i = 0; i < ${#args[@]}; i++)); do
	case ${args[i]} in
	--out | -out) out=${args[i + 1]:-out} ;;
	--out=* | -out=*) out=${args[i]#*=} ;;
	esac
done
logs=${MMCNF_LOGS:-$out/slurm-logs}
mkdir -p "$logs"

n=$("$mmcnf" reproduce "${args[@]}" --list | wc -l)
if [ "$n" -eq 0 ]; then
	echo "$0: mmcnf reproduce ${args[*]} --list lists no units" >&2
	exit 1
fi

# command quotes a mmcnf reproduce command line for --wrap; the thread
# count is the job's, read when the job runs.
command() {
	printf '%q ' "$mmcnf" reproduce "${args[@]}" "$@"
	printf -- '--threads ${SLURM_CPUS_PER_TASK:-1}'
}

jobid() { cut -d';' -f1; }

prepare=$(sbatch --parsable "${sbatch_opts[@]}" --job-name=mmcnf-prepare \
	--output="$logs/prepare-%j.log" --wrap "$(command --prepare)" | jobid)
array=$(sbatch --parsable "${sbatch_opts[@]}" --array="0-$((n - 1))" \
	--dependency="afterok:$prepare" --kill-on-invalid-dep=yes \
	--output="$logs/unit-%A_%a.log" "$here/unit.sh" "${args[@]}" | jobid)
report=$(sbatch --parsable "${sbatch_opts[@]}" --job-name=mmcnf-report \
	--dependency="afterany:$array" --kill-on-invalid-dep=yes \
	--output="$logs/report-%j.log" --wrap "$(command --report)" | jobid)
echo "$prepare $array $report"
echo "submitted: prepare $prepare, units $array (tasks 0-$((n - 1))), report $report; logs in $logs" >&2
