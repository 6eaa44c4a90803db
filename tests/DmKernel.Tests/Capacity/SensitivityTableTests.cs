using System.Text.Json.Nodes;
using DmKernel.Cli.Report;
using DmKernel.Tests.Cli;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// report.md's demand-model table (compare --sensitivity) beside comparison.json's <c>sensitivity</c> cells: the same
/// columns as the Minimum table (<see cref="MinimumTableTests"/>): memory held per VM, what one VM more per host than each
/// cell's density missed the level by, draw by draw, in every form of its cell ("start denied k/n", "paging k/n",
/// "pressure k/n", "–", and several at once), and the share of the VM-time on which Dynamic Memory held VMs with unservable
/// demand below their Maximum. Each fleet is built so that one cause binds under every demand model of the grid, and the
/// probes' own outcomes are checked to say so before the cell is read.
/// </summary>
public class SensitivityTableTests
{
    private const string MissesColumn = "one VM more misses by (draws)";
    private const string HeldBelowColumn = "VMs with unservable demand held below their Maximum (share of VM-time)";
    private const string HeldPerVmColumn = "held per VM";

    private static CapacityOptions Options(double[] ks, ServiceLevel? level = null, int maxVmsPerHost = 20_000) => new()
    {
        Host = new TraceHost(65_536, 2048),
        Threads = 2,
        Seeds = 3,
        Level = level ?? new ServiceLevel(),
        MaxVmsPerHost = maxVmsPerHost,
        Strategies = [MemoryStrategy.DynamicMemory, MemoryStrategy.StaticProvisioned],
        Sensitivity = [.. ks.Select(k => new DemandModel { K = k })],
        MinimumSensitivity = [0.5, 2],
    };

    /// <summary>The cell of report.md's demand-model table in the row labelled <paramref name="row"/> and the column headed <paramref name="column"/>.</summary>
    private static string Cell(string md, string row, string column) => CompareTables.Cell(md, "demand model", row, column);

    /// <summary>The row label of a cell of a trace without a recorded demand model (its demand scaled by k).</summary>
    private static string Row(SensitivityCell c) => FormattableString.Invariant($"demand × {c.Demand.K:0.##}");

    /// <summary>
    /// The demand-model table has the Minimum table's columns, in its order, but for the Minimum's own two (its label and
    /// the pool's mean Minimum, which the demand grid does not vary): the two tables read alike.
    /// </summary>
    [Fact]
    public void DemandTable_HasTheMinimumTablesColumns_InTheSameOrder()
    {
        CapacityResult r = CapacityStudy.Run(CompareTables.Flat(VmSettings.Dynamic(1024, 512, 4096), 2048), Options([0.75, 1.25]));
        string md = new CompareReport(r, 1).Markdown();
        string[] demand = CompareTables.Header(md, "demand model"), minimum = CompareTables.Header(md, "Minimum");
        Assert.Equal(minimum.Where(h => h is not ("Minimum" or "pool's mean Minimum")), demand.Where(h => h != "demand model"));
        Assert.Contains(MissesColumn, demand);
        Assert.Contains(HeldBelowColumn, demand);
    }

    /// <summary>
    /// With the demand scaled to 300 or 900 MB every VM's 1 GB Minimum is above its demand, so Dynamic Memory holds it at
    /// 1 GB or more and no VM can page; with no pressure limit only a start denied (R4: a 4 GB Startup that no longer
    /// fits) can miss, under either model.
    /// </summary>
    [Fact]
    public void MissCell_DemandBelowEveryVmsMinimum_NoVmCanPage_ReadsStartDeniedInEveryCell()
    {
        CapacityResult r = CapacityStudy.Run(CompareTables.Flat(VmSettings.Dynamic(4096, 1024, 4096), 600), Options([0.5, 1.5]));
        Assert.Equal(2, r.Sensitivity.Count);
        string md = new CompareReport(r, 1).Markdown();
        JsonObject json = CompareTables.Json(r);
        foreach ((SensitivityCell c, int i) in r.Sensitivity.Select((c, i) => (c, i)))
        {
            Assert.All(c.DynamicMemory.Seeds, s => Assert.True(s.FirstMiss!.DeniedVmTicks > 0 && s.FirstMiss.PagingVmTicks == 0, $"k {c.Demand.K}, seed {s.Seed}"));
            int n = c.DynamicMemory.Seeds.Count;
            Assert.Equal($"start denied {n}/{n}", Cell(md, Row(c), MissesColumn));
            Assert.Equal((n, n, 0, 0), CompareTables.Misses(json["sensitivity"]![i]));
        }
    }

    /// <summary>
    /// VMs that start with 512 MB and want 1.0 to 3.0 GB in turn (0.9 to 2.7 GB, 1.2 to 3.6 GB scaled), on hosts with no
    /// pressure limit: a start fits (R4 reclaims the room), so one VM more pages beyond the limit when the VMs' rises meet,
    /// and no start is denied, under either model.
    /// </summary>
    [Fact]
    public void MissCell_RisesInDemandPageBeyondTheLimit_ReadsPagingInEveryCell()
    {
        TraceSeries s = CapacityStudyTests.Series(16, [.. Enumerable.Range(0, 10).Select(i => (VmSettings.Dynamic(512, 256, 4096),
            Enumerable.Range(0, 16).Select(t => 1000 + ((t * 7 + i * 5) % 16 * 130)).ToArray()))]);
        CapacityResult r = CapacityStudy.Run(s, Options([0.9, 1.2]));
        string md = new CompareReport(r, 1).Markdown();
        JsonObject json = CompareTables.Json(r);
        foreach ((SensitivityCell c, int i) in r.Sensitivity.Select((c, i) => (c, i)))
        {
            Assert.All(c.DynamicMemory.Seeds, d => Assert.True(d.FirstMiss!.DeniedVmTicks == 0 && d.FirstMiss.PagingShare > r.Options.Level.MaxPagingShare, $"k {c.Demand.K}, seed {d.Seed}"));
            int n = c.DynamicMemory.Seeds.Count;
            Assert.Equal($"paging {n}/{n}", Cell(md, Row(c), MissesColumn));
            Assert.Equal((n, 0, n, 0), CompareTables.Misses(json["sensitivity"]![i]));
        }
    }

    /// <summary>
    /// VMs wanting 1.5 or 2.5 GB of a 4 GB Maximum (2 GB scaled by 0.75 and 1.25) under a p95 pressure limit of 95 %: up to
    /// the density where a host's memory holds every demand nothing pages and a 1 GB Startup fits (R4 reclaims), but what a
    /// VM can hold there puts the pressure above the limit first (R10).
    /// </summary>
    [Fact]
    public void MissCell_PressureLimitBindsBeforePagingOrStarts_ReadsPressureInEveryCell()
    {
        CapacityResult r = CapacityStudy.Run(CompareTables.Flat(VmSettings.Dynamic(1024, 512, 4096), 2048), Options([0.75, 1.25], new ServiceLevel { MaxPressure = 95 }));
        string md = new CompareReport(r, 1).Markdown();
        JsonObject json = CompareTables.Json(r);
        foreach ((SensitivityCell c, int i) in r.Sensitivity.Select((c, i) => (c, i)))
        {
            Assert.All(c.DynamicMemory.Seeds, d =>
            {
                ProbeOutcome miss = d.FirstMiss!;
                Assert.True(miss.DeniedVmTicks == 0 && miss.PagingVmTicks == 0 && miss.PressurePercentile > 95, $"k {c.Demand.K}, seed {d.Seed}");
            });
            int n = c.DynamicMemory.Seeds.Count;
            Assert.Equal($"pressure {n}/{n}", Cell(md, Row(c), MissesColumn));
            Assert.Equal((n, 0, 0, n), CompareTables.Misses(json["sensitivity"]![i]));
        }
    }

    /// <summary>
    /// Where every draw meets the level at the search's limit (5 VMs per host of 1.5 or 2.5 GB on a 64 GB host), no probe
    /// missed: the cell is a dash and every count 0 of the draws, while the row's other figures (its density, memory held)
    /// are given.
    /// </summary>
    [Fact]
    public void MissCell_EveryDrawAtTheSearchLimit_NoneMissed_ReadsADash()
    {
        CapacityResult r = CapacityStudy.Run(CompareTables.Flat(VmSettings.Dynamic(1024, 512, 4096), 2048), Options([0.75, 1.25], maxVmsPerHost: 5));
        string md = new CompareReport(r, 1).Markdown();
        JsonObject json = CompareTables.Json(r);
        foreach ((SensitivityCell c, int i) in r.Sensitivity.Select((c, i) => (c, i)))
        {
            Assert.All(c.DynamicMemory.Seeds, d => Assert.Equal((5, null), (d.VmsPerHost, d.FirstMiss)));
            Assert.Equal("–", Cell(md, Row(c), MissesColumn));
            Assert.Equal("≥ 5", Cell(md, Row(c), "Dynamic Memory VMs per host"));
            Assert.NotEqual("–", Cell(md, Row(c), HeldPerVmColumn));
            Assert.Equal((c.DynamicMemory.Seeds.Count, 0, 0, 0), CompareTables.Misses(json["sensitivity"]![i]));
        }
    }

    /// <summary>
    /// Hand-made cells whose draws missed in different ways, under a level of 1 % paging and a pressure limit of 90 %: a
    /// draw counts once, for the first of a start denied, paging beyond the limit (10 of 1 000 VM-ticks is at it, not
    /// beyond), and else the pressure limit; a draw without a miss counts for none, but among the draws; each cell reads
    /// its own draws, not the answer's.
    /// </summary>
    [Fact]
    public void MissCell_HandMadeCells_EveryForm_InTheTableAndTheJson()
    {
        var level = new ServiceLevel { MaxPagingShare = 0.01, MaxPressure = 90 };
        static ProbeOutcome Miss(long denied, long paging, int pressure)
            => CompareReportRowsTests.Outcome(9, servable: 1000, paging: paging, denied: denied, pressure: pressure, onVmTicks: 1000 - denied);
        DensityResult Dm(double k, params ProbeOutcome?[] misses) => CompareReportRowsTests.Density(MemoryStrategy.DynamicMemory, 0, [.. misses.Select(_ => 8)], misses) with { Demand = new DemandModel { K = k } };
        DensityResult Sp(double k, int draws) => CompareReportRowsTests.Density(MemoryStrategy.StaticProvisioned, 0, [.. Enumerable.Repeat(4, draws)]) with { Demand = new DemandModel { K = k } };

        ProbeOutcome all = Miss(denied: 5, paging: 50, pressure: 99), paging = Miss(0, 50, 99), atTheLimit = Miss(0, 10, 99), pressure = Miss(0, 0, 99);
        (double K, ProbeOutcome?[] Misses, string Cell, (int, int, int, int) Json)[] cases =
        [
            (0.5, [all, paging, atTheLimit, pressure, null], "start denied 1/5, paging 1/5, pressure 2/5", (5, 1, 1, 2)),
            (0.75, [all, Miss(1, 0, 0), all, all, all], "start denied 5/5", (5, 5, 0, 0)),
            (1.25, [null, pressure, paging, null, null], "paging 1/5, pressure 1/5", (5, 0, 1, 1)),
            (1.5, [atTheLimit, atTheLimit, atTheLimit, atTheLimit, atTheLimit], "pressure 5/5", (5, 0, 0, 5)),
            (2, [null, null, null, null, null], "–", (5, 0, 0, 0)),
        ];
        DensityResult dm = Dm(1, paging, paging, paging, paging, paging), sp = Sp(1, 5);
        CapacityResult r = CompareReportRowsTests.Result(level, [dm with { Demand = null }, sp with { Demand = null }], seeds: 5) with
        {
            Sensitivity = [.. cases.Select(c => new SensitivityCell(new DemandModel { K = c.K }, Dm(c.K, c.Misses), Sp(c.K, 5), CapacityVerdict.Of(Dm(c.K, c.Misses), Sp(c.K, 5))))],
        };

        string md = new CompareReport(r, 1).Markdown();
        JsonObject json = CompareTables.Json(r);
        foreach ((var c, int i) in cases.Select((c, i) => (c, i)))
        {
            Assert.Equal(c.Cell, Cell(md, Row(r.Sensitivity[i]), MissesColumn));
            Assert.Equal(c.Json, CompareTables.Misses(json["sensitivity"]![i]));
        }
    }

    /// <summary>
    /// Ten VMs wanting 600 MB and ten whose 5 000 MB is above their 4 GB Maximum (unservable, counted for no strategy). With
    /// the 1 GB Minimum above the small VMs' demand, they cannot page, and Dynamic Memory squeezes the large ones below their
    /// Maximum until a start is denied. Each demand cell's share of that VM-time, and its memory held per VM, are those the
    /// study gives as its answer's for the trace recast under that model; scaled by 0.7 the large VMs' 3 500 MB fits their
    /// Maximum, nothing is unservable and the share is 0.00 %, where the answer's is above the level's paging share.
    /// </summary>
    [Fact]
    public void HeldBelowMaximum_OfEachDemandCell_IsTheAnswersShareUnderThatModel()
    {
        TraceSeries s = CapacityStudyTests.Series(16, [.. Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? (VmSettings.Dynamic(2048, 1024, 2048), Enumerable.Repeat(600, 16).ToArray())
            : (VmSettings.Dynamic(2048, 1024, 4096), Enumerable.Repeat(5000, 16).ToArray()))]);
        CapacityResult r = CapacityStudy.Run(s, Options([0.7, 1.1]));
        string md = new CompareReport(r, 1).Markdown();
        JsonObject json = CompareTables.Json(r);
        Assert.True(r.DynamicMemoryUnservableShortShare > r.Options.Level.MaxPagingShare, "the large VMs are squeezed under the trace's own demand");

        var shares = new List<double>();
        foreach ((SensitivityCell cell, int i) in r.Sensitivity.Select((c, i) => (c, i)))
        {
            CapacityResult alone = CapacityStudy.Run(s.WithDemand(new DemandModel(), cell.Demand), Options([]));
            Assert.Equal(alone.DensityOf(MemoryStrategy.DynamicMemory).Seeds.Select(x => x.VmsPerHost), cell.DynamicMemory.Seeds.Select(x => x.VmsPerHost));
            string aloneMd = new CompareReport(alone, 1).Markdown();
            Assert.Equal(ShareText.Percent(alone.DynamicMemoryUnservableShortShare), Cell(md, Row(cell), HeldBelowColumn));
            Assert.Equal(Math.Round(alone.DynamicMemoryUnservableShortShare, 6), (double)json["sensitivity"]![i]!["dynamicMemoryHeldBelowMaximumShare"]!);
            Assert.Equal(MinimumCell(aloneMd, "as given", HeldPerVmColumn), Cell(md, Row(cell), HeldPerVmColumn));
            shares.Add(alone.DynamicMemoryUnservableShortShare);
        }

        Assert.Equal(0, shares[0]);
        Assert.Equal("0.00 %", Cell(md, "demand × 0.7", HeldBelowColumn));
        Assert.True(shares[1] > r.Options.Level.MaxPagingShare, "× 1.1 squeezes them too");
    }

    /// <summary>
    /// Where no Dynamic Memory draw meets the level (a pressure limit of 40 % below its set-point of 83 %), the share and the
    /// memory held read a dash, not 0.00 % (comparison.json: 0).
    /// </summary>
    [Fact]
    public void HeldBelowMaximum_WhereNoDrawMetTheLevel_ReadsADash()
    {
        CapacityResult r = CapacityStudy.Run(CompareTables.Flat(VmSettings.Dynamic(1024, 512, 4096), 2048), Options([0.75, 1.25], new ServiceLevel { MaxPressure = 40 }));
        string md = new CompareReport(r, 1).Markdown();
        JsonObject json = CompareTables.Json(r);
        foreach ((SensitivityCell c, int i) in r.Sensitivity.Select((c, i) => (c, i)))
        {
            Assert.All(c.DynamicMemory.Seeds, d => Assert.Null(d.AtDensity));
            Assert.Equal("–", Cell(md, Row(c), HeldBelowColumn));
            Assert.Equal("–", Cell(md, Row(c), HeldPerVmColumn));
            Assert.Equal(0, (double)json["sensitivity"]![i]!["dynamicMemoryHeldBelowMaximumShare"]!);
        }
    }

    /// <summary>The cell of report.md's Minimum table in the row labelled <paramref name="row"/> and the column headed <paramref name="column"/>.</summary>
    private static string MinimumCell(string md, string row, string column)
    {
        string[] header = CompareTables.Header(md, "Minimum");
        int at = Array.IndexOf(header, column);
        Assert.True(at > 0, $"no column '{column}' in the Minimum table");
        return Assert.Single(md.Split('\n'), l => l.StartsWith("| " + row, StringComparison.Ordinal)).Split('|')[at].Trim();
    }
}
