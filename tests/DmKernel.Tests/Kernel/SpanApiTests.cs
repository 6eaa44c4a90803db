using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>The span API (<see cref="Fleet.Vms"/>, <see cref="Fleet.Hosts"/>) equals the per-index methods, slot by slot, tick after tick.</summary>
public class SpanApiTests
{
    [Fact]
    public void VmAndHostSpans_EqualThePerIndexMethods_OnEveryTick()
    {
        var fleet = new RandomFleet(51).Build(RandomFleet.FastModel, [30, 64, 9, 0, 33], 0.7);
        using var balancer = new Balancer(fleet, KernelPath.Vector256);
        var ops = new RandomFleet(52);
        for (int t = 0; t < 120; t++)
        {
            ops.Step(fleet, [fleet], 0.08);
            if (t % 7 == 0)
            {
                // A pending request cancelled before the tick is as if it had not been made.
                for (int vm = 0; vm < fleet.SlotCount; vm += 11)
                {
                    if (fleet.PendingRequest(vm) != LifecycleRequest.None)
                    {
                        LifecycleRequest pending = fleet.PendingRequest(vm);
                        Assert.Equal(pending, fleet.CancelRequest(vm));
                        Assert.Equal(LifecycleRequest.None, fleet.PendingRequest(vm));
                        Assert.Equal(LifecycleRequest.None, fleet.CancelRequest(vm));
                    }
                }
            }

            balancer.Tick();
            FleetVmSpans vms = fleet.Vms;
            for (int vm = 0; vm < fleet.SlotCount; vm++)
            {
                Assert.Equal(fleet.State(vm), vms.State[vm]);
                Assert.Equal(fleet.Status(vm), vms.Status[vm]);
                Assert.Equal(fleet.GuestVisible(vm), vms.GuestVisible[vm]);
                Assert.Equal(fleet.IsReclaiming(vm), vms.IsReclaiming[vm]);
                Assert.Equal(fleet.LastResult(vm), vms.LastResult[vm]);
                Assert.Equal(fleet.LastResultTick(vm), vms.LastResultTick[vm]);
                Assert.Equal(fleet.PendingRequest(vm), vms.PendingRequest[vm]);
                Assert.Equal(fleet.BootTicksLeft(vm), vms.BootTicksLeft[vm]);
                Assert.Equal(fleet.AveragePressure(vm), vms.AveragePressure[vm]);
                Assert.Equal(fleet.MinimumPressure(vm), vms.MinimumPressure[vm]);
                Assert.Equal(fleet.MaximumPressure(vm), vms.MaximumPressure[vm]);
                Assert.Equal(fleet.IsUsed(vm), vms.IsUsed[vm]);
                Assert.Equal(fleet.Assigned[vm], vms.Assigned[vm]);
                Assert.Equal(fleet.Pressure[vm], vms.Pressure[vm]);
                if (fleet.IsUsed(vm))
                {
                    VmSettings s = fleet.GetSettings(vm);
                    Assert.Equal(s.StartupMb, vms.StartupMb[vm]);
                    Assert.Equal(s.MinimumMb, vms.MinimumMb[vm]);
                    Assert.Equal(s.MaximumMb, vms.MaximumMb[vm]);
                    Assert.Equal(s.BufferPercent, vms.BufferPercent[vm]);
                    Assert.Equal(s.Weight, vms.Weight[vm]);
                    Assert.Equal(s.DynamicMemory, vms.DynamicMemory[vm]);
                    Assert.Equal(s.Guest, vms.Guest[vm]);
                }
            }

            FleetHostSpans hosts = fleet.Hosts;
            for (int h = 0; h < fleet.HostCount; h++)
            {
                Assert.Equal(fleet.HostAvailable(h), hosts.Available[h]);
                Assert.Equal(fleet.HostPendingFreed(h), hosts.PendingFreed[h]);
                Assert.Equal(fleet.HostShortfall(h), hosts.Shortfall[h]);
                Assert.Equal(fleet.HostWasShort(h), hosts.WasShort[h]);
                Assert.Equal(fleet.HostAveragePressure(h), hosts.AveragePressure[h]);
                Assert.Equal(fleet.HostSystemPressure(h), hosts.SystemPressure[h]);
                Assert.Equal(fleet.HostAddedMemory(h), hosts.AddedMemory[h]);
                Assert.Equal(fleet.HostRemovedMemory(h), hosts.RemovedMemory[h]);
                Assert.Equal(fleet.HostAddOperations(h), hosts.AddOperations[h]);
                Assert.Equal(fleet.HostRemoveOperations(h), hosts.RemoveOperations[h]);
                Assert.Equal(fleet.HostFailedStarts(h), hosts.FailedStarts[h]);
                Assert.Equal(fleet.HostTotal(h), hosts.TotalMb[h]);
                Assert.Equal(fleet.HostReserve(h), hosts.ReserveMb[h]);
                Assert.Equal(fleet.HostSlots(h), (hosts.FirstSlot[h], hosts.SlotCapacity[h]));
            }
        }
    }

    /// <summary>
    /// A derived span (GuestVisible, Status, IsReclaiming, the window pressures, the settings packed in Flags) whose pass
    /// is overlapped by a change of the fleet (here made by the test hook at the end of the pass; in use, a call on another
    /// thread, the caller's error) is computed again at the next read: each pass records the version it read before its
    /// loop, not the one after it, which would take the change as seen and leave the span stale until the next change.
    /// </summary>
    [Fact]
    public void DerivedSpan_ChangedDuringItsPass_IsComputedAgainAtTheNextRead()
    {
        var fleet = new RandomFleet(61).Build(RandomFleet.FastModel, [30, 64, 9, 33], 0.7);
        using var balancer = new Balancer(fleet, KernelPath.Vector512);
        var ops = new RandomFleet(62);
        balancer.Tick(3);
        (string Name, Func<int[]> Span, Func<int, int> PerIndex)[] derived =
        [
            ("GuestVisible", () => fleet.Vms.GuestVisible.ToArray(), fleet.GuestVisible),
            ("Status", () => [.. fleet.Vms.Status.ToArray().Select(x => (int)x)], vm => (int)fleet.Status(vm)),
            ("IsReclaiming", () => [.. fleet.Vms.IsReclaiming.ToArray().Select(x => x ? 1 : 0)], vm => fleet.IsReclaiming(vm) ? 1 : 0),
            ("AveragePressure", () => fleet.Vms.AveragePressure.ToArray(), fleet.AveragePressure),
            ("MinimumPressure", () => fleet.Vms.MinimumPressure.ToArray(), fleet.MinimumPressure),
            ("MaximumPressure", () => fleet.Vms.MaximumPressure.ToArray(), fleet.MaximumPressure),
            ("IsUsed", () => [.. fleet.Vms.IsUsed.ToArray().Select(x => x ? 1 : 0)], vm => fleet.IsUsed(vm) ? 1 : 0),
            ("DynamicMemory", () => [.. fleet.Vms.DynamicMemory.ToArray().Select(x => x ? 1 : 0)], vm => (fleet.Cols.Flags[vm] & VmFlags.Dynamic) != 0 ? 1 : 0),
        ];
        foreach ((string name, Func<int[]> span, Func<int, int> perIndex) in derived)
        {
            int changedRounds = 0;
            for (int round = 0; round < 40; round++)
            {
                balancer.Tick(); // the span is out of date, so the next read runs its pass
                fleet.Derived.WhilePassing = () =>
                {
                    fleet.Derived.WhilePassing = null;
                    ops.Step(fleet, [fleet], 0.3);
                    balancer.Tick();
                    AddOrRemoveOne(fleet, round);
                };
                int[] during = span();
                Assert.Null(fleet.Derived.WhilePassing); // the pass ran (and changed the fleet), not a cached read
                int[] after = span();
                for (int vm = 0; vm < fleet.SlotCount; vm++)
                    Assert.True(perIndex(vm) == after[vm], $"{name}[{vm}] reads {after[vm]} after a change during its pass; the fleet holds {perIndex(vm)}");
                if (!during.AsSpan().SequenceEqual(after))
                    changedRounds++;
            }

            // The change made during the pass moved the span in some rounds, so a stale span would have been seen.
            Assert.True(changedRounds > 0, $"{name}: no change during a pass altered the span; the test tests nothing");
        }
    }

    /// <summary>Adds a VM (static on every other add) to the first free slot, or removes the first VM that is Off with
    /// nothing pending, so that the settings packed in Flags change too.</summary>
    private static void AddOrRemoveOne(Fleet fleet, int round)
    {
        if (round % 2 == 0)
        {
            for (int host = 0; host < fleet.HostCount; host++)
            {
                (int start, int capacity) = fleet.HostSlots(host);
                for (int vm = start; vm < start + Math.Min(capacity, fleet.Cols.HostVmLimit[host]); vm++)
                {
                    if (!fleet.IsUsed(vm))
                    {
                        fleet.AddVm(host, round % 4 == 0 ? VmSettings.Static(1024) : VmSettings.Dynamic(1024, 512, 4096));
                        return;
                    }
                }
            }
        }

        for (int vm = 0; vm < fleet.SlotCount; vm++)
        {
            if (fleet.IsUsed(vm) && fleet.State(vm) == VmState.Off && fleet.PendingRequest(vm) == LifecycleRequest.None)
            {
                fleet.RemoveVm(vm);
                return;
            }
        }
    }

    [Fact]
    public void LastResultTick_SaysWhichTickTheResultBelongsTo()
    {
        var fleet = new Fleet(RandomFleet.FastModel, [new HostSpec(8192, 4)]);
        int vm = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        Assert.Equal(-1, fleet.LastResultTick(vm));
        using var balancer = new Balancer(fleet);
        balancer.Tick(3);
        fleet.RequestStart(vm);
        balancer.Tick();
        Assert.Equal(LifecycleResult.Started, fleet.LastResult(vm));
        Assert.Equal(3, fleet.LastResultTick(vm));
        balancer.Tick(5);
        Assert.Equal(3, fleet.LastResultTick(vm));   // still the start's, five ticks later
        fleet.RequestStop(vm);
        balancer.Tick();
        Assert.Equal(LifecycleResult.Stopped, fleet.LastResult(vm));
        Assert.Equal(9, fleet.LastResultTick(vm));
    }

    [Fact]
    public void CancelRequest_TheTickIgnoresIt_AndPendingCountsStayRight()
    {
        var fleet = new Fleet(RandomFleet.FastModel, [new HostSpec(8192, 4)]);
        int a = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        int b = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        using var balancer = new Balancer(fleet, KernelPath.Vector512);
        fleet.RequestStart(a);
        fleet.RequestStart(b);
        Assert.Equal(LifecycleRequest.Start, fleet.CancelRequest(a));
        balancer.Tick();
        Assert.Equal(VmState.Off, fleet.State(a));
        Assert.Equal(LifecycleResult.None, fleet.LastResult(a));
        Assert.Equal(VmState.Booting, fleet.State(b));
        Assert.Equal(0, fleet.Cols.HostPendingRequests[0]);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => fleet.CancelRequest(fleet.SlotCount));
    }

    /// <summary>A VM has one request waiting at a time: a later one before the tick replaces it and is counted once.</summary>
    [Fact]
    public void LaterRequestBeforeTheTick_ReplacesTheWaitingOne_CountedOnce()
    {
        var fleet = new Fleet(RandomFleet.FastModel, [new HostSpec(8192, 4)]);
        int vm = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        using var balancer = new Balancer(fleet, KernelPath.Vector512);
        fleet.RequestStart(vm);
        balancer.Tick();
        Assert.Equal(VmState.Booting, fleet.State(vm));

        fleet.RequestStop(vm);
        fleet.RequestRestart(vm);
        Assert.Equal(1, fleet.Cols.HostPendingRequests[0]);
        balancer.Tick();
        Assert.Equal(LifecycleResult.Restarted, fleet.LastResult(vm));
        Assert.NotEqual(VmState.Off, fleet.State(vm));
        Assert.Equal(0, fleet.Cols.HostPendingRequests[0]);
    }

    /// <summary>
    /// A removed VM's slot reads its cleared values through the per-index methods and the spans alike (Off, Ok, 0),
    /// while GetSettings refuses it by name: a free slot has no settings (the documented difference).
    /// </summary>
    [Fact]
    public void RemovedVmSlot_ReadsClearedValues_ButGetSettingsRefusesIt()
    {
        var fleet = new Fleet(RandomFleet.FastModel, [new HostSpec(8192, 4)]);
        int keep = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        int gone = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        using var balancer = new Balancer(fleet, KernelPath.Vector512);
        fleet.RequestStart(keep);
        fleet.RequestStart(gone);
        fleet.SetCommitted(gone, 3000);
        balancer.Tick(5);
        fleet.RequestStop(gone);
        balancer.Tick();
        fleet.RemoveVm(gone);

        Assert.False(fleet.IsUsed(gone));
        Assert.Equal(VmState.Off, fleet.State(gone));
        Assert.Equal(MemoryStatus.Ok, fleet.Status(gone));
        Assert.Equal(0, fleet.GuestVisible(gone));
        Assert.Equal(fleet.State(gone), fleet.States[gone]);
        Assert.Equal(0, fleet.Vms.Assigned[gone]);
        var refused = Assert.Throws<InvalidOperationException>(() => fleet.GetSettings(gone));
        Assert.Contains($"{gone}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1024, fleet.GetSettings(keep).StartupMb);
    }

    /// <summary>
    /// A cancelled request is as if it had not been made, between ticks as well as at the tick: the host's count of waiting
    /// requests goes back with it, so the state hash is that of a fleet that never made the request, and a state saved then
    /// loads (the load checks the count against the VMs' requests). So is the request of a VM removed while Off: it goes
    /// with the VM.
    /// </summary>
    [Fact]
    public void CancelledOrRemovedVmsRequest_LeavesTheStateAsIfNeverMade_InTheHashAndACheckpoint()
    {
        static Fleet Make()
        {
            var f = new Fleet(RandomFleet.FastModel, [new HostSpec(8192, 4), new HostSpec(8192, 4)]);
            f.AddVm(1, VmSettings.Dynamic(1024, 512, 4096));
            f.AddVm(1, VmSettings.Dynamic(1024, 512, 4096));
            return f;
        }

        Fleet fleet = Make(), untouched = Make();
        (int first, _) = fleet.HostSlots(1);
        int a = first, b = first + 1;
        fleet.RequestStart(a);
        Assert.Equal(LifecycleRequest.Start, fleet.CancelRequest(a));
        Assert.Equal(untouched.ComputeStateHash(), fleet.ComputeStateHash());

        fleet.RequestStart(b);
        fleet.RemoveVm(b);
        untouched.RemoveVm(b);
        Assert.Equal(LifecycleRequest.None, fleet.PendingRequest(b));
        Assert.Equal(untouched.ComputeStateHash(), fleet.ComputeStateHash());

        using var state = new MemoryStream();
        fleet.SaveState(state);
        state.Position = 0;
        Fleet copy = Make();
        copy.LoadState(state);
        Assert.Equal(fleet.ComputeStateHash(), copy.ComputeStateHash());
    }

    /// <summary>
    /// The derived setting spans (<see cref="FleetVmSpans.IsUsed"/>, <see cref="FleetVmSpans.DynamicMemory"/>,
    /// <see cref="FleetVmSpans.Guest"/>) follow AddVm, Configure and RemoveVm made between ticks: each call marks the fleet
    /// changed, so a span read before it is computed again after it, with no tick between.
    /// </summary>
    [Fact]
    public void DerivedSettingSpans_FollowAddConfigureAndRemove_WithoutATick()
    {
        var fleet = new Fleet(RandomFleet.FastModel, [new HostSpec(8192, 4)]);
        Assert.False(fleet.Vms.IsUsed[0]);
        int vm = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        Assert.True(fleet.Vms.IsUsed[vm]);
        Assert.True(fleet.Vms.DynamicMemory[vm]);
        Assert.Equal(GuestKind.Windows, fleet.Vms.Guest[vm]);

        fleet.Configure(vm, VmSettings.Static(2048, GuestKind.Linux));
        Assert.False(fleet.Vms.DynamicMemory[vm]);
        Assert.Equal(GuestKind.Linux, fleet.Vms.Guest[vm]);

        fleet.Configure(vm, VmSettings.Dynamic(1024, 512, 4096));   // Off: any R1-valid change, Linux back to Windows
        Assert.True(fleet.Vms.DynamicMemory[vm]);
        Assert.Equal(GuestKind.Windows, fleet.Vms.Guest[vm]);
        Assert.Equal(GuestKind.Windows, fleet.GetSettings(vm).Guest);

        fleet.RemoveVm(vm);
        Assert.False(fleet.Vms.IsUsed[vm]);
        Assert.False(fleet.Vms.DynamicMemory[vm]);   // a free slot reads as zero
    }

    /// <summary>
    /// The per-host layout and RAM spans are the <see cref="HostSpec"/>s given: <see cref="FleetHostSpans.VmCapacity"/> the
    /// VM capacity asked for (not the padded slot count), <see cref="FleetHostSpans.SlotCapacity"/> that rounded up to
    /// 16, <see cref="FleetHostSpans.FirstSlot"/> the padded counts before, the reserve given or the model's (R3), and
    /// Available = Total − Reserve before any VM runs (R3); one element per host.
    /// </summary>
    [Fact]
    public void HostSpans_LayoutAndRam_AreTheHostSpecsGiven()
    {
        var model = ModelParameters.Default;
        var fleet = new Fleet(model, [new HostSpec(16_384, 10), new HostSpec(8192, 20, ReserveMb: 1024), new HostSpec(4096, 0)]);
        FleetHostSpans hosts = fleet.Hosts;
        Assert.Equal([0, 16, 48], hosts.FirstSlot.ToArray());
        Assert.Equal([16, 32, 0], hosts.SlotCapacity.ToArray());
        Assert.Equal([10, 20, 0], hosts.VmCapacity.ToArray());
        Assert.Equal([16_384, 8192, 4096], hosts.TotalMb.ToArray());
        Assert.Equal([model.HostReserveMb, 1024, model.HostReserveMb], hosts.ReserveMb.ToArray());
        Assert.Equal([16_384 - model.HostReserveMb, 8192 - 1024, 4096 - model.HostReserveMb], hosts.Available.ToArray());
        Assert.Equal((16, 32), fleet.HostSlots(1));
        Assert.Equal(48, fleet.SlotCount);
    }
    /// <summary>
    /// <see cref="FleetHostSpans.VmCount"/>: the VMs each host holds, as <see cref="FleetVmSpans.IsUsed"/> counts them over
    /// its slot range, through adds, removes and a state loaded into another fleet (a simulator reading one host's VMs
    /// had only the slot range before stop 55, which includes free and padding slots).
    /// </summary>
    [Fact]
    public void HostVmCount_IsTheUsedSlotsOfEachHostsRange_ThroughAddRemoveAndLoad()
    {
        var fleet = new RandomFleet(7).Build(RandomFleet.FastModel, [5, 40, 17, 0], fillFactor: 0.5);
        void Check(Fleet f)
        {
            for (int h = 0; h < f.HostCount; h++)
            {
                int first = f.Hosts.FirstSlot[h], n = f.Hosts.SlotCapacity[h];
                Assert.Equal(f.Vms.IsUsed.Slice(first, n).Count(true), f.Hosts.VmCount[h]);
            }
        }

        Check(fleet);
        int before = fleet.Hosts.VmCount[1];
        int FirstUsed(int h) => fleet.Hosts.FirstSlot[h] + Array.IndexOf(fleet.Vms.IsUsed.Slice(fleet.Hosts.FirstSlot[h], fleet.Hosts.SlotCapacity[h]).ToArray(), true);
        fleet.RemoveVm(FirstUsed(1));
        fleet.RemoveVm(FirstUsed(1));
        Assert.Equal(before - 2, fleet.Hosts.VmCount[1]);
        fleet.AddVm(1, VmSettings.Dynamic(1024, 512, 2048));
        Assert.Equal(before - 1, fleet.Hosts.VmCount[1]);
        fleet.RemoveVm(FirstUsed(2));
        Check(fleet);
        Assert.Equal(0, fleet.Hosts.VmCount[3]);

        using var state = new MemoryStream();
        fleet.SaveState(state);
        var copy = new RandomFleet(7).Build(RandomFleet.FastModel, [5, 40, 17, 0], fillFactor: 0.5); // the same hosts, its own VMs
        copy.RemoveVm(Array.IndexOf(copy.Vms.IsUsed.ToArray(), true));
        Assert.NotEqual(fleet.Hosts.VmCount.ToArray(), copy.Hosts.VmCount.ToArray());
        state.Position = 0;
        copy.LoadState(state);
        Assert.Equal(fleet.Hosts.VmCount.ToArray(), copy.Hosts.VmCount.ToArray());
        Check(copy);
    }
}
