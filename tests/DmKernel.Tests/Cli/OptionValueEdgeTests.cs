using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// The plain-words parser at the ends of a whole number's type: a value with a leading '+' that does not fit is "too
/// large" (it is a whole number), and the type's own smallest value is parsed, so the option's range check answers it.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class OptionValueEdgeTests
{
    [Theory]
    [InlineData("--threads", "+99999999999", "error: --threads: '+99999999999' is too large: expected a whole number of at most 2147483647.")]
    [InlineData("--reserve", "-2147483648", "error: --reserve: -2147483648 is out of range")]
    public void Replay_WholeNumberAtTheEndsOfItsType_IsAnsweredByItsRange(string option, string value, string expected)
    {
        using var tmp = new TempDir();
        (int exit, string stdout, string stderr) = CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), option, value);
        Assert.Equal(2, exit);
        Assert.StartsWith(expected, stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    /// <summary>
    /// --boot-ticks outside 0..1000000 is answered by the option's range, with the usage hint of every value the parser
    /// refuses, however far outside (before the review of stop 56: "at most 2147483647", int's limit, for 99999999999,
    /// and "-1 is out of range: expected 0..1000000." without the hint).
    /// </summary>
    [Theory]
    [InlineData("-1")]
    [InlineData("1000001")]
    [InlineData("99999999999")]
    [InlineData("-99999999999999999999")]
    [InlineData("+99999999999999999999")]
    public void Replay_BootTicksOutsideItsRange_NamesTheOptionsRange_WithTheUsageHint(string value)
    {
        using var tmp = new TempDir();
        (int exit, string stdout, string stderr) = CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--boot-ticks", value);
        Assert.Equal(2, exit);
        Assert.Equal($"error: --boot-ticks: '{value}' is out of range: expected a whole number of ticks from 0 to 1000000.\n(dmkernel replay --help shows the usage)\n", stderr.ReplaceLineEndings("\n"));
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(tmp.File("out")));

        (exit, _, stderr) = CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--boot-ticks", "1e3");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --boot-ticks: '1e3' is not a whole number of ticks.", stderr, StringComparison.Ordinal);
    }
}
