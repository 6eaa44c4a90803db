#!/usr/bin/env bash
# Quick benchmark mode for CI: TickBench at 10k VMs (every path, the steady and the realistic workload), ParallelTickBench
# at 50k, short job, JSON + markdown reports, then an exact allocation check of every kernel case over long windows
# (10k and 1M VMs, two threads at 50k); exits non-zero if a kernel benchmark allocates or fails (CiMode.cs, AllocationCheck.cs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet run -c Release --project bench/DmKernel.Benchmarks -- --ci
