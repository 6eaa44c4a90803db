namespace DmKernel.Tests.Policies;

/// <summary>
/// P10 under the Hyper-V policy (R9, R11, R13, R15): each guest's driver moves at most its limit per tick, R12's balloon
/// and R13's unballoon and hot-add alike, on every path (a host with a guest that is not ideal takes the scalar kernel on a
/// vector path). Ideal guests keep Hyper-V's results exactly (the golden tests).
/// </summary>
public class P10_HyperVGuestTests
{
    /// <summary>1 s ticks, G = 2, a 3 s boot grace (Running from tick 3), no host reserve, R12's cap 300 MB per tick.</summary>
    private static readonly ModelParameters Model = ModelParameters.Default with
    {
        BootGraceSeconds = 3,
        HostReserveMb = 0,
        MaxRemovePerSecondMb = 300,
        ReclaimPeriodSeconds = 7,
    };

    public static readonly TheoryData<KernelPath> Paths = new()
    {
        KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512,
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void P10_HyperV_RateLimitedGuest_GrowsByAtMostItsRatePerTick_WhileAnIdealTwinJumps(KernelPath path)
    {
        // One host of 16 384 MB with two DM VMs (Startup 1024, range 512..8192, buffer 20 %), both committing 5000 MB:
        // R9's Target = roundUp(ceil(5000 × 1.2)) = 6000. Running from tick 3 with 1024 each, Available = 16 384 − 2048 =
        // 14 336 ≥ the shortfall 2 × 4976: enough memory (R11), so the ideal twin is granted its 4976 at once. The slow
        // guest moves 100 MB/s = 100 MB per tick (a multiple of G): 1124 after tick 3, 1024 + 100 n after n running ticks,
        // until 5924 after tick 51; tick 52 grants the last 76 (below the rate). What it does not take stays in Available.
        var fleet = new Fleet(Model, [new HostSpec(16_384, 2, 0)]);
        int slow = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 8192));
        int twin = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 8192));
        fleet.SetGuestResponse(slow, GuestResponse.Rate(100));
        foreach (int vm in (int[])[slow, twin])
        {
            fleet.SetCommitted(vm, 5000);
            fleet.RequestStart(vm);
        }

        using var balancer = new Balancer(fleet, BalancerPolicy.HyperV, path, 1);
        balancer.Tick(3);
        Assert.Equal(VmState.Booting, fleet.State(slow));
        balancer.Tick();                                        // tick 3: the first running tick
        Assert.Equal(6000, fleet.Target[twin]);
        Assert.Equal(6000, fleet.Assigned[twin]);
        Assert.Equal(6000, fleet.Target[slow]);
        Assert.Equal(1124, fleet.Assigned[slow]);
        Assert.Equal(100, fleet.HotAddedThisTick[slow]);
        Assert.Equal(16_384 - 6000 - 1124, fleet.HostAvailable(0));
        for (int n = 2; n <= 49; n++)
        {
            balancer.Tick();
            Assert.Equal(1024 + (100 * n), fleet.Assigned[slow]);
            Assert.Equal(100, fleet.HotAddedThisTick[slow]);
            Assert.Equal(0, fleet.UnballoonedThisTick[twin] + fleet.HotAddedThisTick[twin] + fleet.RemovedThisTick[twin]);
        }

        balancer.Tick();                                        // n = 50: 5924 + min(76, 100)
        Assert.Equal(6000, fleet.Assigned[slow]);
        Assert.Equal(76, fleet.HotAddedThisTick[slow]);
        balancer.Tick();
        Assert.Equal(6000, fleet.Assigned[slow]);
        Assert.Equal(0, fleet.HotAddedThisTick[slow]);
        Assert.Equal(16_384 - 12_000, fleet.HostAvailable(0));
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// P10's phase is the VM's place in its host, not its fleet slot (docs/policies.md, a spec choice): two hosts of
    /// three slots each, the same VMs in the same places, intermittently stuck 2 ticks then ideal 3 (period 5): host 1's
    /// slots start at a fleet slot that is not a multiple of 5 (16: slots are padded to whole vectors), so a fleet-slot
    /// phase would put its VMs out of step with host 0's. They tick the same, tick for tick.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void P10_IntermittentlyStuck_PhaseIsThePlaceInTheHost_SoTwinHostsTickTheSame(KernelPath path)
    {
        var fleet = new Fleet(Model, [new HostSpec(16_384, 3, 0), new HostSpec(16_384, 3, 0)]);
        var vms = new int[2, 3];
        for (int h = 0; h < 2; h++)
        {
            for (int k = 0; k < 3; k++)
            {
                vms[h, k] = fleet.AddVm(h, VmSettings.Dynamic(4096, 512, 8192));
                fleet.SetGuestResponse(vms[h, k], GuestResponse.IntermittentlyStuck(2, 3)); // 2 ticks stuck, 3 ideal (1-s ticks)
                fleet.SetCommitted(vms[h, k], 1000 + (700 * k));
                fleet.RequestStart(vms[h, k]);
            }
        }

        Assert.NotEqual(0, vms[1, 0] % 5); // host 1's first slot: a fleet-slot phase would be out of step with host 0's
        using var balancer = new Balancer(fleet, BalancerPolicy.HyperV, path, 1);
        int moved = 0;
        for (int t = 0; t < 40; t++)
        {
            for (int h = 0; h < 2; h++)
            {
                for (int k = 0; k < 3; k++)
                    fleet.SetCommitted(vms[h, k], 1000 + (700 * k) + (t % 7 * 150));
            }

            balancer.Tick();
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(fleet.Assigned[vms[0, k]], fleet.Assigned[vms[1, k]]);
                Assert.Equal(fleet.RemovedThisTick[vms[0, k]], fleet.RemovedThisTick[vms[1, k]]);
                Assert.Equal(fleet.HotAddedThisTick[vms[0, k]], fleet.HotAddedThisTick[vms[1, k]]);
                moved += fleet.RemovedThisTick[vms[0, k]] + fleet.HotAddedThisTick[vms[0, k]] + fleet.UnballoonedThisTick[vms[0, k]] > 0 ? 1 : 0;
            }
        }

        Assert.True(moved > 10, $"only {moved} moves: the test does not exercise the phase");
        new InvariantChecker(fleet).Check();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void P10_HyperV_IntermittentlyStuckGuest_BalloonDoesNotMoveWhileStuck_MovesInItsIdealPhase(KernelPath path)
    {
        // Two hosts of 16 384 MB, one DM VM each (Startup 4096, range 512..8192), committing 1000 MB: Target =
        // roundUp(1200) = 1200. Host 0's guest (slot 0) is stuck 3 s then ideal 3 s: stuck when t mod 6 < 3 (ticks 0–2,
        // 6–8, 12–14), ideal at ticks 3–5, 9–11, 15–17. Host 1's twin is ideal. R15: the first reclaim tick is 6
        // ((6 + 1) mod 7 = 0); both VMs are above Target, so R12 balloons them toward 1200 at 300 MB per tick from then on.
        // The twin: 3796 after tick 6, then −300 each tick down to its Target. The stuck guest: nothing on ticks 6, 7, 8 (it keeps R15's mark,
        // so the reclaim goes on), 3796, 3496, 3196 after ticks 9, 10, 11, nothing on 12–14, 2896, 2596, 2296 after 15–17.
        var fleet = new Fleet(Model, [new HostSpec(16_384, 1, 0), new HostSpec(16_384, 1, 0)]);
        int stuck = fleet.AddVm(0, VmSettings.Dynamic(4096, 512, 8192));
        int twin = fleet.AddVm(1, VmSettings.Dynamic(4096, 512, 8192));
        Assert.Equal(0, stuck);                                 // the phase counts from the VM's place in its host
        fleet.SetGuestResponse(stuck, GuestResponse.IntermittentlyStuck(3, 3));
        foreach (int vm in (int[])[stuck, twin])
        {
            fleet.SetCommitted(vm, 1000);
            fleet.RequestStart(vm);
        }

        using var balancer = new Balancer(fleet, BalancerPolicy.HyperV, path, 1);
        balancer.Tick(6);                                       // ticks 0..5: boot, then running above Target, no reclaim yet
        Assert.Equal(4096, fleet.Assigned[stuck]);
        Assert.Equal(4096, fleet.Assigned[twin]);
        Assert.Equal(1200, fleet.Target[stuck]);
        int[] expectedStuck = [4096, 4096, 4096, 3796, 3496, 3196, 3196, 3196, 3196, 2896, 2596, 2296];
        for (int t = 6; t < 18; t++)
        {
            balancer.Tick();
            Assert.Equal(expectedStuck[t - 6], fleet.Assigned[stuck]);
            Assert.Equal(Math.Max(1200, 4096 - (300 * (t - 5))), fleet.Assigned[twin]);
            Assert.Equal(t % 6 < 3 ? 0 : 300, fleet.RemovedThisTick[stuck]);
            Assert.Equal(4096 - expectedStuck[t - 6], fleet.Ballooned[stuck]);
        }

        new InvariantChecker(fleet).Check();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void P10_HyperV_StuckGuest_NeverMoves_ItsGrantStaysInAvailable(KernelPath path)
    {
        // As the rate test, with a stuck guest: it stays at Startup 1024 below its Target 6000 every tick, nothing is added,
        // and Available keeps its share: 16 384 − 6000 − 1024.
        var fleet = new Fleet(Model, [new HostSpec(16_384, 2, 0)]);
        int stuck = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 8192));
        int twin = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 8192));
        fleet.SetGuestResponse(stuck, GuestResponse.Stuck);
        foreach (int vm in (int[])[stuck, twin])
        {
            fleet.SetCommitted(vm, 5000);
            fleet.RequestStart(vm);
        }

        using var balancer = new Balancer(fleet, BalancerPolicy.HyperV, path, 1);
        balancer.Tick(30);
        Assert.Equal(1024, fleet.Assigned[stuck]);
        Assert.Equal(6000, fleet.Target[stuck]);
        Assert.Equal(0, fleet.AddOperations[stuck] + fleet.RemoveOperations[stuck]);
        Assert.Equal(6000, fleet.Assigned[twin]);
        Assert.Equal(16_384 - 6000 - 1024, fleet.HostAvailable(0));

        // The guest answers again (ideal): the next tick grants the 4976 it did not take.
        fleet.SetGuestResponse(stuck, GuestResponse.Ideal);
        balancer.Tick();
        Assert.Equal(6000, fleet.Assigned[stuck]);
        Assert.Equal(16_384 - 12_000, fleet.HostAvailable(0));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void P10_HyperV_ShortHost_WhatAStuckGuestDoesNotTake_GoesToTheNextVmInR13sOrder(KernelPath path)
    {
        // One host of 7144 MB, no reserve. A (Weight 10 000) and B (Weight 5000) commit 2000 MB: Need0 2000, Target 2400;
        // C (Weight 5000, Startup 4096) commits 500: Need0 512 (its Minimum), Target 600. All three start at tick 0 and
        // run from tick 3 at Startup: Available = 7144 − 6144 = 1000 < the shortfall 1376 + 1376, so R11's short plan runs.
        // Budget = 1000 + 6144 = 7144 covers Σ Need0 = 4512 and the buffers' 400 + 400 + 88, so every VM's allocation is
        // its Target. R12 balloons C by its cap, 300 MB (joining Available next tick). R13 in Weight-descending order (A,
        // then B, C by slot) while Available lasts: with an ideal A, A takes all 1000 (2024) and B nothing. With A stuck,
        // A takes nothing and its 1000 stay in Available for the next VM in that order: B is granted 1000 (2024).
        foreach (bool aStuck in (bool[])[false, true])
        {
            var fleet = new Fleet(Model, [new HostSpec(7144, 3, 0)]);
            int a = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 8192, weight: 10_000));
            int b = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 8192, weight: 5000));
            int c = fleet.AddVm(0, VmSettings.Dynamic(4096, 512, 8192, weight: 5000));
            if (aStuck)
                fleet.SetGuestResponse(a, GuestResponse.Stuck);
            fleet.SetCommitted(a, 2000);
            fleet.SetCommitted(b, 2000);
            fleet.SetCommitted(c, 500);
            foreach (int vm in (int[])[a, b, c])
                fleet.RequestStart(vm);

            using var balancer = new Balancer(fleet, BalancerPolicy.HyperV, path, 1);
            balancer.Tick(4);                                   // ticks 0..3; tick 3 is the first running tick
            Assert.Equal(VmState.Running, fleet.State(a));
            Assert.True(fleet.HostWasShort(0));
            Assert.Equal(aStuck ? 1024 : 2024, fleet.Assigned[a]);
            Assert.Equal(aStuck ? 2024 : 1024, fleet.Assigned[b]);
            Assert.Equal(4096 - 300, fleet.Assigned[c]);
            Assert.Equal(300, fleet.RemovedThisTick[c]);
            Assert.Equal(0, fleet.HostAvailable(0));
            new InvariantChecker(fleet).Check();
        }
    }
}
