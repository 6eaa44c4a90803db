using System.Collections.Immutable;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Running;

namespace DmKernel.Benchmarks;

/// <summary>
/// <see cref="BenchConfig"/> plus an execution order that runs the measurements compared with each other next to
/// each other: per fleet size, Scalar, then Floor and Simd without short hosts, Simd and Floor with them. This
/// machine's speed drifts over minutes, so Simd / Floor and "25 % short / none" are each taken from neighbouring
/// processes rather than from runs minutes apart. The summary tables keep their order.
/// </summary>
internal sealed class TickBenchConfig : ManualConfig
{
    public TickBenchConfig()
    {
        Add(new BenchConfig());
        Orderer = new NeighbourOrderer();
    }

    private sealed class NeighbourOrderer : DefaultOrderer
    {
        public override IEnumerable<BenchmarkCase> GetExecutionOrder(
            ImmutableArray<BenchmarkCase> benchmarksCase, IEnumerable<BenchmarkLogicalGroupRule>? order = null)
            => benchmarksCase
                .OrderBy(c => Convert.ToInt32(c.Parameters["Vms"], System.Globalization.CultureInfo.InvariantCulture))
                .ThenBy(Rank);

        /// <summary>The tables as before: by short share, then fleet size, then Scalar, Simd, Floor.</summary>
        public override IEnumerable<BenchmarkCase> GetSummaryOrder(ImmutableArray<BenchmarkCase> benchmarksCases, BenchmarkDotNet.Reports.Summary summary)
            => benchmarksCases
                .OrderBy(c => Convert.ToInt32(c.Parameters["ShortSharePercent"], System.Globalization.CultureInfo.InvariantCulture))
                .ThenBy(c => Convert.ToInt32(c.Parameters["Vms"], System.Globalization.CultureInfo.InvariantCulture))
                .ThenBy(c => c.Descriptor.WorkloadMethod.Name switch
                {
                    nameof(TickBench.Scalar) => 0,
                    nameof(TickBench.Simd) => 1,
                    _ => 2,
                });

        private static int Rank(BenchmarkCase c)
        {
            bool withShort = Convert.ToInt32(c.Parameters["ShortSharePercent"], System.Globalization.CultureInfo.InvariantCulture) != 0;
            return c.Descriptor.WorkloadMethod.Name switch
            {
                nameof(TickBench.Scalar) => withShort ? 1 : 0,
                nameof(TickBench.Floor) => withShort ? 5 : 2,
                _ => withShort ? 4 : 3,
            };
        }
    }
}
