using System.Text.Json.Nodes;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// compare says which kernel path its probes ran, as replay does (before stop 56 neither its console, report nor
/// comparison.json did: a compare forced onto a path the CPU runs in software took 96 s instead of 4 s, unexplained):
/// <c>run.path</c> and <c>run.pathAccelerated</c>, and the console's first line.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class CompareRunPathTests
{
    [Theory]
    [InlineData("scalar")]
    [InlineData("v128")]
    [InlineData(null)]
    public void Compare_SaysWhichKernelPathRan(string? path)
    {
        using var tmp = new TempDir();
        string[] args = ["compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("c"), "--seeds", "1", "--max-ticks", "60", .. path is null ? [] : (string[])["--path", path]];
        (int exit, _, string stderr) = CliTests.Run(args);
        Assert.True(exit == 0, stderr);
        KernelPath ran = path is null ? KernelPaths.Resolve(KernelPath.Auto) : KernelPaths.Parse(path);
        JsonNode run = JsonNode.Parse(File.ReadAllText(tmp.File("c/comparison.json")))!["run"]!;
        Assert.Equal(KernelPaths.Name(ran), (string)run["path"]!);
        Assert.Equal(KernelPaths.IsAccelerated(ran), (bool)run["pathAccelerated"]!);
        Assert.Contains($"thread(s), path {KernelPaths.Describe(ran)}", stderr, StringComparison.Ordinal);
    }
}
