using System.Text.Json.Nodes;
using DmKernel.Cli.Report;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// The figures of compare's unservable-short line (<see cref="CapacityStudy.UnservableShortText"/>) from probe outcomes
/// given by hand, its threshold (above the level's paging share, not at it), what it says of static provisioned when none
/// of its draws met the level, and the headline and comparison.json that carry the result's flag and share. The GCD
/// sample's case (<see cref="UnservableShortTests"/>) checks the line fires, not its figures (a mutation round at stop 58
/// left every figure but static's 0.00 % free).
/// </summary>
public class UnservableShortFiguresTests
{
    private static ProbeOutcome Outcome(long wanted, long unservable, long shortTicks, long shortMbTicks) => new()
    {
        Hosts = 2,
        Vms = 8,
        WarmupTicks = 0,
        Ticks = 10,
        WantedVmTicks = wanted,
        UnservableVmTicks = unservable,
        PagingVmTicks = 0,
        UnservableShortVmTicks = shortTicks,
        UnservableShortMbTicks = shortMbTicks,
        DeniedVmTicks = 0,
        OnVmTicks = wanted,
        UnmetMbTicks = 0,
        AssignedMbTicks = 0,
        DemandMbTicks = 0,
        PeakAssignedMb = 0,
        PressurePercentile = 0,
        PerVm = [],
    };

    private static DensityResult Density(MemoryStrategy strategy, params (ProbeOutcome? At, ProbeOutcome? Miss)[] seeds)
        => new(strategy, null, [.. seeds.Select((s, i) => new DensitySeed(i, s.At is null ? 0 : 4, s.At, s.Miss, []))], null, null);

    [Fact]
    public void Text_GivesTheFiguresOfTheDrawsThatMetTheLevel_AsByHand()
    {
        // Two draws met the level: 2000 wanted VM-ticks, 400 unservable (20 %), 250 of them held short (12.5 %) by
        // 200 × 2 GB + 50 × 1 GB (1.80 GB on average). A third draw met nothing: its first miss, all short, is not counted.
        // Static provisioned held them short on 8 of its 800 wanted VM-ticks (1 %).
        DensityResult dm = Density(MemoryStrategy.DynamicMemory,
            (Outcome(1000, 300, 200, 200L * 2048), null),
            (Outcome(1000, 100, 50, 50L * 1024), null),
            (null, Outcome(1000, 1000, 1000, 1000L * 4096)));
        DensityResult fixedSize = Density(MemoryStrategy.StaticProvisioned, (Outcome(800, 40, 8, 8L * 512), null));
        string? text = CapacityStudy.UnservableShortText(dm, fixedSize, new ServiceLevel { MaxPagingShare = 0.01 }, out bool any);
        Assert.True(any);
        Assert.Equal("20.00 % of the VM-time at Dynamic Memory's density is unservable (demand above what the VM's Maximum can serve), and that time is never counted for or against a strategy; but Dynamic Memory held those VMs below their Maximum on 12.50 % of the VM-time (1.80 GB short on average; the level lets 1.00 % of the servable VM-time page), where static provisioned held them below it on 1.00 %: they page more under Dynamic Memory than the level counts.", text);
        Assert.Equal(250.0 / 2000, CapacityStudy.UnservableShortShare(dm));
    }

    [Fact]
    public void Text_AtTheLevelsPagingShareExactly_IsNotSaid_AboveItIs()
    {
        // 250 of 2000 VM-ticks held short: 12.5 %, a share a level of 12.5 % lets page (not above it); 12.4 % does not.
        DensityResult dm = Density(MemoryStrategy.DynamicMemory, (Outcome(2000, 500, 250, 250L * 1024), null));
        DensityResult fixedSize = Density(MemoryStrategy.StaticProvisioned, (Outcome(2000, 500, 0, 0), null));
        Assert.Null(CapacityStudy.UnservableShortText(dm, fixedSize, new ServiceLevel { MaxPagingShare = 0.125 }, out bool atLimit));
        Assert.False(atLimit);
        Assert.NotNull(CapacityStudy.UnservableShortText(dm, fixedSize, new ServiceLevel { MaxPagingShare = 0.124 }, out bool above));
        Assert.True(above);
    }

    [Fact]
    public void Text_WhereNoDrawOfStaticMetTheLevel_SaysStaticHoldsAVmAtItsSize()
    {
        DensityResult dm = Density(MemoryStrategy.DynamicMemory, (Outcome(100, 50, 40, 40L * 1024), null));
        DensityResult none = Density(MemoryStrategy.StaticProvisioned, (null, Outcome(100, 50, 0, 0)));
        string? text = CapacityStudy.UnservableShortText(dm, none, new ServiceLevel(), out _);
        Assert.NotNull(text);
        Assert.Contains("(1.00 GB short on average; the level lets 1.00 % of the servable VM-time page), where static provisioned holds a VM at its size: they page more", text, StringComparison.Ordinal);
        Assert.Equal(0, CapacityStudy.UnservableShortShare(Density(MemoryStrategy.DynamicMemory, (null, Outcome(100, 50, 40, 40L * 1024)))));
    }

    /// <summary>
    /// The GCD sample imported at k 1 (its two VMs within their 8 GB Maximum but for a few samples; probes of a day) with the
    /// grid's demand models k 1.25 with an OS base of 256 MB (the reviewer's case at stop 57) and k 1.5 with 512 MB, which
    /// put the large job's VM above it: the answer itself is not said to be for the servable VMs only; both cells are, in
    /// the grid's own line, named in the grid's order, with the first cell's figures.
    /// </summary>
    [Fact]
    public void GcdSampleAtK1_TheGridsCellsAboveIt_AreSaidInTheirOwnLine_WhereTheAnswerIsNot()
    {
        using var dir = new TempDir();
        string output = dir.File("gcd.dmt");
        GoogleGcdImporter.Import(RealTraces.Path("google-2011-gcd-vms/GCD_VMs"), output, new GoogleGcdImportOptions { VmSizeMb = 8192 });
        using NativeTraceReader reader = NativeTraceReader.Open(output);
        CapacityResult r = CapacityStudy.Run(TraceSeries.Load(reader), new CapacityOptions
        {
            Threads = 2,
            Seeds = 1,
            Probe = new ProbeOptions { MaxTicks = 288 },
            Strategies = [MemoryStrategy.DynamicMemory, MemoryStrategy.StaticProvisioned],
            Sensitivity = [new DemandModel { K = 1.25, OsBaseMb = 256 }, new DemandModel { K = 1.5, OsBaseMb = 512 }],
        });

        Assert.False(r.DynamicMemoryShortOnUnservable);
        Assert.DoesNotContain(r.Warnings, w => w.Contains("The verdict and the VMs-per-host figures therefore speak for the other VMs only", StringComparison.Ordinal));
        string?[] texts = [.. r.Sensitivity.Select(c => CapacityStudy.UnservableShortText(c.DynamicMemory, c.StaticProvisioned, r.Options.Level, out _))];
        Assert.All(r.Sensitivity, c => Assert.True(CapacityStudy.UnservableShortShare(c.DynamicMemory) > 0.4)); // the large job's VM, half the VM-time, held short
        Assert.NotEqual(texts[0], texts[1]); // their figures differ: the line gives the first's
        string line = Assert.Single(r.Warnings, w => w.StartsWith("In the sensitivity grid under", StringComparison.Ordinal));
        Assert.Equal("In the sensitivity grid under the demand model k 1.25, OS base 256 MB; the demand model k 1.5, OS base 512 MB, " + texts[0]
            + " Those rows' densities and ratios therefore speak for the other VMs only (the first such cell's figures given).", line);
    }

    [Fact]
    public void Probe_AStaticVmIsShortBelowItsStartup_NotBelowAMaximumItsSettingsCarry()
    {
        // R1 lets a static VM carry a Maximum above its Startup; it runs at its Startup, the size that serves it. Demand of
        // 3000 MB is above that 2048 MB (unservable on all 4 ticks), but held at its size the VM is not short, under static
        // provisioned or Dynamic Memory (which cannot act on a static VM) alike.
        TraceSeries s = CapacityStudyTests.Series(4, (new VmSettings(2048, 2048, 4096, DynamicMemory: false), [3000, 3000, 3000, 3000]));
        foreach (MemoryStrategy strategy in (MemoryStrategy[])[MemoryStrategy.StaticProvisioned, MemoryStrategy.DynamicMemory])
        {
            ProbeOutcome o = Probe.Run(s, strategy, [new ProbeVm(0, 0, 0)], 1, new TraceHost(16_384, 2048), new ProbeOptions());
            Assert.Equal(4, o.UnservableVmTicks);
            Assert.Equal(0, o.UnservableShortVmTicks);
            Assert.Equal(0, o.UnservableShortMbTicks);
        }
    }

    /// <summary>A small real comparison (no VM with unservable demand: the flag is false, the share 0).</summary>
    private static CapacityResult Plain()
    {
        int[] steady = [.. Enumerable.Repeat(1000, 12)];
        TraceSeries s = CapacityStudyTests.Series(12, [.. Enumerable.Range(0, 30).Select(_ => (VmSettings.Dynamic(1024, 512, 4096), steady))]);
        return CapacityStudy.Run(s, new CapacityOptions { Host = new TraceHost(65_536, 2048), Threads = 1, Seeds = 1, HostsPerProbe = 2 });
    }

    [Fact]
    public void HeadlineAndJson_CarryTheResultsFlagAndShare()
    {
        CapacityResult plain = Plain();
        Assert.False(plain.DynamicMemoryShortOnUnservable);
        Assert.Equal(0, plain.DynamicMemoryUnservableShortShare);
        CapacityResult squeezed = plain with { DynamicMemoryShortOnUnservable = true, DynamicMemoryUnservableShortShare = 0.4945123 };

        Assert.DoesNotContain("For the servable VMs only", new CompareReport(plain, 1).Headline(), StringComparison.Ordinal);
        Assert.Contains("**For the servable VMs only:** Dynamic Memory held the VMs whose demand is above their Maximum below that Maximum on 49.45 % of the VM-time at its density, where static provisioned gives it; that time is unservable and counted for no strategy, so this answer leaves their extra paging out (see report.md's warnings).",
            new CompareReport(squeezed, 1).Headline(), StringComparison.Ordinal);
        Assert.Contains("so this answer leaves their extra paging out (see Warnings below).", new CompareReport(squeezed, 1).Markdown(), StringComparison.Ordinal);

        using var dir = new TempDir();
        foreach ((CapacityResult r, bool flag, double share) in new[] { (plain, false, 0.0), (squeezed, true, 0.494512) })
        {
            string path = dir.File($"{flag}.json");
            CompareReport.WriteJson(path, r, 1);
            JsonNode unservable = JsonNode.Parse(File.ReadAllText(path))!["unservable"]!;
            Assert.Equal(flag, (bool)unservable["dynamicMemoryHeldBelowMaximum"]!);
            Assert.Equal(share, (double)unservable["dynamicMemoryHeldBelowMaximumShare"]!);
        }
    }
}
