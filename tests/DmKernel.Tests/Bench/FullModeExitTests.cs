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

    private static (int Code, string Log) Exit(params Summary[] summaries) => ExitWith(["--filter", "*.TickBench.*"], summaries);

    private static (int Code, string Log) ExitWith(string[] args, params Summary[] summaries)
    {
        var log = new AccumulationLogger();
        return (FullModeExit.Of(summaries, log, args), log.GetLog());
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

    /// <summary>
    /// No benchmark ran: a filter that matched none, or an option BenchmarkDotNet refused (it returns no summary then, after
    /// its own message), exits 1 saying so (before stop 53: 0, so a script with a mistyped filter passed); asking only for
    /// the list, the help, the version or the info exits 0.
    /// </summary>
    [Theory]
    [InlineData(1, "--filter", "*NoSuchBench*")]
    [InlineData(1, "--bogus")]
    [InlineData(1, "--job", "dry", "--filter")]
    [InlineData(1)]
    [InlineData(0, "--list", "flat")]
    [InlineData(0, "--filter", "*.TickBench.*", "--list", "tree")]
    [InlineData(0, "--help")]
    [InlineData(0, "-h")]
    [InlineData(0, "--version")]
    [InlineData(0, "--info")]
    public void NothingRan_ExitsOne_UnlessOnlyAListOrHelpWasAsked(int expected, params string[] args)
    {
        (int code, string log) = ExitWith(args);
        Assert.Equal(expected, code);
        if (expected == 1)
            Assert.StartsWith("FAIL: no benchmark ran: the filter matched none, or BenchmarkDotNet refused the arguments", log, StringComparison.Ordinal);
        else
            Assert.Equal("", log);
    }

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
    {
        BenchmarkCase[] cases = BenchColumnTests.Cases(typeof(TickBench));
        Summary warned = BenchColumnTests.SummaryOf(cases.Select(c => BenchColumnTests.Report(c, Times)), new ValidationError(isCritical: false, "a warning"));
        Assert.Equal(0, Exit(warned).Code);
    }
}
