#!/bin/bash
# Splits TRACE into N shards, submits the replay array and the merge job that runs after every task succeeded (afterok).
#
#   deploy/slurm/submit.sh TRACE N WORKDIR [replay options...]
#
# WORKDIR (on shared storage) gets split/, shards/ and merged/. DMKERNEL says how to run dmkernel (default: dmkernel).
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 TRACE N WORKDIR [replay options...]" >&2
  exit 2
fi
trace=$1 n=$2 work=$3
shift 3
# The jobs run in WORKDIR (--chdir), so the paths they are given must not be relative to here.
mkdir -p "$work"
work="$(cd "$work" && pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2086
${DMKERNEL:-dmkernel} split "$trace" --shards "$n" -o "$work/split"
array=$(sbatch --parsable --array=0-$((n - 1)) --chdir="$work" "$here/replay-shards.sbatch" "$work/split" "$work/shards" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" --chdir="$work" "$here/merge.sbatch" "$work/shards" "$work/merged")
merge=${merge%%;*}
echo "replay array: job $array ($n tasks); merge: job $merge (after every task succeeded); result: $work/merged"
echo "a failed task K means merge job $merge never runs (afterok; pending, DependencyNeverSatisfied): scancel it, rerun" \
  "the shard with sbatch --array=K ... --shard K/$n and the same options, then merge again (deploy/README.md, \"Rerunning one shard\")"
