using DmKernel.Tests.Support;

namespace DmKernel.Tests.Rules;

/// <summary>
/// Helpers for the rule scenario tests (R1–R20) on top of <see cref="Scenario"/>. Every expected number in
/// those tests is derived by hand from docs/spec.md and docs/model.md, never copied
/// from a run.
/// </summary>
internal static class RuleScenario
{
    /// <summary>The spec's defaults with a boot grace of one tick: a VM started in tick t is Running from tick t + 1 (R5).</summary>
    public static ModelParameters Fast { get; } = new() { BootGraceSeconds = 1 };

    /// <summary><see cref="Fast"/> with every tick a reclaim tick (R15: ReclaimPeriod of one tick).</summary>
    public static ModelParameters FastReclaim { get; } = new() { BootGraceSeconds = 1, ReclaimPeriodSeconds = 1 };

    /// <summary>A dynamic-memory VM (R1 settings) with the defaults of the spec for what is not given.</summary>
    public static VmSettings Dm(int startupMb, int minimumMb, int maximumMb, int weight = 5000, int bufferPercent = 20,
        GuestKind guest = GuestKind.Windows)
        => VmSettings.Dynamic(startupMb, minimumMb, maximumMb, bufferPercent, weight, guest);

    /// <summary>A static VM with a chosen weight.</summary>
    public static VmSettings Static(int startupMb, int weight = 5000, GuestKind guest = GuestKind.Windows)
        => new(startupMb, startupMb, startupMb, 20, weight, false, guest);

    /// <summary>
    /// Adds the VMs to host 0 in this order (so in increasing slots), sets their committed demand, requests their
    /// starts and runs one tick, the start tick; every start must succeed. Returns the slots.
    /// </summary>
    public static int[] Start(this Scenario s, params (VmSettings Settings, int CommittedMb)[] vms)
    {
        var slots = new int[vms.Length];
        for (int k = 0; k < vms.Length; k++)
        {
            slots[k] = s.Add(vms[k].Settings);
            s.Fleet.SetCommitted(slots[k], vms[k].CommittedMb);
            s.Fleet.RequestStart(slots[k]);
        }

        s.Tick();
        foreach (int vm in slots)
        {
            Assert.Equal(LifecycleResult.Started, s.Fleet.LastResult(vm));
            Assert.Equal(VmState.Booting, s.Fleet.State(vm));
        }

        return slots;
    }

    /// <summary><see cref="Start"/>, then the BootGrace ticks after it, so the VMs have had their first Running tick.</summary>
    public static int[] StartRunning(this Scenario s, params (VmSettings Settings, int CommittedMb)[] vms)
    {
        int[] slots = s.Start(vms);
        s.Tick(s.Fleet.Model.BootGraceTicks);
        foreach (int vm in slots)
            Assert.Equal(VmState.Running, s.Fleet.State(vm));
        return slots;
    }

    /// <summary>Sets a VM's committed demand (R8 input) for the next tick.</summary>
    public static void Commit(this Scenario s, int vm, int committedMb) => s.Fleet.SetCommitted(vm, committedMb);

    /// <summary>Asserts a VM's memory: Assigned, Ballooned, Smart Paging, and that GuestVisible is their sum.</summary>
    public static void AssertMemory(this Scenario s, int vm, int assigned, int ballooned = 0, int smartPaging = 0)
    {
        Assert.Equal(assigned, s.Fleet.Assigned[vm]);
        Assert.Equal(ballooned, s.Fleet.Ballooned[vm]);
        Assert.Equal(smartPaging, s.Fleet.SmartPagingMb[vm]);
        Assert.Equal(assigned + ballooned + smartPaging, s.Fleet.GuestVisible(vm));
    }

    /// <summary>Asserts the R17 decision of the last tick for a VM.</summary>
    public static void AssertDecision(this Scenario s, int vm, int unballooned, int hotAdded, int removed)
    {
        Assert.Equal(unballooned, s.Fleet.UnballoonedThisTick[vm]);
        Assert.Equal(hotAdded, s.Fleet.HotAddedThisTick[vm]);
        Assert.Equal(removed, s.Fleet.RemovedThisTick[vm]);
    }
}
