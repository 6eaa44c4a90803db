using DmKernel.Benchmarks;

namespace DmKernel.Tests.Bench;

/// <summary>
/// The probe's ratios divide by MinFloor wherever <c>--paths</c> puts it; ImportBench's options are what its summary says;
/// CI's script fails when the bench run fails; the exact allocation check's parallel cases measure their balancer's workers.
/// </summary>
public class ProbeAndScriptTests
{
    [Fact]
    public void Probe_TheFloorOfItsRatios_IsMinFloorWhereverThePathsPutIt()
    {
        Assert.Equal(0, Probe.FloorIndex([TickPath.MinFloor, TickPath.V512, TickPath.ColFloor, TickPath.V256, TickPath.V128])); // the default order
        Assert.Equal(1, Probe.FloorIndex([TickPath.V512, TickPath.MinFloor])); // README's example: --paths V512,MinFloor
        Assert.Equal(-1, Probe.FloorIndex([TickPath.V512, TickPath.V256]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ImportBench_PlacesOnOneTebibyteHosts_OnItsThreadsParameter(int threads)
    {
        DmKernel.Traces.BitbrainsImportOptions options = ImportBench.Options(threads);
        Assert.Equal(1_048_576, options.PlaceOnHostMb); // 1 TiB in MB
        Assert.Equal(threads, options.ReadThreads);
    }

    [Fact]
    public void CiBenchScript_StopsOnAFailure_AndRunsCiMode()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "DmKernel.sln")))
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("no DmKernel.sln above the test binaries");
        string[] lines = File.ReadAllLines(Path.Combine(dir, "bench", "ci-bench.sh"));
        Assert.Equal("#!/usr/bin/env bash", lines[0]);
        Assert.Contains("set -euo pipefail", lines);

        // The bench run is the last command, so its exit code (CiMode.Run's: 1 on any failure) is the script's.
        Assert.Equal("dotnet run -c Release --project bench/DmKernel.Benchmarks -- --ci", lines[^1]);
        Assert.Equal("--ci", CiMode.Flag);
    }

    [Theory]
    [InlineData(PolicyKind.Mom, PolicyBenchPath.Scalar)]
    [InlineData(PolicyKind.Esx, PolicyBenchPath.Vector)]
    public void PolicyTickBench_TicksItsPolicy_OnItsPath_OnOneThread(PolicyKind policy, PolicyBenchPath path)
    {
        var bench = new PolicyTickBench { Vms = 1_000, ShortSharePercent = 25, Policy = policy, Path = path };
        bench.Setup();
        try
        {
            Balancer balancer = bench.BalancerForTests;
            Assert.Equal(policy, balancer.Policy.Kind);
            Assert.Equal(path == PolicyBenchPath.Scalar ? KernelPath.Scalar : KernelPaths.Widest, balancer.Path);
            Assert.Equal(1, balancer.Threads);
        }
        finally
        {
            bench.Cleanup();
        }
    }

    [Fact]
    public void AllocationCheck_ItsParallelCases_MeasureTheirOwnBalancersWorkers()
    {
        foreach (AllocationCheck.Case c in AllocationCheck.Cases().Where(c => c.Bench is ParallelTickBench))
        {
            c.Setup();
            try
            {
                AllocationCheck.WorkerCounters workers = c.Workers()!;
                Assert.NotNull(workers);
                Assert.Equal(0, workers.RoundsRecorded());
                workers.Track();
                c.Tick();
                c.Tick();
                Assert.True(workers.RoundsRecorded() >= 2); // the case's own tick reaches these workers
                Balancer balancer = ((ParallelTickBench)c.Bench).Balancer;
                Assert.Equal(2, balancer.Threads);
                Assert.Equal(balancer.WorkerRoundsRecorded, workers.RoundsRecorded());
                Assert.Equal(balancer.WorkerAllocatedBytes, workers.AllocatedBytes());
            }
            finally
            {
                c.Cleanup();
            }
        }
    }
}
