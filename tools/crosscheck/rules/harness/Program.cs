// Cross-check harness: random scenarios through DmKernel's public API, dumped as JSON lines.
// Usage: harness SEED_START COUNT OUTDIR [scalar|auto|v128|v256|v512] [profile]
using System.Globalization;
using System.Text;
using DmKernel;

int seedStart = int.Parse(args[0]);
int count = int.Parse(args[1]);
string outDir = args[2];
KernelPath path = args.Length > 3 ? KernelPaths.Parse(args[3] == "auto" ? "auto" : args[3]) : KernelPath.Auto;
string profile = args.Length > 4 ? args[4] : "mix";
int threads = args.Length > 5 ? int.Parse(args[5]) : 1;
string mode = args.Length > 6 ? args[6] : "normal";
Directory.CreateDirectory(outDir);
for (int seed = seedStart; seed < seedStart + count; seed++)
{
    using var w = new StreamWriter(Path.Combine(outDir, $"s{seed}.jsonl"));
    Scenario.Run(seed, w, path, profile, threads, mode);
}

static class Scenario
{
    static T Pick<T>(Random r, params T[] xs) => xs[r.Next(xs.Length)];
    static int Gr = 2;
    static int Even(int x) => x & ~(Gr - 1);

    static bool Huge;
    static VmSettings RandomSettings(Random r, int ceiling)
    {
        if (Huge && r.NextDouble() < 0.7)
        {
            int st = Even(r.Next(32, Math.Min(ceiling, 8_000_000)));
            int mn = Even(r.Next(32, st + 1)); if (mn < 32) mn = 32; if (mn > st) mn = st;
            int mx = r.NextDouble() < 0.5 ? ceiling : Math.Min(ceiling, st + Even(r.Next(0, ceiling - st + 1)));
            return new VmSettings(st, mn, mx, Pick(r, 5, 20, 2000, 1999, 333, 7), Pick(r, 0, 1, 5000, 10000, 9999, 3), r.NextDouble() < 0.9, r.NextDouble() < 0.5 ? GuestKind.Linux : GuestKind.Windows);
        }
        int startup = r.NextDouble() < 0.15 ? Even(r.Next(32, 200)) : Even(r.Next(128, 6000));
        if (startup < 32) startup = Math.Max(32, Gr);
        int min = r.NextDouble() < 0.25 ? startup : Even(r.Next(32, startup + 1));
        if (min < 32) min = Math.Max(32, Gr);
        if (min > startup) min = startup;
        int max = r.NextDouble() < 0.2 ? startup : Math.Min(ceiling, startup + Even(r.Next(0, startup * 3 + 2)));
        int buffer = Pick(r, 5, 20, 20, 50, 100, 2000, r.Next(5, 300));
        int weight = Pick(r, 0, 0, 5000, 5000, 1, 100, 10000, r.Next(0, 10001), 3000);
        bool dyn = r.NextDouble() < 0.85;
        var guest = r.NextDouble() < 0.35 ? GuestKind.Linux : GuestKind.Windows;
        return new VmSettings(startup, min, max, buffer, weight, dyn, guest);
    }

    static string S(VmSettings s) =>
        $"{s.StartupMb},{s.MinimumMb},{s.MaximumMb},{s.BufferPercent},{s.Weight},{(s.DynamicMemory ? 1 : 0)},{(s.Guest == GuestKind.Linux ? 1 : 0)}";

    static string D(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    public static void Run(int seed, StreamWriter w, KernelPath path, string profile, int threads, string mode)
    {
        var r = new Random(seed);
        Gr = profile == "gran" ? Pick(r, 4, 8, 16, 64) : 2;
        Huge = profile == "huge";
        var model = new ModelParameters
        {
            TickSeconds = Pick(r, 1.0, 1.0, 1.0, 0.5, 2.0, 1.5, 3.0, 0.25),
            BootGraceSeconds = Pick(r, 0.0, 2.0, 5.0, 10.0, 50.0, 3.0),
            ReclaimPeriodSeconds = Pick(r, 3.0, 10.0, 25.0, 60.0, 300.0, 7.0),
            PressureWindowSeconds = Pick(r, 2.0, 5.0, 13.0, 60.0, 1.0),
            MaxRemovePerSecondMb = Pick(r, 1020, 1020, 64, 200, 33, 5000, 1),
            HostReserveMb = Pick(r, 2048, 512, 0),
            SmartPaging = r.NextDouble() < 0.75,
            MaxCeilingMb = Pick(r, 1_048_576, 65_536, 16_384),
            GranularityMb = Gr,
        };
        if (profile == "gran" || profile == "tight") model = model with { MaxRemovePerSecondMb = Pick(r, 1020, 64, 7, 300, 130) };
        if (Huge) model = model with { MaxCeilingMb = ModelParameters.MaxCeilingLimitMb };
        if (profile == "tightnosp") { model = model with { SmartPaging = r.NextDouble() < 0.2 }; profile = "tight"; }
        if (Gr > 2) model = model with { HostReserveMb = Even(model.HostReserveMb) };
        int ticks = profile == "long" ? Pick(r, 400, 800, 1200) : profile == "big" ? Pick(r, 40, 100, 200) : Pick(r, 30, 60, 120, 200, 400);
        int nh = profile == "big" ? r.Next(1, 3) : r.Next(1, 4);
        var vmSettings = new List<VmSettings>();
        var vmHost = new List<int>();
        var hostSpecs = new HostSpec[nh];
        var hostReserveOverride = new int?[nh];
        for (int h = 0; h < nh; h++)
        {
            int nvm = profile == "huge" ? r.Next(1, 12) : profile == "big" ? Pick(r, r.Next(60, 70), r.Next(60, 140), r.Next(120, 300), r.Next(500, 700)) : r.NextDouble() < 0.2 ? r.Next(8, 15) : r.Next(1, 8);
            long sumStartup = 0;
            for (int i = 0; i < nvm; i++)
            {
                var s = RandomSettings(r, model.MaxCeilingMb);
                vmSettings.Add(s); vmHost.Add(h); sumStartup += s.StartupMb;
            }
            int? res = r.NextDouble() < 0.3 ? Pick<int?>(r, 0, 1024, 4096) : null;
            if (res is int rv) res = Even(rv);
            int reserve = res ?? model.HostReserveMb;
            double factor = profile == "tight" ? Pick(r, 0.3, 0.5, 0.7, 0.8, 0.9) : Pick(r, 0.3, 0.6, 0.8, 0.9, 1.0, 1.2, 1.5, 2.5);
            int total = reserve + Even((int)Math.Min(1_900_000_000, sumStartup * factor));
            hostSpecs[h] = new HostSpec(total, nvm + r.Next(0, 3), res);
            hostReserveOverride[h] = res;
        }
        var fleet = new Fleet(model, hostSpecs);
        int n = vmSettings.Count;
        var slot = new List<int>();
        var alive = new List<bool>();
        for (int i = 0; i < n; i++) { slot.Add(fleet.AddVm(vmHost[i], vmSettings[i])); alive.Add(true); }
        var bal = new Balancer(fleet, path, threads);
        var checker = new InvariantChecker(fleet);
        var prng = new Random(seed * 7 + 1);
        var upd = new int[fleet.SlotCount];

        var sb = new StringBuilder();
        sb.Append("{\"seed\":").Append(seed).Append(",\"model\":[")
          .Append(D(model.TickSeconds)).Append(',').Append(D(model.BootGraceSeconds)).Append(',')
          .Append(D(model.ReclaimPeriodSeconds)).Append(',').Append(D(model.PressureWindowSeconds)).Append(',')
          .Append(model.MaxRemovePerSecondMb).Append(',').Append(model.HostReserveMb).Append(',')
          .Append(model.SmartPaging ? 1 : 0).Append(',').Append(model.MaxCeilingMb).Append(',').Append(model.GranularityMb)
          .Append("],\"derived\":[").Append(model.BootGraceTicks).Append(',').Append(model.ReclaimPeriodTicks).Append(',')
          .Append(model.PressureWindowTicks).Append(',').Append(model.RemoveCapPerTickMb).Append("],\"hosts\":[");
        for (int h = 0; h < nh; h++)
            sb.Append(h > 0 ? "," : "").Append('[').Append(hostSpecs[h].TotalMb).Append(',').Append(fleet.HostReserve(h)).Append(']');
        sb.Append("],\"vms\":[");
        for (int i = 0; i < n; i++)
            sb.Append(i > 0 ? "," : "").Append('[').Append(slot[i]).Append(',').Append(vmHost[i]).Append(',').Append(S(vmSettings[i])).Append(']');
        sb.Append("],\"ticks\":").Append(ticks).Append('}');
        w.WriteLine(sb.ToString());

        // committed demand generators
        var level = new List<double>(); for (int i = 0; i < n; i++) level.Add(0);
        var committed = new int[fleet.SlotCount];
        var prevCommitted = new int[fleet.SlotCount];
        for (int i = 0; i < n; i++) level[i] = r.NextDouble() * vmSettings[i].MaximumMb * 1.2;
        var cfgLog = new List<string>();
        var reqLog = new List<string>();
        double eventP = profile == "tight" ? Pick(r, 0.05, 0.1, 0.2) : Pick(r, 0.005, 0.02, 0.05);
        double cfgP = Pick(r, 0.0, 0.01, 0.03);
        double rmAddP = Pick(r, 0.0, 0.02, 0.1);
        for (int t = 0; t < ticks; t++)
        {
            cfgLog.Clear(); reqLog.Clear();
            var rmLog = new List<string>(); var addLog = new List<string>();
            if (t > 0 && rmAddP > 0)
                for (int i = 0; i < n; i++)
                {
                    if (!alive[i] || fleet.State(slot[i]) != VmState.Off || fleet.PendingRequest(slot[i]) != LifecycleRequest.None || r.NextDouble() >= rmAddP) continue;
                    int h = fleet.HostOf(slot[i]);
                    fleet.RemoveVm(slot[i]); alive[i] = false; committed[slot[i]] = 0; prevCommitted[slot[i]] = 0; addLog.Add($"[-1,{i}]");
                    var ns = RandomSettings(r, model.MaxCeilingMb);
                    int sl = fleet.AddVm(h, ns);
                    slot.Add(sl); alive.Add(true); level.Add(r.NextDouble() * ns.MaximumMb); vmHost.Add(h);
                    addLog.Add($"[{n},{sl},{h},{S(ns)}]"); n++;
                }
            // settings changes (R1, R2)
            for (int i = 0; i < n; i++)
            {
                if (!alive[i] || r.NextDouble() >= cfgP) continue;
                var cur = fleet.GetSettings(slot[i]);
                VmSettings s;
                bool off = fleet.State(slot[i]) == VmState.Off;
                double u = r.NextDouble();
                if (off && u < 0.6) s = RandomSettings(r, model.MaxCeilingMb);
                else
                {
                    int k = r.Next(12);
                    s = k switch
                    {
                        0 or 1 => cur with { MaximumMb = Math.Min(model.MaxCeilingMb, cur.MaximumMb + Even(r.Next(0, 4000))) },
                        2 or 3 => cur with { MinimumMb = Math.Max(32, cur.MinimumMb - Even(r.Next(0, cur.MinimumMb))) },
                        4 => cur with { BufferPercent = Pick(r, 5, 10, 20, 80, 500, 2000) },
                        5 => cur with { Weight = Pick(r, 0, 1, 5000, 10000, r.Next(0, 10001)) },
                        6 => cur with { MaximumMb = cur.MaximumMb - Gr },
                        7 => cur with { MinimumMb = cur.MinimumMb + Gr },
                        8 => cur with { StartupMb = cur.StartupMb + Gr },
                        9 => cur with { DynamicMemory = !cur.DynamicMemory },
                        10 => cur with { BufferPercent = Pick(r, 4, 2001), Weight = Pick(r, -1, 10001, 7) },
                        _ => cur with { MinimumMb = Pick(r, 31, 30, 33, cur.MinimumMb), BufferPercent = Pick(r, 30, 40) },
                    };
                }
                int ok = 1;
                try { fleet.Configure(slot[i], s); }
                catch (SettingRejectedException) { ok = 0; }
                cfgLog.Add($"[{i},{S(s)},{ok}]");
            }
            // lifecycle requests
            for (int i = 0; i < n; i++)
            {
                double p = t == 0 ? 0.7 : eventP;
                if (!alive[i] || r.NextDouble() >= p) continue;
                var st = fleet.State(slot[i]);
                if (st == VmState.Off) { fleet.RequestStart(slot[i]); reqLog.Add($"[{i},1]"); }
                else
                {
                    double u = r.NextDouble();
                    if (u < 0.35) { fleet.RequestStop(slot[i]); reqLog.Add($"[{i},3]"); }
                    else if (u < 0.85) { fleet.RequestRestart(slot[i]); reqLog.Add($"[{i},2]"); }
                    else if (fleet.PendingRequest(slot[i]) != LifecycleRequest.None) { fleet.CancelRequest(slot[i]); reqLog.Add($"[{i},0]"); }
                    if (r.NextDouble() < 0.3) { fleet.RequestRestart(slot[i]); reqLog.Add($"[{i},2]"); }
                }
            }
            // committed demand: moves every tick
            for (int i = 0; i < n; i++)
            {
                if (!alive[i]) continue;
                var s = fleet.GetSettings(slot[i]);
                double u = r.NextDouble();
                if (u < 0.004) level[i] = Pick(r, Fleet.MaxCommittedMb, r.Next(0, Fleet.MaxCommittedMb), 8191 - 512, 2047 - 104, 127, 128, 511, 512);
                else if (u < 0.04) level[i] = 0;
                else if (Huge && u < 0.2) level[i] = Pick(r, r.Next(0, Fleet.MaxCommittedMb + 1), s.MaximumMb - r.Next(0, 100), s.MaximumMb * 100.0 / 105, Fleet.MaxCommittedMb - r.Next(0, 1000));
                else if (u < 0.10) level[i] = r.NextDouble() * s.MaximumMb * 2.0;
                else if (u < 0.13) level[i] = s.MaximumMb + r.Next(0, 3000);
                else level[i] = Math.Max(0, level[i] + (r.NextDouble() - 0.5) * (level[i] * 0.15 + 40));
                int c = (int)Math.Clamp(level[i], 0, Fleet.MaxCommittedMb);
                committed[slot[i]] = c;
            }
            if (r.NextDouble() < 0.3)
            {
                // UpdateCommitted with some NotReported entries: the VM keeps its previous value
                for (int k = 0; k < upd.Length; k++) upd[k] = Fleet.NotReported;
                for (int i = 0; i < n; i++)
                    if (!alive[i]) continue;
                    else if (r.NextDouble() < 0.5) upd[slot[i]] = committed[slot[i]];
                    else committed[slot[i]] = prevCommitted[slot[i]];
                fleet.UpdateCommitted(0, upd);
            }
            else if (mode != "tickc") fleet.SetCommitted(committed);
            Array.Copy(committed, prevCommitted, committed.Length);
            if (mode == "shard")
            {
                bal.BeginTick();
                for (int hh = nh - 1; hh >= 0; hh--) bal.TickHosts(hh, 1);
                bal.EndTick();
            }
            else if (mode == "tickc") bal.Tick(committed);
            else bal.Tick();
            if (mode == "ckpt" && prng.NextDouble() < 0.1)
            {
                var ms = new MemoryStream();
                fleet.SaveState(ms);
                ms.Position = 0;
                var f2 = new Fleet(model, hostSpecs);
                f2.LoadState(ms);
                bal.Dispose();
                fleet = f2;
                bal = new Balancer(fleet, path, threads);
                checker = new InvariantChecker(fleet);
            }
            string? inv = checker.Find();

            var vms = fleet.Vms; var hosts = fleet.Hosts;
            sb.Clear();
            sb.Append("{\"t\":").Append(t).Append(",\"ti\":").Append(fleet.TickIndex)
              .Append(",\"rm\":[").Append(string.Join(",", rmLog)).Append("],\"add\":[").Append(string.Join(",", addLog)).Append(']')
              .Append(",\"cfg\":[").Append(string.Join(",", cfgLog)).Append("],\"req\":[").Append(string.Join(",", reqLog))
              .Append("],\"c\":[");
            for (int i = 0; i < n; i++) sb.Append(i > 0 ? "," : "").Append(alive[i] ? committed[slot[i]] : 0);
            sb.Append("],\"v\":[");
            for (int i = 0; i < n; i++)
            {
                int k = slot[i];
                if (!alive[i]) { sb.Append(i > 0 ? ",null" : "null"); continue; }
                sb.Append(i > 0 ? ",[" : "[")
                  .Append((int)vms.State[k]).Append(',').Append(vms.Assigned[k]).Append(',').Append(vms.Ballooned[k]).Append(',')
                  .Append(vms.SmartPagingMb[k]).Append(',').Append(vms.GuestVisible[k]).Append(',').Append(vms.Demand[k]).Append(',')
                  .Append(vms.Target[k]).Append(',').Append(vms.Pressure[k]).Append(',').Append(vms.AveragePressure[k]).Append(',')
                  .Append(vms.MinimumPressure[k]).Append(',').Append(vms.MaximumPressure[k]).Append(',').Append((int)vms.Status[k]).Append(',')
                  .Append(vms.UnballoonedThisTick[k]).Append(',').Append(vms.HotAddedThisTick[k]).Append(',').Append(vms.RemovedThisTick[k]).Append(',')
                  .Append(vms.AddedMemory[k]).Append(',').Append(vms.RemovedMemory[k]).Append(',').Append(vms.AddOperations[k]).Append(',')
                  .Append(vms.RemoveOperations[k]).Append(',').Append((int)vms.LastResult[k]).Append(',').Append(vms.LastResultTick[k]).Append(',')
                  .Append(vms.IsReclaiming[k] ? 1 : 0).Append(',').Append(vms.BootTicksLeft[k]).Append(',')
                  .Append(fleet.AveragePressure(k)).Append(',').Append(fleet.GuestVisible(k)).Append(',').Append((int)fleet.Status(k))
                  .Append(']');
            }
            sb.Append("],\"h\":[");
            for (int h = 0; h < nh; h++)
            {
                sb.Append(h > 0 ? ",[" : "[")
                  .Append(hosts.Available[h]).Append(',').Append(hosts.PendingFreed[h]).Append(',').Append(hosts.WasShort[h] ? 1 : 0).Append(',')
                  .Append(hosts.Shortfall[h]).Append(',').Append(hosts.AveragePressure[h]).Append(',').Append(hosts.SystemPressure[h]).Append(',')
                  .Append(hosts.AddedMemory[h]).Append(',').Append(hosts.RemovedMemory[h]).Append(',').Append(hosts.AddOperations[h]).Append(',')
                  .Append(hosts.RemoveOperations[h]).Append(',').Append(hosts.FailedStarts[h]).Append(',')
                  .Append(fleet.HostAvailable(h)).Append(',').Append(fleet.HostShortfall(h)).Append(',').Append(fleet.HostSystemPressure(h))
                  .Append(']');
            }
            sb.Append(']');
            if (inv != null) sb.Append(",\"inv\":").Append(System.Text.Json.JsonSerializer.Serialize(inv));
            sb.Append('}');
            w.WriteLine(sb.ToString());
        }
    }
}
