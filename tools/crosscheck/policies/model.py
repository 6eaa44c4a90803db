"""Independent model of DmKernel's policy lab (P1-P10) on the shared R-rules, from the spec and docs only.
Reads the harness's JSON lines (config + per-tick inputs), simulates, compares outputs tick by tick."""
import json, sys
from collections import Counter
COV = Counter()
import os
VARIANT = os.environ.get('VARIANT', 'atgoal')
from fractions import Fraction

OFF, BOOT, RUN = 0, 1, 2
INF = 1 << 60

def linux_floor(t):
    if t < 128: return 8 + t // 2
    if t < 512: return 40 + t // 4
    if t < 2048: return 104 + t // 8
    if t < 8192: return 232 + t // 16
    return 488 + t // 32

def fdiv(a, b):  # floor division toward -inf (python default)
    return a // b

class VM:
    def __init__(self, d, G):
        self.id = d['id']; self.host = d['host']; self.s = dict(d['s']); self.g = dict(d['g'])
        self.state = OFF; self.A = 0; self.B = 0; self.SP = 0; self.GV = 0
        self.D = 0; self.T = 0; self.P = 0; self.status = 0; self.committed = 0
        self.unb = self.hot = self.rem = 0
        self.added = self.removed = self.addops = self.remops = 0
        self.result = 0; self.resultTick = -1; self.boot = 0
        self.reset_policy()
    def reset_policy(self):
        self.reclaiming = False
        self.goal = None; self.noprog = 0; self.fast = None; self.slow = None; self.est = None
    @property
    def running_dm(self):
        return self.state == RUN and self.s['dm'] == 1

class Model:
    def __init__(self, cfg, opts):
        self.cfg = cfg; self.opts = opts
        m = cfg['model']; self.G = m['G']; self.BG = m['bootGrace']; self.cap = m['cap']; self.spOn = m['smartPaging']
        self.ts = Fraction(str(m['tick']))
        self.pol = cfg['policy']; self.kind = self.pol['kind']
        self.hosts = []
        for h in cfg['hosts']:
            self.hosts.append(dict(total=h['total'], reserve=h['reserve'], start=h['start'], avail=h['total'] - h['reserve'], pending=0,
                                   shortfall=0, wasShort=0, failed=0, added=0, removed=0, ring=[], capping=False,
                                   avgP=0, sysP=0))
        self.vms = [VM(v, self.G) for v in cfg['vms']]
        self.byid = {v.id: v for v in self.vms}
        self.hostvms = [[v for v in self.vms if v.host == h] for h in range(len(self.hosts))]  # slot order

    def toticks(self, sec):
        q = Fraction(str(sec)) / self.ts
        return max(1, int((q + Fraction(1, 2)) // 1))

    def rd(self, x): return (x // self.G) * self.G
    def ru(self, x): return -((-x) // self.G) * self.G

    # ---- P10 ----
    def glimit(self, v, t):
        g = v.g; k = g['kind']
        if k == 0: return INF
        if k == 1: return max(self.G, self.rd(int(Fraction(g['rate']) * self.ts)))
        if k == 2: return 0
        s = self.toticks(g['stuck']); i = self.toticks(g['ideal'])
        # phase from the VM's place in its host (docs/policies.md: the spec's "slot" read per host)
        return 0 if (t + v.id - self.hosts[v.host]['start']) % (s + i) < s else INF

    # ---- lifecycle ----
    def reclaim(self, hv, starter, need, all_or_nothing, exclude=None):
        w = starter.s['weight']
        if w == 0: return 0 if need > 0 else 0, False
        donors = [d for d in hv if d.running_dm and d.s['weight'] <= w and d is not exclude]
        donors.sort(key=lambda d: (d.s['weight'], d.id))
        plan = {}
        left = need
        for d in donors:
            if left <= 0: break
            x = min(left, max(0, d.A - d.T))
            if x > 0: plan[d.id] = plan.get(d.id, 0) + x; left -= x; COV['R4 reclaim pass1'] += 1
        for d in donors:
            if left <= 0: break
            cur = d.A - plan.get(d.id, 0)
            x = min(left, max(0, cur - d.s['min']))
            if x > 0: plan[d.id] = plan.get(d.id, 0) + x; left -= x; COV['R4 reclaim pass2'] += 1
        if left > 0 and all_or_nothing:
            COV['R4 reclaim failed'] += 1; return 0, False
        got = 0
        for did, x in plan.items():
            d = self.byid[did]
            d.A -= x; d.B += x; d.rem += x; got += x
        return got, left <= 0

    def boot(self, v, t):
        v.state = BOOT; v.boot = self.BG; v.B = 0
        v.reset_policy()

    def stop(self, v, H, t):
        H['avail'] += v.A
        v.state = OFF; v.A = v.B = v.SP = v.GV = 0; v.D = v.T = v.P = 0; v.status = 0; v.boot = 0
        v.reset_policy()
        v.result = 6; v.resultTick = t

    def tick(self, t, inp):
        # inputs
        for i, v in enumerate(self.vms):
            v.committed = inp['committed'][i]
        for c in inp['cfg']:
            vid, cs = c[0], c[1]
            if len(c) > 2:  # RemoveVm + AddVm into the same slot: a fresh VM
                old = self.byid[vid]
                d = dict(id=vid, host=old.host, s=cs, g=dict(kind=0, rate=0, stuck=0, ideal=0))
                nv = VM(d, self.G); nv.committed = old.committed
                self.vms[self.vms.index(old)] = nv; self.byid[vid] = nv
                hv = self.hostvms[old.host]; hv[hv.index(old)] = nv
                COV['RemoveVm+AddVm'] += 1
            else:
                self.byid[vid].s = dict(cs); COV['R2 configure'] += 1
        for vid, g in inp['gch']:
            self.byid[vid].g = dict(g)
        reqs = {vid: k for vid, k in inp['req']}
        for h, H in enumerate(self.hosts):
            self.tick_host(t, h, H, reqs)

    def tick_host(self, t, h, H, reqs):
        hv = self.hostvms[h]; G = self.G
        # a
        H['avail'] += H['pending']; H['pending'] = 0
        # b
        for v in hv:
            v.unb = v.hot = v.rem = 0
            if v.state == BOOT:
                v.boot -= 1
                if v.boot <= 0:
                    v.boot = 0; v.state = RUN
        # c lifecycle: stops, restarts, starts, each in slot order
        for v in hv:
            if reqs.get(v.id) == 3 and v.state != OFF:
                self.stop(v, H, t)
        for v in hv:
            if reqs.get(v.id) == 2 and v.state != OFF:
                st = v.s['startup']
                if v.A >= st:
                    H['avail'] += v.A - st; v.A = st; v.SP = 0; v.GV = st
                    self.boot(v, t); v.result = 3; v.resultTick = t
                else:
                    deficit = st - v.A
                    if H['avail'] < deficit and self.kind != 'static':
                        got, ok = self.reclaim(hv, v, deficit - H['avail'], not self.spOn, exclude=v)
                        H['avail'] += got
                    take = min(H['avail'], deficit)
                    if take == deficit:
                        H['avail'] -= take; v.A = st; v.SP = 0; v.GV = st
                        self.boot(v, t); v.result = 3; v.resultTick = t
                    elif self.spOn:
                        H['avail'] -= take; v.A += take; v.SP = st - v.A; v.GV = st
                        self.boot(v, t); v.result = 4; v.resultTick = t; COV['R6 restart with SmartPaging'] += 1
                    else:
                        self.stop(v, H, t); v.result = 5; COV['R6 restart failed'] += 1
        for v in hv:
            if reqs.get(v.id) == 1 and v.state == OFF:
                st = v.s['startup']
                if H['avail'] < st and self.kind != 'static':
                    got, ok = self.reclaim(hv, v, st - H['avail'], True)
                    H['avail'] += got
                if H['avail'] >= st:
                    H['avail'] -= st; v.A = st; v.GV = st; v.SP = 0
                    self.boot(v, t); v.result = 1; v.resultTick = t
                else:
                    v.result = 2; v.resultTick = t; H['failed'] += 1
        # d demand
        for v in hv:
            if v.state == OFF:
                v.D = 0; v.T = 0; continue
            v.D = v.committed + (linux_floor(v.A) if v.s['linux'] else 0)
            if v.state == BOOT or not v.s['dm']:
                v.T = v.s['startup']
            if not v.running_dm:
                v.reset_policy()
        # e policy
        run = [v for v in hv if v.running_dm]
        getattr(self, 'plan_' + self.kind)(t, H, run)
        # f R16
        for v in hv:
            if v.state == RUN and v.SP > 0:
                x = min(v.SP, self.cap); v.SP -= x; v.B += x; COV['R16 drain'] += 1
        # g outputs
        psum = 0; nrun = 0; dsum = 0; asum = 0
        for v in hv:
            v.GV = v.A + v.B + v.SP
            if v.state == OFF:
                v.P = 0; v.status = 0
            else:
                v.P = 0 if v.A == 0 else min(100000, (200 * v.D + v.A) // (2 * v.A))
                v.status = 2 if v.D > v.A else (1 if v.A < v.T else 0)
            v.added += v.unb + v.hot; v.removed += v.rem
            if v.unb + v.hot > 0: v.addops += 1
            if v.rem > 0: v.remops += 1
            H['added'] += v.unb + v.hot; H['removed'] += v.rem
            if v.running_dm:
                psum += v.P; nrun += 1; dsum += v.D; asum += v.A
        H['avgP'] = 0 if nrun == 0 else (2 * psum + nrun) // (2 * nrun)
        den = asum + H['avail']
        H['sysP'] = 0 if den == 0 else (200 * dsum + den) // (2 * den)

    # ---- mechanisms ----
    def removal(self, v, to, t, p10=True):
        """R12 toward `to`: cap, Minimum, Linux limit, P10 limit; rounded down to G."""
        want = v.A - to
        if want <= 0: return 0
        x = min(want, self.cap, v.A - v.s['min'])
        if v.s['linux']:
            x = min(x, max(0, v.A - v.D))
        if p10:
            x0 = x; x = min(x, self.glimit(v, t))
            if x < x0: COV['P10 limits removal'] += 1
        if x == self.cap and want > self.cap: COV['R12 cap binds'] += 1
        if v.s['linux'] and x < min(want, self.cap, v.A - v.s['min']): COV['R12 linux limit binds'] += 1
        return max(0, self.rd(x))

    def do_remove(self, v, x, H):
        v.A -= x; v.B += x; v.rem += x; H['pending'] += x

    def do_grant(self, v, x, H):
        COV['R13 grant'] += 1
        if x <= v.B: COV['R13 unballoon only'] += 1
        d = min(x, v.B); v.B -= d; v.A += d; v.unb += d
        r = x - d; v.A += r; v.hot += r
        H['avail'] -= x

    def clamp_goal(self, v, g):
        return max(v.s['min'], min(v.s['max'], g))

    def finish_plan(self, H, run, targets):
        H['shortfall'] = sum(max(0, targets[v.id] - v.A) for v in run)

    def goal_targets(self, run):
        # each VM's target: its goal clamped (Startup until it has one); the clamped goal is kept (squeezed, MoM)
        targets = {}
        for v in run:
            g = v.goal if v.goal is not None else v.s['startup']
            g = self.clamp_goal(v, g)
            if v.goal is not None: v.goal = g
            targets[v.id] = g; v.T = g
        return targets

    def grow_to_targets(self, t, H, run, targets):
        # grants up to each VM's target in slot order, limited by what the host has and the hot-add limit; then the
        # after-move bookkeeping (shared by P1, MoM and ESX)
        for v in run:
            g = targets[v.id]
            if v.A < g:
                x = min(g - v.A, H['avail'], self.glimit(v, t))
                if x > 0: self.do_grant(v, x, H)
        self.after_moves(H, run, targets)

    def after_moves(self, H, run, targets):
        H['wasShort'] = 1 if any(v.A < targets[v.id] for v in run) else 0
        if H['wasShort']: COV['host short after moves'] += 1

    # ---- static ----
    def plan_static(self, t, H, run):
        # P1 Static: every VM's goal is its Startup; a VM below grows back; nothing shrinks
        targets = {}
        for v in run:
            targets[v.id] = v.s['startup']; v.T = v.s['startup']
        self.finish_plan(H, run, targets)
        self.grow_to_targets(t, H, run, targets)

    # ---- squeezed P2-P4 ----
    def plan_squeezed(self, t, H, run):
        P = self.pol; G = self.G
        if t % P['sqPeriod'] == 0:
            F = self.ru(P['sqFree'])
            mem = [v for v in run if v.noprog < P['sqStuck']]
            if len(mem) < len(run): COV['P10 stuck VM left gamma'] += 1
            maxFree = H['avail'] + sum(max(0, v.A - v.s['min']) for v in mem)
            surplus = max(0, maxFree - F)
            rng = sum(v.s['max'] - v.s['min'] for v in mem)
            for v in mem:
                if rng == 0: g = v.s['min']; COV['P3 range=0'] += 1
                elif surplus >= rng: g = v.s['max']; COV['P3 surplus>=range'] += 1
                else: g = v.s['min'] + self.rd(surplus * (v.s['max'] - v.s['min']) // rng); COV['P3 gamma<1'] += 1
                v.goal = g
        targets = self.goal_targets(run)
        self.finish_plan(H, run, targets)
        # phase 1: shrink
        any_rem = False
        for v in run:
            if VARIANT == 'toward':
                if v.rem > 0 and v.A + v.rem > targets[v.id]:  # R4's reclaim moved it toward its goal
                    v.noprog = 0; COV['P10 R4 reclaim resets stuck'] += 1
            elif VARIANT == 'atgoal':
                if v.A == targets[v.id]: v.noprog = 0
        for v in run:
            g = targets[v.id]
            if v.A > g:
                allowed = self.removal(v, g, t, p10=False)
                x = self.removal(v, g, t)
                if x > 0:
                    self.do_remove(v, x, H); any_rem = True; v.noprog = 0
                elif allowed > 0:
                    v.noprog += 1
        if any_rem and any(v.A < targets[v.id] for v in run): COV['P4 growth held back'] += 1
        if not any_rem:
            for v in run:
                g = targets[v.id]
                if v.A < g:
                    allowed = min(g - v.A, H['avail'])
                    x = min(allowed, self.glimit(v, t))
                    if x > 0:
                        self.do_grant(v, x, H); v.noprog = 0
                    elif allowed > 0:
                        v.noprog += 1
        self.after_moves(H, run, targets)

    # ---- MoM P5-P6 ----
    def mom_goal(self, v, h):
        used = v.D; cur = v.A; mn = v.s['min']; mx = v.s['max']
        if h < Fraction(20, 100):
            g = h if h > Fraction(5, 100) else h - Fraction(5, 100)
            fl = max(mn, used + fdiv(g.numerator * cur, g.denominator))
            size = max(fl, cur * 95 // 100)
            COV['P6 shrink' + (' critical' if h <= Fraction(5,100) else '')] += 1
            if size < cur and 400 * (cur - size) > cur: goal = self.rd(size); COV['P6 shrink moved'] += 1
            else: goal = cur; COV['P6 shrink deadband'] += 1
        else:
            if cur < mx:
                fl = max(mn, used + cur * 20 // 100)
                size = min(mx, max(fl, cur * 105 // 100))
                if 400 * (size - cur) > cur: goal = min(mx, self.ru(size)); COV['P6 grow moved'] += 1
                else: goal = cur; COV['P6 grow deadband'] += 1
            else:
                goal = cur
        if cur < mn: goal = mn; COV['P6 guarantee'] += 1
        return goal

    def plan_mom(self, t, H, run):
        P = self.pol
        if t % P['momPeriod'] == 0:
            H['ring'].append(H['avail'])
            H['ring'] = H['ring'][-P['momSamples']:]
            PP = H['total'] - H['reserve']
            h = Fraction(sum(H['ring']), len(H['ring']) * PP)
            for v in run:
                v.goal = self.mom_goal(v, h)
        targets = self.goal_targets(run)
        self.finish_plan(H, run, targets)
        for v in run:
            g = targets[v.id]
            if v.A > g:
                x = self.removal(v, g, t)
                if x > 0: self.do_remove(v, x, H)
        self.grow_to_targets(t, H, run, targets)

    # ---- ESX P7-P9 ----
    def plan_esx(self, t, H, run):
        P = self.pol; G = self.G
        tau = P['tax']
        if t % P['esxPeriod'] == 0:
            for v in run:
                a = 1000 if v.A == 0 else min(1000, 1000 * v.D // v.A)
                COV['P8 sample'] += 1
                if 1000 * v.D >= 2**31: COV['P8 sample 1000*D >= 2^31'] += 1
                if 1000 * v.D // v.A < 1000 and 1000 * v.D >= 2**31: COV['P8 sample big D, a<1000'] += 1
                if v.fast is None:
                    v.fast = a; v.slow = a
                else:
                    v.fast += int((a - v.fast) / 2) if False else _tdiv(a - v.fast, 2)
                    v.slow += _tdiv(a - v.slow, 16)
                v.est = max(a, v.fast, v.slow)
        PP = H['total'] - H['reserve']
        owed = sum(max(0, v.A - v.goal) for v in run if v.goal is not None)
        counted = H['avail'] + owed
        if H['capping'] and 100 * counted >= P['high'] * PP:
            for v in run: v.goal = None
            H['capping'] = False; COV['P9 caps lifted'] += 1
            counted = H['avail']
        if 100 * counted < P['soft'] * PP:
            cur = {v.id: (min(v.A, v.goal) if v.goal is not None else v.A) for v in run}
            cost = {}
            for v in run:
                f = v.est if v.est is not None else 1000
                cost[v.id] = f * (1000 - tau) + 1000 * (1000 - f)
            reclaimed = 0
            while 100 * (counted + reclaimed) < P['high'] * PP:
                best = None
                for v in run:
                    if cur[v.id] <= v.s['min']: continue
                    if best is None: best = v; continue
                    # rho_v < rho_best ?  S_v * A_b * c_b < S_b * A_v * c_v
                    lhs = v.s['weight'] * cur[best.id] * cost[best.id]
                    rhs = best.s['weight'] * cur[v.id] * cost[v.id]
                    if lhs < rhs: best = v
                if best is None: COV['P9 no VM above min'] += 1; break
                cur[best.id] -= G; reclaimed += G; COV['P9 granule' + (' w0' if best.s['weight']==0 else '')] += 1
                best.goal = cur[best.id]
                H['capping'] = True
        targets = {}; shrink = {}
        for v in run:
            want = max(v.s['min'], min(v.s['max'], self.ru(v.D)))
            if v.goal is not None:
                v.goal = self.clamp_goal(v, v.goal)
                targets[v.id] = min(want, v.goal); shrink[v.id] = v.goal
            else:
                targets[v.id] = want
            v.T = targets[v.id]
        self.finish_plan(H, run, targets)
        for v in run:
            if v.id in shrink and v.A > shrink[v.id]:
                x = self.removal(v, shrink[v.id], t)
                if x > 0: self.do_remove(v, x, H)
        self.grow_to_targets(t, H, run, targets)

    # ---- Hyper-V R9, R11, R13, R15 with P10 limits (docs/policies.md) ----
    def target_r9(self, v):
        D = v.D; b = v.s['buffer']
        t = -((-D * (100 + b)) // 100)
        return max(v.s['min'], min(v.s['max'], self.ru(t)))

    def need0(self, v):
        return max(v.s['min'], min(v.s['max'], self.ru(v.D)))

    def fill_group(self, vms, caps, remaining):
        """weighted water-filling of one group; returns allocations and what is left"""
        G = self.G
        alloc = {v.id: 0 for v in vms}
        tot = sum(caps[v.id] for v in vms)
        if tot <= remaining:
            for v in vms: alloc[v.id] = caps[v.id]
            return alloc, remaining - tot
        w = {v.id: (v.s['weight'] if v.s['weight'] > 0 else 1) for v in vms}
        sat = set()
        while True:
            W = sum(w[v.id] for v in vms if v.id not in sat)
            C = sum(caps[v.id] for v in vms if v.id in sat)
            pool = remaining - C
            new = [v for v in vms if v.id not in sat and caps[v.id] * W <= pool * w[v.id]]
            if not new: break
            for v in new: sat.add(v.id)
        W = sum(w[v.id] for v in vms if v.id not in sat)
        C = sum(caps[v.id] for v in vms if v.id in sat)
        pool = remaining - C
        for v in vms:
            if v.id in sat: alloc[v.id] = caps[v.id]
            else: alloc[v.id] = self.rd(pool * w[v.id] // W)
        left = remaining - sum(alloc.values())
        order = sorted([v for v in vms if alloc[v.id] < caps[v.id]], key=lambda v: (-v.s['weight'], v.id))
        for v in order:
            if left < G: break
            alloc[v.id] += G; left -= G
            COV['R11 leftover granule'] += 1
        return alloc, left

    def plan_hyperv(self, t, H, run):
        G = self.G
        for v in run:
            v.T = self.target_r9(v)
        shortfall = sum(max(0, v.T - v.A) for v in run)
        H['shortfall'] = shortfall
        reclaim_tick = (t + 1) % self.cfg['model']['reclaimPeriod'] == 0
        if shortfall <= H['avail']:
            H['wasShort'] = 0
            COV['R11 enough'] += 1
            # R13 grants, weight-descending then slot
            for v in sorted(run, key=lambda v: (-v.s['weight'], v.id)):
                if v.A < v.T:
                    x = min(v.T - v.A, self.glimit(v, t))
                    if x > 0:
                        self.do_grant(v, x, H)
                        v.reclaiming = False
                    if v.A >= v.T: v.reclaiming = False
            # R15
            for v in run:
                if reclaim_tick and v.A > v.T:
                    v.reclaiming = True; COV['R15 mark'] += 1
                if v.reclaiming:
                    if v.A <= v.T:
                        v.reclaiming = False; continue
                    x = self.removal(v, v.T, t)
                    if x > 0: self.do_remove(v, x, H); COV['R15 reclaim'] += 1
                    if v.A <= v.T: v.reclaiming = False
        else:
            H['wasShort'] = 1
            COV['R11 short'] += 1
            B = H['avail'] + sum(v.A for v in run)
            alloc = {v.id: v.s['min'] for v in run}
            remaining = B - sum(alloc.values())
            pos = [v for v in run if v.s['weight'] > 0]; zero = [v for v in run if v.s['weight'] == 0]
            for tier in (1, 2):
                if tier == 1:
                    caps = {v.id: self.need0(v) - v.s['min'] for v in run}
                else:
                    caps = {v.id: v.T - self.need0(v) for v in run}
                a1, remaining = self.fill_group(pos, caps, remaining)
                for k, x in a1.items(): alloc[k] += x
                if all(a1[v.id] >= caps[v.id] for v in pos) and zero:
                    a0, remaining = self.fill_group(zero, caps, remaining)
                    for k, x in a0.items(): alloc[k] += x
            for v in run:
                if v.A > alloc[v.id]:
                    x = self.removal(v, alloc[v.id], t)
                    if x > 0: self.do_remove(v, x, H)
            for v in sorted(run, key=lambda v: (-v.s['weight'], v.id)):
                if v.A < alloc[v.id]:
                    x = min(alloc[v.id] - v.A, H['avail'], self.glimit(v, t))
                    if x > 0:
                        self.do_grant(v, x, H)  # short tick: R15's flag is kept (model.md)

def _tdiv(a, b):
    q = abs(a) // b
    return q if a >= 0 else -q

VMF = ['state', 'A', 'B', 'GV', 'D', 'T', 'P', 'status', 'unb', 'hot', 'rem', 'SP', 'result', 'resultTick',
       'added', 'removed', 'addops', 'remops', 'boot', 'reclaiming']
HF = ['avail', 'pending', 'shortfall', 'wasShort', 'avgP', 'sysP', 'failed', 'added', 'removed']

def compare(lines, opts, maxreport=5, stop_first=True):
    cfg = json.loads(lines[0]); m = Model(cfg, opts)
    mism = []
    nt = 0
    for ln in lines[1:]:
        rec = json.loads(ln)
        if rec['kind'] == 'invariant':
            mism.append((rec['t'], 'invariant', rec['msg'])); continue
        t = rec['t']; nt += 1
        m.tick(t, rec)
        for i, v in enumerate(m.vms):
            act = rec['vm'][i]
            exp = [getattr(v, f) for f in VMF]
            for k, f in enumerate(VMF):
                if f in opts.get('ignore', ()): continue
                if exp[k] != act[k]:
                    mism.append((t, 'vm%d.%s' % (v.id, f), exp[k], act[k]))
        for h, H in enumerate(m.hosts):
            act = rec['host'][h]
            for k, f in enumerate(HF):
                if f in opts.get('ignore', ()): continue
                e = int(H[f]) if not isinstance(H[f], bool) else int(H[f])
                if e != act[k]:
                    mism.append((t, 'host%d.%s' % (h, f), e, act[k]))
        if mism and stop_first:
            break
        # resync option: copy library state? no - keep independent
    return cfg, nt, mism

if __name__ == '__main__':
    lines = open(sys.argv[1]).read().splitlines()
    cfg, nt, mism = compare(lines, {})
    print('ticks', nt, 'mismatches', len(mism))
    for x in mism[:40]: print(x)
