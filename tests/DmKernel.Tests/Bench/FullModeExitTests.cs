using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Validators;
using DmKernel.Benchmarks;

namespace DmKernel.Tests.Bench;

/// <summary>
/// Full mode's exit code (<see cref="FullModeExit"/>), on summaries made from TickBench's real cases (nothing runs):
/// BenchmarkSwitcher itself returns summaries, not a code, so before it a failed benchmark exited 0.
/// </summary>
public class FullModeExitTests
{
    private static readonly double[] Times = [1_000, 1_000, 1_000];

    private static (int Code, string Log) Exit(params Summary[] summaries)
    {
        var log = new AccumulationLogger();
        return (FullModeExit.Of(summaries, log), log.GetLog());
    }

    [Fact]
    public void EveryBenchmarkRan_ExitsZero_AndLogsNothing()
    {
        BenchmarkCase[] cases = BenchColumnTests.Cases(typeof(TickBench));
        Summary summary = BenchColumnTests.SummaryOf(cases.Select(c => BenchColumnTests.Report(c, Times)));

        (int code, string log) = Exit(summary, summary);

        Assert.Equal(0, code);
        Assert.Equal("", log);
    }

    [Fact]
    public void NothingSelected_ExitsZero()
        => Assert.Equal(0, Exit().Code);

    [Fact]
    public void ABenchmarkThatDidNotComplete_ExitsOne_NamingIt()
    {
        BenchmarkCase[] cases = BenchColumnTests.Cases(typeof(TickBench));
        BenchmarkCase failed = cases[^1];
        Summary good = BenchColumnTests.SummaryOf(cases.Select(c => BenchColumnTests.Report(c, Times)));
        Summary bad = BenchColumnTests.SummaryOf(cases.Select(c => BenchColumnTests.Report(c, Times, success: c != failed)));

        // In the second of two summaries, the last case: every summary and every report is looked at.
        (int code, string log) = Exit(good, bad);

        Assert.Equal(1, code);
        Assert.Contains(failed.DisplayInfo, log, StringComparison.Ordinal);
        Assert.Single(log.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public void ARefusedConfiguration_ExitsOne()
    {
        Summary refused = BenchColumnTests.SummaryOf([], new ValidationError(isCritical: true, "no benchmark method"));

        (int code, string log) = Exit(refused);

        Assert.Equal(1, code);
        Assert.Contains("configuration was refused", log, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonCriticalValidationWarning_DoesNotFailTheRun()
        => Assert.Equal(0, Exit(BenchColumnTests.SummaryOf([], new ValidationError(isCritical: false, "a warning"))).Code);
}
