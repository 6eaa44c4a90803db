using System.Text.RegularExpressions;
using DmKernel.Cli.Commands;

namespace DmKernel.Tests.Cli;

/// <summary>
/// <c>dmkernel demo</c>: the ranges its help states (<c>--ticks</c> 1..100000, <c>--every</c> at least 1), refused at
/// their edges with exit 2 and accepted on them, and what <c>--every</c> prints: every Nth tick, and every event's tick.
/// </summary>
[Collection(nameof(CliTests))]
public sealed partial class DemoCliTests
{
    [Theory]
    [InlineData("--ticks", "0", "error: --ticks 0 is out of range: expected 1..100000.")]
    [InlineData("--ticks", "100001", "error: --ticks 100001 is out of range: expected 1..100000.")]
    [InlineData("--every", "0", "error: --every 0 is out of range: expected at least 1.")]
    public void Demo_ValueJustOutsideItsRange_IsRefused_ExitTwo(string option, string value, string expected)
    {
        (int exit, string stdout, string stderr) = CliTests.Run("demo", option, value);
        Assert.Equal(2, exit);
        Assert.Equal(expected, stderr.TrimEnd('\r', '\n'));
        Assert.Equal("", stdout);
    }

    /// <summary>The ends of the ranges run: one tick ("1 tick", in the singular), and the most ticks with one printed line per tick only at tick 0 and the events.</summary>
    [Fact]
    public void Demo_ValuesOnTheEdgesOfTheirRanges_Run()
    {
        (int exit, string stdout, string stderr) = CliTests.Run("demo", "--ticks", "1");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("DmKernel demo: 1 host of 12288 MB (reserve 2048), 6 VMs, 1 tick of 1 s, path scalar", stdout, StringComparison.Ordinal);
        Assert.Equal([0], TickLines(stdout));

        (exit, stdout, stderr) = CliTests.Run("demo", "--ticks", "100000", "--every", "100000");
        Assert.True(exit == 0, stderr);
        Assert.Contains("6 VMs, 100000 ticks of 1 s", stdout, StringComparison.Ordinal);
        Assert.Equal([0, 15, 25, 35, 45, 60, 75], TickLines(stdout));
    }

    /// <summary>
    /// --every 10 on the 90-tick scenario: ticks 0, 10, ..., 80, and besides them each event's tick (15, 25, 35, 45,
    /// 60, 75: help's "events are always printed"), each event's line after its note.
    /// </summary>
    [Fact]
    public void Demo_Every_PrintsEveryNthTick_AndEveryEventsTick()
    {
        var output = new StringWriter();
        DemoCommand.Run(90, KernelPath.Scalar, 10, output);
        string text = output.ToString();
        Assert.Equal([0, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 75, 80], TickLines(text));
        string[] lines = text.ReplaceLineEndings("\n").Split('\n');
        int note = Array.FindIndex(lines, l => l.StartsWith("      >> db restarts (R6)", StringComparison.Ordinal));
        Assert.StartsWith("  60 ", lines[note + 1], StringComparison.Ordinal);

        var every = new StringWriter();
        DemoCommand.Run(90, KernelPath.Scalar, 1, every);
        Assert.Equal(Enumerable.Range(0, 90), TickLines(every.ToString()));
    }

    private static List<int> TickLines(string stdout) => [.. stdout.ReplaceLineEndings("\n").Split('\n')
        .Select(l => TickLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"^ {0,3}(\d+) +\d+[S ] \|")]
    private static partial Regex TickLine();
}
