using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Parameters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DmKernel.Benchmarks.Columns;

/// <summary>
/// For <see cref="TickBench"/>: this case's mean divided by the mean of the case with the same parameters whose
/// <c>Path</c> is <paramref name="floor"/>, from the same run (1.00 = as fast as that floor); with
/// <paramref name="median"/>, the same of the medians, which a burst of load from other tenants of a shared machine in
/// a few iterations moves less than the means.
/// </summary>
internal sealed class FloorRatioColumn(TickPath floor, string name, bool median = false) : IColumn
{
    public static readonly FloorRatioColumn Minimal = new(TickPath.MinFloor, "/MinFloor");

    public static readonly FloorRatioColumn MinimalOfMedians = new(TickPath.MinFloor, "Median/MinFloor", median: true);

    public static readonly FloorRatioColumn SameColumns = new(TickPath.ColFloor, "/ColFloor");

    /// <summary>The kernel against its scalar reference, in the same run (Vector512's mean over Scalar's: below 1 is faster).</summary>
    public static readonly FloorRatioColumn ScalarReference = new(TickPath.Scalar, "/Scalar");

    public string Id => nameof(FloorRatioColumn) + "." + floor + (median ? ".Median" : "");

    public string ColumnName { get; } = name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 2;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => median
        ? $"Median divided by the median of Path={floor} with the same other parameters, in this run"
        : $"Mean divided by the mean of Path={floor} with the same other parameters, in this run";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Parameters["Path"] is TickPath);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? value = Statistic(summary, benchmarkCase);
        BenchmarkCase? other = Find(summary, benchmarkCase);
        double? floorValue = other is null ? null : Statistic(summary, other);
        if (value is null || floorValue is not > 0)
            return "NA";
        return (value.Value / floorValue.Value).ToString("0.00", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;

    private double? Statistic(Summary summary, BenchmarkCase benchmarkCase)
        => median ? summary[benchmarkCase]?.ResultStatistics?.Median : summary[benchmarkCase]?.ResultStatistics?.Mean;

    private BenchmarkCase? Find(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Parameters["Path"] is not TickPath)
            return null;
        foreach (BenchmarkCase other in summary.BenchmarksCases)
        {
            if (other.Descriptor == benchmarkCase.Descriptor && other.Job == benchmarkCase.Job
                && other.Parameters["Path"] is TickPath p && p == floor && SameExceptPath(other.Parameters, benchmarkCase.Parameters))
            {
                return other;
            }
        }

        return null;
    }

    private static bool SameExceptPath(ParameterInstances a, ParameterInstances b)
    {
        if (a.Count != b.Count)
            return false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i].Name != "Path" && !Equals(a[i].Value, b[i].Value))
                return false;
        }

        return true;
    }
}

/// <summary>For <see cref="TickBench"/>: the bytes per VM-tick the case moves (<see cref="TickBench.BytesPerVmTick"/>).</summary>
internal sealed class BytesPerVmColumn : IColumn
{
    public static readonly BytesPerVmColumn Instance = new();

    public string Id => nameof(BytesPerVmColumn);

    public string ColumnName => "B/VM-tick";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 3;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes per VM and tick the case reads plus writes (declared): the layout's tick, plus 12 for SetCommitted on the realistic kernel; 36 for the minimal floor";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Parameters["Path"] is TickPath);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        => benchmarkCase.Parameters["Path"] is TickPath path && benchmarkCase.Parameters["Workload"] is TickWorkload workload
            ? TickBench.BytesPerVmTick(path, workload).ToString(CultureInfo.InvariantCulture)
            : "NA";

    public override string ToString() => ColumnName;
}
