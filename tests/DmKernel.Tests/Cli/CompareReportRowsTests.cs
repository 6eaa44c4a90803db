using System.Text.Json.Nodes;
using DmKernel.Cli.Output;
using DmKernel.Cli.Report;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Cli;

/// <summary>
/// compare's report, headline, density.png title and comparison.json on hand-made study results, whose every figure is
/// chosen so that the expected text follows from docs/compare.md by hand: a miss whose paging share is the limit
/// exactly (a pressure miss, not paging), the "≥" of a density at the search's limit, the unservable top ten, GB·h and
/// VM·h, a hosts-needed search that missed with one VM per host, a curve point on the paging line that missed, and
/// comparison.json's rounding (shares 6 decimals, ratios 4, MB per VM 1).
/// </summary>
public sealed class CompareReportRowsTests
{
    private static readonly MemoryStrategy Dm = MemoryStrategy.DynamicMemory;
    private static readonly MemoryStrategy Sp = MemoryStrategy.StaticProvisioned;

    /// <summary>
    /// A probe's outcome: <paramref name="servable"/> VM-ticks wanted, none unservable, <paramref name="paging"/> of them
    /// paging and <paramref name="denied"/> denied a start; the held and demand figures per VM 1024 MB and 512 MB.
    /// </summary>
    internal static ProbeOutcome Outcome(int vms, long servable = 200, long paging = 0, long denied = 0, int pressure = 0, bool stopped = false, int ticks = 25,
        long onVmTicks = 200, long assignedMbTicks = 204_800, long unmet = 0, int hosts = 1) => new()
        {
            Hosts = hosts,
            Vms = vms,
            WarmupTicks = 31,
            Ticks = ticks,
            WantedVmTicks = servable,
            UnservableVmTicks = 0,
            PagingVmTicks = paging,
            DeniedVmTicks = denied,
            OnVmTicks = onVmTicks,
            UnmetMbTicks = unmet,
            AssignedMbTicks = assignedMbTicks,
            DemandMbTicks = onVmTicks * 512,
            PeakAssignedMb = 1024L * vms,
            PressurePercentile = pressure,
            Stopped = stopped,
            PerVm = [],
        };

    /// <summary>A density result, one seed per value; a seed's first miss (one VM more) pages half its servable VM-time unless given.</summary>
    internal static DensityResult Density(MemoryStrategy s, int searchLimit, int[] bySeed, ProbeOutcome?[]? misses = null) => new(s, null,
        [.. bySeed.Select((v, i) => new DensitySeed(i, v, v > 0 ? Outcome(v) : null, misses is null ? (v >= searchLimit && searchLimit > 0 ? null : Outcome(v + 1, paging: 100)) : misses[i], []))],
        bySeed.All(v => v == 0) ? "misses the level even with one VM per host" : null, null)
    { SearchLimit = searchLimit };

    internal static CapacityResult Result(ServiceLevel level, IReadOnlyList<DensityResult> densities, int seeds = 1) => new()
    {
        Trace = "hand.dmt",
        TraceVms = 20,
        Ticks = 25,
        TickSeconds = 60,
        Options = new CapacityOptions { Level = level, Host = new TraceHost(8192, 1024), Seeds = seeds, Seed = 7, Strategies = [.. densities.Select(d => d.Strategy)] },
        RecordedDemand = null,
        Guests = GuestMix.Ideal,
        PoolVms = 20,
        TooLarge = [],
        NeverOn = 0,
        MostOnAtOnce = 20,
        UnservableShare = 0,
        Unservable = [],
        Densities = densities,
        Hosts = [],
        Starving = [],
        Verdict = CapacityVerdict.Of(densities.First(d => d.Strategy.IsDynamic), densities.First(d => d.Strategy == Sp)),
        Sensitivity = [],
        Warnings = [],
        ProbesRun = 10,
        VmTicksReplayed = 5000,
    };

    private static string FirstLine(string text) => text.ReplaceLineEndings("\n").Split('\n')[0];

    /// <summary>
    /// R05: a miss whose paging share is the limit exactly (1 paging VM-tick of 200 against 0.5 %: 1 ÷ 200 is 0.005 in
    /// binary64 too) meets the paging part of the level (≤ the limit), so what it missed by is the pressure limit; a miss
    /// one VM-tick above (2 of 200) is paging. The habits' "cannot meet" list likewise names a static strategy's paging
    /// only when it is above the limit.
    /// </summary>
    [Fact]
    public void Headline_AMissPagingExactlyTheLimit_IsAPressureMiss_NotPaging()
    {
        var level = new ServiceLevel { MaxPagingShare = 0.005, MaxPressure = 120 };
        Assert.Equal(1.0 / 200, level.MaxPagingShare);
        DensityResult dm = Density(Dm, 0, [10, 10], [Outcome(11, paging: 1, pressure: 150), Outcome(11, paging: 2, pressure: 110)]);
        DensityResult fixed1 = new(MemoryStrategy.Fixed(1024), null, [new DensitySeed(0, 0, null, Outcome(1, pressure: 150), []), new DensitySeed(1, 0, null, Outcome(1, pressure: 150), [])],
            "misses the pressure limit even with one VM per host", 1.0 / 200);
        DensityResult fixed4 = new(MemoryStrategy.Fixed(4096), null, [new DensitySeed(0, 0, null, Outcome(1, paging: 2), []), new DensitySeed(1, 0, null, Outcome(1, paging: 2), [])],
            "pages at any density", 2.0 / 200);
        CapacityResult r = Result(level, [dm, Density(Sp, 0, [5, 5]), fixed1, fixed4], seeds: 2);

        string[] lines = new CompareReport(r, 1).Headline().ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("**Answer: yes.** At the service level (at most 0.5 % of servable VM-time paging, no denied start, p95 pressure at most 120 %), Dynamic Memory fits **10 VMs per 8 GB host**, "
            + "**2.00 ×** static memory at the provisioned size (5 VMs; the median of the ratios draw by draw, 2.00–2.00 over the same draws). "
            + "One VM more per host misses the level by paging beyond the limit in 1 of 2, the pressure limit in 1 of 2.", lines[0]);
        Assert.Equal("Fixed 1 GB (misses the pressure limit even with one VM per host) and fixed 4 GB (pages 1.0 % of servable VM-time) cannot meet the level at any density.", lines[2]);
    }

    /// <summary>
    /// docs/compare.md: a density at the search's limit is at least that ("≥ 20"), and a ratio to it "≥" (Dynamic Memory's
    /// at the limit) or "≤" (the other's); both at the limit leave the ratio unknown and the answer undecided.
    /// </summary>
    [Fact]
    public void Headline_DensityAtTheSearchLimit_ReadsAtLeast_AndBoundsTheRatio()
    {
        var level = new ServiceLevel();
        const string Level = "At the service level (at most 1 % of servable VM-time paging, no denied start)";

        CapacityResult dmAtLimit = Result(level, [Density(Dm, 20, [20]), Density(Sp, 20, [12])]);
        Assert.Equal($"**Answer: yes.** {Level}, Dynamic Memory fits **≥ 20 VMs per 8 GB host**, **≥ 1.67 ×** static memory at the provisioned size (12 VMs; the median of the ratios draw by draw, 1.67–1.67 over the same draws).",
            FirstLine(new CompareReport(dmAtLimit, 1).Headline()));

        CapacityResult staticAtLimit = Result(level, [Density(Dm, 20, [15]), Density(Sp, 20, [20])]);
        Assert.Equal($"**Answer: no, not for density.** {Level}, Dynamic Memory fits 15 VMs per 8 GB host, **≤ 0.75 ×** static memory at the provisioned size (≥ 20 VMs; the median of the ratios draw by draw, 0.75–0.75 over the same draws): less than the 5 % gain that would count. "
            + "One VM more per host misses the level by paging beyond the limit in 1 of 1.", FirstLine(new CompareReport(staticAtLimit, 1).Headline()));

        CapacityResult both = Result(level, [Density(Dm, 20, [20]), Density(Sp, 20, [20])]);
        Assert.Equal($"**Answer: undecided.** {Level}, Dynamic Memory fits ≥ 20 VMs per 8 GB host, as does static memory at the provisioned size (≥ 20 VMs): both reach the search's limit, so their ratio is unknown, but its search stopped at its limit of 20 VMs per host, so it may fit more: on hosts this large the study cannot tell. Study smaller hosts (--host-mb).",
            FirstLine(new CompareReport(both, 1).Headline()));

        // One VM per host in the median draw but two in another: "VMs", as the range is.
        CapacityResult one = Result(level, [Density(Dm, 20, [1, 2, 1]), Density(Sp, 20, [1, 1, 1])], seeds: 3);
        Assert.Equal($"**Answer: no, not for density.** {Level}, Dynamic Memory fits 1 (1–2) VMs per 8 GB host, **1.00 ×** static memory at the provisioned size (1 VM; the median of the ratios draw by draw, 1.00–2.00 over the same draws): less than the 5 % gain that would count. "
            + "One VM more per host misses the level by paging beyond the limit in 3 of 3.", FirstLine(new CompareReport(one, 1).Headline()));
    }

    /// <summary>density.png's title names the draw it shows, and with several draws that the report gives their median.</summary>
    [Fact]
    public void CurvesTitle_NamesTheFirstDrawsSeed_AndTheMedianOfSeveral()
    {
        var level = new ServiceLevel();
        Assert.Equal("hand.dmt: VM-time unserved against VMs per 8 GB host\nthe draw of seed 7 (first of 2); report.md gives the median of the 2 draws",
            new CompareReport(Result(level, [Density(Dm, 20, [4, 4]), Density(Sp, 20, [2, 2])], seeds: 2), 1).CurvesTitle());
        Assert.Equal("hand.dmt: VM-time unserved against VMs per 8 GB host\nthe draw of seed 7",
            new CompareReport(Result(level, [Density(Dm, 20, [4]), Density(Sp, 20, [2])]), 1).CurvesTitle());
    }

    /// <summary>
    /// report.md's unservable section: the ten worst VMs of eleven (worst first, as the study lists them), each row its
    /// provisioned size, median demand and median usage (to the MB); "most of their on-time" is more than half, so the VM
    /// at exactly half is not counted; and the starving table's unmet demand in GB·h (MB·ticks × 60 s ÷ 3600 ÷ 1024).
    /// </summary>
    [Fact]
    public void Markdown_UnservableTopTen_AndStarvingGbHours()
    {
        UnservableVm[] unservable = [.. Enumerable.Range(1, 11).Select(i => new UnservableVm($"vm{i:00}", 2048, 3000 + i, i == 2 ? 2599.6 : null, WantedTicks: 20, UnservableTicks: 21 - i))];
        // Shares 20/20, 19/20, ..., 10/20 (vm11, exactly half).
        CapacityResult r = Result(new ServiceLevel(), [Density(Dm, 20, [4]), Density(Sp, 20, [2])]) with
        {
            Unservable = unservable,
            UnservableShare = 0.1,
            Starving = [new StarvingVm("s1", 2048, ServableTicks: 100, PagingTicks: 10, UnmetMbTicks: 62_440)],
        };
        string md = new CompareReport(r, 1).Markdown();
        Assert.Contains("10.00 % of the trace's VM-time has a demand above what the VM can ever be given (its provisioned Maximum). 11 VMs have some; 10 (50.0 % of the fleet) for most of their on-time.", md, StringComparison.Ordinal);
        string[] rows = [.. md.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith("| vm", StringComparison.Ordinal))];
        Assert.Equal([.. Enumerable.Range(1, 10).Select(i => $"vm{i:00}")], rows.Select(l => l.Split(" | ")[0][2..]));
        Assert.Equal("| vm01 | 2048 MB | 3001 MB | – | 100.0 % |", rows[0]);
        Assert.Equal("| vm02 | 2048 MB | 3002 MB | 2600 MB | 95.0 % |", rows[1]);
        // 62 440 MB·ticks of 60 s: 62 440 ÷ 61 440 = 1.0163 GB·h.
        Assert.Contains("| s1 | 2048 MB | 10.00 % | 1.02 |", md, StringComparison.Ordinal);
    }

    /// <summary>The policy lines and comparison.json's side-by-side totals: unmet demand in GB·h and denied starts in VM·h of the trace's 60 s ticks.</summary>
    [Fact]
    public void PolicyTotals_UnmetGbHoursAndDeniedVmHours_UseTheTickLength()
    {
        using var tmp = new TempDir();
        DensityResult dm = Density(Dm, 20, [4]), sp = Density(Sp, 20, [2]);
        ProbeOutcome side = Outcome(20, denied: 30, unmet: 62_440, hosts: 2);
        CapacityResult r = Result(new ServiceLevel(), [dm, sp]) with
        {
            Policies = [new PolicyResult(BalancerPolicy.HyperV, dm, new HostsResult(Dm, 2, 3, Outcome(20, hosts: 2), null, []), DensityRatio.Of(dm, sp), side)],
            PolicyPlacement = "the trace's own placement",
        };
        Assert.Contains("side by side: paging 0.00 %, unmet 1.02 GB·h, denied 0.5 VM·h, held 1.00 GB per VM", new CompareReport(r, 1).PolicyLines(), StringComparison.Ordinal);
        CompareReport.WriteJson(tmp.File("c.json"), r, 1);
        JsonNode totals = JsonNode.Parse(File.ReadAllText(tmp.File("c.json")))!["policies"]![0]!["sideBySideTotals"]!;
        Assert.Equal(1.0163, (double)totals["unmetDemandGbHours"]!);
        Assert.Equal(0.5, (double)totals["deniedVmHours"]!);
    }

    /// <summary>comparison.json: the host and its reserve; shares to 6 decimals, ratios to 4, MB per VM to 1 (docs/compare.md); stoppedByTick only on a stopped probe; the unservable VMs' fields each their own.</summary>
    [Fact]
    public void Json_HostRoundingStoppedProbesAndUnservableFields_AreAsDocumented()
    {
        using var tmp = new TempDir();
        DensityResult dm = new(Dm, null, [new DensitySeed(0, 7, Outcome(7, onVmTicks: 3, assignedMbTicks: 1000), Outcome(8, paging: 100), [])], null, null)
        {
            SearchLimit = 20,
            Curve = [new CurvePoint(7, Outcome(7, servable: 7, paging: 1))],
        };
        DensityResult sp = Density(Sp, 20, [3]);
        DensityResult fixed1 = new(MemoryStrategy.Fixed(1024), null, [new DensitySeed(0, 0, null, Outcome(1, servable: 7, paging: 1), [])], "pages at any density", 1.0 / 7) { SearchLimit = 20 };
        CapacityResult r = Result(new ServiceLevel(), [dm, sp, fixed1]) with
        {
            Hosts = [new HostsResult(Dm, 2, 3, Outcome(20, hosts: 2), Outcome(20, paging: 50, stopped: true, ticks: 12), [])],
            Unservable = [new UnservableVm("big", 2048, 3000, null, 3, 1)],
            UnservableShare = 1.0 / 3,
        };
        CompareReport.WriteJson(tmp.File("c.json"), r, 1);
        JsonNode json = JsonNode.Parse(File.ReadAllText(tmp.File("c.json")))!;
        Assert.Equal((8192, 1024), ((int)json["host"]!["totalMb"]!, (int)json["host"]!["reserveMb"]!));
        Assert.Equal(2.3333, (double)json["verdict"]!["ratioToStaticProvisioned"]!["median"]!); // 7 ÷ 3
        JsonNode dmJson = json["strategies"]![0]!["vmsPerHost"]!;
        Assert.Equal(333.3, (double)dmJson["atMedianDensity"]!["meanHeldPerVmMb"]!); // 1000 MB·ticks ÷ 3 on VM-ticks
        Assert.Equal(0.142857, (double)dmJson["curve"]![0]!["unservedShare"]!); // 1 ÷ 7
        Assert.Equal(0.142857, (double)json["strategies"]![2]!["vmsPerHost"]!["pagingShareAtAnyDensity"]!);
        JsonNode hosts = json["strategies"]![0]!["hostsNeeded"]!;
        Assert.Null(hosts["atHosts"]!["stoppedByTick"]);
        Assert.Equal(12, (int)hosts["lastMiss"]!["stoppedByTick"]!);
        JsonNode u = json["unservable"]!;
        Assert.Equal(0.333333, (double)u["share"]!);
        Assert.Equal(("big", 2048, 3000, 0.333333), ((string)u["vms"]![0]!["id"]!, (int)u["vms"]![0]!["provisionedMb"]!, (int)u["vms"]![0]!["medianDemandMb"]!, (double)u["vms"]![0]!["share"]!));
    }

    /// <summary>
    /// <c>host.reserveMb</c> is the reserve every probe used (docs/compare.md): a host that names none uses the model's
    /// <see cref="ModelParameters.HostReserveMb"/> (R3), so comparison.json says that reserve, not 0.
    /// </summary>
    [Fact]
    public void Json_HostWithoutItsOwnReserve_WritesTheModelsReserve()
    {
        using var tmp = new TempDir();
        CapacityResult r = Result(new ServiceLevel(), [Density(Dm, 20, [4]), Density(Sp, 20, [2])]);
        CapacityOptions o = r.Options with
        {
            Host = new TraceHost(16_384),
            Probe = r.Options.Probe with { Model = r.Options.Probe.Model with { HostReserveMb = 3072 } },
        };
        CompareReport.WriteJson(tmp.File("c.json"), r with { Options = o }, 1);
        JsonNode host = JsonNode.Parse(File.ReadAllText(tmp.File("c.json")))!["host"]!;
        Assert.Equal((16_384, 3072), ((int)host["totalMb"]!, (int)host["reserveMb"]!));
    }

    /// <summary>
    /// A hosts-needed search that tried as many hosts as the pool has VMs (one VM per host) and still missed: no number of
    /// hosts meets the level (docs/compare.md: <c>missesWithOneVmPerHost</c>, its <c>maxHostsTried</c> the pool's VM
    /// count), not "more than 20 hosts" at a search limit.
    /// </summary>
    [Fact]
    public void HostsNeeded_MissingWithOneVmPerHost_IsNoNumberOfHosts_NotASearchLimit()
    {
        using var tmp = new TempDir();
        CapacityResult r = Result(new ServiceLevel(), [Density(Dm, 20, [4]), Density(Sp, 20, [2])]) with
        {
            Hosts = [new HostsResult(Dm, null, 20, null, Outcome(20, paging: 100, hosts: 20), []), new HostsResult(Sp, 4, 5, Outcome(20, hosts: 4), null, [])],
        };
        Assert.Equal(20, r.PoolVms);
        var report = new CompareReport(r, 1);
        Assert.Contains("The trace's own 20 VMs need no number of hosts under Dynamic Memory and 4 hosts static at the provisioned size.", report.Headline(), StringComparison.Ordinal);
        Assert.Contains("| Dynamic Memory | none: it misses the level even with one VM per host | – | – | – | the most tried, 20 hosts: pages 50.00 % of servable VM-time |", report.Markdown(), StringComparison.Ordinal);
        CompareReport.WriteJson(tmp.File("c.json"), r, 1);
        JsonNode hosts = JsonNode.Parse(File.ReadAllText(tmp.File("c.json")))!["strategies"]![0]!["hostsNeeded"]!;
        Assert.Equal(("missesWithOneVmPerHost", 20), ((string)hosts["answer"]!, (int)hosts["maxHostsTried"]!));
    }

    /// <summary>
    /// density.png crosses out a point drawn on or under the paging line that missed the level: 1 VM-tick of 200 denied
    /// is exactly the 0.5 % line, and missed (a denied start); 1 of 200 paging is on the line and met; 2 of 200 is above it.
    /// </summary>
    [Fact]
    public void DensityPlot_APointExactlyOnTheLineThatMissed_IsCrossedOut()
    {
        var level = new ServiceLevel { MaxPagingShare = 0.005 };
        DensityResult dm = Density(Dm, 20, [4]) with
        {
            Curve = [new CurvePoint(4, Outcome(4, paging: 1)), new CurvePoint(5, Outcome(5, denied: 1)), new CurvePoint(6, Outcome(6, paging: 1, denied: 1))],
        };
        Assert.Equal([0.005, 0.005, 0.01], dm.Curve.Select(p => p.UnservedShare));
        Assert.Equal([5], CompareReport.MissedUnderTheLine(dm, level).Select(p => p.VmsPerHost));
        Assert.Contains("A black cross marks a point under the line that missed the level all the same", new CompareReport(Result(level, [dm, Density(Sp, 20, [2])]), 1).Markdown(), StringComparison.Ordinal);
    }

    /// <summary>A count with its noun: "0 hosts" and "2 hosts" in the plural, "1 host" alone in the singular.</summary>
    [Fact]
    public void Words_Count_IsSingularOnlyForOne()
    {
        Assert.Equal("0 hosts", Words.Count(0, "host"));
        Assert.Equal("1 host", Words.Count(1, "host"));
        Assert.Equal("2 hosts", Words.Count(2, "host"));
    }

    /// <summary>Runs of three or more as ranges, runs of two as two numbers: merge's list of hundreds of missing shards stays one readable line.</summary>
    [Fact]
    public void Words_Ranges_JoinRunsOfThreeOrMore()
    {
        Assert.Equal("", Words.Ranges([]));
        Assert.Equal("7", Words.Ranges([7]));
        Assert.Equal("0, 1", Words.Ranges([0, 1]));
        Assert.Equal("0-2", Words.Ranges([0, 1, 2]));
        Assert.Equal("0, 1, 5-9, 12, 14-299", Words.Ranges([0, 1, 5, 6, 7, 8, 9, 12, .. Enumerable.Range(14, 286)]));
        Assert.Equal("3, 5, 7", Words.Ranges([3, 5, 7]));
    }
}
