using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Parameters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DmKernel.Benchmarks.Columns;

/// <summary>
/// For suites with a <c>Threads</c> parameter: the mean of the same method and parameters with
/// <c>Threads = 1</c> divided by this case's mean (2.00 = twice as fast as one thread).
/// </summary>
internal sealed class SpeedupColumn : IColumn
{
    public static readonly SpeedupColumn Instance = new();

    public string Id => nameof(SpeedupColumn);

    public string ColumnName => "Speedup";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Mean with Threads=1 divided by this mean (same method and other parameters)";

    public bool IsAvailable(Summary summary)
    {
        foreach (BenchmarkCase benchmarkCase in summary.BenchmarksCases)
        {
            if (benchmarkCase.Parameters["Threads"] is int)
                return true;
        }

        return false;
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        BenchmarkCase? single = FindSingleThreaded(summary, benchmarkCase);
        double? singleMean = single is null ? null : summary[single]?.ResultStatistics?.Mean;
        if (mean is not > 0 || singleMean is null)
            return "NA";
        return (singleMean.Value / mean.Value).ToString("0.00", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;

    /// <summary>The case with the same descriptor, job and parameters as <paramref name="benchmarkCase"/> but Threads = 1.</summary>
    private static BenchmarkCase? FindSingleThreaded(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Parameters["Threads"] is not int)
            return null;
        foreach (BenchmarkCase other in summary.BenchmarksCases)
        {
            if (other.Descriptor == benchmarkCase.Descriptor && other.Job == benchmarkCase.Job
                && other.Parameters["Threads"] is 1 && SameExceptThreads(other.Parameters, benchmarkCase.Parameters))
            {
                return other;
            }
        }

        return null;
    }

    private static bool SameExceptThreads(ParameterInstances a, ParameterInstances b)
    {
        if (a.Count != b.Count)
            return false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i].Name != "Threads" && !Equals(a[i].Value, b[i].Value))
                return false;
        }

        return true;
    }
}
