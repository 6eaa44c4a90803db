using DmKernel.Cli.Commands;

namespace DmKernel.Tests.Cli;

/// <summary>
/// Plain progress lines at the edge of their interval and after a resume (the ETA from this run's own pace), and what a
/// saved run fingerprint must look like to be read: its exact first line, one <c>name=value</c> per line with a name,
/// values that may themselves hold '='.
/// </summary>
public sealed class ProgressAndFingerprintTests
{
    /// <summary>
    /// A line once the interval has passed, the moment it has (10 s exactly); after a resume at tick 500 of 1000 the ETA
    /// is the time so far over this run's ticks (20 s for 100) times the ticks left (400): 1:20, and "unknown" while this run has done none.
    /// </summary>
    [Fact]
    public void PlainProgress_LineAtExactlyTheInterval_EtaFromThisRunsTicks()
    {
        var output = new StringWriter();
        TimeSpan now = TimeSpan.Zero;
        var progress = new PlainProgress(output, "replay t.dmt", totalTicks: 1000, ticksAtStart: 500, TimeSpan.FromSeconds(10), () => now);
        now = TimeSpan.FromSeconds(10);
        progress.Tick(500, () => "r");
        now = TimeSpan.FromSeconds(20);
        progress.Tick(600, () => "r");
        now = TimeSpan.FromSeconds(29);
        progress.Tick(690, () => "r"); // 9 s after the last line: none
        Assert.Equal(2, progress.Lines);
        Assert.Equal(
            ["replay t.dmt: 500 of 1000 ticks (50.0 %), r, ETA unknown", "replay t.dmt: 600 of 1000 ticks (60.0 %), r, ETA 1:20"],
            output.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void PlainProgress_AfterAResume_EtaIsThisRunsPaceOverTheTicksLeft()
    {
        var output = new StringWriter();
        TimeSpan now = TimeSpan.FromSeconds(10);
        var progress = new PlainProgress(output, "replay t.dmt", totalTicks: 1000, ticksAtStart: 500, TimeSpan.FromSeconds(10), () => now);
        progress.Tick(600, () => "r");
        Assert.Equal("replay t.dmt: 600 of 1000 ticks (60.0 %), r, ETA 0:40", output.ToString().TrimEnd('\r', '\n'));
    }

    [Theory]
    [InlineData("dmkernel-run/1\n=2048")] // a line without a name
    [InlineData("dmkernel-run/1\ntrace=a.dmt\n--reserve 2048")] // a line without '='
    [InlineData("dmkernel-run/10\ntrace=a.dmt")] // another format
    [InlineData("dmkernel-run/1x\ntrace=a.dmt")]
    public void RunFingerprint_NotAFingerprint_IsNotRead(string saved)
    {
        Assert.Null(RunFingerprint.TryParse(saved));
        Assert.Null(new RunFingerprint().Add("trace", "a.dmt").Differences(saved));
    }

    [Fact]
    public void RunFingerprint_ValueHoldingEquals_ReadsBackWhole_ANameWithEqualsOrALineBreakIsRefused()
    {
        var fp = new RunFingerprint().Add("trace", "a.dmt").Add("--policy", "esx:idleTaxPerMille=0");
        KeyValuePair<string, string>[] entries = [new("trace", "a.dmt"), new("--policy", "esx:idleTaxPerMille=0")];
        Assert.Equal(entries, RunFingerprint.TryParse(fp.ToString()));
        Assert.Empty(fp.Differences(fp.ToString())!);
        Assert.Equal(["--policy esx:idleTaxPerMille=0 in shard 0, esx:idleTaxPerMille=5 in shard 1"],
            new RunFingerprint().Add("trace", "a.dmt").Add("--policy", "esx:idleTaxPerMille=5").Differences(fp.ToString(), "in shard 0", "in shard 1"));
        Assert.Throws<ArgumentException>(() => new RunFingerprint().Add("a=b", "1"));
        Assert.Throws<ArgumentException>(() => new RunFingerprint().Add("a\nb", "1"));
        Assert.Throws<ArgumentException>(() => new RunFingerprint().Add("a", "1\nb=2"));
    }
}

/// <summary>
/// generate's and compare's progress lines (<c>ProgressLine</c>): none in the command's first interval, then one the
/// moment the interval has passed since the last (2 s on a terminal, 10 s when stderr is redirected), the elapsed
/// seconds rounded to whole seconds.
/// </summary>
public sealed class ProgressLineTests
{
    private static (DmKernel.Cli.Output.ProgressLine Progress, StringWriter Output, Action<double> SetSeconds) Make(bool redirected)
    {
        var output = new StringWriter();
        TimeSpan now = TimeSpan.Zero;
        var progress = new DmKernel.Cli.Output.ProgressLine(output, "generate", redirected, () => now);
        return (progress, output, s => now = TimeSpan.FromSeconds(s));
    }

    private static string[] Lines(StringWriter output) => output.ToString().ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 10)]
    public void ALine_OnlyOnceTheIntervalHasPassed_SinceTheStartAndTheLastLine(bool redirected, int every)
    {
        (var progress, var output, var at) = Make(redirected);
        at(0);
        progress.Report("a");
        at(every - 0.001);
        progress.Report("b"); // still the first interval: none
        Assert.Empty(Lines(output));
        at(every);
        progress.Report("c"); // exactly the interval: a line
        at(2 * every - 0.001);
        progress.Report("d");
        at(2 * every + 0.4);
        progress.Report("e");
        at(3 * every + 0.4);
        progress.Report("f");
        Assert.Equal(
            [$"generate: c ({every} s)", $"generate: e ({2 * every} s)", $"generate: f ({3 * every} s)"],
            Lines(output));
    }

    [Fact]
    public void TheIntervals_AreTwoSecondsOnATerminal_TenWhenRedirected()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), DmKernel.Cli.Output.ProgressLine.TerminalEvery);
        Assert.Equal(TimeSpan.FromSeconds(10), DmKernel.Cli.Output.ProgressLine.RedirectedEvery);
        (var terminal, var tOut, var tAt) = Make(redirected: false);
        (var redirected, var rOut, var rAt) = Make(redirected: true);
        tAt(5);
        rAt(5);
        terminal.Report("x");
        redirected.Report("x");
        Assert.Equal(["generate: x (5 s)"], Lines(tOut));
        Assert.Empty(Lines(rOut));
    }

    [Fact]
    public void TheElapsedSeconds_AreRoundedToWholeSeconds()
    {
        (var progress, var output, var at) = Make(redirected: false);
        at(12_345.6);
        progress.Report("1.5 M VM-ticks");
        Assert.Equal(["generate: 1.5 M VM-ticks (12346 s)"], Lines(output));
    }
}
