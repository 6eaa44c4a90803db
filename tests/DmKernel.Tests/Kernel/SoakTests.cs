using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>Randomized soak: R14's invariants after every tick under random demand, lifecycle and settings changes.</summary>
public class SoakTests
{
    [Fact]
    public void Soak_TenThousandTicks_InvariantsHoldAfterEveryTick()
    {
        int[] hosts = [24, 40, 16, 33, 20];   // 133 VMs on 5 hosts
        var fleet = new RandomFleet(2024).Build(RandomFleet.FastModel, hosts, fillFactor: 0.7);
        using var balancer = new Balancer(fleet, KernelPath.Scalar);
        var checker = new InvariantChecker(fleet);
        var ops = new RandomFleet(2025);
        Fleet[] self = [fleet];
        // VM-ticks whose last lifecycle result was each kind: proves each kind happened.
        int starts = 0, failedStarts = 0, restarts = 0, stops = 0, shortTicks = 0, smartPaging = 0;
        for (int t = 0; t < 10_000; t++)
        {
            ops.Step(fleet, self, activity: 0.03);
            balancer.Tick();
            checker.Check();
            for (int vm = 0; vm < fleet.SlotCount; vm++)
            {
                smartPaging += fleet.SmartPagingMb[vm] > 0 ? 1 : 0;
            }

            for (int h = 0; h < fleet.HostCount; h++)
                shortTicks += fleet.HostWasShort(h) ? 1 : 0;
            for (int vm = 0; vm < fleet.SlotCount; vm++)
            {
                switch (fleet.LastResult(vm))
                {
                    case LifecycleResult.Started: starts++; break;
                    case LifecycleResult.NotEnoughMemory: failedStarts++; break;
                    case LifecycleResult.Restarted or LifecycleResult.RestartedWithSmartPaging: restarts++; break;
                    case LifecycleResult.Stopped: stops++; break;
                }
            }
        }

        Assert.Equal(10_000, fleet.TickIndex);
        Assert.True(starts > 0 && restarts > 0 && stops > 0, $"starts {starts}, restarts {restarts}, stops {stops}");
        Assert.True(shortTicks > 0, "no host was ever short");
        Assert.True(failedStarts > 0 || smartPaging > 0, "memory never ran out for a start or restart");
    }
}
