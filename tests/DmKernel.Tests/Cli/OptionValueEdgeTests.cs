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
}
