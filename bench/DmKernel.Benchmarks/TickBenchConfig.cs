using System.Collections.Immutable;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using DmKernel.Benchmarks.Columns;

namespace DmKernel.Benchmarks;

/// <summary>
/// <see cref="BenchConfig"/> plus the median, the floor-ratio columns (of means and of medians) and the bytes column, and an execution order that runs the
/// measurements compared with each other next to each other: per fleet size, workload and short share, the
/// minimal floor, V512, the same-columns floor, V256, V128, then Scalar. This machine's speed drifts over minutes,
/// so each ratio is taken from neighbouring processes rather than from runs minutes apart. The summary table is
/// grouped by workload, short share and size.
/// </summary>
internal sealed class TickBenchConfig : ManualConfig
{
    public TickBenchConfig()
    {
        Add(new BenchConfig());
        AddColumn(StatisticColumn.Median);
        AddColumn(FloorRatioColumn.Minimal, FloorRatioColumn.MinimalOfMedians, FloorRatioColumn.SameColumns, FloorRatioColumn.ScalarReference, BytesPerVmColumn.Instance);
        Orderer = new NeighbourOrderer();
    }

    private static int Int(BenchmarkCase c, string name) => Convert.ToInt32(c.Parameters[name], CultureInfo.InvariantCulture);

    private static TickPath PathOf(BenchmarkCase c) => (TickPath)c.Parameters["Path"];

    private static TickWorkload WorkloadOf(BenchmarkCase c) => (TickWorkload)c.Parameters["Workload"];

    private sealed class NeighbourOrderer : DefaultOrderer
    {
        public override IEnumerable<BenchmarkCase> GetExecutionOrder(
            ImmutableArray<BenchmarkCase> benchmarksCase, IEnumerable<BenchmarkLogicalGroupRule>? order = null)
            => benchmarksCase
                .OrderBy(c => Int(c, "Vms"))
                .ThenBy(WorkloadOf)
                .ThenBy(c => Int(c, "ShortSharePercent"))
                .ThenBy(c => Rank(PathOf(c)));

        public override IEnumerable<BenchmarkCase> GetSummaryOrder(ImmutableArray<BenchmarkCase> benchmarksCases, Summary summary)
            => benchmarksCases
                .OrderBy(WorkloadOf)
                .ThenBy(c => Int(c, "ShortSharePercent"))
                .ThenBy(c => Int(c, "Vms"))
                .ThenBy(PathOf);

        private static int Rank(TickPath path) => path switch
        {
            TickPath.MinFloor => 0,
            TickPath.V512 => 1,
            TickPath.ColFloor => 2,
            TickPath.V256 => 3,
            TickPath.V128 => 4,
            _ => 5,
        };
    }
}
