using System.Text.Json.Nodes;
using DmKernel.Cli.Report;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// report.md's Minimum table (compare --sensitivity) beside comparison.json's Minimum cells: what one VM more per host
/// than each row's density missed the level by, draw by draw, in every form of its cell ("start denied k/n", "paging k/n",
/// "pressure k/n", "–", and several at once), and the share of the VM-time on which Dynamic Memory held VMs with
/// unservable demand below their Maximum. Each fleet is built so that one cause binds, and the probes' own outcomes are
/// checked to say so before the cell is read.
/// </summary>
public class MinimumTableTests
{
    private const string MissesColumn = "one VM more misses by (draws)";
    private const string HeldBelowColumn = "VMs with unservable demand held below their Maximum (share of VM-time)";

    private static CapacityOptions Options(ServiceLevel? level = null, int maxVmsPerHost = 20_000) => new()
    {
        Host = new TraceHost(65_536, 2048),
        Threads = 2,
        Seeds = 3,
        Level = level ?? new ServiceLevel(),
        MaxVmsPerHost = maxVmsPerHost,
        Strategies = [MemoryStrategy.DynamicMemory, MemoryStrategy.StaticProvisioned],
        MinimumSensitivity = [0.5, 2],
    };

    /// <summary>The cell of report.md's Minimum table in the row labelled <paramref name="row"/> and the column headed <paramref name="column"/>.</summary>
    private static string Cell(string md, string row, string column) => CompareTables.Cell(md, "Minimum", row, column);

    /// <summary>The Dynamic Memory entry of comparison.json's strategies: the Minimum table's "as given" row.</summary>
    private static JsonNode? DynamicMemoryOf(JsonObject json) => json["strategies"]!.AsArray().Single(s => (string)s!["key"]! == MemoryStrategy.DynamicMemory.Key)!["vmsPerHost"];

    /// <summary>
    /// With Minimum × 2 every VM's Minimum (1 GB) is above its demand (600 MB), so Dynamic Memory holds it at 1 GB or more
    /// and no VM can page; with no pressure limit only a start denied (R4: a 4 GB Startup that no longer fits) can miss.
    /// </summary>
    [Fact]
    public void MissCell_MinimumAboveEveryVmsDemand_NoVmCanPage_ReadsStartDeniedInEveryDraw()
    {
        CapacityResult r = CapacityStudy.Run(CompareTables.Flat(VmSettings.Dynamic(4096, 512, 4096), 600), Options());
        MinimumCell twice = r.MinimumSensitivity[1];
        Assert.Equal(2, twice.Factor);
        Assert.All(twice.DynamicMemory.Seeds, s => Assert.True(s.FirstMiss!.DeniedVmTicks > 0 && s.FirstMiss.PagingVmTicks == 0, $"seed {s.Seed}"));

        int n = twice.DynamicMemory.Seeds.Count;
        Assert.Equal($"start denied {n}/{n}", Cell(new CompareReport(r, 1).Markdown(), "Minimum × 2", MissesColumn));
        Assert.Equal((n, n, 0, 0), CompareTables.Misses(CompareTables.Json(r)["minimumSensitivity"]![1]));
    }

    /// <summary>
    /// VMs that start with 512 MB and want 1.0 to 3.0 GB in turn, on hosts with no pressure limit: a start fits (R4 reclaims
    /// the room), so one VM more pages beyond the limit when the VMs' rises meet, and no start is denied.
    /// </summary>
    [Fact]
    public void MissCell_RisesInDemandPageBeyondTheLimit_ReadsPagingInEveryDraw()
    {
        TraceSeries s = CapacityStudyTests.Series(16, [.. Enumerable.Range(0, 10).Select(i => (VmSettings.Dynamic(512, 256, 4096),
            Enumerable.Range(0, 16).Select(t => 1000 + ((t * 7 + i * 5) % 16 * 130)).ToArray()))]);
        CapacityResult r = CapacityStudy.Run(s, Options());
        DensityResult dm = r.DensityOf(MemoryStrategy.DynamicMemory);
        Assert.All(dm.Seeds, d => Assert.True(d.FirstMiss!.DeniedVmTicks == 0 && d.FirstMiss.PagingShare > r.Options.Level.MaxPagingShare, $"seed {d.Seed}"));

        int n = dm.Seeds.Count;
        Assert.Equal($"paging {n}/{n}", Cell(new CompareReport(r, 1).Markdown(), "as given", MissesColumn));
        Assert.Equal((n, 0, n, 0), CompareTables.Misses(DynamicMemoryOf(CompareTables.Json(r))));
    }

    /// <summary>
    /// VMs wanting 2 GB of a 4 GB Maximum under a p95 pressure limit of 95 %: the 63 488 MB a host offers hold 31 such
    /// demands, so up to 31 VMs per host nothing pages, and a 1 GB Startup fits (R4 reclaims); but at 30 VMs a VM can hold
    /// at most 2 116 MB, a pressure of 97 % (R10), so the pressure limit binds first.
    /// </summary>
    [Fact]
    public void MissCell_PressureLimitBindsBeforePagingOrStarts_ReadsPressureInEveryDraw()
    {
        CapacityResult r = CapacityStudy.Run(CompareTables.Flat(VmSettings.Dynamic(1024, 512, 4096), 2048), Options(new ServiceLevel { MaxPressure = 95 }));
        DensityResult dm = r.DensityOf(MemoryStrategy.DynamicMemory);
        Assert.All(dm.Seeds, d =>
        {
            ProbeOutcome miss = d.FirstMiss!;
            Assert.True(miss.Vms / miss.Hosts * 2048 <= 65_536 - 2048, $"seed {d.Seed}: {miss.Vms / miss.Hosts} VMs per host cannot all be served");
            Assert.True(miss.DeniedVmTicks == 0 && miss.PagingVmTicks == 0 && miss.PressurePercentile > 95, $"seed {d.Seed}");
        });

        int n = dm.Seeds.Count;
        string md = new CompareReport(r, 1).Markdown();
        foreach (string row in (string[])["as given", "Minimum × 0.5", "Minimum × 2"])
            Assert.Equal($"pressure {n}/{n}", Cell(md, row, MissesColumn));
        Assert.Equal((n, 0, 0, n), CompareTables.Misses(DynamicMemoryOf(CompareTables.Json(r))));
    }

    /// <summary>
    /// Where every draw meets the level at the search's limit (5 VMs per host of 2 GB on a 64 GB host), no probe missed: the
    /// cell is a dash, while the row's other figures (its density, memory held) are given.
    /// </summary>
    [Fact]
    public void MissCell_EveryDrawAtTheSearchLimit_NoneMissed_ReadsADash()
    {
        CapacityResult r = CapacityStudy.Run(CompareTables.Flat(VmSettings.Dynamic(1024, 512, 4096), 2048), Options(maxVmsPerHost: 5));
        DensityResult dm = r.DensityOf(MemoryStrategy.DynamicMemory);
        Assert.All(dm.Seeds, d => Assert.Equal((5, null), (d.VmsPerHost, d.FirstMiss)));

        string md = new CompareReport(r, 1).Markdown();
        Assert.Equal("–", Cell(md, "as given", MissesColumn));
        Assert.Equal("≥ 5", Cell(md, "as given", "Dynamic Memory VMs per host"));
        Assert.NotEqual("–", Cell(md, "as given", "held per VM"));
        JsonObject json = CompareTables.Json(r);
        Assert.Equal((dm.Seeds.Count, 0, 0, 0), CompareTables.Misses(DynamicMemoryOf(json)));
        Assert.All(json["minimumSensitivity"]!.AsArray(), c => Assert.Equal((dm.Seeds.Count, 0, 0, 0), CompareTables.Misses(c)));
    }

    private static ProbeOutcome Miss(long denied, long paging, int pressure) => new()
    {
        Hosts = 2,
        Vms = 8,
        WarmupTicks = 0,
        Ticks = 10,
        WantedVmTicks = 1000,
        UnservableVmTicks = 0,
        PagingVmTicks = paging,
        DeniedVmTicks = denied,
        OnVmTicks = 1000 - denied,
        UnmetMbTicks = 0,
        AssignedMbTicks = 0,
        DemandMbTicks = 0,
        PeakAssignedMb = 0,
        PressurePercentile = pressure,
        PerVm = [],
    };

    /// <summary>
    /// Draws that missed in different ways, given by hand under a level of 1 % paging and a pressure limit of 90 %: a draw
    /// counts once, for the first of a start denied, paging beyond the limit, and else the pressure limit; paging at the
    /// limit exactly (10 of 1 000 VM-ticks) is not beyond it; a draw without a miss counts for none, but among the draws.
    /// </summary>
    [Fact]
    public void MissCell_DrawsMissingEachWay_CountOnceEach_StartBeforePagingBeforePressure()
    {
        var level = new ServiceLevel { MaxPagingShare = 0.01, MaxPressure = 90 };
        DensityResult Of(params ProbeOutcome?[] misses)
            => new(MemoryStrategy.DynamicMemory, null, [.. misses.Select((m, i) => new DensitySeed(i, 4, null, m, []))], null, null);

        ProbeOutcome all = Miss(denied: 5, paging: 50, pressure: 99), paging = Miss(0, 50, 99), atTheLimit = Miss(0, 10, 99), pressure = Miss(0, 0, 99);
        Assert.Equal("start denied 1/5, paging 1/5, pressure 2/5", CompareReport.MissCell(Of(all, paging, atTheLimit, pressure, null), level));
        Assert.Equal("start denied 2/2", CompareReport.MissCell(Of(all, Miss(1, 0, 0)), level));
        Assert.Equal("paging 1/3, pressure 1/3", CompareReport.MissCell(Of(null, pressure, paging), level));
        Assert.Equal("pressure 1/1", CompareReport.MissCell(Of(atTheLimit), level));
        Assert.Equal("–", CompareReport.MissCell(Of(null, null), level));
    }

    /// <summary>
    /// Ten VMs wanting 600 MB and ten whose 5 000 MB is above their 4 GB Maximum (unservable, counted for no strategy). With
    /// the Minimum (1 GB as given, 2 GB at × 2) above the small VMs' demand, they cannot page, and Dynamic Memory squeezes the
    /// large ones below their Maximum until a start is denied; each Minimum cell's share of that VM-time is the one the study
    /// gives as its answer's (the headline's, <c>unservable.dynamicMemoryHeldBelowMaximumShare</c>) for the trace with that
    /// Minimum, and never above the unservable share of the VM-time at the density.
    /// </summary>
    [Fact]
    public void HeldBelowMaximum_OfEachMinimumCell_IsTheAnswersShareWithThatMinimum()
    {
        TraceSeries s = CapacityStudyTests.Series(16, [.. Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? (VmSettings.Dynamic(2048, 1024, 2048), Enumerable.Repeat(600, 16).ToArray())
            : (VmSettings.Dynamic(2048, 1024, 4096), Enumerable.Repeat(5000, 16).ToArray()))]);
        CapacityResult r = CapacityStudy.Run(s, Options());
        string md = new CompareReport(r, 1).Markdown();
        JsonObject json = CompareTables.Json(r);
        Assert.Equal(ShareText.Percent(r.DynamicMemoryUnservableShortShare), Cell(md, "as given", HeldBelowColumn));
        Assert.True(r.DynamicMemoryUnservableShortShare > r.Options.Level.MaxPagingShare, "the large VMs are squeezed at the answer's Minimum");

        foreach ((MinimumCell cell, int i) in r.MinimumSensitivity.Select((c, i) => (c, i)))
        {
            CapacityResult alone = CapacityStudy.Run(s.WithMinimum(cell.Factor), Options() with { MinimumSensitivity = [] });
            Assert.Equal(alone.DensityOf(MemoryStrategy.DynamicMemory).Seeds.Select(x => x.VmsPerHost), cell.DynamicMemory.Seeds.Select(x => x.VmsPerHost));
            string row = i == 0 ? "Minimum × 0.5" : "Minimum × 2";
            Assert.Equal(ShareText.Percent(alone.DynamicMemoryUnservableShortShare), Cell(md, row, HeldBelowColumn));
            Assert.Equal(Math.Round(alone.DynamicMemoryUnservableShortShare, 6), (double)json["minimumSensitivity"]![i]!["dynamicMemoryHeldBelowMaximumShare"]!);
            double unservable = cell.DynamicMemory.Seeds.Select(x => x.AtDensity!).Sum(o => (double)o.UnservableVmTicks) / cell.DynamicMemory.Seeds.Select(x => x.AtDensity!).Sum(o => (double)o.WantedVmTicks);
            Assert.InRange(alone.DynamicMemoryUnservableShortShare, 0, unservable);
        }

        Assert.True(r.MinimumSensitivity[1].DynamicMemory.Seeds.All(x => x.FirstMiss!.DeniedVmTicks > 0), "× 2: a start binds");
        Assert.True(Math.Round(CapacityStudy.UnservableShortShare(r.MinimumSensitivity[1].DynamicMemory), 6) > r.Options.Level.MaxPagingShare, "× 2 squeezes them too");
    }

    /// <summary>Where no Dynamic Memory draw meets the level (a pressure limit of 40 % below its set-point of 83 %), the share reads a dash, not 0.00 %.</summary>
    [Fact]
    public void HeldBelowMaximum_WhereNoDrawMetTheLevel_ReadsADash()
    {
        CapacityResult r = CapacityStudy.Run(CompareTables.Flat(VmSettings.Dynamic(1024, 512, 4096), 2048), Options(new ServiceLevel { MaxPressure = 40 }));
        Assert.All(r.DensityOf(MemoryStrategy.DynamicMemory).Seeds, d => Assert.Null(d.AtDensity));
        string md = new CompareReport(r, 1).Markdown();
        foreach (string row in (string[])["as given", "Minimum × 0.5", "Minimum × 2"])
            Assert.Equal("–", Cell(md, row, HeldBelowColumn));

        // A fleet with nothing unservable that meets the level: 0.00 %.
        CapacityResult met = CapacityStudy.Run(CompareTables.Flat(VmSettings.Dynamic(1024, 512, 4096), 2048), Options());
        Assert.Equal("0.00 %", Cell(new CompareReport(met, 1).Markdown(), "as given", HeldBelowColumn));
    }
}
