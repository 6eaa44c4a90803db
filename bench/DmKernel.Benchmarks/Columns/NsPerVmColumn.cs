using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DmKernel.Benchmarks.Columns;

/// <summary>The mean time of one operation divided by the <c>Vms</c> parameter: nanoseconds per VM and tick.</summary>
internal sealed class NsPerVmColumn : IColumn
{
    public static readonly NsPerVmColumn Instance = new();

    public string Id => nameof(NsPerVmColumn);

    public string ColumnName => "ns/VM";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Mean time of one tick divided by the number of VMs, in nanoseconds";

    /// <summary>Only where a case has a <c>Vms</c> parameter (ReclaimBench and AddVmBench count VMs per host: their column read NA on every row).</summary>
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Parameters["Vms"] is int);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (mean is null || benchmarkCase.Parameters["Vms"] is not int vms || vms <= 0)
            return "NA";
        return (mean.Value / vms).ToString("0.000", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
