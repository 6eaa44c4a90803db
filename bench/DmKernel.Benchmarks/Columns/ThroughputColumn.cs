using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DmKernel.Benchmarks.Columns;

/// <summary>Bytes processed per operation divided by the mean time of one operation, in MB (10^6 bytes) per second.</summary>
internal sealed class ThroughputColumn(string name, string legend, Func<long> bytesPerOperation) : IColumn
{
    private readonly Lazy<long> _bytes = new(bytesPerOperation);

    public string Id => nameof(ThroughputColumn) + "." + ColumnName;

    public string ColumnName { get; } = name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 2;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; } = legend;

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNs is not > 0)
            return "NA";
        return (_bytes.Value / 1e6 / (meanNs.Value / 1e9)).ToString("0.0", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
