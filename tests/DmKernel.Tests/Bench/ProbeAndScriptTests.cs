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

    /// <summary>
    /// The bench program's bad arguments and environment variables, as a real process: an error line naming what is wrong
    /// and exit code 2 (before stop 53: an unhandled exception, a stack trace and exit 134; <c>--ci --bogus</c> ran CI mode),
    /// and a filter that matches no benchmark exit 1 (before: 0).
    /// </summary>
    [Theory]
    [InlineData(2, "error: --probe: VMS 'abc' is not a whole number of at least 1.", null, "--probe", "abc")]
    [InlineData(2, "error: --probe: WORKLOAD 'foo' is not one of Steady, Realistic.", null, "--probe", "1000", "foo", "25")]
    [InlineData(2, "error: --paths 'V1024' is not one of ", null, "--probe", "1000", "steady", "0", "--paths", "V1024")]
    [InlineData(2, "error: --ci takes no other argument; got '--bogus'.", null, "--ci", "--bogus")]
    [InlineData(2, "error: --alloc-check takes no other argument; got '--filter' '*'.", null, "--alloc-check", "--filter", "*")]
    [InlineData(2, "error: DMKERNEL_BENCH_VMS = 'abc': 'abc' is not a positive VM count.", "DMKERNEL_BENCH_VMS=abc", "--filter", "*.TickBench.*")]
    [InlineData(2, "error: DMKERNEL_BENCH_PATHS = 'V1024': 'V1024' is not a path", "DMKERNEL_BENCH_PATHS=V1024", "--filter", "*.TickBench.*")]
    [InlineData(1, "FAIL: no benchmark ran: the filter matched none", null, "--filter", "*NoSuchBench*")]
    public async Task BenchProgram_BadArgumentsAndEnvironment_AreAnErrorLine_NotACrash(int exit, string expected, string? environment, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DmKernel.Benchmarks.dll"));
        foreach (string a in args)
            start.ArgumentList.Add(a);
        start.Environment.Remove("DMKERNEL_BENCH_VMS");
        start.Environment.Remove("DMKERNEL_BENCH_PATHS");
        if (environment?.Split('=', 2) is [string name, string value])
            start.Environment[name] = value;
        using var work = new DmKernel.Tests.Traces.TempDir();
        start.WorkingDirectory = work.Path; // BenchmarkDotNet writes its artifacts under the working folder
        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            await process.WaitForExitAsync(limit.Token);
        string output = await stdout + await stderr;
        Assert.True(exit == process.ExitCode, $"exit {process.ExitCode}: {output}");
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
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
                Assert.Equal(0, workers.PiecesRun());
                workers.Track();
                // The case's own tick reaches these workers (the threads claim its pieces as they go: a worker woken from
                // sleep can find a small tick's pieces all taken, so tick until one ran there, up to a thousand ticks).
                for (int t = 0; t < 1_000 && workers.PiecesRun() == 0; t++)
                    c.Tick();
                Assert.True(workers.PiecesRun() >= 1 || Environment.ProcessorCount == 1);
                Balancer balancer = ((ParallelTickBench)c.Bench).Balancer;
                Assert.Equal(2, balancer.Threads);
                Assert.Equal(balancer.WorkerPiecesRun, workers.PiecesRun());
                Assert.Equal(balancer.WorkerAllocatedBytes, workers.AllocatedBytes());
            }
            finally
            {
                c.Cleanup();
            }
        }
    }
}
