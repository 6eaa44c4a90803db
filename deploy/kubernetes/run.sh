#!/bin/bash
# Runs the three Jobs in order on the current kubectl context: split, the Indexed replay Job, then the merge Job once
# every index completed. The trace must already be on the volume as /data/trace.dmt (e.g. kubectl cp into a pod that
# mounts it). Not run here: the development machine has no cluster and no container runtime.
#
# Each run starts fresh: it first deletes the three Jobs of an earlier run (and waits for their pods to go), so that a
# new trace is split, replayed and merged again; the files of the earlier run on the volume are replaced as each step
# completes. It waits for each Job to complete or fail: a failed Job (or one still unfinished at its timeout) stops
# the run with its name, its conditions and the tail of its pods' logs, exit 1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
poll="${DMKERNEL_POLL_SECONDS:-10}"

# wait_job NAME TIMEOUT_SECONDS: 0 once job/NAME has its Complete condition; 1 when it has Failed or the time is up.
wait_job() {
  local job=$1 limit=$2 start=$SECONDS conditions
  while :; do
    conditions=" $(kubectl get "job/$job" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}' || true) "
    case $conditions in
      *" Complete "*) echo "run.sh: job/$job complete"; return 0 ;;
      *" Failed "*) echo "run.sh: job/$job FAILED" >&2; break ;;
    esac
    if [ $((SECONDS - start)) -ge "$limit" ]; then
      echo "run.sh: job/$job neither complete nor failed after $limit s" >&2
      break
    fi
    sleep "$poll"
  done
  kubectl get "job/$job" -o jsonpath='{range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}{"\n"}{end}' >&2 || true
  local pods
  pods="$(kubectl get pods -l "job-name=$job" --field-selector=status.phase=Failed -o name || true)"
  [ -n "$pods" ] || pods="$(kubectl get pods -l "job-name=$job" -o name || true)"
  head -n 10 <<< "$pods" | while read -r pod; do
    echo "--- $pod (last 20 lines)" >&2
    kubectl logs "$pod" --tail=20 < /dev/null >&2 || true
  done
  return 1
}

kubectl apply -f "$here/volume.yaml"
kubectl delete job dmkernel-split dmkernel-replay dmkernel-merge --ignore-not-found --cascade=foreground --wait=true
kubectl apply -f "$here/split-job.yaml"
wait_job dmkernel-split 7200 || exit 1
kubectl apply -f "$here/replay-indexed-job.yaml"
wait_job dmkernel-replay 86400 || exit 1
kubectl apply -f "$here/merge-job.yaml"
wait_job dmkernel-merge 7200 || exit 1
kubectl logs job/dmkernel-merge
