using DmKernel.Cli.Commands;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Cli;

/// <summary>
/// The edges of compare --minimum-factors (<see cref="CompareCommand.ParseMinimumFactors"/>) and of the divisor a factor
/// stands for (<see cref="TraceSeries.DivisorFor"/>), which <see cref="CompareMinimumFactorsTests"/> checks well inside
/// (a mutation round at stop 58 left them free): the range's ends accepted, just past them refused; "1" within 0.01 %
/// either side; the whole-divisor snap relative to the divisor (0.01 % of 20 is 0.002), down to a divisor of 1 and never
/// to 0; and 'none' on a trace of static VMs, which names no factors as dropped.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class MinimumFactorsEdgeTests
{
    [Fact]
    public void TheRangesEnds_AreAccepted_JustPastThemRefused()
    {
        Assert.Equal([1.0 / 1024, 1024.0], CompareCommand.ParseMinimumFactors("0.0009765625,1024"));
        foreach (string past in new[] { "0.0009765", "1024.001" })
        {
            var e = Assert.Throws<CliError>(() => CompareCommand.ParseMinimumFactors(past));
            Assert.StartsWith($"--minimum-factors: {past} is out of range:", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AFactorWithinOneHundredthOfAPercentOfOne_IsTheMinimumAsGiven_EitherSide()
    {
        foreach (string one in new[] { "1.00005", "0.99991", "0.99995" })
        {
            var e = Assert.Throws<CliError>(() => CompareCommand.ParseMinimumFactors(one));
            Assert.StartsWith($"--minimum-factors: {one} is the Minimum as given", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal([1.0002, 0.9998], CompareCommand.ParseMinimumFactors("1.0002,0.9998"));
    }

    [Fact]
    public void DivisorFor_SnapsWithinOneHundredthOfAPercentOfTheWholeDivisor_NotOfOne()
    {
        // 4 ÷ 0.19999 = 20.001: 0.005 % off 20, within 0.01 % of it (0.002), though 0.001 off: Startup ÷ 20.
        Assert.Equal(20, TraceSeries.DivisorFor(4, 0.19999));
        // 4 ÷ 0.1998 = 20.02: 0.1 % off: as it is.
        Assert.Equal(4 / 0.1998, TraceSeries.DivisorFor(4, 0.1998));

        // Down to a divisor of 1 (Minimum = Startup): 4 ÷ 3.9997 = 1.000075 is 1.
        Assert.Equal(1, TraceSeries.DivisorFor(4, 3.9997));

        // Never to 0: 1 ÷ 1024 stays 1/1024 (Startup × 1024, floored at Startup by the Minimum's rule).
        Assert.Equal(1.0 / 1024, TraceSeries.DivisorFor(1, 1024));
    }

    [Fact]
    public void MinimumFactorsNone_OnATraceOfStaticVms_NamesNoFactorsAsDropped()
    {
        // 'none' asks for no Minimum cells, which a static trace has anyway: nothing of the user's is dropped, so the
        // static line names no --minimum-factors (a factor given is named: CompareMinimumFactorsTests).
        using var tmp = new TempDir();
        string path = tmp.File("static.dmt");
        using (var w = new NativeTraceWriter(path, new TraceDescription(300, "static", new TraceMetadata()),
            [.. Enumerable.Range(0, 8).Select(i => new TraceVm($"vm{i}", VmSettings.Static(2048), 0))], [new TraceHost(65_536, 2048)]))
        {
            for (int t = 0; t < 12; t++)
                w.WriteTick([.. Enumerable.Range(0, 8).Select(i => 1000 + (10 * i))]);
            w.Complete();
        }

        (int exit, _, string stderr) = CliTests.Run("compare", path, "-o", tmp.File("c"), "--sensitivity", "--minimum-factors", "none", "--seeds", "1");
        Assert.True(exit == 0, stderr);
        Assert.Contains("compare: every VM of the trace is static (no Dynamic Memory): the sensitivity grid leaves the VMs' Minimum out (a static VM has none to vary).", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--minimum-factors", stderr, StringComparison.Ordinal);
    }
}
