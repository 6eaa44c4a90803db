using System.Text.Json.Nodes;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// compare on a trace whose hosts differ in size: without --host-mb it packs onto the largest and warns (docs/compare.md);
/// a buffer or policy given twice is compared once.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class CompareHostSizeTests
{
    private static string TwoHostSizes(TempDir tmp)
    {
        string trace = tmp.File("t.dmt");
        TraceVm[] vms =
        [
            new("a", VmSettings.Dynamic(1024, 512, 2048), 0), new("b", VmSettings.Dynamic(1024, 512, 2048), 0),
            new("c", VmSettings.Dynamic(1024, 512, 2048), 1), new("d", VmSettings.Dynamic(1024, 512, 2048), 1),
        ];
        using var w = new NativeTraceWriter(trace, new TraceDescription(60, "test: two host sizes"), vms, [new TraceHost(8192), new TraceHost(16384)]);
        for (int tick = 0; tick < 20; tick++)
            w.WriteTick([600, 700, 800, 900]);
        w.Complete();
        return trace;
    }

    [Fact]
    public void Compare_HostsOfTwoSizes_PacksOntoTheLargest_AndWarns()
    {
        using var tmp = new TempDir();
        string trace = TwoHostSizes(tmp);
        (int exit, _, string stderr) = CliTests.Run("compare", trace, "-o", tmp.File("cmp"), "--seeds", "1", "--buffers", "none");
        Assert.True(exit == 0, stderr);
        Assert.Contains("; hosts of 16384 MB;", stderr, StringComparison.Ordinal);
        JsonNode json = JsonNode.Parse(File.ReadAllText(tmp.File("cmp/comparison.json")))!;
        Assert.Equal(16384, (int)json["host"]!["totalMb"]!);
        Assert.Contains("The trace's hosts differ in size (8192..16384 MB); the comparison packs onto hosts of the largest, 16384 MB (set --host-mb to choose).",
            json["warnings"]!.AsArray().Select(x => (string)x!));
    }

    [Fact]
    public void Compare_ABufferOrPolicyGivenTwice_IsComparedOnce()
    {
        using var tmp = new TempDir();
        string trace = TwoHostSizes(tmp);
        (int exit, _, string stderr) = CliTests.Run("compare", trace, "-o", tmp.File("cmp"), "--seeds", "1", "--buffers", "10,10", "--policies", "squeezed,squeezed", "--host-mb", "8192");
        Assert.True(exit == 0, stderr);
        JsonNode json = JsonNode.Parse(File.ReadAllText(tmp.File("cmp/comparison.json")))!;
        Assert.Equal(["dm", "dm-buffer-10"], json["strategies"]!.AsArray().Select(s => (string)s!["key"]!).Where(k => k.StartsWith("dm", StringComparison.Ordinal)));
        Assert.Equal(["squeezed"], json["policies"]!.AsArray().Select(p => (string)p!["policy"]!));
    }
}
