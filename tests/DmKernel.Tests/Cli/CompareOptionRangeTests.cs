using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// compare's counted options at the edges of the ranges help states (--hosts-per-probe 1..1024, --seeds 1..100,
/// --threads 1..1024): just outside, refused by name with exit 2 and the range; on the edge, accepted, so the command
/// goes on to open the trace (here a missing one: exit 1 naming it).
/// </summary>
[Collection(nameof(CliTests))]
public sealed class CompareOptionRangeTests
{
    [Theory]
    [InlineData("--hosts-per-probe", "0", "error: --hosts-per-probe 0 is out of range: expected 1..1024.")]
    [InlineData("--hosts-per-probe", "1025", "error: --hosts-per-probe 1025 is out of range: expected 1..1024.")]
    [InlineData("--seeds", "0", "error: --seeds 0 is out of range: expected 1..100.")]
    [InlineData("--seeds", "101", "error: --seeds 101 is out of range: expected 1..100.")]
    [InlineData("--threads", "1025", "error: --threads 1025 is out of range: expected 1..1024.")]
    public void Compare_CountJustOutsideItsRange_IsRefusedByName_ExitTwo(string option, string value, string expected)
    {
        using var tmp = new TempDir();
        (int exit, string stdout, string stderr) = CliTests.Run("compare", tmp.File("missing.dmt"), "-o", tmp.File("cmp"), option, value);
        Assert.Equal(2, exit);
        Assert.Equal(expected, stderr.TrimEnd('\r', '\n'));
        Assert.Equal("", stdout);
    }

    [Theory]
    [InlineData("--hosts-per-probe", "1")]
    [InlineData("--hosts-per-probe", "1024")]
    [InlineData("--seeds", "1")]
    [InlineData("--seeds", "100")]
    [InlineData("--threads", "1024")]
    public void Compare_CountOnTheEdgeOfItsRange_IsAccepted(string option, string value)
    {
        using var tmp = new TempDir();
        string missing = tmp.File("missing.dmt");
        (int exit, _, string stderr) = CliTests.Run("compare", missing, "-o", tmp.File("cmp"), option, value);
        Assert.Equal(1, exit);
        Assert.Equal($"error: trace file '{missing}' does not exist.", stderr.TrimEnd('\r', '\n'));
        Assert.False(Directory.Exists(tmp.File("cmp")));
    }
}
