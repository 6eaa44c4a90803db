using DmKernel.Tests.Support;
using static DmKernel.Tests.Rules.RuleScenario;

namespace DmKernel.Tests.Rules;

/// <summary>
/// R14: Σ Assigned + Reserve &lt;= Total (stored as Σ Assigned + Reserve + Available + PendingFreed = Total);
/// Running DM VMs within Minimum..Maximum; GuestVisible never shrinks before a restart; sizes multiples of G. The same
/// checker also holds R18's windows in range (empty, or 0 &lt;= minimum &lt;= maximum &lt;= the pressure cap).
/// </summary>
public class R14_InvariantTests
{
    /// <summary>A Running DM VM at 3600 MB (committed 3000) and an Off VM, on a 16 GB host; the checker is in sync.</summary>
    private static (Scenario S, int Vm, int Off) Healthy()
    {
        var s = new Scenario(model: Fast);
        int vm = s.StartRunning((Dm(1024, 512, 8192), 3000))[0];
        int off = s.Add(Dm(1024, 512, 8192));
        s.AssertMemory(vm, 3600);
        Assert.Null(s.Checker.Find());
        return (s, vm, off);
    }

    private static void AssertDetected(Action<Fleet, int, int> poke, string fragment)
    {
        var (s, vm, off) = Healthy();
        poke(s.Fleet, vm, off);
        string? problems = s.Checker.Find();
        Assert.NotNull(problems);
        Assert.Contains(fragment, problems, StringComparison.Ordinal);
        Assert.Throws<InvariantViolationException>(() => s.Checker.Check());
    }

    [Theory]
    [InlineData(-1, 0)]             // an Off VM's maximum below 0 (a vector tick's sample of 0 would raise it)
    [InlineData(3, 5)]              // minimum above maximum
    [InlineData(-2, int.MaxValue)]  // a minimum below 0
    [InlineData(100_001, 7)]        // a maximum above the pressure cap
    public void R18_Checker_DetectsAWindowOutOfRange(int max, int min)
        => AssertDetected((f, vm, off) =>
        {
            int i = max < 0 ? off : vm;
            f.Cols.WinMax[i] = max;
            f.Cols.WinMin[i] = min;
        }, "(R18)");

    [Fact]
    public void R14_Checker_DetectsBrokenAccounting()
        => AssertDetected((f, vm, _) => f.Cols.Assigned[vm] += 2, "!= Total");

    [Fact]
    public void R14_Checker_DetectsOvercommit()
        => AssertDetected((f, vm, _) =>
        {
            f.Cols.Assigned[vm] += f.Cols.HostAvailable[0] + 2;
            f.Cols.HostAvailable[0] = -2;
        }, "> Total");

    [Fact]
    public void R14_Checker_DetectsSizeNotMultipleOfG()
        => AssertDetected((f, vm, _) =>
        {
            f.Cols.Assigned[vm] += 1;
            f.Cols.HostAvailable[0] -= 1;
        }, "not multiples of 2 MB");

    [Fact]
    public void R14_Checker_DetectsAssignedAboveMaximum()
        => AssertDetected((f, vm, _) => f.Cols.Maximum[vm] = 3598, "above Maximum");

    [Fact]
    public void R14_Checker_DetectsAssignedBelowMinimum_OnAHostThatWasNotShort()
        => AssertDetected((f, vm, _) =>
        {
            f.Cols.HostAvailable[0] += f.Cols.Assigned[vm] - 510;
            f.Cols.Assigned[vm] = 510;
            f.Cols.Ballooned[vm] = 3090; // keep GuestVisible, so only the Minimum rule breaks
        }, "below Minimum");

    [Fact]
    public void R14_Checker_DetectsGuestVisibleShrinkingWithoutRestart()
        => AssertDetected((f, vm, _) =>
        {
            f.Cols.Assigned[vm] -= 2;
            f.Cols.HostAvailable[0] += 2;
        }, "GuestVisible shrank from 3600 to 3598");

    /// <summary>
    /// A VM removed and a new one added in its slot is not the old VM: its first boot at a smaller Startup is not
    /// "GuestVisible shrank without a restart" (the checker compared the new VM's generation 1 with the old one's).
    /// </summary>
    [Fact]
    public void R14_Checker_AcceptsANewVmInAReusedSlot_WhileStillSeeingAShrink()
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(8192, 1, ReserveMb: 0)]);
        int vm = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        using var balancer = new Balancer(fleet);
        fleet.RequestStart(vm);
        balancer.Tick();
        var checker = new InvariantChecker(fleet);                 // snapshot: GuestVisible 1024, generation 1
        fleet.RequestStop(vm);
        balancer.Tick();
        Assert.Null(checker.Find());
        fleet.RemoveVm(vm);
        vm = fleet.AddVm(0, VmSettings.Dynamic(512, 512, 4096));
        fleet.RequestStart(vm);
        balancer.Tick();
        Assert.Null(checker.Find());
        checker.Check();

        // The new VM is still checked: a shrink without a restart is seen.
        fleet.Cols.Assigned[vm] -= 2;
        fleet.Cols.HostAvailable[0] += 2;
        Assert.Contains("GuestVisible shrank from 512 to 510", checker.Find(), StringComparison.Ordinal);
    }

    [Fact]
    public void R14_Checker_DetectsOffVmHoldingMemory()
        => AssertDetected((f, _, off) =>
        {
            f.Cols.Assigned[off] = 2;
            f.Cols.HostAvailable[0] -= 2;
        }, "Off but Assigned=2");

    [Fact]
    public void R14_Checker_AcceptsGuestVisibleDropOnRestart()
    {
        var (s, vm, _) = Healthy();
        s.Fleet.RequestRestart(vm);
        s.Tick(); // GuestVisible 3600 → 1024: allowed across a restart; Tick() checks R14
        Assert.Equal(1024, s.Fleet.GuestVisible(vm));
        Assert.Null(s.Checker.Find());
    }

    /// <summary>
    /// Two hosts of 12 GB (1 GB reserve), ten VMs each (DM Windows, DM Linux weight 0, DM Linux weight 9000 with a
    /// 50 % buffer, static), seeded random demand and random starts, restarts and stops. Every tick is checked.
    /// </summary>
    private static (Scenario S, int ShortTicks, int SmartPagingTicks, long Removed) RunMixed(KernelPath path)
    {
        var model = new ModelParameters { BootGraceSeconds = 5, ReclaimPeriodSeconds = 20, PressureWindowSeconds = 10 };
        var s = new Scenario(hostTotalMb: 12288, vmCapacity: 10, hosts: 2, model: model, reserveMb: 1024, path: path);
        for (int h = 0; h < 2; h++)
        {
            for (int k = 0; k < 10; k++)
            {
                s.Add((k % 4) switch
                {
                    0 => Dm(1024, 512, 8192),
                    1 => Dm(2048, 512, 6144, weight: 0, guest: GuestKind.Linux),
                    2 => Dm(512, 256, 4096, weight: 9000, bufferPercent: 50, guest: GuestKind.Linux),
                    _ => VmSettings.Static(1024),
                }, h);
            }
        }

        var rng = new Random(20_250_601);
        int shortTicks = 0, smartPagingTicks = 0;
        for (int t = 0; t < 400; t++)
        {
            for (int h = 0; h < 2; h++)
            {
                (int start, _) = s.Fleet.HostSlots(h);
                for (int vm = start; vm < start + 10; vm++)
                {
                    s.Commit(vm, rng.Next(0, 5000));
                    if (rng.Next(25) != 0)
                        continue;
                    if (s.Fleet.State(vm) == VmState.Off)
                        s.Fleet.RequestStart(vm);
                    else if (rng.Next(2) == 0)
                        s.Fleet.RequestRestart(vm);
                    else
                        s.Fleet.RequestStop(vm);
                }
            }

            s.Tick(); // throws on any R14 violation
            for (int h = 0; h < 2; h++)
                shortTicks += s.Fleet.HostWasShort(h) ? 1 : 0;
            for (int vm = 0; vm < s.Fleet.SlotCount; vm++)
                smartPagingTicks += s.Fleet.SmartPagingMb[vm] > 0 ? 1 : 0;
        }

        return (s, shortTicks, smartPagingTicks, s.Fleet.HostRemovedMemory(0) + s.Fleet.HostRemovedMemory(1));
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R14_Invariants_HoldOnEveryTickOfAMixedRandomScenario(KernelPath path)
    {
        var (s, shortTicks, smartPagingTicks, removed) = RunMixed(path);
        // The scenario really exercises the hard parts: short hosts, Smart Paging, ballooning.
        Assert.True(shortTicks > 0, "no short tick");
        Assert.True(smartPagingTicks > 0, "no Smart Paging");
        Assert.True(removed > 0, "nothing ballooned");
        Assert.Null(s.Checker.Find());
    }

    [Fact]
    public void R14_MixedRandomScenario_IsBitIdenticalOnEveryPath()
    {
        Fleet reference = RunMixed(KernelPath.Scalar).S.Fleet;
        foreach (KernelPath path in new[] { KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512 })
        {
            Fleet f = RunMixed(path).S.Fleet;
            Assert.Equal(reference.Assigned.ToArray(), f.Assigned.ToArray());
            Assert.Equal(reference.Ballooned.ToArray(), f.Ballooned.ToArray());
            Assert.Equal(reference.SmartPagingMb.ToArray(), f.SmartPagingMb.ToArray());
            Assert.Equal(reference.Demand.ToArray(), f.Demand.ToArray());
            Assert.Equal(reference.Target.ToArray(), f.Target.ToArray());
            Assert.Equal(reference.Pressure.ToArray(), f.Pressure.ToArray());
            Assert.Equal(reference.AddedMemory.ToArray(), f.AddedMemory.ToArray());
            Assert.Equal(reference.RemovedMemory.ToArray(), f.RemovedMemory.ToArray());
            Assert.Equal(reference.AddOperations.ToArray(), f.AddOperations.ToArray());
            Assert.Equal(reference.RemoveOperations.ToArray(), f.RemoveOperations.ToArray());
            for (int vm = 0; vm < f.SlotCount; vm++)
            {
                Assert.Equal(reference.Status(vm), f.Status(vm));
                Assert.Equal(reference.IsReclaiming(vm), f.IsReclaiming(vm));
                Assert.Equal(reference.AveragePressure(vm), f.AveragePressure(vm));
                Assert.Equal(reference.MinimumPressure(vm), f.MinimumPressure(vm));
                Assert.Equal(reference.MaximumPressure(vm), f.MaximumPressure(vm));
            }

            for (int h = 0; h < f.HostCount; h++)
            {
                Assert.Equal(reference.HostAvailable(h), f.HostAvailable(h));
                Assert.Equal(reference.HostPendingFreed(h), f.HostPendingFreed(h));
                Assert.Equal(reference.HostAveragePressure(h), f.HostAveragePressure(h));
                Assert.Equal(reference.HostSystemPressure(h), f.HostSystemPressure(h));
                Assert.Equal(reference.HostAddedMemory(h), f.HostAddedMemory(h));
                Assert.Equal(reference.HostRemoveOperations(h), f.HostRemoveOperations(h));
                Assert.Equal(reference.HostFailedStarts(h), f.HostFailedStarts(h));
            }
        }
    }
}
