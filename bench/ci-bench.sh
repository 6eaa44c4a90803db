#!/usr/bin/env bash
# Quick benchmark mode for CI: TickBench and ParallelTickBench at 10k/50k VMs, short job, JSON + markdown
# reports; exits non-zero if a kernel benchmark allocates or fails (see bench/README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet run -c Release --project bench/DmKernel.Benchmarks -- --ci
