#!/usr/bin/env bash
# Independent cross-checks of the kernel against the spec (not part of CI: they need Python 3).
#   bash tools/crosscheck/run.sh [SCENARIOS]     (default 300 per profile and path)
# Builds the two harnesses against src/DmKernel, dumps random scenarios through the public API, and compares every
# output with Python models written from docs/spec.md, docs/model.md and docs/policies.md only. Exit 1 on a mismatch.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
n="${1:-300}"
command -v python3 >/dev/null || { echo "error: the cross-checks need python3 on PATH." >&2; exit 2; }
for d in rules policies; do
  dotnet build "$here/$d/harness" -c Release -o "$here/$d/harness/out" -v quiet -nologo >/dev/null
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bad=0
cd "$here/rules"
for profile in mix tight tightnosp gran long; do
  for path in scalar auto; do
    dotnet harness/out/harness.dll 1000 "$n" "$tmp/$profile-$path" "$path" "$profile"
    line="$(python3 model.py "$tmp/$profile-$path" | grep '^scenarios')"
    echo "R1-R20 $profile $path: $line"
    case "$line" in *"mismatching 0 "*) ;; *) bad=1 ;; esac
  done
done
cd "$here/policies"
mkdir -p runs
for policy in squeezed mom esx hyperv static; do
  for extra in "" p10=1; do   # p10=1: every VM's guest drawn from P10's responses (stuck, rate, intermittent, ideal)
    line="$(python3 runmany.py "$policy" 1 $((n / 10 + 1)) 200 $extra | tail -1)"
    echo "P1-P10 ${extra:-ideal guests} $line"
    case "$line" in *"bad 0") ;; *) bad=1 ;; esac
  done
done
exit "$bad"
