using System.Text.Json.Nodes;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// compare on a trace whose first ticks have no VM on (docs/compare.md, "The ticks compared"): the edge is left out and
/// said in comparison.json; --max-ticks that reads only empty ticks is refused by what it read, not as a trace never on.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class CompareEmptyEdgeCliTests
{
    private static string Trace(TempDir tmp, int emptyFirst, int ticks)
    {
        string path = tmp.File("edge.dmt");
        using var w = new NativeTraceWriter(path, new TraceDescription(300, "edge", new TraceMetadata()),
            [.. Enumerable.Range(0, 40).Select(i => new TraceVm($"vm{i}", VmSettings.Dynamic(1024, 512, 4096)))], []);
        for (int t = 0; t < ticks; t++)
            w.WriteTick([.. Enumerable.Range(0, 40).Select(i => t < emptyFirst ? TraceValues.Off : 400 + ((i * 37) + (t * 53)) % 1500)]);
        w.Complete();
        return path;
    }

    [Fact]
    public void EmptyFirstTicks_AreLeftOut_AndSaid_AndAMaxTicksOfOnlyEmptyTicksIsRefusedByWhatItRead()
    {
        using var tmp = new TempDir();
        string trace = Trace(tmp, 20, 44);
        (int exit, _, string stderr) = CliTests.Run("compare", trace, "-o", tmp.File("c"), "--seeds", "1", "--host-mb", "65536");
        Assert.True(exit == 0, stderr);
        JsonNode j = JsonNode.Parse(File.ReadAllText(tmp.File("c/comparison.json")))!;
        Assert.Equal((24, 20, 0), ((int)j["ticks"]!, (int)j["leftOut"]!["ticksBefore"]!, (int)j["leftOut"]!["ticksAfter"]!));
        Assert.Contains("The trace's first 20 ticks (100 min) have no VM compared on", File.ReadAllText(tmp.File("c/report.md")), StringComparison.Ordinal);

        // Before: "no VM of the trace is ever on", though every VM is on from tick 20.
        (exit, _, stderr) = CliTests.Run("compare", trace, "-o", tmp.File("m"), "--seeds", "1", "--host-mb", "65536", "--max-ticks", "10");
        Assert.NotEqual(0, exit);
        Assert.Contains("no VM is on in the trace's first 10 ticks, those --max-ticks 10 reads of its 44", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("ever on", stderr, StringComparison.Ordinal);
    }
}
