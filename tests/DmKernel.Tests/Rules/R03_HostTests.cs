using DmKernel.Tests.Support;
using static DmKernel.Tests.Rules.RuleScenario;

namespace DmKernel.Tests.Rules;

/// <summary>R3: Available = Total − Reserve − Σ Assigned, never below 0; the reserve is configurable.</summary>
public class R03_HostTests
{
    [Fact]
    public void R3_Available_IsTotalMinusReserveMinusAssigned()
    {
        // reserveMb: null → the model's HostReserve, 2048 MB by default.
        var s = new Scenario(hostTotalMb: 16384, reserveMb: null, model: Fast);
        Assert.Equal(2048, s.Fleet.HostReserve(0));
        Assert.Equal(16384 - 2048, s.Fleet.HostAvailable(0)); // 14336 before any VM

        // Tick 0: a static 4096 and a DM VM with Startup 1024 start: 14336 − 4096 − 1024 = 9216.
        int[] vms = s.Start((VmSettings.Static(4096), 0), (Dm(1024, 512, 8192), 2000));
        Assert.Equal(9216, s.Fleet.HostAvailable(0));

        // Tick 1: the DM VM runs, Target = 2400, granted 1376: 9216 − 1376 = 7840.
        s.Tick();
        Assert.Equal(2400, s.Fleet.Assigned[vms[1]]);
        Assert.Equal(7840, s.Fleet.HostAvailable(0));
        Assert.Equal(16384, s.Fleet.Assigned[vms[0]] + s.Fleet.Assigned[vms[1]] + 2048 + s.Fleet.HostAvailable(0));
    }

    [Fact]
    public void R3_Reserve_ComesFromTheModelOrTheHostSpec()
    {
        var fleet = new Fleet(new ModelParameters { HostReserveMb = 1024 },
            [new HostSpec(16384, 4), new HostSpec(16384, 4, ReserveMb: 4096)]);
        Assert.Equal(1024, fleet.HostReserve(0));
        Assert.Equal(15360, fleet.HostAvailable(0)); // 16384 − 1024
        Assert.Equal(4096, fleet.HostReserve(1));
        Assert.Equal(12288, fleet.HostAvailable(1)); // 16384 − 4096, the host's own value wins

        // A host smaller than its reserve, or with an odd size, is refused.
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new Fleet(ModelParameters.Default, [new HostSpec(1024, 4)]));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new Fleet(ModelParameters.Default, [new HostSpec(16385, 4)]));
    }

    [Fact]
    public void R3_Available_NeverGoesBelowZero()
    {
        var s = new Scenario(hostTotalMb: 16384, reserveMb: null, model: Fast); // Available 14336
        int big = s.Add(VmSettings.Static(14338));
        s.Fleet.RequestStart(big);
        s.Tick();
        // 14338 > 14336 and nobody to reclaim from: refused, Available untouched.
        Assert.Equal(LifecycleResult.NotEnoughMemory, s.Fleet.LastResult(big));
        Assert.Equal(VmState.Off, s.Fleet.State(big));
        Assert.Equal(14336, s.Fleet.HostAvailable(0));

        // Exactly Available fits and leaves 0.
        int fits = s.Add(VmSettings.Static(14336));
        s.Fleet.RequestStart(fits);
        s.Tick();
        Assert.Equal(LifecycleResult.Started, s.Fleet.LastResult(fits));
        Assert.Equal(0, s.Fleet.HostAvailable(0));
    }

    [Fact]
    public void R3_HostsNeverShareAPool()
    {
        var s = new Scenario(hostTotalMb: 8192, hosts: 2, model: Fast);
        int full = s.Add(VmSettings.Static(8192), host: 1);
        s.Fleet.RequestStart(full);
        s.Tick();
        Assert.Equal(8192, s.Fleet.HostAvailable(0));
        Assert.Equal(0, s.Fleet.HostAvailable(1));

        // Host 0 has 8192 MB free, but a VM on host 1 can only use host 1's pool.
        int vm = s.Add(VmSettings.Static(4096), host: 1);
        s.Fleet.RequestStart(vm);
        s.Tick();
        Assert.Equal(LifecycleResult.NotEnoughMemory, s.Fleet.LastResult(vm));
        Assert.Equal(1, s.Fleet.HostFailedStarts(1));
        Assert.Equal(0, s.Fleet.HostFailedStarts(0));
        Assert.Equal(8192, s.Fleet.HostAvailable(0));
    }

    [Fact]
    public void R3_HostSlotRanges_ArePaddedToMultiplesOf16_CapacityAtMost65536()
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(16384, 10), new HostSpec(16384, 16), new HostSpec(16384, 17)]);
        Assert.Equal((0, 16), fleet.HostSlots(0));
        Assert.Equal((16, 16), fleet.HostSlots(1));
        Assert.Equal((32, 32), fleet.HostSlots(2));
        Assert.Equal(64, fleet.SlotCount);
        // Only the slots asked for can hold VMs: host 0 is full after 10, although its range has 16 slots.
        for (int k = 0; k < 10; k++)
            Assert.Equal(k, fleet.AddVm(0, VmSettings.Default));
        Assert.Throws<InvalidOperationException>(() => fleet.AddVm(0, VmSettings.Default));
        Assert.Equal(0, fleet.HostOf(15));
        Assert.Equal(1, fleet.HostOf(16));

        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new Fleet(ModelParameters.Default, [new HostSpec(16384, 65_537)]));
    }
}
