// Cross-check harness: random scenarios through DmKernel's public API; dumps inputs and outputs as JSON lines.
// usage: harness SEED POLICY TICKS [p10=0|1] [restarts=0|1] [configure=0|1] [path=scalar|auto] [defaults=0|1] [tight=0|1]
using System.Text;
using DmKernel;

var a = args;
if (a[0] == "parse")
{
    foreach (var text in a.Skip(1))
    {
        try { var p = BalancerPolicy.Parse(text); Console.WriteLine($"{text} -> OK {p.Name} [{string.Join(", ", p.Parameters().Select(kv => kv.Key + "=" + kv.Value))}]"); }
        catch (Exception e) { Console.WriteLine($"{text} -> {e.GetType().Name}: {e.Message}"); }
    }
    return;
}
if (a[0] == "guest")
{
    foreach (var text in a.Skip(1))
    {
        try { var g = GuestResponse.Parse(text); Console.WriteLine($"{text} -> OK {g} {g.Kind} {g.RateMbPerSecond} {g.StuckSeconds} {g.IdealSeconds}"); }
        catch (Exception e) { Console.WriteLine($"{text} -> {e.GetType().Name}: {e.Message}"); }
    }
    return;
}
if (a[0] == "replay") { Replay.Run(a[1], a.Length > 2 ? a[2] : "scalar"); return; }
int seed = int.Parse(a[0]);
string policyKey = a[1];
int ticks = int.Parse(a[2]);
var opt = new Dictionary<string, string>();
foreach (var s in a.Skip(3)) { var kv = s.Split('='); opt[kv[0]] = kv[1]; }
bool p10 = opt.GetValueOrDefault("p10", "0") == "1";
bool restarts = opt.GetValueOrDefault("restarts", "0") != "0";
int restartQ = opt.GetValueOrDefault("restarts", "0") == "2" ? 14 : 4;
bool configure = opt.GetValueOrDefault("configure", "0") == "1";
bool defaults = opt.GetValueOrDefault("defaults", "0") == "1";
string pathS = opt.GetValueOrDefault("path", "scalar");
var path = pathS == "scalar" ? KernelPath.Scalar : KernelPath.Auto;
int threads = int.Parse(opt.GetValueOrDefault("threads", "1"));
int ckpt = int.Parse(opt.GetValueOrDefault("ckpt", "0"));
bool shard = opt.GetValueOrDefault("shard", "0") == "1";
bool removeOpt = opt.GetValueOrDefault("remove", "0") == "1";

var rng = new Random(seed);
int G = 2;
int R(int lo, int hi) => rng.Next(lo, hi + 1); // inclusive
int RG(int lo, int hi) => R(lo / 2, hi / 2) * 2;

bool big = opt.GetValueOrDefault("big", "0") == "1";
bool wide = opt.GetValueOrDefault("wide", "0") == "1";
double tickSeconds = wide ? new[] { 1.0, 0.5, 2.0, 0.25, 5.0, 1.5 }[R(0, 5)] : 1.0;
double bootGrace = R(1, 6) * tickSeconds;
int maxRemove = new[] { 1020, 1020, 64, 200, 30 }[R(0, 4)];
var model = new ModelParameters
{
    BootGraceSeconds = bootGrace,
    MaxRemovePerSecondMb = maxRemove,
    ReclaimPeriodSeconds = policyKey == "hyperv" && !defaults ? R(1, 40) * tickSeconds : 300,
    SmartPaging = rng.Next(4) != 0,
    TickSeconds = tickSeconds,
    MaxCeilingMb = big ? 16777216 : 1048576,
};

int nHosts = opt.ContainsKey("hosts") ? int.Parse(opt["hosts"]) : R(1, 3);
bool tight = opt.GetValueOrDefault("tight", "0") == "1" || big;
var hostSpecs = new HostSpec[nHosts];
var hostVmSettings = new List<VmSettings>[nHosts];
for (int h = 0; h < nHosts; h++)
{
    int cap = R(2, 8);
    int n = R(1, cap);
    var list = new List<VmSettings>();
    long sumStart = 0, sumMax = 0;
    for (int k = 0; k < n; k++)
    {
        int min = RG(32, 1024);
        int startup = min + RG(0, 1024);
        int max = startup + RG(0, 4096);
        if (big) { int sc = new[] { 1, 64, 1024, 4096 }[R(0, 3)]; min = Math.Max(32, min * sc / 2 * 2); startup = min + RG(0, 1024) * sc; max = Math.Min(16777216, startup + RG(0, 4096) * sc); }
        if (rng.Next(8) == 0) max = startup;
        if (rng.Next(8) == 0) min = startup;
        int buffer = new[] { 5, 20, 20, 50, 100, R(5, 2000) }[R(0, 5)];
        int weight = new[] { 0, 5000, 5000, 10000, R(0, 10000), R(0, 10000), 100 }[R(0, 6)];
        bool dm = rng.Next(10) != 0;
        var guest = rng.Next(3) == 0 ? GuestKind.Linux : GuestKind.Windows;
        var st = dm ? VmSettings.Dynamic(startup, min, max, buffer, weight, guest) : VmSettings.Static(startup, guest) with { Weight = weight };
        list.Add(st);
        sumStart += startup; sumMax += max;
    }
    hostVmSettings[h] = list;
    int reserve = RG(128, 1024);
    int total;
    if (tight)
    {
        long lo = Math.Max(64, sumStart / 2), hi = Math.Max(lo + 2, sumMax + sumMax / 8);
        long v = lo + (long)(rng.NextDouble() * (hi - lo));
        total = (int)Math.Min(2_000_000_000L, v / 2 * 2 + reserve);
    }
    else total = RG(2048, 12288);
    hostSpecs[h] = new HostSpec(total, cap, reserve);
}

BalancerPolicy policy = policyKey switch
{
    "squeezed" => BalancerPolicy.Squeezed,
    "mom" => BalancerPolicy.Mom,
    "esx" => BalancerPolicy.Esx,
    "static" => BalancerPolicy.Static,
    "hyperv" => BalancerPolicy.HyperV,
    _ => throw new ArgumentException(policyKey),
};
if (!defaults)
{
    switch (policy.Kind)
    {
        case PolicyKind.Squeezed:
            policy = policy with { SqueezedPeriodSeconds = wide ? R(1, 48) / 4.0 : R(1, 12), SqueezedTargetFreeMb = new[] { 9, 9, 0, 1, 64, 301, R(0, 1048576) }[R(0, 6)], SqueezedStuckSeconds = wide ? R(1, 28) / 4.0 : R(1, 7) };
            break;
        case PolicyKind.Mom:
            policy = policy with { MomPeriodSeconds = wide ? R(1, 64) / 4.0 : R(1, 16), MomSamples = R(1, 16) };
            break;
        case PolicyKind.Esx:
            {
                int soft = wide ? R(0, 100) : R(1, 20);
                policy = policy with { EsxSamplePeriodSeconds = wide ? R(1, 124) / 4.0 : R(1, 31), EsxIdleTaxPerMille = new[] { 750, 750, 0, 500, 999, R(0, 999) }[R(0, 5)], EsxSoftPercent = soft, EsxHighPercent = Math.Min(100, soft + R(0, 10)) };
                break;
            }
    }
}

var fleet = new Fleet(model, hostSpecs);
var sb = new StringBuilder();
var vms = new List<int>();
var vmHost = new Dictionary<int, int>();
for (int h = 0; h < nHosts; h++)
{
    foreach (var st in hostVmSettings[h])
    {
        int vm = fleet.AddVm(h, st);
        vms.Add(vm);
        vmHost[vm] = h;
    }
}

string J(VmSettings s) => $"{{\"startup\":{s.StartupMb},\"min\":{s.MinimumMb},\"max\":{s.MaximumMb},\"buffer\":{s.BufferPercent},\"weight\":{s.Weight},\"dm\":{(s.DynamicMemory ? 1 : 0)},\"linux\":{(s.Guest == GuestKind.Linux ? 1 : 0)}}}";
string JG(GuestResponse g) => $"{{\"kind\":{(int)g.Kind},\"rate\":{g.RateMbPerSecond},\"stuck\":{g.StuckSeconds},\"ideal\":{g.IdealSeconds}}}";

var guestResp = new Dictionary<int, GuestResponse>();
if (p10)
{
    foreach (int vm in vms)
    {
        GuestResponse g = R(0, 5) switch
        {
            0 => GuestResponse.Stuck,
            1 => GuestResponse.Rate(new[] { 1, 2, 3, 10, 64, 500, R(1, 5000) }[R(0, 6)]),
            2 => GuestResponse.IntermittentlyStuck(wide ? R(1, 32) / 4.0 : R(1, 8), wide ? R(1, 32) / 4.0 : R(1, 8)),
            _ => GuestResponse.Ideal,
        };
        fleet.SetGuestResponse(vm, g);
        guestResp[vm] = g;
    }
}

// header
sb.Clear();
sb.Append("{\"kind\":\"config\",\"seed\":").Append(seed);
TickJson.AppendConfig(sb, fleet, model, policy, tickSeconds, nHosts);
for (int i = 0; i < vms.Count; i++)
{
    int vm = vms[i];
    if (i > 0) sb.Append(',');
    var g = guestResp.GetValueOrDefault(vm, GuestResponse.Ideal);
    sb.Append($"{{\"id\":{vm},\"host\":{vmHost[vm]},\"s\":{J(fleet.GetSettings(vm))},\"g\":{JG(g)}}}");
}
sb.Append("]}");
var outw = new StreamWriter(Console.OpenStandardOutput());
outw.WriteLine(sb.ToString());

var balancer = new Balancer(fleet, policy, path, threads);
var committed = new Dictionary<int, int>();
foreach (int vm in vms) committed[vm] = RG(0, fleet.GetSettings(vm).MaximumMb);
int startBias = R(1, 4);
for (int t = 0; t < ticks; t++)
{
    var reqs = new List<string>();
    var cfgs = new List<string>();
    var gch = new List<string>();
    // inputs
    foreach (int vm in vms)
    {
        var st = fleet.State(vm);
        if (removeOpt && st == VmState.Off && rng.Next(80) == 0)
        {
            int h = vmHost[vm];
            fleet.RemoveVm(vm);
            int min = RG(32, 1024); int startup = min + RG(0, 1024); int max = startup + RG(0, 4096);
            var ns2 = VmSettings.Dynamic(startup, min, max, R(5, 100), R(0, 10000), rng.Next(3) == 0 ? GuestKind.Linux : GuestKind.Windows);
            int nid = fleet.AddVm(h, ns2);
            if (nid != vm) throw new Exception("slot changed");
            cfgs.Add($"[{vm},{J(ns2)},1]");
        }
        var s = fleet.GetSettings(vm);
        int c = committed[vm];
        int r = rng.Next(10);
        if (r < 3) c += RG(-s.MaximumMb / 4, s.MaximumMb / 4);
        else if (r < 8) c += RG(-64, 64);
        else if (r == 8) c = RG(0, s.MaximumMb + s.MaximumMb / 2);
        c = Math.Clamp(c, 0, Math.Min(Fleet.MaxCommittedMb, 2 * s.MaximumMb));
        if (rng.Next(2) == 0) c |= 1; else c &= ~1; // odd values too
        c = Math.Min(c, Fleet.MaxCommittedMb);
        committed[vm] = c;
        fleet.SetCommitted(vm, c);
        if (st == VmState.Off)
        {
            if (rng.Next(12) < startBias) { fleet.RequestStart(vm); reqs.Add($"[{vm},1]"); }
        }
        else
        {
            int q = rng.Next(200);
            if (q < 2) { fleet.RequestStop(vm); reqs.Add($"[{vm},3]"); }
            else if (restarts && q < restartQ) { fleet.RequestRestart(vm); reqs.Add($"[{vm},2]"); }
        }
        if (configure && rng.Next(60) == 0)
        {
            var ns = s;
            if (st == VmState.Off)
            {
                // anything valid
                int min = RG(32, 1024); int startup = min + RG(0, 1024); int max = startup + RG(0, 4096);
                ns = s with { MinimumMb = min, StartupMb = startup, MaximumMb = max, Weight = R(0, 10000) };
            }
            else
            {
                int k = R(0, 3);
                if (k == 0) ns = s with { MaximumMb = s.MaximumMb + RG(0, 1024) };
                else if (k == 1) ns = s with { MinimumMb = Math.Max(32, s.MinimumMb - RG(0, 512)) };
                else if (k == 2) ns = s with { Weight = R(0, 10000) };
                else ns = s with { BufferPercent = R(5, 200) };
            }
            fleet.Configure(vm, ns);
            cfgs.Add($"[{vm},{J(ns)}]");
        }
        if (p10 && rng.Next(150) == 0)
        {
            GuestResponse g = R(0, 3) switch
            {
                0 => GuestResponse.Stuck,
                1 => GuestResponse.Rate(R(1, 100)),
                2 => GuestResponse.IntermittentlyStuck(R(1, 8), R(1, 8)),
                _ => GuestResponse.Ideal,
            };
            fleet.SetGuestResponse(vm, g);
            gch.Add($"[{vm},{JG(g)}]");
        }
    }
    long tickIndex = fleet.TickIndex;
    if (shard)
    {
        balancer.BeginTick();
        for (int h = nHosts - 1; h >= 0; h--) balancer.TickHosts(h, 1);
        balancer.EndTick();
    }
    else balancer.Tick();
    sb.Clear();
    sb.Append("{\"kind\":\"tick\",\"t\":").Append(tickIndex);
    sb.Append(",\"committed\":[");
    for (int i = 0; i < vms.Count; i++) { if (i > 0) sb.Append(','); sb.Append(committed[vms[i]]); }
    sb.Append("],\"req\":[").Append(string.Join(',', reqs)).Append("],\"cfg\":[").Append(string.Join(',', cfgs)).Append("],\"gch\":[").Append(string.Join(',', gch)).Append(']');
    TickJson.AppendState(sb, fleet, vms, nHosts);
    sb.Append("]}");
    outw.WriteLine(sb.ToString());
    if (ckpt > 0 && (t + 1) % ckpt == 0)
    {
        var ms = new MemoryStream();
        fleet.SaveState(ms);
        ms.Position = 0;
        var f2 = new Fleet(model, hostSpecs);
        f2.LoadState(ms);
        balancer.Dispose();
        fleet = f2;
        balancer = new Balancer(fleet, policy, path, threads);
    }
    var problem = new InvariantChecker(fleet).Find();
    if (problem != null) outw.WriteLine("{\"kind\":\"invariant\",\"t\":" + tickIndex + ",\"msg\":" + System.Text.Json.JsonSerializer.Serialize(problem) + "}");
}
outw.Flush();
