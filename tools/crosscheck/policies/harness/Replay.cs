using System.Text;
using System.Text.Json;
using DmKernel;

// Replays a hand-written scenario (JSON) through the public API; same output format as the random harness.
static class Replay
{
    public static void Run(string file, string pathS)
    {
        var doc = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
        var m = doc.GetProperty("model");
        double ts = m.TryGetProperty("tick", out var x) ? x.GetDouble() : 1.0;
        var model = new ModelParameters
        {
            TickSeconds = ts,
            BootGraceSeconds = m.TryGetProperty("bootGraceSeconds", out x) ? x.GetDouble() : ts,
            MaxRemovePerSecondMb = m.TryGetProperty("maxRemove", out x) ? x.GetInt32() : 1020,
            SmartPaging = !m.TryGetProperty("smartPaging", out x) || x.GetInt32() == 1,
            MaxCeilingMb = 16777216,
            ReclaimPeriodSeconds = m.TryGetProperty("reclaimSeconds", out x) ? x.GetDouble() : 300,
        };
        var policy = BalancerPolicy.Parse(doc.GetProperty("policy").GetString()!);
        var hostsE = doc.GetProperty("hosts").EnumerateArray().ToArray();
        var hostSpecs = hostsE.Select(h => new HostSpec(h[0].GetInt32(), h[1].GetInt32(), h[2].GetInt32())).ToArray();
        var fleet = new Fleet(model, hostSpecs);
        var vms = new List<int>(); var vmHost = new List<int>(); var guests = new List<GuestResponse>();
        VmSettings S(JsonElement v) => new VmSettings(v.GetProperty("startup").GetInt32(), v.GetProperty("min").GetInt32(), v.GetProperty("max").GetInt32(),
            v.TryGetProperty("buffer", out var b) ? b.GetInt32() : 20, v.TryGetProperty("weight", out var w) ? w.GetInt32() : 5000,
            !v.TryGetProperty("dm", out var d) || d.GetInt32() == 1, v.TryGetProperty("linux", out var l) && l.GetInt32() == 1 ? GuestKind.Linux : GuestKind.Windows);
        foreach (var v in doc.GetProperty("vms").EnumerateArray())
        {
            int h = v.GetProperty("host").GetInt32();
            int id = fleet.AddVm(h, S(v));
            var g = v.TryGetProperty("guest", out var ge) ? GuestResponse.Parse(ge.GetString()!) : GuestResponse.Ideal;
            fleet.SetGuestResponse(id, g);
            vms.Add(id); vmHost.Add(h); guests.Add(g);
        }
        string J(VmSettings s) => $"{{\"startup\":{s.StartupMb},\"min\":{s.MinimumMb},\"max\":{s.MaximumMb},\"buffer\":{s.BufferPercent},\"weight\":{s.Weight},\"dm\":{(s.DynamicMemory ? 1 : 0)},\"linux\":{(s.Guest == GuestKind.Linux ? 1 : 0)}}}";
        string JG(GuestResponse g) => $"{{\"kind\":{(int)g.Kind},\"rate\":{g.RateMbPerSecond},\"stuck\":{g.StuckSeconds},\"ideal\":{g.IdealSeconds}}}";
        var sb = new StringBuilder();
        sb.Append("{\"kind\":\"config\",\"seed\":0");
        TickJson.AppendConfig(sb, fleet, model, policy, ts, hostSpecs.Length);
        for (int i = 0; i < vms.Count; i++) { if (i > 0) sb.Append(','); sb.Append($"{{\"id\":{vms[i]},\"host\":{vmHost[i]},\"s\":{J(fleet.GetSettings(vms[i]))},\"g\":{JG(guests[i])}}}"); }
        sb.Append("]}");
        var outw = new StreamWriter(Console.OpenStandardOutput());
        outw.WriteLine(sb.ToString());
        var path = pathS == "scalar" ? KernelPath.Scalar : KernelPath.Auto;
        var balancer = new Balancer(fleet, policy, path, 1);
        var committed = new int[vms.Count];
        foreach (var tk in doc.GetProperty("ticks").EnumerateArray())
        {
            var reqs = new List<string>(); var cfgs = new List<string>(); var gch = new List<string>();
            if (tk.TryGetProperty("committed", out var ce))
            {
                int i = 0;
                foreach (var c in ce.EnumerateArray()) { if (c.GetInt32() >= 0) committed[i] = c.GetInt32(); i++; }
            }
            for (int i = 0; i < vms.Count; i++) fleet.SetCommitted(vms[i], committed[i]);
            if (tk.TryGetProperty("req", out var re))
                foreach (var r in re.EnumerateArray())
                {
                    int i = r[0].GetInt32(), k = r[1].GetInt32();
                    if (k == 1) fleet.RequestStart(vms[i]); else if (k == 2) fleet.RequestRestart(vms[i]); else fleet.RequestStop(vms[i]);
                    reqs.Add($"[{vms[i]},{k}]");
                }
            if (tk.TryGetProperty("cfg", out var cf))
                foreach (var r in cf.EnumerateArray())
                {
                    int i = r[0].GetInt32(); var ns = S(r[1]); fleet.Configure(vms[i], ns); cfgs.Add($"[{vms[i]},{J(ns)}]");
                }
            if (tk.TryGetProperty("gch", out var gc))
                foreach (var r in gc.EnumerateArray())
                {
                    int i = r[0].GetInt32(); var g = GuestResponse.Parse(r[1].GetString()!); fleet.SetGuestResponse(vms[i], g); gch.Add($"[{vms[i]},{JG(g)}]");
                }
            long tickIndex = fleet.TickIndex;
            balancer.Tick();
            sb.Clear();
            sb.Append("{\"kind\":\"tick\",\"t\":").Append(tickIndex);
            sb.Append(",\"committed\":[").Append(string.Join(',', committed)).Append("],\"req\":[").Append(string.Join(',', reqs)).Append("],\"cfg\":[").Append(string.Join(',', cfgs)).Append("],\"gch\":[").Append(string.Join(',', gch)).Append(']');
            TickJson.AppendState(sb, fleet, vms, hostSpecs.Length);
            sb.Append("]}");
            outw.WriteLine(sb.ToString());
        }
        outw.Flush();
    }
}

// The config line's model, policy and hosts (up to the VM list) and the tick line's per-VM and per-host state, shared by the
// random harness and the scenario replay.
static class TickJson
{
    public static void AppendConfig(StringBuilder sb, Fleet fleet, ModelParameters model, BalancerPolicy policy, double tickSeconds, int nHosts)
    {
        sb.Append(",\"model\":{\"tick\":").Append(tickSeconds).Append(",\"G\":2,\"bootGrace\":").Append(fleet.Model.BootGraceTicks).Append(",\"cap\":").Append(fleet.Model.RemoveCapPerTickMb)
          .Append(",\"smartPaging\":").Append(model.SmartPaging ? 1 : 0).Append(",\"reclaimPeriod\":").Append(fleet.Model.ReclaimPeriodTicks).Append(",\"window\":").Append(fleet.Model.PressureWindowTicks).Append('}');
        sb.Append(",\"policy\":{\"kind\":\"").Append(policy.Key).Append("\",\"sqPeriod\":").Append(fleet.Model.ToTicks(policy.SqueezedPeriodSeconds))
          .Append(",\"sqFree\":").Append(policy.SqueezedTargetFreeMb).Append(",\"sqStuck\":").Append(fleet.Model.ToTicks(policy.SqueezedStuckSeconds))
          .Append(",\"momPeriod\":").Append(fleet.Model.ToTicks(policy.MomPeriodSeconds)).Append(",\"momSamples\":").Append(policy.MomSamples)
          .Append(",\"esxPeriod\":").Append(fleet.Model.ToTicks(policy.EsxSamplePeriodSeconds)).Append(",\"tax\":").Append(policy.EsxIdleTaxPerMille)
          .Append(",\"soft\":").Append(policy.EsxSoftPercent).Append(",\"high\":").Append(policy.EsxHighPercent).Append('}');
        sb.Append(",\"hosts\":[");
        for (int h = 0; h < nHosts; h++) { if (h > 0) sb.Append(','); sb.Append($"{{\"total\":{fleet.HostTotal(h)},\"reserve\":{fleet.HostReserve(h)},\"start\":{fleet.HostSlots(h).Start}}}"); }
        sb.Append("],\"vms\":[");
    }

    public static void AppendState(StringBuilder sb, Fleet fleet, IReadOnlyList<int> vms, int nHosts)
    {
        var V = fleet.Vms;
        sb.Append(",\"vm\":[");
        for (int i = 0; i < vms.Count; i++)
        {
            int vm = vms[i];
            if (i > 0) sb.Append(',');
            sb.Append('[').Append((int)V.State[vm]).Append(',').Append(V.Assigned[vm]).Append(',').Append(V.Ballooned[vm]).Append(',').Append(V.GuestVisible[vm])
              .Append(',').Append(V.Demand[vm]).Append(',').Append(V.Target[vm]).Append(',').Append(V.Pressure[vm]).Append(',').Append((int)V.Status[vm])
              .Append(',').Append(V.UnballoonedThisTick[vm]).Append(',').Append(V.HotAddedThisTick[vm]).Append(',').Append(V.RemovedThisTick[vm])
              .Append(',').Append(V.SmartPagingMb[vm]).Append(',').Append((int)V.LastResult[vm]).Append(',').Append(V.LastResultTick[vm])
              .Append(',').Append(V.AddedMemory[vm]).Append(',').Append(V.RemovedMemory[vm]).Append(',').Append(V.AddOperations[vm]).Append(',').Append(V.RemoveOperations[vm])
              .Append(',').Append(V.BootTicksLeft[vm]).Append(',').Append(V.IsReclaiming[vm] ? 1 : 0).Append(']');
        }
        sb.Append("],\"host\":[");
        var H = fleet.Hosts;
        for (int h = 0; h < nHosts; h++)
        {
            if (h > 0) sb.Append(',');
            sb.Append('[').Append(H.Available[h]).Append(',').Append(H.PendingFreed[h]).Append(',').Append(H.Shortfall[h]).Append(',').Append(H.WasShort[h] ? 1 : 0)
              .Append(',').Append(H.AveragePressure[h]).Append(',').Append(H.SystemPressure[h]).Append(',').Append(H.FailedStarts[h])
              .Append(',').Append(H.AddedMemory[h]).Append(',').Append(H.RemovedMemory[h]).Append(']');
        }
    }
}
