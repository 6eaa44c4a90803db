import subprocess, sys, json
from model import compare, COV
pol = sys.argv[1]; n0, n1 = int(sys.argv[2]), int(sys.argv[3]); ticks = int(sys.argv[4]); extra = sys.argv[5:]
tot = 0; bad = 0
for seed in range(n0, n1):
    out = subprocess.run(['dotnet', 'harness/out/harness.dll', str(seed), pol, str(ticks)] + extra, capture_output=True, text=True).stdout
    lines = out.splitlines()
    cfg, nt, mism = compare(lines, {})
    tot += nt
    if mism:
        bad += 1
        fn = 'runs/%s-%d%s.jsonl' % (pol, seed, ''.join('_' + e for e in extra))
        open(fn, 'w').write(out)
        print(seed, fn, mism[:3], flush=True)
print(dict(COV)); print('policy', pol, 'seeds', n1 - n0, 'ticks', tot, 'bad', bad)
