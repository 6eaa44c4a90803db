using DmKernel.Tests.Support;
using static DmKernel.Tests.Rules.RuleScenario;

namespace DmKernel.Tests.Rules;

/// <summary>R12 (balloon removal: cap, Linux floor, Minimum, one tick of latency) and R13 (unballoon, then hot-add).</summary>
public class R12_R13_RemoveAddTests
{
    // ---------------------------------------------------------------- R12

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R12_Balloon_RemovesAtMostCapPerTick_FreedMemoryJoinsNextTick(KernelPath path)
    {
        // Host 6144. A (slot 0): weight 1000, Startup 4096, committed 100 → Target 512. B (slot 1): weight 5000,
        // Startup 2048, committed 3000 → Need0 3000, Target 3600. Tick 0: Available 0.
        var s = new Scenario(hostTotalMb: 6144, model: Fast, path: path);
        int[] v = s.StartRunning((Dm(4096, 512, 8192, weight: 1000), 100), (Dm(2048, 512, 8192), 3000));
        int a = v[0], b = v[1];

        // Tick 1: Shortfall 1552 > 0, budget 6144: A allotted 512, B 3600. A wants to give 3584, the cap is 1020 MB
        // (1020 MB/s × 1 s). The 1020 MB only join Available next tick, so B gets nothing now.
        Assert.True(s.Fleet.HostWasShort(0));
        s.AssertMemory(a, 3076, ballooned: 1020);
        s.AssertDecision(a, 0, 0, removed: 1020);
        s.AssertMemory(b, 2048);
        Assert.Equal(0, s.Fleet.HostAvailable(0));
        Assert.Equal(1020, s.Fleet.HostPendingFreed(0));

        // Tick 2: Available 1020 (last tick's balloon); still short; A gives another 1020, B is granted the 1020.
        s.Tick();
        s.AssertMemory(a, 2056, ballooned: 2040);
        s.AssertMemory(b, 3068);
        s.AssertDecision(b, 0, hotAdded: 1020, removed: 0);
        Assert.Equal(0, s.Fleet.HostAvailable(0));
        Assert.Equal(1020, s.Fleet.HostPendingFreed(0));

        // Tick 3: Available 1020 >= Shortfall 532: enough; B reaches 3600, A (no reclaim tick) keeps 2056.
        s.Tick();
        Assert.False(s.Fleet.HostWasShort(0));
        s.AssertMemory(b, 3600);
        s.AssertMemory(a, 2056, ballooned: 2040);
        Assert.Equal(488, s.Fleet.HostAvailable(0));
        Assert.Equal(0, s.Fleet.HostPendingFreed(0));
        Assert.Equal(2040L, s.Fleet.RemovedMemory[a]);
        Assert.Equal(2, s.Fleet.RemoveOperations[a]);
    }

    [Theory]
    [InlineData(1020, 1.0, 1020)]   // default
    [InlineData(333, 1.0, 332)]     // rounded down to G
    [InlineData(1020, 0.5, 510)]
    [InlineData(1020, 2.0, 2040)]
    [InlineData(1, 1.0, 2)]         // at least one granule
    [InlineData(1020, 0.001, 2)]    // floor(1.02) = 1 → at least G
    [InlineData(200, 0.29, 58)]     // the decimal product: 0.29 s is stored a hair below, 57.999… floored to 56 before stop 54
    public void R12_Cap_IsMaxRemovePerSecondTimesTick_RoundedDownToG_AtLeastG(int perSecond, double tickSeconds, int cap)
        => Assert.Equal(cap, new ModelParameters { MaxRemovePerSecondMb = perSecond, TickSeconds = tickSeconds }.RemoveCapPerTickMb);

    [Fact]
    public void R12_Balloon_CustomCap_Applies()
    {
        // As in the first test, with MaxRemovePerSecond 333: cap 332 MB per tick.
        var s = new Scenario(hostTotalMb: 6144, model: Fast with { MaxRemovePerSecondMb = 333 });
        int a = s.StartRunning((Dm(4096, 512, 8192, weight: 1000), 100), (Dm(2048, 512, 8192), 3000))[0];
        s.AssertMemory(a, 3764, ballooned: 332);
        s.Tick();
        s.AssertMemory(a, 3432, ballooned: 664);
    }

    [Fact]
    public void R12_LinuxGuest_KeepsItsFloor_WindowsGuest_GoesDownToMinimum()
    {
        // Host 4096. Slot 0: L, Linux, weight 0, Startup 1024, committed 500 (Demand 500 + floor(1024) = 732).
        // Slot 1: W, Windows, weight 0, Startup 1024, committed 500. Slot 2: B, weight 5000, Startup 2048,
        // committed 8000 (Target 8192 = Maximum). Tick 1: short, budget 4096: tier 0 gives all their Minimum,
        // tier 1 B takes the remaining 2560; L and W are allotted 512 each.
        var s = new Scenario(hostTotalMb: 4096, model: Fast);
        int[] v = s.StartRunning((Dm(1024, 512, 8192, weight: 0, guest: GuestKind.Linux), 500), (Dm(1024, 512, 8192, weight: 0), 500),
            (Dm(2048, 512, 8192), 8000));
        int l = v[0], w = v[1];
        Assert.Equal(732, s.Fleet.Demand[l]);
        // W: min(want 512, cap 1020, 1024 − Minimum 512) = 512. L also keeps its floor: 1024 − 732 = 292 at most.
        s.AssertMemory(w, 512, ballooned: 512);
        s.AssertMemory(l, 732, ballooned: 292);
        Assert.Equal(804, s.Fleet.HostPendingFreed(0));

        // Tick 2: L's Demand is now 500 + floor(732) = 500 + 104 + 91 = 695; it gives at most 732 − 695 = 37,
        // rounded down to G: 36.
        s.Tick();
        Assert.Equal(695, s.Fleet.Demand[l]);
        s.AssertMemory(l, 696, ballooned: 328);
        s.AssertMemory(w, 512, ballooned: 512);
    }

    // ---------------------------------------------------------------- R13

    /// <summary>
    /// Every tick a reclaim tick. A: Startup 2048, committed 100 → Target 512. Tick 1: ballooned 1020 → 1028;
    /// tick 2: ballooned 516 → 512, Ballooned 1536, GuestVisible still 2048. Host 8192.
    /// </summary>
    private static (Scenario S, int A) Ballooned1536()
    {
        var s = new Scenario(hostTotalMb: 8192, model: FastReclaim);
        int a = s.StartRunning((Dm(2048, 512, 8192), 100))[0];
        s.Tick();
        s.AssertMemory(a, 512, ballooned: 1536);
        return (s, a);
    }

    [Fact]
    public void R13_Grant_UnballoonsFirst_ThenHotAdds()
    {
        var (s, a) = Ballooned1536();
        s.Commit(a, 2000); // Target 2400: grant 1888 = 1536 unballooned + 352 hot-added
        s.Tick();
        s.AssertDecision(a, unballooned: 1536, hotAdded: 352, removed: 0);
        s.AssertMemory(a, 2400, ballooned: 0);
        Assert.Equal(2400, s.Fleet.GuestVisible(a)); // grew from 2048 by the hot-add only
        Assert.Equal(8192 - 2400, s.Fleet.HostAvailable(0));
    }

    [Fact]
    public void R13_GrantSmallerThanBalloon_OnlyUnballoons()
    {
        var (s, a) = Ballooned1536();
        s.Commit(a, 1000); // Target 1200: grant 688, all from the balloon
        s.Tick();
        s.AssertDecision(a, unballooned: 688, hotAdded: 0, removed: 0);
        s.AssertMemory(a, 1200, ballooned: 848);
        Assert.Equal(2048, s.Fleet.GuestVisible(a));
    }

    /// <summary>
    /// Host 6144. Slot 0: A weight 1000, Startup 4096, committed 100 (Target 512). Slots 1, 2: B and C, Startup 1024,
    /// committed 2000 (Target 2400), weights given. Tick 0: Available 0. Tick 1: short, budget 6144; tier 0 1536,
    /// tier 1 2976 and tier 2 800 all fit: B, C allotted 2400, A 512. A is ballooned 1020 (cap); nothing to grant yet.
    /// </summary>
    private static (Scenario S, int A, int B, int C) TwoGrowers(int weightB, int weightC)
    {
        var s = new Scenario(hostTotalMb: 6144, model: Fast);
        int[] v = s.StartRunning((Dm(4096, 512, 8192, weight: 1000), 100), (Dm(1024, 512, 8192, weight: weightB), 2000),
            (Dm(1024, 512, 8192, weight: weightC), 2000));
        s.AssertMemory(v[0], 3076, ballooned: 1020);
        s.AssertMemory(v[1], 1024);
        s.AssertMemory(v[2], 1024);
        return (s, v[0], v[1], v[2]);
    }

    [Fact]
    public void R13_Grant_WeightDescending_WhileAvailableLasts()
    {
        var (s, a, b, c) = TwoGrowers(weightB: 3000, weightC: 6000);

        s.Tick(); // tick 2: Available 1020. C (6000) first: min(1376, 1020) = 1020; B (3000) gets nothing.
        s.AssertMemory(c, 2044);
        s.AssertMemory(b, 1024);
        s.AssertMemory(a, 2056, ballooned: 2040);

        s.Tick(); // tick 3: Available 1020. C gets its last 356, B the remaining 664.
        s.AssertMemory(c, 2400);
        s.AssertMemory(b, 1688);
        s.AssertMemory(a, 1036, ballooned: 3060);
        Assert.Equal(0, s.Fleet.HostAvailable(0));

        s.Tick(); // tick 4: Available 1020 >= Shortfall 712: enough, B reaches 2400, 308 left.
        s.AssertMemory(b, 2400);
        s.AssertMemory(a, 1036, ballooned: 3060);
        Assert.Equal(308, s.Fleet.HostAvailable(0));
    }

    [Fact]
    public void R13_Grant_EqualWeights_LowerSlotFirst()
    {
        var (s, _, b, c) = TwoGrowers(weightB: 5000, weightC: 5000);
        s.Tick(); // tick 2: Available 1020, B (slot 1) before C (slot 2)
        s.AssertMemory(b, 2044);
        s.AssertMemory(c, 1024);
    }
}
