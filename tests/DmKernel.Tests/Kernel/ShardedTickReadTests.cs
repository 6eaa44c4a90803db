namespace DmKernel.Tests.Kernel;

/// <summary>
/// docs/public-api.md (Threads): inside a sharded tick, "reads of hosts already ticked" are allowed. Such a read gives
/// what the same read gives after <see cref="Balancer.EndTick"/>: the per-VM getters, the computed spans (read before
/// and after each host's <see cref="Balancer.TickHosts"/>, so that a span computed earlier in the tick must not be kept),
/// R18's window figures (the ticked host's window holds this tick's sample, though <see cref="Fleet.TickIndex"/> moves
/// on only at <see cref="Balancer.EndTick"/>) and <see cref="Fleet.ComputeHostStateHash"/>. Before stop 53 the spans
/// kept their values from before the host's tick, and the window average and the host hash counted one sample too few.
/// </summary>
public class ShardedTickReadTests
{
    private sealed record Reads(int[] GuestVisible, int[] Average, int[] Minimum, int[] Maximum, MemoryStatus[] Status, bool[] Reclaiming, ulong Hash);

    private static Reads ReadHost(Fleet fleet, int host, bool spans)
    {
        (int start, int capacity) = fleet.HostSlots(host);
        var range = new Range(start, start + capacity);
        if (spans)
        {
            return new Reads(fleet.Vms.GuestVisible[range].ToArray(), fleet.Vms.AveragePressure[range].ToArray(), fleet.Vms.MinimumPressure[range].ToArray(),
                fleet.Vms.MaximumPressure[range].ToArray(), fleet.Vms.Status[range].ToArray(), fleet.Vms.IsReclaiming[range].ToArray(), fleet.ComputeHostStateHash(host));
        }

        int[] slots = [.. Enumerable.Range(start, capacity)];
        return new Reads([.. slots.Select(fleet.GuestVisible)], [.. slots.Select(fleet.AveragePressure)], [.. slots.Select(fleet.MinimumPressure)],
            [.. slots.Select(fleet.MaximumPressure)], [.. slots.Select(fleet.Status)], [.. slots.Select(s => fleet.Vms.IsReclaiming[s])], fleet.ComputeHostStateHash(host));
    }

    private static void AssertSame(Reads expected, Reads actual, string where)
    {
        Assert.True(expected.GuestVisible.SequenceEqual(actual.GuestVisible), $"{where}: GuestVisible [{string.Join(",", actual.GuestVisible)}], after EndTick [{string.Join(",", expected.GuestVisible)}]");
        Assert.True(expected.Average.SequenceEqual(actual.Average), $"{where}: AveragePressure [{string.Join(",", actual.Average)}], after EndTick [{string.Join(",", expected.Average)}]");
        Assert.True(expected.Minimum.SequenceEqual(actual.Minimum), $"{where}: MinimumPressure [{string.Join(",", actual.Minimum)}], after EndTick [{string.Join(",", expected.Minimum)}]");
        Assert.True(expected.Maximum.SequenceEqual(actual.Maximum), $"{where}: MaximumPressure [{string.Join(",", actual.Maximum)}], after EndTick [{string.Join(",", expected.Maximum)}]");
        Assert.True(expected.Status.SequenceEqual(actual.Status), $"{where}: Status");
        Assert.True(expected.Reclaiming.SequenceEqual(actual.Reclaiming), $"{where}: IsReclaiming");
        Assert.True(expected.Hash == actual.Hash, $"{where}: ComputeHostStateHash {actual.Hash:x16}, after EndTick {expected.Hash:x16}");
    }

    /// <summary>
    /// Three hosts ticked one by one through two R18 windows and into a third (ticks 0..130, boundaries at 60 and 120),
    /// committed memory changing every tick, some VMs stopped and started; each host read right after its own
    /// TickHosts (through spans and, in alternate ticks, through the getters) and again after EndTick, and every host
    /// read through the spans before the first TickHosts, so that spans computed earlier in the tick are there to keep.
    /// </summary>
    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector512)]
    public void ReadsOfAHostAlreadyTicked_InsideTheShardedTick_EqualThoseAfterEndTick(KernelPath path)
    {
        var fleet = new Fleet(ModelParameters.Default with { BootGraceSeconds = 1 }, [new HostSpec(16_384, 6), new HostSpec(12_288, 5), new HostSpec(20_480, 7)]);
        var vms = new List<int>();
        for (int h = 0; h < 3; h++)
        {
            for (int k = 0; k < 5; k++)
                vms.Add(fleet.AddVm(h, VmSettings.Dynamic(1024, 512, 8192, weight: 1000 * (k + 1))));
        }

        foreach (int vm in vms)
            fleet.RequestStart(vm);
        var random = new Random(53);
        using var balancer = new Balancer(fleet, path);
        for (int tick = 0; tick <= 130; tick++)
        {
            foreach (int vm in vms)
            {
                if (fleet.Vms.State[vm] == VmState.Running)
                    fleet.SetCommitted(vm, random.Next(300, 7000));
            }

            if (tick % 37 == 20)
                fleet.RequestStop(vms[tick % vms.Count]);
            if (tick % 37 == 30)
                fleet.RequestStart(vms[(tick - 10) % vms.Count]);

            balancer.BeginTick();
            for (int h = 0; h < 3; h++)
                _ = ReadHost(fleet, h, spans: true); // spans computed before any host of this tick ran
            var inside = new Reads[3];
            for (int h = 0; h < 3; h++)
            {
                balancer.TickHosts(h, 1);
                inside[h] = ReadHost(fleet, h, spans: tick % 2 == 0);
            }

            balancer.EndTick();
            for (int h = 0; h < 3; h++)
            {
                AssertSame(ReadHost(fleet, h, spans: true), inside[h], $"tick {tick}, host {h}, read {(tick % 2 == 0 ? "through spans" : "through getters")} after its TickHosts");
                AssertSame(ReadHost(fleet, h, spans: false), inside[h], $"tick {tick}, host {h}, getters after EndTick");
            }
        }
    }
}
