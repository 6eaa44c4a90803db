using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>Hosts are independent: any split of hosts across threads gives the same result as one thread.</summary>
public class ParallelTests
{
    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void ParallelTick_AnyThreadCount_IdenticalToSingleThread(KernelPath path)
    {
        int[] hosts = [30, 64, 5, 17, 49, 0, 33, 64, 12, 40, 8];
        int[] threadCounts = [1, 2, 3, 4, 7];
        var fleets = new Fleet[threadCounts.Length];
        var balancers = new Balancer[threadCounts.Length];
        for (int k = 0; k < fleets.Length; k++)
        {
            fleets[k] = new RandomFleet(77).Build(RandomFleet.FastModel, hosts, fillFactor: 0.7);
            balancers[k] = new Balancer(fleets[k], path, threadCounts[k]);
        }

        var ops = new RandomFleet(78);
        try
        {
            for (int t = 0; t < 200; t++)
            {
                ops.Step(fleets[0], fleets, 0.05);
                foreach (Balancer b in balancers)
                    b.Tick();
                for (int k = 1; k < fleets.Length; k++)
                    FleetAssert.Equal(fleets[0], fleets[k], $"{path}, {threadCounts[k]} threads, tick {t}");
            }
        }
        finally
        {
            foreach (Balancer b in balancers)
                b.Dispose();
        }
    }

    [Fact]
    public void ParallelTick_MoreThreadsThanHosts_UsesOneThreadPerHost()
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(8192, 4), new HostSpec(8192, 4)]);
        using var balancer = new Balancer(fleet, KernelPath.Scalar, threads: 8);
        Assert.Equal(2, balancer.Threads);
        balancer.Tick();
        Assert.Equal(1, fleet.TickIndex);
    }

    /// <summary>
    /// A tick after Dispose is refused the same way on one thread and on several, naming the balancer (before, one thread
    /// ticked on and two threads failed inside their worker group's event).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TickAfterDispose_IsRefusedNamingTheBalancer_OnAnyThreadCount(int threads)
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(8192, 4), new HostSpec(8192, 4)]);
        var balancer = new Balancer(fleet, KernelPath.Auto, threads);
        balancer.Tick();
        balancer.Dispose();
        balancer.Dispose(); // twice is harmless
        foreach (Action tick in (Action[])[balancer.Tick, () => balancer.Tick(new int[fleet.SlotCount]), balancer.BeginTick])
            Assert.Equal(typeof(Balancer).FullName, Assert.Throws<ObjectDisposedException>(tick).ObjectName);
        Assert.Equal(1, fleet.TickIndex);
    }

    /// <summary>DMKERNEL_PATH=auto resolves like an unset variable, to the widest path (before: Balancer.Path stayed Auto
    /// and the kernel's switch took its default, the 512-bit path, whatever the CPU).</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("auto")]
    [InlineData(" AUTO ")]
    public void KernelPath_AutoFromTheEnvironment_IsTheWidest(string? env)
    {
        KernelPath widest = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? KernelPath.Vector512
            : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? KernelPath.Vector256
            : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? KernelPath.Vector128
            : KernelPath.Scalar;
        Assert.Equal(widest, KernelPaths.Widest);
        Assert.Equal(widest, KernelPaths.Resolve(KernelPath.Auto, env));
        Assert.NotEqual(KernelPath.Auto, KernelPaths.Resolve(KernelPath.Auto, env));
        Assert.Equal(KernelPath.Vector128, KernelPaths.Resolve(KernelPath.Auto, "v128"));
        Assert.Equal(KernelPath.Scalar, KernelPaths.Resolve(KernelPath.Scalar, "v512"));
    }

    /// <summary>
    /// Which paths this CPU accelerates, as runs report them: the scalar reference and every width up to the widest; a
    /// wider one is marked "in software" (.NET's fallback, several times slower than scalar: a figure measured on it is not
    /// the CPU's). Auto is resolved before it is asked about.
    /// </summary>
    [Fact]
    public void KernelPath_IsAccelerated_UpToTheWidest_AWiderPathIsDescribedAsInSoftware()
    {
        KernelPath[] widths = [KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512];
        int widest = Array.IndexOf(widths, KernelPaths.Widest);
        for (int i = 0; i < widths.Length; i++)
        {
            Assert.Equal(i <= widest, KernelPaths.IsAccelerated(widths[i]));
            string name = KernelPaths.Name(widths[i]);
            Assert.Equal(i <= widest ? name : name + " (in software: this CPU does not accelerate it)", KernelPaths.Describe(widths[i]));
        }

        Assert.False(KernelPaths.IsAccelerated(KernelPath.Auto));
        Assert.Equal("auto", KernelPaths.Describe(KernelPath.Auto));
    }

    /// <summary>
    /// A replay forced onto a path the CPU does not accelerate (AVX turned off in the runtime, --path v512) says so on its
    /// result line and in summary.json's run (pathAccelerated false): before, "path v512" read as the CPU's AVX-512 while it
    /// ran at a third of the speed of the scalar reference. The same replay on the scalar path is accelerated.
    /// </summary>
    [Fact]
    public void Replay_OnAPathTheCpuDoesNotAccelerate_SaysSo_InItsLineAndSummary()
    {
        using var tmp = new DmKernel.Tests.Traces.TempDir();
        foreach ((string path, bool accelerated) in new[] { ("v512", false), ("scalar", true) })
        {
            string output = tmp.File(path);
            (int exit, string stdout, string stderr) = DmKernel.Tests.Cli.ShardTests.RunProcess(new Dictionary<string, string> { ["DOTNET_EnableAVX"] = "0", ["DMKERNEL_PATH"] = "" },
                "replay", DmKernel.Tests.Replay.ReplayDeterminismTests.SampleTrace, "-o", output, "--path", path, "--max-ticks", "30");
            Assert.True(exit == 0, stderr);
            Assert.Contains(accelerated ? $", path {path}, 1 thread(s))." : $", path {path} (in software: this CPU does not accelerate it), 1 thread(s)).", stdout, StringComparison.Ordinal);
            using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "summary.json")));
            System.Text.Json.JsonElement run = summary.RootElement.GetProperty("run");
            Assert.Equal((path, accelerated), (run.GetProperty("path").GetString(), run.GetProperty("pathAccelerated").GetBoolean()));
        }
    }

    /// <summary>
    /// Each width is asked of its own acceleration: with 512-bit vectors off in the runtime (DOTNET_PreferredVectorBitWidth=256,
    /// as .NET itself sets on CPUs whose AVX-512 lowers the clock) v512 runs in software while v256 is the CPU's; with hardware
    /// intrinsics off altogether (DOTNET_EnableHWIntrinsic=0) v128 runs in software too, and scalar is the CPU's. The replay's
    /// result line, its summary.json and the demo's first line say so alike.
    /// </summary>
    [Theory]
    [InlineData("DOTNET_PreferredVectorBitWidth", "256", "v512", false)]
    [InlineData("DOTNET_PreferredVectorBitWidth", "256", "v256", true)]
    [InlineData("DOTNET_EnableHWIntrinsic", "0", "v128", false)]
    [InlineData("DOTNET_EnableHWIntrinsic", "0", "scalar", true)]
    public void EachWidth_IsAskedOfItsOwnAcceleration_InTheReplayAndTheDemo(string variable, string value, string path, bool accelerated)
    {
        if (path == "v256" && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            return; // a CPU without 256-bit vectors: v256 is in software whatever the setting
        using var tmp = new DmKernel.Tests.Traces.TempDir();
        var env = new Dictionary<string, string> { [variable] = value, ["DMKERNEL_PATH"] = "" };
        string output = tmp.File("out"), described = accelerated ? $"path {path}" : $"path {path} (in software: this CPU does not accelerate it)";
        (int exit, string stdout, string stderr) = DmKernel.Tests.Cli.ShardTests.RunProcess(env,
            "replay", DmKernel.Tests.Replay.ReplayDeterminismTests.SampleTrace, "-o", output, "--path", path, "--max-ticks", "30");
        Assert.True(exit == 0, stderr);
        Assert.Contains($", {described}, 1 thread(s)).", stdout, StringComparison.Ordinal);
        using (var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "summary.json"))))
            Assert.Equal(accelerated, summary.RootElement.GetProperty("run").GetProperty("pathAccelerated").GetBoolean());

        (exit, stdout, stderr) = DmKernel.Tests.Cli.ShardTests.RunProcess(env, "demo", "--path", path, "--ticks", "1");
        Assert.True(exit == 0, stderr);
        Assert.EndsWith($", {described}", stdout.Split('\n')[0], StringComparison.Ordinal);
    }

    /// <summary>A shard's result line, as a replay's, says that its path ran in software (v512 with AVX turned off).</summary>
    [Fact]
    public void AShard_OnAPathTheCpuDoesNotAccelerate_SaysSo()
    {
        using var tmp = new DmKernel.Tests.Traces.TempDir();
        string split = tmp.File("split");
        var env = new Dictionary<string, string> { ["DOTNET_EnableAVX"] = "0", ["DMKERNEL_PATH"] = "" };
        (int exit, _, string stderr) = DmKernel.Tests.Cli.ShardTests.RunProcess(env, "split", DmKernel.Tests.Replay.ReplayDeterminismTests.SampleTrace, "--shards", "2", "-o", split);
        Assert.True(exit == 0, stderr);
        (exit, string stdout, stderr) = DmKernel.Tests.Cli.ShardTests.RunProcess(env, "replay", split, "--shard", "0/2", "-o", tmp.File("shards"), "--path", "v512", "--max-ticks", "30");
        Assert.True(exit == 0, stderr);
        Assert.Contains(", path v512 (in software: this CPU does not accelerate it), 1 thread(s)).", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Two threads ticking one balancer at once: every tick either runs whole or is refused with InvalidOperationException
    /// (before: an IndexOutOfRangeException inside the kernel and hosts out of balance with one thread, the process aborted
    /// inside the worker group with two). A tick started while a sharded tick is open on another thread is refused too.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TwoThreadsTickingAtOnce_EachTickRunsWholeOrIsRefused(int threads)
    {
        Fleet fleet = new RandomFleet(33).Build(RandomFleet.FastModel, [40, 40, 40, 40], fillFactor: 0.8);
        using var balancer = new Balancer(fleet, KernelPath.Auto, threads);
        var checker = new InvariantChecker(fleet);
        int ran = 0, refused = 0;
        var others = new List<Exception>();
        void Loop()
        {
            for (int i = 0; i < 3000; i++)
            {
                try
                {
                    balancer.Tick();
                    Interlocked.Increment(ref ran);
                }
                catch (InvalidOperationException ex) when (ex.Message.Contains("while another tick of this balancer runs", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref refused);
                }
                catch (Exception ex)
                {
                    lock (others)
                        others.Add(ex);
                }
            }
        }

        // Rounds of two threads until one tick was refused (on two cores the first round has hundreds; one core needs a
        // thread preempted mid-tick): a round without a refusal would test nothing of the guard.
        int rounds = 0;
        do
        {
            var a = new Thread(Loop);
            var b = new Thread(Loop);
            a.Start();
            b.Start();
            a.Join();
            b.Join();
            rounds++;
        }
        while (refused == 0 && others.Count == 0 && rounds < 50);

        Assert.Empty(others);
        // A refusal is likely but not certain on a loaded machine (seen: none in 50 rounds); the refusal itself is
        // tested deterministically below (a tick inside an open sharded tick).
        Assert.Equal(6000 * rounds, ran + refused);
        Assert.Equal(ran, fleet.TickIndex);
        checker.Check();

        balancer.BeginTick();
        var e = Assert.Throws<InvalidOperationException>(() => Task.Run(balancer.Tick).GetAwaiter().GetResult());
        Assert.Contains("Tick called", e.Message, StringComparison.Ordinal);
        balancer.TickHosts(0, 4);
        balancer.EndTick();
        Assert.Equal(ran + 1, fleet.TickIndex);
    }
}

/// <summary>Sharded ticks (BeginTick / TickHosts / EndTick), as a simulator with its own threads would run them.</summary>
public class ShardedTickTests
{
    [Fact]
    public void ShardedTick_DisjointRangesOnTwoThreads_IdenticalToTick()
    {
        int[] hosts = [30, 64, 5, 17, 49, 0, 33];
        var whole = new RandomFleet(91).Build(RandomFleet.FastModel, hosts, fillFactor: 0.7);
        var sharded = new RandomFleet(91).Build(RandomFleet.FastModel, hosts, fillFactor: 0.7);
        using var a = new Balancer(whole, KernelPath.Vector512);
        using var b = new Balancer(sharded, KernelPath.Vector512);
        var ops = new RandomFleet(92);
        for (int t = 0; t < 120; t++)
        {
            ops.Step(whole, [whole, sharded], 0.05);
            a.Tick();
            b.BeginTick();
            Parallel.Invoke(() => b.TickHosts(0, 3), () => b.TickHosts(3, 4));
            b.EndTick();
            FleetAssert.Equal(whole, sharded, $"tick {t}");
        }
    }

    [Fact]
    public void ShardedTick_Misuse_IsRefusedWithClearErrors()
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(8192, 4)]);
        using var balancer = new Balancer(fleet);
        Assert.Throws<InvalidOperationException>(() => balancer.TickHosts(0, 1));
        Assert.Throws<InvalidOperationException>(balancer.EndTick);
        balancer.BeginTick();
        Assert.Throws<InvalidOperationException>(balancer.BeginTick);
        Assert.Throws<InvalidOperationException>(balancer.Tick);
        var ex = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => balancer.TickHosts(0, 2));
        Assert.Contains("0..1", ex.Message, StringComparison.Ordinal);
        balancer.TickHosts(0, 1);
        balancer.EndTick();
        Assert.Equal(1, fleet.TickIndex);
    }

    /// <summary>
    /// A sharded tick that skips a host is refused at EndTick naming the host (before: accepted, and the host's R18 window
    /// then gave an average pressure five times its maximum); one that ticks a host twice is refused at the second
    /// TickHosts, which ticks none of its range, so the tick can still end. The fleet's hosts are then at
    /// different ticks: every later tick of it, by this balancer or another, is refused naming the refused tick (before:
    /// accepted in silence) until a saved state is loaded.
    /// </summary>
    [Fact]
    public void ShardedTick_AHostSkippedOrTickedTwice_IsRefusedAtEndTick_NamingIt_AndTheFleetTicksNoMoreUntilRestored()
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(8192, 4), new HostSpec(8192, 4), new HostSpec(8192, 4)]);
        int[] vms = [.. Enumerable.Range(0, 3).Select(h => fleet.AddVm(h, VmSettings.Dynamic(1024, 512, 4096)))];
        foreach (int vm in vms)
            fleet.RequestStart(vm);
        using var balancer = new Balancer(fleet);
        using var saved = new MemoryStream();
        fleet.SaveState(saved);

        balancer.BeginTick();
        balancer.TickHosts(0, 1);
        balancer.TickHosts(2, 1);
        var e = Assert.Throws<InvalidOperationException>(balancer.EndTick);
        Assert.Contains("host 1 was ticked 0 times since BeginTick (1 host(s) not exactly once)", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, fleet.TickIndex);

        e = Assert.Throws<InvalidOperationException>(balancer.BeginTick);
        Assert.Contains("BeginTick: EndTick refused the sharded tick 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("Fleet.LoadState", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => balancer.Tick());
        using (var other = new Balancer(fleet, KernelPath.Scalar))
            Assert.Throws<InvalidOperationException>(() => other.Tick());
        Assert.Equal(0, fleet.TickIndex);

        // Nor is such a state saved: loaded, it would continue as one whole tick with some hosts ticked twice (before stop
        // 54 it was saved, and loaded or refused by where R18's window happened to be).
        using (var broken = new MemoryStream())
        {
            e = Assert.Throws<InvalidOperationException>(() => fleet.SaveState(broken));
            Assert.Contains("SaveState: EndTick refused the sharded tick 0, so the fleet's hosts are at different ticks", e.Message, StringComparison.Ordinal);
            Assert.Equal(0, broken.Length);
        }

        saved.Position = 0;
        fleet.LoadState(saved); // every host at tick 0 again: the fleet ticks
        balancer.BeginTick();
        balancer.TickHosts(0, 3);
        e = Assert.Throws<InvalidOperationException>(() => balancer.TickHosts(2, 1)); // refused up front: nothing ticked twice
        Assert.Contains("host 2 was already ticked since BeginTick", e.Message, StringComparison.Ordinal);
        balancer.EndTick();
        Assert.Equal(1, fleet.TickIndex);

        saved.Position = 0;
        fleet.LoadState(saved);
        balancer.BeginTick();
        balancer.TickHosts(0, 2);
        balancer.TickHosts(2, 1);
        balancer.EndTick();
        Assert.Equal(1, fleet.TickIndex);
        Assert.All(vms, vm => Assert.Equal(VmState.Booting, fleet.State(vm)));
    }
}
