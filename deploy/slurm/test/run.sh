#!/bin/bash
# make test-slurm: the Slurm scripts against a real one-node Slurm.
#
# Installs Debian's slurm-wlm, munge and jq when absent (as root), starts
# munged, slurmctld and slurmd as its own processes with a generated key
# and slurm.conf in a temporary directory, and checks:
#  1. moons --quick submitted with submit.sh: every unit finishes, and each
#     unit's result.json and results.json equal those of one local process
#     running the study, but for wall-clock times;
#  2. a task requeued mid-training (scontrol requeue) resumes from its
#     checkpoint and ends with the numbers of a run never requeued;
#  3. two array tasks given the same unit do not both train it.
# Every daemon and job it started is stopped on exit, success or not, by
# process id. Each wait has a time limit.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../../.." && pwd)
deploy=$repo/deploy/slurm
started=$(date +%s)

say() { echo "test-slurm: $*"; }
fail() {
	echo "test-slurm: FAIL: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || fail "must run as root: it installs packages and runs slurmd"
export PATH=$PATH:/usr/local/go/bin:/usr/sbin:/sbin

# --- packages --------------------------------------------------------------
need=()
command -v slurmctld >/dev/null || need+=(slurm-wlm)
command -v munged >/dev/null || need+=(munge)
command -v jq >/dev/null || need+=(jq)
if [ ${#need[@]} -gt 0 ]; then
	say "installing ${need[*]}"
	# The packages would start their own daemons: keep them from it.
	guard=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		guard=1
	fi
	timeout 600 apt-get update -qq || fail "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${need[@]}" >/dev/null ||
		fail "apt-get install ${need[*]} failed"
	if [ -n "$guard" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# --- the cluster -------------------------------------------------------------
tmp=$(mktemp -d /tmp/mmcnf-slurm.XXXXXX)
chmod 700 "$tmp"
conf=$tmp/slurm.conf
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/bin"
pids=()

# sl runs a command with this test's slurm.conf. The test's own shell
# does not carry it, so that ours finds only what the test started.
sl() { SLURM_CONF=$conf "$@"; }

# ours lists the processes that carry this test's slurm.conf in their
# environment: the daemons and every job step and program they started.
ours() {
	local p
	for p in /proc/[0-9]*; do
		if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$conf"; then
			echo "${p#/proc/}"
		fi
	done
}

cleanup() {
	local status=$?
	set +e
	if [ -S "$tmp/munge/munge.socket" ] && [ -n "$(ours)" ]; then
		sl timeout 10 scancel --quiet --user=root 2>/dev/null
		for _ in $(seq 20); do
			[ -z "$(sl timeout 5 squeue -h 2>/dev/null)" ] && break
			sleep 1
		done
	fi
	for p in "${pids[@]}" $(ours); do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 20); do
		alive=
		for p in "${pids[@]}" $(ours); do kill -0 "$p" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.5
	done
	for p in "${pids[@]}" $(ours); do kill -KILL "$p" 2>/dev/null; done
	wait "${pids[@]}" 2>/dev/null
	if [ $status -ne 0 ]; then
		for f in "$tmp"/log/*; do
			echo "--- last lines of $f" >&2
			tail -n 15 "$f" >&2
		done
	fi
	rm -rf "$tmp"
	say "daemons stopped, $tmp removed"
	exit $status
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# retry runs a command every second until it succeeds or seconds pass.
retry() {
	local seconds=$1
	shift
	for _ in $(seq "$seconds"); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 1
	done
	return 1
}

say "building mmcnf"
(cd "$repo" && go build -o "$tmp/bin/mmcnf" ./cmd/mmcnf) || fail "go build failed"
mmcnf=$tmp/bin/mmcnf

say "starting munged"
mungekey -c -k "$tmp/munge/munge.key" 2>/dev/null ||
	dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
SLURM_CONF=$conf munged -F --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.socket" \
	--pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/seed" \
	--log-file="$tmp/log/munged.log" >"$tmp/log/munged.out" 2>&1 &
pids+=($!)
munge_ok() { munge -n -S "$tmp/munge/munge.socket" | unmunge -S "$tmp/munge/munge.socket"; }
retry 20 munge_ok || fail "munged did not come up within 20 s"

# Ports of our own, so as not to meet another Slurm on this machine.
port=$((20000 + $$ % 20000))
node=$(slurmd -C | head -n 1)
[[ $node == NodeName=* ]] || fail "slurmd -C did not describe the node: $node"
cat >"$conf" <<EOF
ClusterName=mmcnftest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also delays a requeued job's start: short, for the test.
AuthInfo=socket=$tmp/munge/munge.socket,cred_expire=10
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
KillWait=10
MinJobAge=3600
MailProg=/bin/true
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

say "starting slurmctld and slurmd (ports $port, $((port + 1)))"
sl slurmctld -D -f "$conf" >"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
sl slurmd -D -f "$conf" >"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
node_idle() { [ "$(sl timeout 5 sinfo -h -o %T)" = idle ]; }
retry 60 node_idle || fail "the node is not idle 60 s after starting the daemons (sinfo: $(sl timeout 5 sinfo -h 2>&1))"
say "cluster up: $(sl sinfo -h -o '%P %D %c CPUs %m MB %T')"

# --- helpers -----------------------------------------------------------------

# wait_jobs waits up to seconds for every job or array task of id to end,
# and prints their final states, one a line.
wait_jobs() {
	local id=$1 seconds=$2 states
	for _ in $(seq "$seconds"); do
		states=$(sl timeout 10 scontrol show job -o "$id" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2) || true
		if [ -n "$states" ] && ! grep -qvE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE)$' <<<"$states"; then
			echo "$states"
			return 0
		fi
		sleep 1
	done
	fail "job $id has not ended after $seconds s: $(sl scontrol show job -o "$id" | grep -o 'JobId=[0-9]* \|JobState=[A-Z_]*' | tr '\n' ' ')"
}

# all_completed fails unless every state it reads is COMPLETED.
all_completed() {
	local what=$1 states
	states=$(cat)
	if grep -qv '^COMPLETED$' <<<"$states"; then fail "$what: states $(echo $states)"; fi
}

# numbers prints a unit's result.json, or a study's part of results.json,
# without its wall-clock times, keys sorted.
unit_numbers() { jq -S 'del(.train_seconds, .eval_seconds)' "$1"; }
report_numbers() {
	jq -S --arg s "$2" '.studies[] | select(.study == $s)
		| del(.started, .finished, .wall_seconds)
		| .runs[] |= del(.train_seconds, .eval_seconds)
		| .models[] |= del(.train_seconds)' "$1"
}

# same_unit compares the result.json of one unit in two output directories.
same_unit() {
	local a=$1/$3/result.json b=$2/$3/result.json
	[ -s "$a" ] || fail "$a is missing"
	[ -s "$b" ] || fail "$b is missing"
	diff <(unit_numbers "$a") <(unit_numbers "$b") >"$tmp/diff" || fail "$3/result.json differs: $(head -n 20 "$tmp/diff")"
}

# --- 1. a study through submit.sh ------------------------------------------
say "1. moons --quick through submit.sh"
out=$tmp/cluster
read -r prepare array report < <(MMCNF=$mmcnf MMCNF_MARGIN=60 sl "$deploy/submit.sh" \
	--cpus-per-task=1 --time=30 -- moons --quick --out "$out")
wait_jobs "$report" 600 | all_completed "the report job"
wait_jobs "$array" 60 | all_completed "the array"
wait_jobs "$prepare" 60 | all_completed "the preparation job"
"$mmcnf" reproduce moons --quick --threads 1 --out "$tmp/local" 2>"$tmp/log/local.log"
units=$("$mmcnf" reproduce moons --quick --out "$out" --list | jq -r 'select(.done) | .dir')
[ "$(wc -l <<<"$units")" -eq 4 ] || fail "--list shows $(wc -l <<<"$units") of 4 units done"
for dir in $units; do
	same_unit "$out" "$tmp/local" "${dir#"$out"/}"
done
diff <(report_numbers "$out/results.json" moons) <(report_numbers "$tmp/local/results.json" moons) >"$tmp/diff" ||
	fail "results.json differs from one local process's: $(head -n 20 "$tmp/diff")"
for f in results.md figure2-moons-bits-per-dim.png samples-moons.png density-moons.png; do
	[ -s "$out/$f" ] || fail "the report job wrote no $f"
done
say "1. ok: 4 units, each result.json and results.json equal to one local process's"

# --- 2. a task requeued mid-training ----------------------------------------
# A longer unit (unit 1: D{0,1}, GMM base, a checkpoint every 10
# iterations), requeued once a progress line shows iteration 300 or later:
# a checkpoint has then been written. The unit takes tens of seconds on a
# fast machine; progress lines come every 200 ms.
say "2. a task requeued mid-training"
long=(moons --quick --iters 30000 --progress-every 200ms)
unit=runs/moons/d01/gmm/seed-0
out=$tmp/requeue
logs=$tmp/requeue-logs
mkdir -p "$logs"
job=$(MMCNF=$mmcnf MMCNF_MARGIN=60 sl sbatch --parsable --array=1 --cpus-per-task=1 --time=30 \
	--output="$logs/%A_%a.log" "$deploy/unit.sh" "${long[@]}" --out "$out" | cut -d';' -f1)
log=$logs/${job}_1.log
seen=
for _ in $(seq 900); do
	if grep -Eq 'iteration ([3-9][0-9]{2}|[0-9]{4,})/30000 ' "$log" 2>/dev/null; then seen=1 && break; fi
	sleep 0.2
done
[ -n "$seen" ] || fail "task ${job}_1 did not reach iteration 300 within 180 s: $(tail -n 3 "$log" 2>/dev/null)"
[ -s "$out/$unit/model/checkpoint.npz" ] || fail "no checkpoint at iteration 300"
sl scontrol requeue "${job}_1" || fail "scontrol requeue ${job}_1 failed"
say "2. requeued ${job}_1 at iteration 300 or later"
wait_jobs "$job" 600 | all_completed "the requeued task"
grep -q 'restart 1' "$log" || fail "task ${job}_1 did not start again: $(tail -n 5 "$log")"
resumed=$(grep -o 'resuming from iteration [0-9]*' "$log" | awk 'NR == 1 {print $4}')
[ -n "$resumed" ] && [ "$resumed" -ge 300 ] && [ "$resumed" -lt 30000 ] ||
	fail "task ${job}_1 did not resume mid-training from its checkpoint: $(grep -E 'resuming|restart' "$log")"
"$mmcnf" reproduce "${long[@]}" --unit 1 --threads 1 --out "$tmp/long-local" 2>"$tmp/log/long-local.log"
same_unit "$out" "$tmp/long-local" "$unit"
say "2. ok: resumed from the checkpoint of iteration $resumed, numbers unchanged"

# --- 3. two tasks given the same unit ---------------------------------------
say "3. two array tasks given the same unit"
out=$tmp/twice
logs=$tmp/twice-logs
mkdir -p "$logs"
jobs=()
for _ in 1 2; do
	jobs+=("$(MMCNF=$mmcnf sl sbatch --parsable --array=1 --cpus-per-task=1 --time=30 \
		--output="$logs/%A_%a.log" "$deploy/unit.sh" "${long[@]}" --out "$out" | cut -d';' -f1)")
done
for j in "${jobs[@]}"; do wait_jobs "$j" 600 | all_completed "task ${j}_1"; done
trained=$(grep -l '^\[1/1\] moons D{0,1} base=gmm seed=0$' "$logs"/*.log | wc -l)
[ "$trained" -eq 1 ] || fail "$trained tasks trained the unit, want 1"
grep -q 'in use by another run' "$logs"/*.log ||
	fail "neither task found the unit in use: the two did not overlap, so this checks nothing"
grep -q 'done by another run, skipped' "$logs"/*.log || fail "the waiting task did not skip the finished unit"
same_unit "$out" "$tmp/long-local" "$unit"
say "3. ok: one task trained the unit, the other waited and skipped it"

say "passed in $(($(date +%s) - started)) s"
