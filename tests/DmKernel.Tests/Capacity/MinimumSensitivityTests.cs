using System.Globalization;
using System.Text.Json.Nodes;
using DmKernel.Cli.Report;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// The sensitivity grid's Minimum cells (<see cref="CapacityOptions.MinimumSensitivity"/>): a trace records no Minimum, an
/// import sets it by a rule (Minimum = Startup ÷ 4), and where Dynamic Memory holds its VMs at their Minimum its density
/// follows that rule (a reviewer's sweep of the Bitbrains month at stop 54: ÷ 1, 2, 4, 8 gave 1.00, 1.89, 3.96, 9.04 ×
/// static while the demand grid moved nothing). The cells rerun Dynamic Memory with the Minimum scaled, exactly as an
/// import with another divisor would have set it.
/// </summary>
public class MinimumSensitivityTests
{
    private static readonly int[] Sizes = [2048, 3000, 4096, 6144, 8190, 1024, 4094, 16384];

    /// <summary>Twenty VMs of mixed sizes imported under Minimum = Startup ÷ <paramref name="divisor"/>, wanting a tenth of their size with a swing (the rule recorded in the metadata unless <paramref name="recordRule"/> is false).</summary>
    private static TraceSeries Imported(int divisor, bool recordRule = true)
    {
        var rule = new VmSettingsRule { MinimumDivisor = divisor };
        var vms = new List<TraceVm>();
        var values = new List<int>();
        for (int i = 0; i < 20; i++)
        {
            int size = Sizes[i % Sizes.Length];
            vms.Add(new TraceVm($"vm-{i}", rule.FromProvisionedMb(size, out _)));
            values.AddRange(Enumerable.Range(0, 16).Select(t => (size / 10) + (t * 37 * (i + 1) % 300)));
        }

        var metadata = new TraceMetadata();
        if (recordRule)
            metadata.Set("settings.minimum_divisor", divisor.ToString(CultureInfo.InvariantCulture));
        return TraceSeries.FromValues("t", 300, vms, 16, [.. values], metadata);
    }

    private static CapacityOptions Options(params double[] factors) => new()
    {
        Host = new TraceHost(24_576, 2048),
        Threads = 2,
        Seeds = 2,
        Strategies = [MemoryStrategy.DynamicMemory, MemoryStrategy.StaticProvisioned],
        MinimumSensitivity = factors,
    };

    [Fact]
    public void WithMinimum_OfAnImportsRule_GivesWhatImportingWithThatDivisorGives()
    {
        TraceSeries four = Imported(4);
        foreach ((double factor, int divisor) in new[] { (2.0, 2), (0.5, 8), (4.0, 1), (0.25, 16) })
        {
            TraceSeries scaled = four.WithMinimum(factor), imported = Imported(divisor);
            Assert.Equal(imported.Vms.Select(v => v.Settings), scaled.Vms.Select(v => v.Settings));
        }

        // Values are shared, not copied: only the VM table changes.
        Assert.True(four.WithMinimum(2).Of(3).SequenceEqual(four.Of(3)));
    }

    /// <summary>
    /// Any factor that takes the import's divisor to a whole one (compare --minimum-factors takes any) gives exactly that
    /// import, though the factor is not exact in binary (0.2 × Startup ÷ 8 rounded up a granule above Startup ÷ 40 for some
    /// sizes before stop 56), and a factor written to four decimals (1.3333 for ÷ 3) counts as the divisor it is within
    /// 0.01 % of, which the cell's <see cref="MinimumCell.Divisor"/> names.
    /// </summary>
    [Fact]
    public void WithMinimum_OfAnyFactorToAWholeDivisor_GivesExactlyThatImport()
    {
        int[] sizes = [.. Enumerable.Range(0, 400).Select(i => 32 + (i * 2 * 997 % 200_000))];
        TraceSeries Of(int divisor)
        {
            var rule = new VmSettingsRule { MinimumDivisor = divisor };
            var metadata = new TraceMetadata();
            metadata.Set("settings.minimum_divisor", divisor.ToString(CultureInfo.InvariantCulture));
            return TraceSeries.FromValues("t", 300, [.. sizes.Select((m, i) => new TraceVm($"vm-{i}", rule.FromProvisionedMb(m, out _)))], 1, [.. sizes.Select(m => m / 10)], metadata);
        }

        TraceSeries four = Of(4);
        foreach ((double factor, int divisor) in new[] { (0.2, 20), (0.1, 40), (0.4, 10), (0.8, 5), (4.0 / 3, 3), (1.3333, 3), (4.0 / 7, 7), (0.04, 100), (0.6666667, 6) })
        {
            Assert.Equal(Of(divisor).Vms.Select(v => v.Settings.MinimumMb), four.WithMinimum(factor).Vms.Select(v => v.Settings.MinimumMb));
            Assert.Equal(divisor, TraceSeries.DivisorFor(4, factor));
        }

        Assert.Equal(4 / 1.3, TraceSeries.DivisorFor(4, 1.3)); // ÷ 3.08: no whole divisor near it, kept as it is
    }

    [Fact]
    public void WithMinimum_WithoutARule_ScalesEachVmsOwnMinimum_WithinR1()
    {
        TraceVm[] vms =
        [
            new("a", VmSettings.Dynamic(4096, 1000, 8192)),
            new("b", VmSettings.Dynamic(1024, 40, 1024)),
            new("c", VmSettings.Dynamic(2048, 1536, 4096)),
            new("s", VmSettings.Static(2048, GuestKind.Windows)),
        ];
        TraceSeries s = TraceSeries.FromValues("t", 60, vms, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
        Assert.Equal([500, 32, 768, 2048], s.WithMinimum(0.5).Vms.Select(v => v.Settings.MinimumMb));
        Assert.Equal([2000, 80, 2048, 2048], s.WithMinimum(2).Vms.Select(v => v.Settings.MinimumMb)); // c: at most its Startup
        Assert.Equal([1002, 42, 1538, 2048], s.WithMinimum(1.001).Vms.Select(v => v.Settings.MinimumMb)); // rounded up to 2 MB
        Assert.False(s.WithMinimum(2).Vms[3].Settings.DynamicMemory);
        Assert.Equal(s.Vms.Select(v => (v.Settings.StartupMb, v.Settings.MaximumMb)), s.WithMinimum(2).Vms.Select(v => (v.Settings.StartupMb, v.Settings.MaximumMb)));
    }

    /// <summary>
    /// A cell of the grid is the study of the trace imported with that divisor: Dynamic Memory's densities seed by seed, the
    /// pool's mean Minimum, and static provisioned's density (which no Minimum changes).
    /// </summary>
    [Fact]
    public void Cell_IsTheStudyOfTheTraceImportedWithThatDivisor()
    {
        CapacityResult grid = CapacityStudy.Run(Imported(4), Options(0.5, 2));
        Assert.Equal(2, grid.MinimumSensitivity.Count);
        foreach ((MinimumCell cell, int divisor) in grid.MinimumSensitivity.Zip([8, 2]))
        {
            Assert.Equal(divisor, cell.Divisor);
            CapacityResult imported = CapacityStudy.Run(Imported(divisor), Options());
            Assert.Equal(imported.Densities[0].Seeds.Select(s => s.VmsPerHost), cell.DynamicMemory.Seeds.Select(s => s.VmsPerHost));
            Assert.Equal(imported.Densities[1].Seeds.Select(s => s.VmsPerHost), cell.StaticProvisioned.Seeds.Select(s => s.VmsPerHost));
            Assert.Equal(imported.PoolFloorMb, cell.MeanMinimumMb, 6);
            Assert.Equal(imported.Verdict, cell.Verdict);
        }

        // The Minimum moves Dynamic Memory's density here (held at their Minimum), so the cells differ from the answer.
        Assert.True(grid.MinimumSensitivity[0].DynamicMemory.Median > grid.Densities[0].Median, "half the Minimum packs more");
        Assert.True(grid.MinimumSensitivity[1].DynamicMemory.Median < grid.Densities[0].Median, "twice the Minimum packs fewer");
        Assert.Equal(grid.Densities[0].Seeds.Select(s => s.VmsPerHost), CapacityStudy.Run(Imported(4), Options()).Densities[0].Seeds.Select(s => s.VmsPerHost));
    }

    [Fact]
    public void Report_Json_AndTheMinimumWarning_GiveTheCells()
    {
        CapacityResult r = CapacityStudy.Run(Imported(4), Options(0.5, 2));
        var report = new CompareReport(r, 1);
        string headline = report.Headline();
        Assert.Contains("**Sensitivity to the VMs' Minimum: the answer holds** (yes in 2 of 2), but the ratio moves with it: ", headline, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{r.Verdict.Ratio.Median:F2} × static with the Minimum as given (Startup ÷ 4); "), headline, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"; {r.MinimumSensitivity[0].Verdict.Ratio.Median:F2} × at Minimum × 0.5 (Startup ÷ 8)"), headline, StringComparison.Ordinal);
        string md = report.Markdown();
        Assert.Contains("## Sensitivity to the VMs' Minimum", md, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"| Minimum × 2 (Startup ÷ 2) | {r.MinimumSensitivity[1].MeanMinimumMb / 1024:F2} GB |"), md, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"| as given (Startup ÷ 4) | {r.PoolFloorMb / 1024:F2} GB |"), md, StringComparison.Ordinal);

        string path = Path.Combine(Path.GetTempPath(), $"dmk-min-{Guid.NewGuid():N}.json");
        try
        {
            CompareReport.WriteJson(path, r, 1);
            JsonArray cells = JsonNode.Parse(File.ReadAllText(path))!["minimumSensitivity"]!.AsArray();
            Assert.Equal([0.5, 2.0], cells.Select(c => (double)c!["factor"]!));
            Assert.Equal([8.0, 2.0], cells.Select(c => (double)c!["minimumDivisor"]!));
            Assert.Equal(r.MinimumSensitivity.Select(c => c.DynamicMemory.Median), cells.Select(c => (int)c!["dynamicMemoryVmsPerHost"]!));
        }
        finally
        {
            File.Delete(path);
        }

        // Held at their Minimum: the warning gives the cells' ratios instead of only "compare again".
        Assert.True(r.DynamicMemoryAtMinimum);
        string warning = Assert.Single(r.Warnings, w => w.StartsWith("Dynamic Memory held these VMs at about their Minimum", StringComparison.Ordinal));
        Assert.Contains("The Minimum cells of the sensitivity grid show how far: Minimum × 0.5, ", warning, StringComparison.Ordinal);
        string without = Assert.Single(CapacityStudy.Run(Imported(4), Options()).Warnings, w => w.StartsWith("Dynamic Memory held", StringComparison.Ordinal));
        Assert.Contains("or with --sensitivity, which also reruns Dynamic Memory at half and twice the VMs' Minimum", without, StringComparison.Ordinal);

        // A demand grid without Minimum cells (--sensitivity --minimum-factors none) is not told to add --sensitivity.
        string none = Assert.Single(CapacityStudy.Run(Imported(4), Options() with { Sensitivity = [new DemandModel { K = 1.1 }] }).Warnings, w => w.StartsWith("Dynamic Memory held", StringComparison.Ordinal));
        Assert.EndsWith("or with Minimum factors in the sensitivity grid (--minimum-factors, which --sensitivity runs at 0.5 and 2 unless told none).", none, StringComparison.Ordinal);
    }

    /// <summary>
    /// Imported at Startup ÷ 2, twice the Minimum is Minimum = Startup: Dynamic Memory then holds what static does, 1.00 ×,
    /// a "no" where the answer is yes, and the sentence says the answer depends on the Minimum, naming each cell's answer.
    /// </summary>
    [Fact]
    public void AnswerThatFlipsWithTheMinimum_IsSaidToDependOnIt()
    {
        CapacityResult r = CapacityStudy.Run(Imported(2), Options(0.5, 2));
        Assert.True(r.Verdict.Yes);
        Assert.Equal((0.5, 4.0), (r.MinimumSensitivity[0].Factor, r.MinimumSensitivity[0].Divisor));
        MinimumCell atStartup = r.MinimumSensitivity[1];
        Assert.Equal(1.0, atStartup.Divisor);
        Assert.False(atStartup.Verdict.Yes);
        Assert.Equal(1.0, atStartup.Verdict.Ratio.Median);
        string headline = new CompareReport(r, 1).Headline();
        Assert.Contains("**Sensitivity to the VMs' Minimum: the answer depends on it**", headline, StringComparison.Ordinal);
        Assert.Contains("1.00 × at Minimum × 2 (Startup ÷ 1) (no)", headline, StringComparison.Ordinal);
        Assert.Contains("at Minimum × 0.5 (Startup ÷ 4) (yes)", headline, StringComparison.Ordinal);
    }

    /// <summary>
    /// A fleet of static VMs (import --static) has no Minimum: no "bound by the Minimum", no Minimum rule, a warning that
    /// says the VMs are static (before stop 55's review the report said it was bound by Minimum = Startup ÷ 4 and advised
    /// another divisor, which changes nothing).
    /// </summary>
    [Fact]
    public void StaticVms_AreSaidToBeStatic_NotBoundByAMinimum()
    {
        var rule = new VmSettingsRule { DynamicMemory = false };
        TraceVm[] vms = [.. Enumerable.Range(0, 20).Select(i => new TraceVm($"vm-{i}", rule.FromProvisionedMb(Sizes[i % Sizes.Length], out _)))];
        var metadata = new TraceMetadata();
        metadata.Set("settings.minimum_divisor", "4").Set("settings.dynamic_memory", false);
        TraceSeries s = TraceSeries.FromValues("t", 300, vms, 16, [.. Enumerable.Repeat(200, 20 * 16)], metadata);
        CapacityResult r = CapacityStudy.Run(s, Options(0.5, 2));
        Assert.False(r.DynamicMemoryAtMinimum);
        Assert.Equal(0, r.PoolFloorMb);
        Assert.Contains(r.Warnings, w => w.StartsWith("All 20 VMs the draws pick from are static", StringComparison.Ordinal));
        Assert.DoesNotContain(r.Warnings, w => w.Contains("about their Minimum", StringComparison.Ordinal));
        Assert.Empty(r.MinimumSensitivity); // asked for, but a static VM has no Minimum: left out of the result
        Assert.DoesNotContain("Sensitivity to the VMs' Minimum", new CompareReport(r, 1).Markdown(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Factors below 0.01 that the command line takes as two (more than 0.01 % apart) are labelled apart in report.md:
    /// six decimals read 0.001 and 0.0010002 both as "Minimum × 0.001" (two rows alike but for their numbers). A label
    /// carries as many decimals as its factors need to read apart, six where those do (0.004 stays "0.004"); a library
    /// caller's factors as close as 0.5 and 0.5000001 likewise.
    /// </summary>
    [Fact]
    public void Cells_OfFactorsThatReadAlikeAtSixDecimals_AreLabelledApart()
    {
        static string[] Labels(CapacityResult r) => [.. new CompareReport(r, 1).Markdown().Split('\n')
            .Where(l => l.StartsWith("| Minimum × ", StringComparison.Ordinal)).Select(l => l.Split('|')[1].Trim())];

        TraceSeries noRule = Imported(4, recordRule: false); // labels without a divisor: the factor alone
        double[] factors = DmKernel.Cli.Commands.CompareCommand.ParseMinimumFactors("0.001,0.0010002,0.004");
        Assert.Equal(["Minimum × 0.001", "Minimum × 0.0010002", "Minimum × 0.004"], Labels(CapacityStudy.Run(noRule, Options(factors))));
        Assert.Equal(["Minimum × 0.5", "Minimum × 0.5000001"], Labels(CapacityStudy.Run(noRule, Options(0.5, 0.5000001))));
        Assert.Equal(["Minimum × 0.5", "Minimum × 2"], Labels(CapacityStudy.Run(noRule, Options(0.5, 2))));
    }

    /// <summary>
    /// Labels where no import divisor gives a cell: × 2 of ÷ 1 holds the Minimum at Startup, × 2 of ÷ 3 is ÷ 1.5 (the
    /// importer takes whole divisors only); comparison.json then leaves minimumDivisor out.
    /// </summary>
    [Fact]
    public void Cells_NoImportDivisorGives_AreLabelledSo()
    {
        MinimumCell Cell(double factor, double? divisor) => new(factor, divisor, 0, null!, null!, null!);
        Assert.Equal("Minimum × 2 (at Startup: it cannot pass it)", CompareReport.MinimumLabel(Cell(2, 0.5)));
        Assert.Equal("Minimum × 2 (Startup ÷ 1.5: no import divisor gives it)", CompareReport.MinimumLabel(Cell(2, 1.5)));
        Assert.Equal("Minimum × 0.5 (Startup ÷ 2048: no import divisor gives it)", CompareReport.MinimumLabel(Cell(0.5, 2048)));
        // Near a whole divisor but outside its 0.01 %: enough digits to tell it apart (before the review of stop 56: "÷ 4").
        Assert.Equal("Minimum × 1.00011 (Startup ÷ 3.99956: no import divisor gives it)", CompareReport.MinimumLabel(Cell(1.00011, 4 / 1.00011)));
        Assert.Equal("Minimum × 0.5 (Startup ÷ 8)", CompareReport.MinimumLabel(Cell(0.5, 8)));
        Assert.Equal("Minimum × 0.5", CompareReport.MinimumLabel(Cell(0.5, null)));

        CapacityResult one = CapacityStudy.Run(Imported(1), Options(0.5, 2));
        Assert.Equal(one.Densities[0].Seeds.Select(x => x.VmsPerHost), one.MinimumSensitivity[1].DynamicMemory.Seeds.Select(x => x.VmsPerHost)); // at Startup: as given
        string path = Path.Combine(Path.GetTempPath(), $"dmk-min1-{Guid.NewGuid():N}.json");
        try
        {
            CompareReport.WriteJson(path, one, 1);
            JsonArray cells = JsonNode.Parse(File.ReadAllText(path))!["minimumSensitivity"]!.AsArray();
            Assert.Equal(2.0, (double)cells[0]!["minimumDivisor"]!);
            Assert.Null(cells[1]!["minimumDivisor"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(2000.0)]
    public void BadFactors_AreRefusedByName(double factor)
    {
        var e = Assert.Throws<InvariantOutOfRangeException>(() => Options(factor).Validate());
        Assert.Equal(nameof(CapacityOptions.MinimumSensitivity), e.ParamName);
        Assert.Throws<InvariantOutOfRangeException>(() => Imported(4).WithMinimum(factor));
        var twice = Assert.Throws<ArgumentException>(() => Options(2, 2).Validate());
        Assert.Equal(nameof(CapacityOptions.MinimumSensitivity), twice.ParamName);
    }
}
