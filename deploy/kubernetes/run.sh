#!/bin/bash
# Runs the three Jobs in order on the current kubectl context: split, the Indexed replay Job, then the merge Job once
# every index completed. The trace must already be on the volume as /data/trace.dmt (e.g. kubectl cp into a pod that
# mounts it). Not run here: the development machine has no cluster and no container runtime.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kubectl apply -f "$here/volume.yaml"
kubectl apply -f "$here/split-job.yaml"
kubectl wait --for=condition=complete job/dmkernel-split --timeout=2h
kubectl apply -f "$here/replay-indexed-job.yaml"
kubectl wait --for=condition=complete job/dmkernel-replay --timeout=24h
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete job/dmkernel-merge --timeout=2h
kubectl logs job/dmkernel-merge
