using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

public class EquilibriumTests
{
    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void Tick_SteadyDemandWithBuffer20_SettlesAtPressure83(KernelPath path)
    {
        var s = new Scenario(path: path);
        int vm = s.AddRunning(VmSettings.Dynamic(1024, 512, 65536, bufferPercent: 20), committedMb: 3000);
        s.Tick(400); // past one reclaim period, so any start-up surplus is gone too

        Assert.Equal(3000, s.Fleet.Demand[vm]);
        Assert.Equal(3600, s.Fleet.Target[vm]);
        Assert.Equal(3600, s.Fleet.Assigned[vm]);
        Assert.Equal(83, s.Fleet.Pressure[vm]);
        Assert.Equal(83, s.Fleet.AveragePressure(vm));
        Assert.Equal(MemoryStatus.Ok, s.Fleet.Status(vm));
    }
}
