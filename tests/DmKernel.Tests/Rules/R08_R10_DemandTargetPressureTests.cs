using DmKernel.Tests.Support;
using static DmKernel.Tests.Rules.RuleScenario;
using KernelRules = DmKernel.Kernel.Rules;

namespace DmKernel.Tests.Rules;

/// <summary>R8 demand (Linux floor), R9 Target and Need0, R10 pressure.</summary>
public class R08_R10_DemandTargetPressureTests
{
    // ---------------------------------------------------------------- R8

    // floor(t) = t < 128: 8 + t/2; t < 512: 40 + t/4; t < 2048: 104 + t/8; t < 8192: 232 + t/16; else 488 + t/32.
    [Theory]
    [InlineData(0, 8)]
    [InlineData(100, 58)]       // 8 + 50
    [InlineData(127, 71)]       // 8 + 63
    [InlineData(128, 72)]       // 40 + 32
    [InlineData(511, 167)]      // 40 + 127
    [InlineData(512, 168)]      // 104 + 64
    [InlineData(2047, 359)]     // 104 + 255
    [InlineData(2048, 360)]     // 232 + 128
    [InlineData(8191, 743)]     // 232 + 511
    [InlineData(8192, 744)]     // 488 + 256
    [InlineData(10000, 800)]    // 488 + 312
    public void R8_LinuxFloor_AtEachBreakpoint(int assigned, int floor)
        => Assert.Equal(floor, KernelRules.LinuxFloor(assigned));

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R8_Demand_LinuxAddsFloorOfAssigned_WindowsAsIs_OffZero(KernelPath path)
    {
        // Static VMs hold Assigned = Startup, so Demand = committed + floor(Startup) for Linux. BootGrace 50: all
        // Booting, which report Demand too (tick 0 runs the scalar lifecycle code, tick 1 the chosen path).
        var s = new Scenario(hostTotalMb: 32768, path: path);
        int[] v = s.Start(
            (VmSettings.Static(100, GuestKind.Linux), 0),
            (VmSettings.Static(128, GuestKind.Linux), 0),
            (VmSettings.Static(512, GuestKind.Linux), 0),
            (VmSettings.Static(2048, GuestKind.Linux), 1000),
            (VmSettings.Static(8192, GuestKind.Linux), 0),
            (VmSettings.Static(10000, GuestKind.Linux), 0),
            (VmSettings.Static(2048), 1000));
        int off = s.Add(VmSettings.Static(512, GuestKind.Linux));
        s.Commit(off, 500);
        int[] expected = [58, 72, 168, 1000 + 360, 744, 800, 1000];
        for (int tick = 0; tick < 2; tick++)
        {
            for (int k = 0; k < v.Length; k++)
                Assert.Equal(expected[k], s.Fleet.Demand[v[k]]);
            Assert.Equal(0, s.Fleet.Demand[off]);
            s.Tick();
        }
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R8_LinuxDmVm_DemandFollowsItsOwnAssigned(KernelPath path)
    {
        var s = new Scenario(model: Fast, path: path);
        int vm = s.StartRunning((Dm(1024, 512, 8192, guest: GuestKind.Linux), 500))[0];
        // Tick 1: Demand 500 + floor(1024) = 500 + 232 = 732; Target roundUp(ceil(878.4)) = 880 < 1024: no change.
        Assert.Equal(732, s.Fleet.Demand[vm]);
        Assert.Equal(880, s.Fleet.Target[vm]);
        Assert.Equal(1024, s.Fleet.Assigned[vm]);

        s.Commit(vm, 2000);
        // Demand uses the Assigned at the start of each tick; the floor grows with Assigned until a fixpoint:
        // tick 2: 2000 + 232 = 2232 → ceil(2678.4) = 2679 → 2680;  tick 3: 2000 + 232 + 2680/16 (167) = 2399 → 2880;
        // tick 4: 2000 + 232 + 180 = 2412 → ceil(2894.4) → 2896;  tick 5: 2000 + 232 + 181 = 2413 → ceil(2895.6) → 2896.
        int[] demand = [2232, 2399, 2412, 2413];
        int[] assigned = [2680, 2880, 2896, 2896];
        for (int k = 0; k < 4; k++)
        {
            s.Tick();
            Assert.Equal(demand[k], s.Fleet.Demand[vm]);
            Assert.Equal(assigned[k], s.Fleet.Target[vm]);
            Assert.Equal(assigned[k], s.Fleet.Assigned[vm]);
        }
    }

    // ---------------------------------------------------------------- R9

    // Target = clamp(roundUp(ceil(Demand × (100 + Buffer) / 100)), Minimum, Maximum).
    [Theory]
    [InlineData(1000, 20, 512, 8192, 1200)]     // exact: 1200
    [InlineData(999, 10, 512, 8192, 1100)]      // 1098.9 → 1099 → roundUp 1100
    [InlineData(1001, 5, 512, 8192, 1052)]      // 1051.05 → 1052
    [InlineData(3000, 20, 512, 65536, 3600)]
    [InlineData(100, 20, 512, 8192, 512)]       // 120 → clamped up to Minimum
    [InlineData(0, 20, 512, 8192, 512)]
    [InlineData(10000, 20, 512, 8192, 8192)]    // 12000 → clamped down to Maximum
    [InlineData(6827, 20, 512, 8192, 8192)]     // 8192.4 → 8193 → Maximum 8192 (not 8194)
    [InlineData(1000, 2000, 512, 65536, 21000)] // Buffer 2000 %
    [InlineData(3, 5, 32, 64, 32)]              // 3.15 → 4 → Minimum 32
    [InlineData(16_777_216, 2000, 512, 16_777_216, 16_777_216)] // 16 TB demand: the product 2^24 × 2100 stays exact
    public void R9_Target_RoundsUpToGranularity_AndClamps(int demand, int buffer, int minimum, int maximum, int target)
        => Assert.Equal(target, KernelRules.Target(demand, buffer, minimum, maximum, gMask: 1));

    // Need0 = clamp(roundUp(Demand), Minimum, Maximum).
    [Theory]
    [InlineData(1001, 512, 8192, 1002)]
    [InlineData(2000, 512, 8192, 2000)]
    [InlineData(100, 512, 8192, 512)]
    [InlineData(10000, 512, 8192, 8192)]
    [InlineData(8191, 512, 8192, 8192)]
    public void R9_Need0_IsDemandRoundedUp_AndClamped(int demand, int minimum, int maximum, int need0)
        => Assert.Equal(need0, KernelRules.Need0(demand, minimum, maximum, gMask: 1));

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R9_Target_InAScenario_MatchesHandValues(KernelPath path)
    {
        var s = new Scenario(hostTotalMb: 65536, model: Fast, path: path);
        int[] v = s.StartRunning(
            (Dm(512, 512, 8192, bufferPercent: 10), 999),     // 1100
            (Dm(512, 512, 8192, bufferPercent: 5), 1001),     // 1052
            (Dm(512, 512, 8192), 100),                        // 512 (Minimum)
            (Dm(512, 512, 8192), 10000),                      // 8192 (Maximum)
            (Dm(512, 512, 65536, bufferPercent: 2000), 1000), // 21000
            (Dm(512, 512, 8192), 6827));                      // 8192
        int[] expected = [1100, 1052, 512, 8192, 21000, 8192];
        s.Tick(); // a tick on the chosen path with nothing to grant: Σ Target 40048 fitted the first time
        for (int k = 0; k < v.Length; k++)
        {
            Assert.Equal(expected[k], s.Fleet.Target[v[k]]);
            Assert.Equal(expected[k], s.Fleet.Assigned[v[k]]);
        }
    }

    [Fact]
    public void R9_BootingAndStaticVms_HaveTargetStartup_OffVmsZero()
    {
        var s = new Scenario(); // BootGrace 50
        int[] v = s.Start((Dm(1024, 512, 8192), 5000), (VmSettings.Static(2048), 5000));
        int off = s.Add(Dm(1024, 512, 8192));
        s.Commit(off, 5000);
        s.Tick();
        Assert.Equal(1024, s.Fleet.Target[v[0]]);
        Assert.Equal(2048, s.Fleet.Target[v[1]]);
        Assert.Equal(0, s.Fleet.Target[off]);
        s.Tick(49); // both Running now: the DM VM gets 6000, the static one keeps Startup
        Assert.Equal(6000, s.Fleet.Target[v[0]]);
        Assert.Equal(2048, s.Fleet.Target[v[1]]);
        Assert.Equal(2048, s.Fleet.Assigned[v[1]]);
    }

    /// <summary>
    /// R9 for a static VM whose Minimum and Maximum differ from Startup (R1 allows it; the model ignores them): it holds
    /// Startup whatever its demand. The vector tick reads one limit column for Startup and Maximum (Maximum of a dynamic
    /// VM, Startup of a static one), so the test also switches the VM between static and dynamic while Off and raises its
    /// Maximum while it runs (R2): every settings change must reach the limit on every path.
    /// </summary>
    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R9_StaticVm_WithWiderMinimumAndMaximum_HoldsStartup_UntilMadeDynamic(KernelPath path)
    {
        var s = new Scenario(hostTotalMb: 65536, model: Fast, path: path);
        var asStatic = new VmSettings(2048, 512, 8192, 20, 5000, DynamicMemory: false);
        int[] v = s.StartRunning((asStatic, 6000), (asStatic, 100));
        s.Tick();
        foreach (int vm in v)
        {
            Assert.Equal(2048, s.Fleet.Target[vm]);   // neither 7200 (demand + buffer) nor 512 (Minimum)
            Assert.Equal(2048, s.Fleet.Assigned[vm]);
        }

        s.Fleet.RequestStop(v[0]);
        s.Tick();
        s.Fleet.Configure(v[0], asStatic with { DynamicMemory = true });
        s.Fleet.RequestStart(v[0]);
        s.Tick(2);                                    // booted (BootGrace one tick): Running DM from here
        Assert.Equal(VmState.Running, s.Fleet.State(v[0]));
        Assert.Equal(7200, s.Fleet.Target[v[0]]);     // 6000 × 1.2
        s.Commit(v[0], 9000);
        s.Tick();
        Assert.Equal(8192, s.Fleet.Target[v[0]]);     // Maximum
        s.Fleet.Configure(v[0], asStatic with { DynamicMemory = true, MaximumMb = 10240 }); // R2: raised while running
        s.Tick();
        Assert.Equal(10240, s.Fleet.Target[v[0]]);
        Assert.Equal(10240, s.Fleet.Assigned[v[0]]);

        s.Fleet.RequestStop(v[0]);
        s.Tick();
        s.Fleet.Configure(v[0], asStatic);            // static again
        s.Fleet.RequestStart(v[0]);
        s.Tick(2);
        Assert.Equal(VmState.Running, s.Fleet.State(v[0]));
        Assert.Equal(2048, s.Fleet.Target[v[0]]);
        Assert.Equal(2048, s.Fleet.Target[v[1]]);
    }

    // ---------------------------------------------------------------- R10

    // Pressure = (200 × Demand + Assigned) / (2 × Assigned), 0 without memory, at most 100 000.
    [Theory]
    [InlineData(1010, 2000, 51)]        // 50.5 → 51 (half up, not to even)
    [InlineData(1009, 2000, 50)]        // 50.45
    [InlineData(1030, 2000, 52)]        // 51.5
    [InlineData(3000, 3600, 83)]        // 83.3
    [InlineData(1, 200, 1)]             // 0.5 → 1
    [InlineData(0, 1024, 0)]
    [InlineData(5, 0, 0)]               // holds no memory
    [InlineData(40000, 32, 100_000)]    // 125 000 saturates
    [InlineData(16_777_216, 2, 100_000)]
    public void R10_Pressure_RoundsHalfUp_AndSaturates(int demand, int assigned, int pressure)
        => Assert.Equal(pressure, KernelRules.Pressure(demand, assigned));

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R10_Pressure_InAScenario_UsesEndOfTickAssigned(KernelPath path)
    {
        var s = new Scenario(model: Fast, path: path);
        int[] v = s.Start(
            (VmSettings.Static(2000), 1010),   // 51
            (VmSettings.Static(2000), 1009),   // 50
            (VmSettings.Static(2000), 1030),   // 52
            (VmSettings.Static(32), 40000),    // 100 000
            (Dm(1024, 512, 65536), 3000));     // Booting: 3000 / 1024 → 293
        int off = s.Add(VmSettings.Static(2000));
        s.Commit(off, 1000);
        Assert.Equal(293, s.Fleet.Pressure[v[4]]);

        s.Tick(); // tick 1: the DM VM is granted 3600 in this tick, pressure uses that: 83 (not 293)
        int[] expected = [51, 50, 52, 100_000, 83];
        for (int k = 0; k < v.Length; k++)
            Assert.Equal(expected[k], s.Fleet.Pressure[v[k]]);
        Assert.Equal(0, s.Fleet.Pressure[off]);
    }
}
