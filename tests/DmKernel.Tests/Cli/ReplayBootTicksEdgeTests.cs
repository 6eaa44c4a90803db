using System.Text.Json.Nodes;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// replay --boot-ticks where <see cref="ReplayBootTicksTests"/> does not look (a mutation round at stop 58): the ends of
/// its range, 0 and 1 000 000, accepted (<see cref="OptionValueEdgeTests"/> refuses -1 and 1 000 001); a VM on at 0 MB at
/// tick 0 is on and booted; exactly one VM left off is named as one, not "all started"; report.md's words where no VM was
/// on at tick 0; the boot's adds and removes, like its failed starts, left out of the measured ticks; and a boot of one
/// tick in the shards' fingerprint like any other; a shard claiming more VMs left off than it booted refused.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class ReplayBootTicksEdgeTests
{
    private static JsonNode Summary(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;

    /// <summary>A trace of <paramref name="ticks"/> 60-s ticks, its VMs placed as given, each tick's values from <paramref name="value"/>.</summary>
    private static string Trace(TempDir tmp, string name, (VmSettings Settings, int Host)[] vms, int hosts, int ticks, Func<int, int, int> value)
    {
        string path = tmp.File(name + ".dmt");
        using var w = new NativeTraceWriter(path, new TraceDescription(60, name, new TraceMetadata()),
            [.. vms.Select((v, i) => new TraceVm($"vm{i}", v.Settings, v.Host))], [.. Enumerable.Range(0, hosts).Select(_ => new TraceHost(8192, 2048))]);
        for (int t = 0; t < ticks; t++)
            w.WriteTick([.. Enumerable.Range(0, vms.Length).Select(i => value(i, t))]);
        w.Complete();
        return path;
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1000000")]
    public void BootTicks_TheRangesEnds_AreAccepted(string value)
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--boot-ticks", value, "--max-ticks", "0");
        Assert.True(exit == 0, stderr);
        Assert.Null(Summary(tmp.File("out"))["bootTicks"]); // no tick replayed: no boot run (it runs in the first tick's step)
    }

    [Fact]
    public void BootTicks_AVmOnAtZeroMbAtTickZero_IsOneOfTheVmsBooted()
    {
        // Two VMs on at tick 0, one of them at 0 MB (on, no demand; -1 is off), a third off: two booted.
        using var tmp = new TempDir();
        VmSettings s = VmSettings.Dynamic(1024, 512, 2048);
        string trace = Trace(tmp, "zero", [(s, 0), (s, 0), (s, 0)], 1, 3, (i, t) => i switch { 0 => 0, 1 => 300, _ => t == 0 ? -1 : 300 });
        (int exit, string stdout, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("out"), "--boot-ticks", "5");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Booted for 5 ticks before the trace's first (not measured): all 2 VMs on at tick 0 started.", stdout, StringComparison.Ordinal);
        Assert.Equal(2, (int)Summary(tmp.File("out"))["bootVmsOnAtTick0"]!);
    }

    [Fact]
    public void BootTicks_ExactlyOneVmLeftOff_IsNamed_NotAllStarted()
    {
        // One host of 8 GB with a 2 GB reserve holds three VMs whose Minimum is their 2 GB Startup: the fourth never starts.
        using var tmp = new TempDir();
        VmSettings s = VmSettings.Dynamic(2048, 2048, 2048);
        string trace = Trace(tmp, "full", [(s, 0), (s, 0), (s, 0), (s, 0)], 1, 3, (i, t) => 300);
        (int exit, string stdout, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("out"), "--boot-ticks", "20");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Booted for 20 ticks before the trace's first (not measured): 1 of the 4 VMs on at tick 0 were still off,", stdout, StringComparison.Ordinal);
        Assert.Equal(1, (int)Summary(tmp.File("out"))["bootVmsStillOff"]!);
        string report = File.ReadAllText(tmp.File("out/report.md"));
        Assert.Contains("for the 4 VMs on at tick 0 to boot one after another as room allowed, but 1 of them were still off after it", report, StringComparison.Ordinal);
        Assert.DoesNotContain("all had started", report, StringComparison.Ordinal);
    }

    [Fact]
    public void BootTicks_NoVmOnAtTickZero_ReportMdSaysSo()
    {
        using var tmp = new TempDir();
        string trace = Trace(tmp, "late", [(VmSettings.Dynamic(2048, 512, 2048), 0)], 1, 2, (i, t) => t == 0 ? -1 : 300);
        (int exit, _, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("out"), "--boot-ticks", "5");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Before the trace's first tick the fleet ran 5 boot ticks with every VM at its tick-0 value, not measured (--boot-ticks): no VM was on at tick 0.", File.ReadAllText(tmp.File("out/report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void BootTicks_TheBootsAddsAndRemoves_AreLeftOut_AsItsFailedStarts()
    {
        // Steady demand: VMs booting at 512 MB for 1000 MB of demand grow (adds), VMs booting at 2 GB for 300 MB shrink
        // (removes), four of each per host of 6 GB usable. Without a boot that happens in the trace's ticks; after a boot of
        // 30 ticks the fleet has settled, and the trace's 20 ticks of the same demand add and remove nothing.
        using var tmp = new TempDir();
        (VmSettings, int)[] vms = [.. Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? VmSettings.Dynamic(512, 512, 2048) : VmSettings.Dynamic(2048, 512, 2048), i / 8))];
        string trace = Trace(tmp, "steady", vms, 2, 20, (i, t) => i % 2 == 0 ? 1000 : 300);
        Assert.Equal(0, CliTests.Run("replay", trace, "-o", tmp.File("plain")).Exit);
        JsonNode plain = Summary(tmp.File("plain"))["fleet"]!;
        Assert.True((long)plain["adds"]!["count"]! > 0);
        Assert.True((long)plain["removes"]!["count"]! > 0);

        Assert.Equal(0, CliTests.Run("replay", trace, "-o", tmp.File("boot"), "--boot-ticks", "30").Exit);
        JsonNode boot = Summary(tmp.File("boot"))["fleet"]!;
        Assert.Equal(0, (long)boot["adds"]!["count"]!);
        Assert.Equal(0, (long)boot["adds"]!["mb"]!);
        Assert.Equal(0, (long)boot["removes"]!["count"]!);
        Assert.Equal(0, (long)boot["removes"]!["mb"]!);
        Assert.Equal(0, (long)boot["failedStarts"]!);
    }

    [Fact]
    public void Merge_AShardBootedForOneTick_BesideOneNotBooted_IsRefusedNamingIt()
    {
        // A boot of 1 tick is a boot (the fingerprint records --boot-ticks from 1 up; 20 against 30 is ReplayBootTicksTests').
        using var tmp = new TempDir();
        VmSettings s = VmSettings.Dynamic(2048, 512, 2048);
        string trace = Trace(tmp, "two", [(s, 0), (s, 0), (s, 1), (s, 1)], 2, 4, (i, t) => 300);
        Assert.Equal(0, CliTests.Run("split", trace, "--shards", "2", "-o", tmp.File("split")).Exit);
        Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", "0/2", "-o", tmp.File("shards"), "--boot-ticks", "1").Exit);
        Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", "1/2", "-o", tmp.File("shards")).Exit);
        ShardTests.AssertRefused("--boot-ticks not recorded in shard 1, 1 in shard 0", "merge", tmp.File("shards"), "-o", tmp.File("m"));
    }

    [Fact]
    public void Merge_AShardWithMoreVmsLeftOffThanItBooted_IsRefusedAsChanged()
    {
        // Shard 0 booted its 2 VMs; its shard.json edited to say it booted 1 and left 2 off: not a count a boot gives
        // (before the check was against the shard's VMs, 2, not the VMs it booted).
        using var tmp = new TempDir();
        VmSettings s = VmSettings.Dynamic(2048, 512, 2048);
        string trace = Trace(tmp, "two", [(s, 0), (s, 0), (s, 1), (s, 1)], 2, 4, (i, t) => 300);
        Assert.Equal(0, CliTests.Run("split", trace, "--shards", "2", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/2", "-o", tmp.File("shards"), "--boot-ticks", "1").Exit);
        string shard0 = Path.Combine(tmp.File("shards"), "shard-0000-of-0002", "shard.json");
        string json = File.ReadAllText(shard0);
        Assert.Contains("\"bootVmsOnAtTick0\": 2,", json, StringComparison.Ordinal);
        Assert.Contains("\"bootVmsStillOff\": 0", json, StringComparison.Ordinal);
        File.WriteAllText(shard0, json.Replace("\"bootVmsOnAtTick0\": 2,", "\"bootVmsOnAtTick0\": 1,", StringComparison.Ordinal)
            .Replace("\"bootVmsStillOff\": 0", "\"bootVmsStillOff\": 2", StringComparison.Ordinal));
        ShardTests.AssertRefused("bootVmsStillOff is 2: expected a whole number from 0 to 1; the file was changed or damaged", "merge", tmp.File("shards"), "-o", tmp.File("m"));
    }
}
