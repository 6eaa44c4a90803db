#!/bin/bash
# A single-node Slurm on this machine, started and stopped by this script: installs slurmctld, slurmd, slurm-client and
# munge from Debian's packages if missing (needs root), writes a minimal slurm.conf and a munge key in a temporary
# folder, starts munged, slurmctld and slurmd, splits the committed sample trace into 4 shards, submits the replay
# array (deploy/slurm/replay-shards.sbatch) and the afterok merge job (deploy/slurm/merge.sbatch), waits, and compares
# the merged outputs with a single-process replay (summary.json outside "run", hosts.csv, placement.csv, report.md and
# the plots, byte for byte); then the same for compare: an array of compare shards (deploy/slurm/compare-shards.sbatch,
# --seeds 2) and an afterok merge, against one compare process (comparison.json outside "run", report.md apart from
# its wall time, density.png). Every daemon it started is stopped by its process id on exit. Exit 0 when identical.
#
#   sudo deploy/slurm/local-test.sh [TRACE] [SHARDS]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
trace="${1:-$repo/traces/sample-200vms-1day.dmt}"
shards="${2:-4}"
say() { echo "[local-test $(date +%T)] $*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "local-test.sh: run as root (it installs packages and starts slurmctld, slurmd and munged)" >&2
  exit 2
fi

missing=()
for tool in munged slurmctld slurmd sbatch; do
  command -v "$tool" > /dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing slurmctld slurmd slurm-client munge (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge > /dev/null
  # The packages start their own daemons under systemd where there is one; this test runs its own.
fi
say "$(slurmctld -V), $(munged --version 2>&1 | head -n 1)"

cli="$repo/src/DmKernel.Cli/bin/Release/net10.0/DmKernel.Cli.dll"
if [ ! -f "$cli" ]; then
  say "building dmkernel (Release)"
  dotnet build "$repo/src/DmKernel.Cli" -c Release -v quiet > /dev/null
fi
export DMKERNEL="dotnet $cli"

work="$(mktemp -d /tmp/dmkernel-slurm.XXXXXX)"
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2> /dev/null; then
      kill "$pid" 2> /dev/null || true
    fi
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2> /dev/null && kill -9 "$pid" 2> /dev/null || true
  done
  [ ${#pids[@]} -gt 0 ] && say "stopped daemons (pids ${pids[*]})"
  if [ "$rc" -ne 0 ]; then
    say "FAILED (exit $rc); logs kept in $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

node="$(hostname)"
mkdir -p "$work/state" "$work/spool" "$work/munge"
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
cat > "$work/slurm.conf" << CONF
ClusterName=dmklocal
SlurmctldHost=$node
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
MinJobAge=600
NodeName=$node CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"

say "starting munged, slurmctld, slurmd (node $node, $(nproc) CPUs; config $SLURM_CONF)"
munged --foreground --force --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munge.seed" > "$work/munge/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { say "munged did not create its socket"; cat "$work/munge/munged.log" || true; exit 1; }
slurmctld -D -f "$SLURM_CONF" > "$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" > "$work/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 120); do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2> /dev/null || { say "a daemon (pid $pid) exited:"; tail -n 5 "$work/slurmctld.out" "$work/slurmd.out"; exit 1; }
  done
  state="$(timeout 5 sinfo -h -n "$node" -o %T 2> /dev/null || true)"
  [ "$state" = idle ] && break
  sleep 0.5
done
if [ "$state" != idle ]; then
  say "node $node is '${state:-unknown}', not idle, after 60 s"
  tail -n 20 "$work/slurmctld.log" "$work/slurmd.log" 2> /dev/null || true
  exit 1
fi
say "node $node idle: $(sinfo -h -o '%P %D %C')"

say "split $(basename "$trace") into $shards shards"
$DMKERNEL split "$trace" --shards "$shards" -o "$work/split" | sed 's/^/  /'
array=$(sbatch --parsable --array=0-$((shards - 1)) --chdir="$work" "$repo/deploy/slurm/replay-shards.sbatch" "$work/split" "$work/shards" --hash-every 240)
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" --chdir="$work" "$repo/deploy/slurm/merge.sbatch" "$work/shards" "$work/merged")
say "submitted replay array job $array (tasks 0-$((shards - 1))) and merge job $merge (--dependency=afterok:$array)"

start=$SECONDS
while [ -n "$(squeue -h -j "$array,$merge" -o %i 2> /dev/null)" ]; do
  if [ $((SECONDS - start)) -gt 600 ]; then
    say "jobs still queued or running after 600 s:"; squeue; exit 1
  fi
  sleep 1
done
say "jobs finished in $((SECONDS - start)) s"
ok=1
for job in $(seq 0 $((shards - 1)) | sed "s/^/${array}_/") "$merge"; do
  info="$(scontrol -o show job "$job" 2> /dev/null || true)"
  line="$(grep -o 'JobState=[A-Z_]*' <<< "$info" || true) $(grep -o ' ExitCode=[0-9:]*' <<< "$info" | head -n 1 | tr -d ' ' || true)"
  say "  job $job: $line"
  [[ "$line" == "JobState=COMPLETED ExitCode=0:0" ]] || ok=0
done
for f in "$work"/dmkernel-*.out; do
  sed "s|^|  $(basename "$f"): |" "$f" | grep -v 'ticks (' || true
done
[ "$ok" -eq 1 ] || { say "a job did not complete"; exit 1; }

say "single-process replay for comparison"
$DMKERNEL replay "$trace" -o "$work/single" --hash-every 240 > "$work/single.out" 2>&1
sed 's/^/  /' "$work/single.out"
without_run() { if command -v jq > /dev/null; then jq 'del(.run)' "$1"; else python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));d.pop("run");print(json.dumps(d,indent=2))' "$1"; fi; }
same=1
if diff <(without_run "$work/single/summary.json") <(without_run "$work/merged/summary.json") > "$work/summary.diff"; then
  say "  summary.json (outside run): identical"
else
  say "  summary.json (outside run): DIFFERENT"; head -n 20 "$work/summary.diff"; same=0
fi
for f in hosts.csv placement.csv report.md fleet.png pressure.png hosts.png; do
  if cmp -s "$work/single/$f" "$work/merged/$f"; then say "  $f: identical"; else say "  $f: DIFFERENT"; same=0; fi
done
say "  stateHash: single $(jq -r .stateHash "$work/single/summary.json" 2> /dev/null), merged $(jq -r .stateHash "$work/merged/summary.json" 2> /dev/null)"
[ "$same" -eq 1 ] || { say "merged outputs differ from the single-process run"; exit 1; }
say "PASS: $shards Slurm array tasks + afterok merge = one process"

# The same for compare: an array of compare shards (no split) and an afterok merge, against one compare process.
carray=$(sbatch --parsable --array=0-$((shards - 1)) --chdir="$work" "$repo/deploy/slurm/compare-shards.sbatch" "$trace" "$work/cshards" --seeds 2)
carray=${carray%%;*}
cmerge=$(sbatch --parsable --dependency=afterok:"$carray" --chdir="$work" "$repo/deploy/slurm/merge.sbatch" "$work/cshards" "$work/cmerged")
say "submitted compare array job $carray (tasks 0-$((shards - 1))) and merge job $cmerge (--dependency=afterok:$carray)"
start=$SECONDS
while [ -n "$(squeue -h -j "$carray,$cmerge" -o %i 2> /dev/null)" ]; do
  if [ $((SECONDS - start)) -gt 600 ]; then
    say "jobs still queued or running after 600 s:"; squeue; exit 1
  fi
  sleep 1
done
say "jobs finished in $((SECONDS - start)) s"
for job in $(seq 0 $((shards - 1)) | sed "s/^/${carray}_/") "$cmerge"; do
  info="$(scontrol -o show job "$job" 2> /dev/null || true)"
  line="$(grep -o 'JobState=[A-Z_]*' <<< "$info" || true) $(grep -o ' ExitCode=[0-9:]*' <<< "$info" | head -n 1 | tr -d ' ' || true)"
  say "  job $job: $line"
  [[ "$line" == "JobState=COMPLETED ExitCode=0:0" ]] || ok=0
done
[ "$ok" -eq 1 ] || { say "a compare job did not complete"; exit 1; }
say "single-process compare for comparison"
$DMKERNEL compare "$trace" -o "$work/csingle" --seeds 2 > "$work/csingle.out" 2>&1
if diff <(without_run "$work/csingle/comparison.json") <(without_run "$work/cmerged/comparison.json") > "$work/comparison.diff"; then
  say "  comparison.json (outside run): identical"
else
  say "  comparison.json (outside run): DIFFERENT"; head -n 20 "$work/comparison.diff"; same=0
fi
# report.md: the one line that varies from run to run is the wall time of "- N probes, M VM-ticks, S s.".
wall() { sed -E 's/^(- [0-9]+ probes, [0-9]+ M VM-ticks,) [0-9.]+ s\.$/\1 S s./' "$1"; }
if diff <(wall "$work/csingle/report.md") <(wall "$work/cmerged/report.md") > /dev/null; then say "  report.md (apart from its wall time): identical"; else say "  report.md: DIFFERENT"; same=0; fi
if cmp -s "$work/csingle/density.png" "$work/cmerged/density.png"; then say "  density.png: identical"; else say "  density.png: DIFFERENT"; same=0; fi
[ "$same" -eq 1 ] || { say "merged comparison differs from the single-process run"; exit 1; }
say "PASS: $shards Slurm compare array tasks + afterok merge = one compare process"
