namespace DmKernel.Tests.Support;

/// <summary>Small fleets for scenario tests: one call per step, defaults from the spec.</summary>
internal sealed class Scenario
{
    public Scenario(int hostTotalMb = 16384, int vmCapacity = 16, int hosts = 1, ModelParameters? model = null, int? reserveMb = 0,
        KernelPath path = KernelPath.Scalar)
    {
        var specs = new HostSpec[hosts];
        for (int h = 0; h < hosts; h++)
            specs[h] = new HostSpec(hostTotalMb, vmCapacity, reserveMb);
        Fleet = new Fleet(model ?? ModelParameters.Default, specs);
        Balancer = new Balancer(Fleet, path);
        Checker = new InvariantChecker(Fleet);
    }

    public Fleet Fleet { get; }

    public Balancer Balancer { get; }

    public InvariantChecker Checker { get; }

    /// <summary>Adds a VM to host 0 (or <paramref name="host"/>) and returns its slot.</summary>
    public int Add(VmSettings s, int host = 0) => Fleet.AddVm(host, s);

    /// <summary>Adds and starts a VM, then runs the boot grace so that it is Running.</summary>
    public int AddRunning(VmSettings s, int committedMb, int host = 0)
    {
        int vm = Add(s, host);
        Fleet.SetCommitted(vm, committedMb);
        Fleet.RequestStart(vm);
        Tick();
        Assert.Equal(LifecycleResult.Started, Fleet.LastResult(vm));
        Tick(Fleet.Model.BootGraceTicks); // Booting for exactly BootGrace ticks (R5), Running from the next
        Assert.Equal(VmState.Running, Fleet.State(vm));
        return vm;
    }

    /// <summary>Runs ticks, checking R14's invariants after each.</summary>
    public void Tick(int count = 1)
    {
        for (int i = 0; i < count; i++)
        {
            Balancer.Tick();
            Checker.Check();
        }
    }

    public static ModelParameters NoBootGrace { get; } = new() { BootGraceSeconds = 1 };
}
