namespace DmKernel.Tests.Policies;

/// <summary>
/// Hosts are independent (the brief; docs/architecture.md): a host's VMs end every tick exactly as they would on that
/// host alone in a fleet of its own, under every policy and path, when the hosts differ in their own settings. Here the
/// host reserve (R3; P5's and P9's capacity Total − Reserve): the kernel support round's survivor H7 read every host's
/// reserve from host 0, which only the ESX and MoM policies use and which no test with one reserve per fleet could see.
/// </summary>
public class HostIndependenceTests
{
    private static readonly ModelParameters Model = ModelParameters.Default with { BootGraceSeconds = 3, HostReserveMb = 0 };

    /// <summary>Three hosts of 8 GB and 4 VMs each, with reserves 0, 1 GB and 2 GB of their own.</summary>
    private static readonly HostSpec[] Hosts = [new(8192, 4, 0), new(8192, 4, 1024), new(8192, 4, 2048)];

    /// <summary>
    /// Each VM's demand by its position on its host and the tick: 600 to 3 400 MB in steps of 700, so the four VMs of a
    /// host want from 4 GB to 10 GB together and every host is short some ticks and has room others.
    /// </summary>
    private static int Committed(int position, int tick) => 600 + 700 * ((position * 3 + tick / 4) % 5);

    private static (Fleet Fleet, int[] Slots) Build(HostSpec[] hosts)
    {
        var fleet = new Fleet(Model, hosts);
        var slots = new List<int>();
        for (int h = 0; h < hosts.Length; h++)
        {
            for (int k = 0; k < 4; k++)
            {
                int vm = fleet.AddVm(h, VmSettings.Dynamic(1024, 512, 4096));
                fleet.SetCommitted(vm, Committed(k, 0));
                fleet.RequestStart(vm);
                slots.Add(vm);
            }
        }

        return (fleet, [.. slots]);
    }

    public static TheoryData<PolicyKind, KernelPath> Cases()
    {
        var data = new TheoryData<PolicyKind, KernelPath>();
        foreach (PolicyKind kind in Enum.GetValues<PolicyKind>())
        {
            data.Add(kind, KernelPath.Scalar);
            data.Add(kind, KernelPaths.Widest);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EachHost_TicksAsItWouldAlone_WithItsOwnReserve(PolicyKind kind, KernelPath path)
    {
        BalancerPolicy policy = BalancerPolicy.Of(kind);
        (Fleet all, int[] allSlots) = Build(Hosts);
        var alone = new (Fleet Fleet, int[] Slots)[Hosts.Length];
        for (int h = 0; h < Hosts.Length; h++)
            alone[h] = Build([Hosts[h]]);

        using var allBalancer = new Balancer(all, policy, path, 1);
        Balancer[] aloneBalancers = [.. alone.Select(a => new Balancer(a.Fleet, policy, path, 1))];
        try
        {
            bool differed = false;
            for (int tick = 0; tick < 120; tick++)
            {
                for (int h = 0; h < Hosts.Length; h++)
                {
                    for (int k = 0; k < 4; k++)
                    {
                        all.SetCommitted(allSlots[h * 4 + k], Committed(k, tick));
                        alone[h].Fleet.SetCommitted(alone[h].Slots[k], Committed(k, tick));
                    }
                }

                allBalancer.Tick();
                foreach (Balancer b in aloneBalancers)
                    b.Tick();

                for (int h = 0; h < Hosts.Length; h++)
                {
                    for (int k = 0; k < 4; k++)
                    {
                        int a = allSlots[h * 4 + k], s = alone[h].Slots[k];
                        Fleet one = alone[h].Fleet;
                        Assert.True(
                            all.Assigned[a] == one.Assigned[s] && all.Target[a] == one.Target[s] && all.Ballooned[a] == one.Ballooned[s]
                                && all.State(a) == one.State(s),
                            $"{kind} {path}, tick {tick}, host {h} VM {k}: in the fleet {all.Assigned[a]} assigned, {all.Target[a]} target, "
                                + $"{all.Ballooned[a]} ballooned, {all.State(a)}; alone {one.Assigned[s]}, {one.Target[s]}, {one.Ballooned[s]}, {one.State(s)}");
                    }

                    Assert.Equal(alone[h].Fleet.HostAvailable(0), all.HostAvailable(h));
                }

                // The reserves matter in this scenario: the three hosts, alike but for them, do not all end alike.
                differed |= alone[0].Fleet.HostAvailable(0) != alone[2].Fleet.HostAvailable(0)
                    || !alone[0].Fleet.Assigned.SequenceEqual(alone[2].Fleet.Assigned);
            }

            Assert.True(differed, "the hosts' reserves changed nothing: the scenario cannot tell them apart");
        }
        finally
        {
            foreach (Balancer b in aloneBalancers)
                b.Dispose();
        }
    }
}
