using DmKernel.Tests.Support;

namespace DmKernel.Tests.Policies;

/// <summary>
/// Properties of every policy on whole fleets: R14's invariants after every tick (with starts, restarts, stops and
/// settings changes in between, and P10 guests), and determinism: every kernel path and every thread count, and a
/// sharded tick, give the same state bit for bit.
/// </summary>
public class PolicyPropertyTests
{
    public static readonly TheoryData<PolicyKind> Policies = new()
    {
        PolicyKind.HyperV, PolicyKind.Static, PolicyKind.Squeezed, PolicyKind.Mom, PolicyKind.Esx,
    };

    public static readonly TheoryData<PolicyKind> GoalPolicies = new()
    {
        PolicyKind.Static, PolicyKind.Squeezed, PolicyKind.Mom, PolicyKind.Esx,
    };

    /// <summary>Short periods, so that squeezed's, MoM's and ESX's periodic steps fall often.</summary>
    private static BalancerPolicy Fast(PolicyKind kind) => BalancerPolicy.Of(kind) with
    {
        SqueezedPeriodSeconds = 3,
        SqueezedStuckSeconds = 2,
        MomPeriodSeconds = 2,
        EsxSamplePeriodSeconds = 4,
    };

    /// <summary>
    /// Gives about a quarter of the VMs (of the hosts in <paramref name="hosts"/>, or of every host) a slow, stuck or
    /// intermittently stuck guest (P10), the same on every fleet.
    /// </summary>
    private static void SetGuests(Fleet[] fleets, int seed, int[]? hosts = null)
    {
        var random = new Random(seed);
        for (int vm = 0; vm < fleets[0].SlotCount; vm++)
        {
            if (!fleets[0].IsUsed(vm) || (hosts is not null && !hosts.Contains(fleets[0].HostOf(vm))))
                continue;
            GuestResponse r = random.Next(8) switch
            {
                0 => GuestResponse.Stuck,
                1 => GuestResponse.Rate(2 * random.Next(1, 200)),
                2 => GuestResponse.IntermittentlyStuck(random.Next(1, 6), random.Next(1, 6)),
                _ => GuestResponse.Ideal,
            };
            foreach (Fleet f in fleets)
                f.SetGuestResponse(vm, r);
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void R14_InvariantsHoldAfterEveryTick_UnderEveryPolicy(PolicyKind kind)
    {
        long grants = 0, removals = 0, running = 0;
        foreach (int seed in (int[])[1, 2, 3, 4])
        {
            Fleet fleet = new RandomFleet(seed, edgeValues: seed % 2 == 0).Build(RandomFleet.FastModel, [1, 17, 40, 33], fillFactor: seed % 2 == 0 ? 0.6 : 1.0);
            Fleet[] fleets = [fleet];
            SetGuests(fleets, seed);
            using var balancer = new Balancer(fleet, Fast(kind), KernelPath.Scalar, 1);
            var ops = new RandomFleet(seed ^ 0x5EED, seed % 2 == 0);
            var checker = new InvariantChecker(fleet);
            for (int t = 0; t < 150; t++)
            {
                ops.Step(fleet, fleets, 0.05);
                balancer.Tick();
                checker.Check();
                for (int i = 0; i < fleet.SlotCount; i++)
                {
                    grants += fleet.UnballoonedThisTick[i] + fleet.HotAddedThisTick[i] > 0 ? 1 : 0;
                    removals += fleet.RemovedThisTick[i] > 0 ? 1 : 0;
                    running += fleet.IsUsed(i) && fleet.State(i) == VmState.Running ? 1 : 0;
                }
            }
        }

        // The runs reached what the invariants are about: running VMs, and (but for static) memory moving both ways.
        Assert.True(running > 1000, $"only {running} running VM-ticks");
        if (kind != PolicyKind.Static)
        {
            Assert.True(grants > 50, $"only {grants} grants");
            Assert.True(removals > 50, $"only {removals} removals");
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void EveryPathAndThreadCount_GivesTheSameState_UnderEveryPolicy(PolicyKind kind)
    {
        (KernelPath Path, int Threads)[] runs =
        [
            (KernelPath.Scalar, 1), (KernelPath.Vector128, 1), (KernelPath.Vector256, 2), (KernelPath.Vector512, 1), (KernelPath.Scalar, 3), (KernelPath.Vector512, 4),
        ];
        // Seed 11 with P10 guests (hosts with a slow or stuck guest take the scalar moves on every path); 12 and 13 with
        // ideal guests only, so that the vector paths plan the moves and apply them in the vector finishing pass.
        foreach (int seed in (int[])[11, 12, 13])
        {
            var fleets = new Fleet[runs.Length + 1];
            for (int k = 0; k < fleets.Length; k++)
                fleets[k] = new RandomFleet(seed, edgeValues: seed == 12).Build(RandomFleet.FastModel, [5, 40, 1, 23, 16, 31], fillFactor: seed == 13 ? 1.2 : 0.9);
            if (seed == 11)
                SetGuests(fleets, seed);
            var balancers = new Balancer[fleets.Length];
            for (int k = 0; k < runs.Length; k++)
                balancers[k] = new Balancer(fleets[k], Fast(kind), runs[k].Path, runs[k].Threads);
            balancers[^1] = new Balancer(fleets[^1], Fast(kind), KernelPath.Scalar, 1);
            var ops = new RandomFleet(seed ^ 0x5EED, seed == 12);
            try
            {
                for (int t = 0; t < 120; t++)
                {
                    ops.Step(fleets[0], fleets, 0.05);
                    for (int k = 0; k < runs.Length; k++)
                        balancers[k].Tick();

                    // The last fleet runs sharded ticks: hosts in two disjoint ranges, the second first.
                    Balancer sharded = balancers[^1];
                    sharded.BeginTick();
                    sharded.TickHosts(3, fleets[^1].HostCount - 3);
                    sharded.TickHosts(0, 3);
                    sharded.EndTick();

                    // A VM's guest turns slow and back to ideal (P10 settings change between ticks; seed 12).
                    if (seed == 12 && t % 40 == 20)
                    {
                        foreach (Fleet f in fleets)
                            f.SetGuestResponse(0, GuestResponse.Rate(4));
                    }
                    else if (seed == 12 && t % 40 == 30)
                    {
                        foreach (Fleet f in fleets)
                            f.SetGuestResponse(0, GuestResponse.Ideal);
                    }

                    for (int k = 1; k < fleets.Length; k++)
                        FleetAssert.Equal(fleets[0], fleets[k], $"{kind}, seed {seed}, run {k}, tick {t}");
                    Assert.Equal(fleets[0].ComputeStateHash(), fleets[^1].ComputeStateHash());
                }
            }
            finally
            {
                foreach (Balancer b in balancers)
                    b.Dispose();
            }
        }
    }

    /// <summary>
    /// Large tight hosts with many starts and restarts per tick under every policy: the vector paths' R4 reclaims from the
    /// donor index (<c>DonorIndex</c>) against the scalar path's scan, every column after every tick (static starts reclaim
    /// nothing, so its runs check that the index is not used there).
    /// </summary>
    [Theory]
    [MemberData(nameof(Policies))]
    public void EveryPath_LargeTightHosts_ManyStartsPerTick_GivesTheSameState_UnderEveryPolicy(PolicyKind kind)
    {
        KernelPath[] paths = [KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512];
        var fleets = new Fleet[paths.Length];
        for (int k = 0; k < fleets.Length; k++)
            fleets[k] = new RandomFleet(17, edgeValues: true).Build(RandomFleet.FastModel, [300, 7, 257], fillFactor: 0.3);
        var balancers = new Balancer[paths.Length];
        for (int k = 0; k < paths.Length; k++)
            balancers[k] = new Balancer(fleets[k], Fast(kind), paths[k], 1);
        var ops = new RandomFleet(17 ^ 0x5EED, true);
        try
        {
            for (int t = 0; t < 60; t++)
            {
                ops.Step(fleets[0], fleets, 0.25);
                foreach (Balancer b in balancers)
                    b.Tick();
                for (int k = 1; k < fleets.Length; k++)
                    FleetAssert.Equal(fleets[0], fleets[k], $"{kind}, {paths[k]}, tick {t}");
            }
        }
        finally
        {
            foreach (Balancer b in balancers)
                b.Dispose();
        }
    }

    [Fact]
    public void P10_HyperV_EveryPathAndThreadCount_GivesTheSameState_WithAMixOfGuests()
    {
        // Hyper-V with slow and stuck guests on some hosts only: on a vector path those hosts take the scalar kernel and
        // the others the vector kernel, in the same chunk of hosts. Guests turn slow and back, and a VM with a stuck guest
        // is stopped, removed and added back, so the per-host count of non-ideal guests moves; it must always equal a
        // recount of the guests, and be rebuilt by a checkpoint's load.
        (KernelPath Path, int Threads)[] runs =
        [
            (KernelPath.Scalar, 1), (KernelPath.Vector128, 1), (KernelPath.Vector256, 2), (KernelPath.Vector512, 1), (KernelPath.Scalar, 3), (KernelPath.Vector512, 4),
        ];
        int[] vmsPerHost = [5, 40, 1, 23, 16, 31];
        foreach (int seed in (int[])[31, 32])
        {
            double fill = seed == 31 ? 0.9 : 1.2;
            var fleets = new Fleet[runs.Length + 1];
            for (int k = 0; k < fleets.Length; k++)
                fleets[k] = new RandomFleet(seed, edgeValues: seed == 32).Build(RandomFleet.FastModel, vmsPerHost, fillFactor: fill);
            SetGuests(fleets, seed, [1, 4]);
            var balancers = new Balancer[fleets.Length];
            for (int k = 0; k < runs.Length; k++)
                balancers[k] = new Balancer(fleets[k], BalancerPolicy.HyperV, runs[k].Path, runs[k].Threads);
            balancers[^1] = new Balancer(fleets[^1], BalancerPolicy.HyperV, KernelPath.Scalar, 1);
            var ops = new RandomFleet(seed ^ 0x5EED, seed == 32);
            Fleet reference = fleets[0];
            int turning = reference.Cols.HostStart[0];                 // host 0's first VM: its guest turns slow and back
            int removed = reference.Cols.HostStart[3];                 // host 3's first VM: stuck, stopped, removed, added back
            foreach (Fleet f in fleets)
                f.SetGuestResponse(removed, GuestResponse.Stuck);
            int moved = 0, limitedHostTicks = 0, idealHostTicks = 0;
            try
            {
                for (int t = 0; t < 120; t++)
                {
                    if (t % 30 == 10)
                    {
                        foreach (Fleet f in fleets)
                            f.SetGuestResponse(turning, GuestResponse.IntermittentlyStuck(2, 3));
                    }
                    else if (t % 30 == 25)
                    {
                        foreach (Fleet f in fleets)
                            f.SetGuestResponse(turning, GuestResponse.Rate(2 * (1 + (t % 7))));
                    }
                    else if (t % 30 == 29)
                    {
                        foreach (Fleet f in fleets)
                            f.SetGuestResponse(turning, GuestResponse.Ideal);
                    }

                    if (t == 40 && reference.IsUsed(removed) && reference.State(removed) != VmState.Off && reference.PendingRequest(removed) == LifecycleRequest.None)
                    {
                        foreach (Fleet f in fleets)
                            f.RequestStop(removed);
                    }
                    else if (t >= 41 && t < 70 && reference.IsUsed(removed) && reference.State(removed) == VmState.Off && reference.PendingRequest(removed) == LifecycleRequest.None)
                    {
                        foreach (Fleet f in fleets)
                            f.RemoveVm(removed);
                    }
                    else if (t == 70 && !reference.IsUsed(removed))
                    {
                        foreach (Fleet f in fleets)
                        {
                            Assert.Equal(removed, f.AddVm(3, VmSettings.Dynamic(1024, 512, 4096)));
                            f.SetGuestResponse(removed, GuestResponse.Rate(20));
                            f.SetCommitted(removed, 3000);
                            f.RequestStart(removed);
                        }
                    }

                    ops.Step(reference, fleets, 0.05);
                    for (int k = 0; k < runs.Length; k++)
                        balancers[k].Tick();
                    Balancer sharded = balancers[^1];
                    sharded.BeginTick();
                    sharded.TickHosts(3, fleets[^1].HostCount - 3);
                    sharded.TickHosts(0, 3);
                    sharded.EndTick();

                    for (int h = 0; h < reference.HostCount; h++)
                    {
                        int start = reference.Cols.HostStart[h], count = 0;
                        for (int i = start; i < start + reference.Cols.HostCapacity[h]; i++)
                            count += reference.Cols.GuestKind[i] != (byte)GuestResponseKind.Ideal ? 1 : 0;
                        Assert.Equal(count, reference.Cols.HostNonIdealGuests[h]);
                        limitedHostTicks += count > 0 ? 1 : 0;
                        idealHostTicks += count == 0 ? 1 : 0;
                    }

                    for (int i = 0; i < reference.SlotCount; i++)
                        moved += reference.Cols.GuestKind[i] != 0 && reference.UnballoonedThisTick[i] + reference.HotAddedThisTick[i] + reference.RemovedThisTick[i] > 0 ? 1 : 0;
                    for (int k = 1; k < fleets.Length; k++)
                        FleetAssert.Equal(reference, fleets[k], $"Hyper-V with P10 guests, seed {seed}, run {k}, tick {t}");
                    Assert.Equal(reference.ComputeStateHash(), fleets[^1].ComputeStateHash());
                }
            }
            finally
            {
                foreach (Balancer b in balancers)
                    b.Dispose();
            }

            // The run had both kinds of host, and non-ideal guests that moved (within their limits).
            Assert.True(limitedHostTicks > 100 && idealHostTicks > 100, $"{limitedHostTicks} limited and {idealHostTicks} ideal host-ticks");
            Assert.True(moved > 20, $"only {moved} moves of non-ideal guests");

            // A checkpoint does not save the count (a cache): the load rebuilds it from the guests.
            var saved = new MemoryStream();
            reference.SaveState(saved);
            Fleet loaded = new RandomFleet(seed, edgeValues: seed == 32).Build(RandomFleet.FastModel, vmsPerHost, fillFactor: fill);
            saved.Position = 0;
            loaded.LoadState(saved);
            Assert.Equal(reference.Cols.HostNonIdealGuests, loaded.Cols.HostNonIdealGuests);
            Assert.Contains(loaded.Cols.HostNonIdealGuests, c => c > 0);
        }
    }

    [Theory]
    [MemberData(nameof(GoalPolicies))]
    public void EveryGoalPolicy_SteadyTicks_AllocateZeroBytes_AlsoSharded(PolicyKind kind)
    {
        Fleet fleet = new RandomFleet(21).Build(RandomFleet.FastModel, [30, 30, 30], fillFactor: 0.9);
        SetGuests([fleet], 21);
        using var balancer = new Balancer(fleet, Fast(kind), KernelPath.Vector256, 1);
        var ops = new RandomFleet(22);
        void Run(int ticks)
        {
            for (int t = 0; t < ticks; t++)
            {
                ops.Step(fleet, [fleet], 0.02);
                balancer.Tick();
                balancer.BeginTick();
                balancer.TickHosts(1, 2);
                balancer.TickHosts(0, 1);
                balancer.EndTick();
            }
        }

        Run(50);
        var random = new Random(1);
        for (int vm = 0; vm < fleet.SlotCount; vm++)
        {
            if (fleet.IsUsed(vm) && fleet.State(vm) == VmState.Off)
                fleet.RequestStart(vm);
        }

        balancer.Tick();

        // Demand only (RandomFleet's settings changes build records): the tick itself must not allocate. Not one byte over
        // 2 000 steps after 200 of the same to warm up.
        AllocationAssert.NothingOnThisThread($"{kind}'s ticks", warmUp: 200, steps: 2000, _ =>
        {
            for (int vm = 0; vm < fleet.SlotCount; vm++)
            {
                if (fleet.IsUsed(vm))
                    fleet.SetCommitted(vm, random.Next(0, fleet.GetSettings(vm).MaximumMb));
            }

            balancer.Tick();
            balancer.BeginTick();
            balancer.TickHosts(1, 2);
            balancer.TickHosts(0, 1);
            balancer.EndTick();
        });
    }

    [Theory]
    [MemberData(nameof(GoalPolicies))]
    public void EveryGoalPolicy_DecidesOtherwiseThanHyperV_OnTheSameFleet(PolicyKind kind)
    {
        // Guards the wiring: a policy that silently ran Hyper-V's kernel would leave the same state.
        Fleet a = new RandomFleet(5).Build(RandomFleet.FastModel, [30, 30], fillFactor: 0.9);
        Fleet b = new RandomFleet(5).Build(RandomFleet.FastModel, [30, 30], fillFactor: 0.9);
        using var hyperV = new Balancer(a, BalancerPolicy.HyperV, KernelPath.Scalar, 1);
        using var other = new Balancer(b, Fast(kind), KernelPath.Scalar, 1);
        var ops = new RandomFleet(77);
        for (int t = 0; t < 60; t++)
        {
            ops.Step(a, [a, b], 0.05);
            hyperV.Tick();
            other.Tick();
        }

        Assert.NotEqual(a.ComputeStateHash(), b.ComputeStateHash());
    }
}
