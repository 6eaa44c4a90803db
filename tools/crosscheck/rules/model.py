#!/usr/bin/env python3
"""Independent model of Hyper-V Dynamic Memory rules R1..R20 (spec + project's documented choices),
driven by the harness's JSONL inputs; compares every output, tick by tick, VM by VM."""
import json, sys, os, math
from fractions import Fraction

OFF, BOOTING, RUNNING = 0, 1, 2
OK, LOW, WARNING = 0, 1, 2
R_NONE, R_STARTED, R_NEM, R_RESTARTED, R_RESTARTED_SP, R_RESTART_FAILED, R_STOPPED = 0, 1, 2, 3, 4, 5, 6
PCAP = 100000

VM_FIELDS = ["state", "asg", "bal", "sp", "gv", "dem", "tgt", "prs", "avgP", "minP", "maxP", "status",
             "unb", "hot", "rem", "addT", "remT", "addOps", "remOps", "res", "resTick", "recl", "bootLeft",
             "avgP2", "gv2", "status2"]
HOST_FIELDS = ["avail", "pending", "wasShort", "shortfall", "avgP", "sysP", "addT", "remT", "addOps", "remOps",
               "failed", "avail2", "shortfall2", "sysP2"]

# knobs for documented-choice variants (to test alternatives quickly)
OPT = dict(avg_round="halfup", recl_clear_same_tick=True, restart_counts=False, short_grant_clears=False)


def linux_floor(t):
    if t < 128: return 8 + t // 2
    if t < 512: return 40 + t // 4
    if t < 2048: return 104 + t // 8
    if t < 8192: return 232 + t // 16
    return 488 + t // 32


def to_ticks(seconds, tick):
    v = math.floor(seconds / tick + 0.5)
    return max(1, v)


class VM:
    def __init__(self, idx, slot, host, s):
        self.idx, self.slot, self.host = idx, slot, host
        self.set_settings(s)
        self.state = OFF
        self.asg = self.bal = self.sp = 0
        self.dem = self.tgt = self.prs = 0
        self.status = OK
        self.unb = self.hot = self.rem = 0
        self.addT = self.remT = self.addOps = self.remOps = 0
        self.res, self.resTick = R_NONE, -1
        self.recl = False
        self.bootLeft = 0
        self.committed = 0
        self.request = 0
        self.clear_window()

    def set_settings(self, s):
        self.startup, self.min, self.max, self.buf, self.w, dyn, lin = s
        self.dyn, self.linux = bool(dyn), bool(lin)

    def clear_window(self):
        self.wsum = 0; self.wn = 0; self.wmin = None; self.wmax = None
        self.last = None

    @property
    def gv(self):
        return self.asg + self.bal + self.sp


class Host:
    def __init__(self, total, reserve):
        self.total, self.reserve = total, reserve
        self.avail = total - reserve
        self.pending = 0
        self.shortfall = 0
        self.wasShort = False
        self.avgP = self.sysP = 0
        self.failed = 0
        self.addT = self.remT = self.addOps = self.remOps = 0
        self.vms = []


class Model:
    def __init__(self, hdr):
        m = hdr["model"]
        self.tick_s, self.boot_s, self.recl_s, self.win_s = m[0], m[1], m[2], m[3]
        self.max_remove, self.reserve_default, self.smart_paging, self.ceiling, self.G = m[4], m[5], bool(m[6]), m[7], m[8]
        self.boot_ticks = to_ticks(self.boot_s, self.tick_s)
        self.recl_ticks = to_ticks(self.recl_s, self.tick_s)
        self.win_ticks = to_ticks(self.win_s, self.tick_s)
        capmb = math.floor(self.max_remove * self.tick_s)
        cap = capmb & ~(self.G - 1)
        self.cap = max(self.G, cap)
        self.derived = [self.boot_ticks, self.recl_ticks, self.win_ticks, self.cap]
        self.hosts = [Host(t, r) for t, r in hdr["hosts"]]
        self.vms = []
        for i, v in enumerate(hdr["vms"]):
            vm = VM(i, v[0], v[1], v[2:9])
            self.vms.append(vm)
            self.hosts[v[1]].vms.append(vm)
        for h in self.hosts:
            h.vms.sort(key=lambda x: x.slot)
        self.removed = set()
        self.stats = dict(short_ticks=0, enough_ticks=0, linux_floor_blocks=0, smart_paging_restarts=0,
                          drain_ticks=0, reclaim_removals=0, r4_reclaims=0, nem=0, restart_failed=0,
                          weight0_short=0, ties_short=0, tier_partial=[0, 0, 0], cap_limited=0,
                          window_closes=0, cfg_refused=0, cfg_ok=0, starts=0, restarts=0, stops=0)

    # ---- R1 / R2 ----
    def validate(self, vm, s):
        st, mn, mx, buf, w, dyn, lin = s
        G = self.G
        if st % G or mn % G or mx % G: return False
        if mn < 32 or st < mn or mx < st or mx > self.ceiling: return False
        if not (5 <= buf <= 2000): return False
        if not (0 <= w <= 10000): return False
        if vm.state != OFF:
            if st != vm.startup or mx < vm.max or mn > vm.min or bool(dyn) != vm.dyn or bool(lin) != vm.linux:
                return False
        return True

    def roundup(self, x):
        G = self.G
        return -(-x // G) * G

    def rounddown(self, x):
        return (x // self.G) * self.G

    # ---- R4 / R6 reclaim ----
    def reclaim(self, h, who, missing, all_or_nothing):
        if who.w == 0 or missing <= 0:
            return 0
        donors = [v for v in h.vms if v is not who and v.state == RUNNING and v.dyn and v.w <= who.w]
        donors.sort(key=lambda v: (v.w, -v.slot if OPT.get('m_donor_slot') else v.slot))
        plan = {}
        left = missing
        for v in ([] if OPT.get('m_r4_onepass') else donors):
            if left <= 0: break
            x = min(max(0, v.asg - v.tgt), left)
            if x > 0:
                plan[v] = plan.get(v, 0) + x; left -= x
        for v in donors:
            if left <= 0: break
            have = v.asg - plan.get(v, 0)
            x = min(max(0, have - v.min), left)
            if x > 0:
                plan[v] = plan.get(v, 0) + x; left -= x
        if left > 0 and all_or_nothing:
            return 0
        got = 0
        for v, x in plan.items():
            v.asg -= x; v.bal += x; v.rem += x; h.avail += x; got += x
        if got: self.stats["r4_reclaims"] += 1
        return got

    def boot(self, vm, t):
        vm.state = BOOTING
        vm.bootLeft = self.boot_ticks
        vm.bal = 0
        vm.recl = False

    def do_stop(self, h, vm, t):
        h.avail += vm.asg
        vm.asg = vm.bal = vm.sp = 0
        vm.dem = vm.tgt = vm.prs = 0
        vm.status = OK
        vm.recl = False
        vm.bootLeft = 0
        vm.state = OFF
        vm.clear_window()
        vm.res, vm.resTick = R_STOPPED, t
        self.stats["stops"] += 1

    def do_restart(self, h, vm, t):
        self.stats["restarts"] += 1
        if vm.asg >= vm.startup:
            h.avail += vm.asg - vm.startup
            vm.asg = vm.startup
            vm.sp = 0
            self.boot(vm, t)
            vm.res, vm.resTick = R_RESTARTED, t
            return
        need = vm.startup - vm.asg
        if h.avail < need:
            self.reclaim(h, vm, need - h.avail, all_or_nothing=not self.smart_paging)
        take = min(need, h.avail)
        if take < need and not self.smart_paging:
            # restart fails: VM is Off, memory back to the pool
            h.avail += vm.asg
            vm.asg = vm.bal = vm.sp = 0
            vm.dem = vm.tgt = vm.prs = 0
            vm.status = OK; vm.recl = False; vm.bootLeft = 0; vm.state = OFF
            vm.clear_window()
            vm.res, vm.resTick = R_RESTART_FAILED, t
            self.stats["restart_failed"] += 1
            return
        h.avail -= take
        vm.asg += take
        vm.sp = need - take
        self.boot(vm, t)
        if vm.sp > 0:
            self.stats["smart_paging_restarts"] += 1
        vm.res, vm.resTick = (R_RESTARTED_SP if vm.sp > 0 else R_RESTARTED), t

    def do_start(self, h, vm, t):
        self.stats["starts"] += 1
        if h.avail < vm.startup:
            self.reclaim(h, vm, vm.startup - h.avail, all_or_nothing=True)
        if h.avail < vm.startup:
            vm.res, vm.resTick = R_NEM, t
            h.failed += 1
            self.stats["nem"] += 1
            return
        h.avail -= vm.startup
        vm.asg = vm.startup
        vm.sp = 0
        self.boot(vm, t)
        vm.clear_window()
        vm.res, vm.resTick = R_STARTED, t

    # ---- R11 water-filling ----
    def waterfill(self, group, caps, weights, R):
        """group: list of vms (with cap>0); returns dict of gives; exact level."""
        G = self.G
        give = {}
        # find largest L with sum min(cap, L w) <= R
        order = sorted(group, key=lambda v: Fraction(caps[v], weights[v]))
        satisfied_sum = 0
        wsum = sum(weights[v] for v in group)
        L = None
        for k, v in enumerate(order):
            # candidate: all of order[k:] unsatisfied
            Lc = Fraction(R - satisfied_sum, wsum)
            if Lc * weights[v] < caps[v]:
                L = Lc
                break
            satisfied_sum += caps[v]
            wsum -= weights[v]
        if L is None:
            for v in group: give[v] = caps[v]
            return give, True
        for v in group:
            x = min(Fraction(caps[v]), L * weights[v])
            give[v] = (math.floor(x) // G) * G
        left = R - sum(give.values())
        for v in sorted(group, key=(lambda v: (v.w, v.slot)) if OPT.get('m_leftover_asc') else (lambda v: (-v.w, v.slot))):
            if left < G: break
            if give[v] < caps[v]:
                give[v] += G; left -= G
        return give, False

    def tier(self, vms, alloc, goal, R, tierno):
        caps = {v: goal[v] - alloc[v] for v in vms}
        pos = [v for v in vms if (v.w > 0 or OPT.get('m_w0')) and caps[v] > 0]
        zero = [v for v in vms if v.w == 0 and caps[v] > 0 and not OPT.get('m_w0')]
        total_pos = sum(caps[v] for v in pos)
        if total_pos <= R:
            for v in pos: alloc[v] += caps[v]
            R -= total_pos
            total_zero = sum(caps[v] for v in zero)
            if total_zero <= R:
                for v in zero: alloc[v] += caps[v]
                R -= total_zero
                return R
            self.stats["tier_partial"][tierno] += 1
            give, _ = self.waterfill(zero, caps, {v: 1 for v in zero}, R)
            for v in zero: alloc[v] += give[v]; R -= give[v]
            return R
        self.stats["tier_partial"][tierno] += 1
        give, _ = self.waterfill(pos, caps, {v: max(v.w, 1) for v in pos}, R)
        for v in pos: alloc[v] += give[v]; R -= give[v]
        return R

    def remove_limit(self, vm, want):
        x = min(want, self.cap, vm.asg - vm.min)
        if vm.linux and not OPT.get('m_nofloor'):
            lf = vm.asg - vm.dem
            if lf < x:
                self.stats["linux_floor_blocks"] += 1
            x = min(x, lf)
        if self.cap < want and self.cap <= x:
            self.stats["cap_limited"] += 1
        return max(0, self.rounddown(x))

    def balloon(self, h, vm, x):
        vm.asg -= x; vm.bal += x; vm.rem += x; h.pending += x

    def grant(self, h, vm, g):
        d = 0 if OPT.get('m_hotfirst') else min(g, vm.bal)
        vm.bal -= d; vm.asg += d; vm.unb += d
        vm.asg += g - d; vm.hot += g - d
        h.avail -= g

    # ---- one tick ----
    def tick(self, t):
        for h in self.hosts:
            self.tick_host(h, t)

    def tick_host(self, h, t):
        # a
        h.avail += h.pending; h.pending = 0
        # b
        for v in h.vms:
            v.unb = v.hot = v.rem = 0
            if v.state == BOOTING:
                v.bootLeft -= 1
                if v.bootLeft <= 0:
                    v.bootLeft = 0
                    v.state = RUNNING
        # c
        for kind in ((1, 2, 3) if OPT.get('m_order') else (3, 2, 1)):
            for v in h.vms:
                if v.request != kind: continue
                v.request = 0
                if kind == 3: self.do_stop(h, v, t)
                elif kind == 2: self.do_restart(h, v, t)
                else: self.do_start(h, v, t)
        # d
        for v in h.vms:
            if v.state == OFF:
                v.dem = v.tgt = 0
                continue
            v.dem = v.committed + (linux_floor(v.asg) if v.linux else 0)
            if v.state == RUNNING and v.dyn:
                t9 = -(-(v.dem * (100 + v.buf)) // 100)
                v.tgt = min(max(self.roundup(t9), v.min), v.max)
                v.need0 = min(max(self.roundup(v.dem), v.min), v.max)
            else:
                v.tgt = v.startup
        dm = [v for v in h.vms if v.state == RUNNING and v.dyn]
        h.shortfall = sum(max(0, v.tgt - v.asg) for v in dm)
        h.wasShort = h.shortfall > h.avail
        # e
        if not h.wasShort:
            if dm: self.stats["enough_ticks"] += 1
            reclaim_tick = (t + 1) % self.recl_ticks == 0
            for v in dm:
                if v.asg < v.tgt:
                    self.grant(h, v, v.tgt - v.asg)
                    v.recl = False
                elif v.asg > v.tgt:
                    if reclaim_tick: v.recl = True
                    if v.recl:
                        x = self.remove_limit(v, v.asg - v.tgt)
                        if x > 0:
                            self.balloon(h, v, x); self.stats["reclaim_removals"] += 1
                        if OPT["recl_clear_same_tick"] and v.asg <= v.tgt: v.recl = False
                else:
                    v.recl = False
        else:
            self.stats["short_ticks"] += 1
            if any(v.w == 0 for v in dm): self.stats["weight0_short"] += 1
            ws = [v.w for v in dm]
            if len(set(ws)) < len(ws): self.stats["ties_short"] += 1
            B = h.avail + sum(v.asg for v in dm)
            alloc = {v: 0 for v in dm}
            R = B
            R = self.tier(dm, alloc, {v: v.min for v in dm}, R, 0)
            R = self.tier(dm, alloc, {v: v.need0 for v in dm}, R, 1)
            R = self.tier(dm, alloc, {v: v.tgt for v in dm}, R, 2)
            for v in sorted(dm, key=lambda v: (v.w, v.slot)):
                if alloc[v] < v.asg:
                    x = self.remove_limit(v, v.asg - alloc[v])
                    if x > 0: self.balloon(h, v, x)
            for v in sorted(dm, key=lambda v: (-v.w, v.slot)):
                if alloc[v] > v.asg:
                    g = min(alloc[v] - v.asg, h.avail)
                    if g > 0:
                        self.grant(h, v, g)
                        if OPT["short_grant_clears"]: v.recl = False
        # f
        for v in h.vms:
            if v.state == RUNNING and v.sp > 0:
                x = min(v.sp, self.cap)
                v.sp -= x; v.bal += x
                self.stats["drain_ticks"] += 1
        # g
        close = (t + 1) % self.win_ticks == 0
        for v in h.vms:
            if v.state == OFF:
                v.prs = 0; v.status = OK
            else:
                v.prs = 0 if v.asg == 0 else min(PCAP, (200 * v.dem + v.asg) // (2 * v.asg))
                v.status = WARNING if v.dem > v.asg else (LOW if v.asg < v.tgt else OK)
                v.wsum += v.prs; v.wn += 1
                v.wmin = v.prs if v.wmin is None else min(v.wmin, v.prs)
                v.wmax = v.prs if v.wmax is None else max(v.wmax, v.prs)
            add = v.unb + v.hot
            v.addT += add; v.remT += v.rem
            h.addT += add; h.remT += v.rem
            if add: v.addOps += 1; h.addOps += 1
            if v.rem: v.remOps += 1; h.remOps += 1
            if close and v.wn > 0:
                v.last = ((2 * v.wsum + v.wn) // (2 * v.wn), v.wmin, v.wmax)
                v.wsum = 0; v.wn = 0; v.wmin = v.wmax = None
        if close: self.stats["window_closes"] += 1
        dm = [v for v in h.vms if v.state == RUNNING and v.dyn]
        if dm:
            s = sum(v.prs for v in dm); n = len(dm)
            h.avgP = (2 * s + n) // (2 * n) if OPT["avg_round"] == "halfup" else s // n
            den = sum(v.asg for v in dm) + h.avail
            h.sysP = 0 if den == 0 else (200 * sum(v.dem for v in dm) + den) // (2 * den)
        else:
            h.avgP = h.sysP = 0

    def vm_out(self, v):
        if v.last is not None: a, mn, mx = v.last
        elif v.wn > 0: a, mn, mx = (2 * v.wsum + v.wn) // (2 * v.wn), v.wmin, v.wmax
        else: a = mn = mx = 0
        return [v.state, v.asg, v.bal, v.sp, v.gv, v.dem, v.tgt, v.prs, a, mn, mx, v.status,
                v.unb, v.hot, v.rem, v.addT, v.remT, v.addOps, v.remOps, v.res, v.resTick,
                int(v.recl), v.bootLeft, a, v.gv, v.status]

    def host_out(self, h):
        vs = h.vms
        if OPT.get("host_cumulative", True):
            return [h.avail, h.pending, int(h.wasShort), h.shortfall, h.avgP, h.sysP,
                    h.addT, h.remT, h.addOps, h.remOps, h.failed, h.avail, h.shortfall, h.sysP]
        return [h.avail, h.pending, int(h.wasShort), h.shortfall, h.avgP, h.sysP,
                sum(v.addT for v in vs), sum(v.remT for v in vs), sum(v.addOps for v in vs),
                sum(v.remOps for v in vs), h.failed, h.avail, h.shortfall, h.sysP]


def run_file(fn, maxreport=1, verbose=False):
    with open(fn) as f:
        hdr = json.loads(f.readline())
        m = Model(hdr)
        issues = []
        if m.derived != hdr["derived"]:
            issues.append(("derived", -1, None, "derived", m.derived, hdr["derived"]))
            return m, issues, 0
        nt = 0
        for line in f:
            rec = json.loads(line)
            t = rec["t"]
            for op in rec.get("add", []):
                if op[0] == -1:
                    v = m.vms[op[1]]
                    m.hosts[v.host].vms.remove(v)
                    m.removed.add(op[1])
                else:
                    i, sl, hh = op[0], op[1], op[2]
                    assert i == len(m.vms)
                    vm = VM(i, sl, hh, op[3:10])
                    m.vms.append(vm)
                    m.hosts[hh].vms.append(vm)
                    m.hosts[hh].vms.sort(key=lambda x: x.slot)
                    m.stats["vm_replaced"] = m.stats.get("vm_replaced", 0) + 1
            for c in rec["cfg"]:
                i, s, ok = c[0], c[1:8], c[8]
                v = m.vms[i]
                mine = m.validate(v, s)
                if mine != bool(ok):
                    issues.append(("cfg", t, i, "cfg_ok", mine, ok)); return m, issues, nt
                if mine:
                    v.set_settings(s); m.stats["cfg_ok"] += 1
                else:
                    m.stats["cfg_refused"] += 1
            for i, k in rec["req"]:
                m.vms[i].request = k
            for i, c in enumerate(rec["c"]):
                m.vms[i].committed = c
            for i in m.removed:
                if rec["v"][i] is not None:
                    issues.append(("vm", t, i, "removed_not_null", None, rec["v"][i])); return m, issues, nt
            m.tick(t)
            nt += 1
            m.stats["vm_ticks_on"] = m.stats.get("vm_ticks_on", 0) + sum(1 for v in m.vms if v.state != OFF)
            bad = False
            for i, (v, lv) in enumerate(zip(m.vms, rec["v"])):
                if i in m.removed: continue
                mv = m.vm_out(v)
                for k, (a, b) in enumerate(zip(mv, lv)):
                    if a != b:
                        issues.append(("vm", t, i, VM_FIELDS[k], a, b)); bad = True
            for hi, (h, lh) in enumerate(zip(m.hosts, rec["h"])):
                mh = m.host_out(h)
                for k, (a, b) in enumerate(zip(mh, lh)):
                    if a != b:
                        issues.append(("host", t, hi, HOST_FIELDS[k], a, b)); bad = True
            if "inv" in rec:
                issues.append(("inv", t, None, "invariant", None, rec["inv"])); bad = True
            if bad:
                return m, issues, nt
        return m, issues, nt


if __name__ == "__main__":
    if os.environ.get("XOPT"): OPT.update(json.loads(os.environ["XOPT"]))
    files = sys.argv[1:]
    if len(files) == 1 and os.path.isdir(files[0]):
        d = files[0]
        files = sorted((os.path.join(d, x) for x in os.listdir(d)), key=lambda p: int(os.path.basename(p)[1:].split(".")[0]))
    tot = {}
    nbad = 0; ticks = 0
    cats = {}
    for fn in files:
        m, issues, nt = run_file(fn)
        ticks += nt
        for k, v in m.stats.items():
            if isinstance(v, list):
                tot[k] = [a + b for a, b in zip(tot.get(k, [0] * len(v)), v)]
            else:
                tot[k] = tot.get(k, 0) + v
        if issues:
            nbad += 1
            key = tuple(sorted(set(x[3] for x in issues)))
            cats.setdefault(key, []).append((fn, issues[:6]))
    print(f"scenarios {len(files)}  mismatching {nbad}  ticks compared {ticks}")
    for k, lst in sorted(cats.items(), key=lambda kv: -len(kv[1])):
        print(f"== {k}: {len(lst)} scenarios; e.g. {lst[0][0]}: {lst[0][1]}")
    print(tot)
