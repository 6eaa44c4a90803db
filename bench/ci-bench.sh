#!/usr/bin/env bash
# Quick benchmark mode for CI: TickBench at 10k VMs (every path, the steady and the realistic workload), ParallelTickBench
# at 50k, short job, JSON + markdown reports; exits non-zero if a kernel benchmark allocates or fails (see CiMode.cs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet run -c Release --project bench/DmKernel.Benchmarks -- --ci
