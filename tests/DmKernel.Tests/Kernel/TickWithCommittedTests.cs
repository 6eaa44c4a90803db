using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// <see cref="Balancer.Tick(ReadOnlySpan{int})"/>: this tick's committed demand in, one tick run (R8 input), each worker
/// checking and copying its own hosts' slots.
/// </summary>
public class TickWithCommittedTests
{
    private static readonly int[] Hosts = [30, 64, 5, 17, 49, 0, 33, 64, 12, 40, 8];

    /// <summary>Each slot's committed demand for tick <paramref name="t"/>: every VM's changes every tick, free slots too.</summary>
    private static int[] CommittedFor(Fleet fleet, int t)
    {
        var committed = new int[fleet.SlotCount];
        for (int i = 0; i < committed.Length; i++)
            committed[i] = ((i * 7919) + (t * 104_729)) % 9000;
        return committed;
    }

    [Theory]
    [InlineData(KernelPath.Scalar, 1)]
    [InlineData(KernelPath.Vector512, 1)]
    [InlineData(KernelPath.Vector512, 2)]
    [InlineData(KernelPath.Vector256, 3)]
    [InlineData(KernelPath.Scalar, 7)]
    public void TickWithCommitted_AnyThreads_IdenticalToSetCommittedThenTick(KernelPath path, int threads)
    {
        Fleet reference = new RandomFleet(91).Build(RandomFleet.FastModel, Hosts, fillFactor: 0.7);
        Fleet fleet = new RandomFleet(91).Build(RandomFleet.FastModel, Hosts, fillFactor: 0.7);
        for (int vm = 0; vm < fleet.SlotCount; vm++)
        {
            if (fleet.IsUsed(vm))
            {
                reference.RequestStart(vm);
                fleet.RequestStart(vm);
            }
        }

        using var one = new Balancer(reference, KernelPath.Scalar);
        using var balancer = new Balancer(fleet, path, threads);
        Assert.Equal(Math.Min(threads, fleet.HostCount), balancer.Threads);
        for (int t = 0; t < 60; t++)
        {
            int[] committed = CommittedFor(fleet, t);
            reference.SetCommitted(committed);
            one.Tick();
            balancer.Tick(committed);
            Assert.Equal(committed, fleet.Committed.ToArray());
            FleetAssert.Equal(reference, fleet, $"{path}, {threads} threads, tick {t}");
            Assert.Equal(reference.ComputeStateHash(), fleet.ComputeStateHash());
        }
    }

    [Theory]
    [InlineData(1, -1)]
    [InlineData(3, -1)]
    [InlineData(3, Fleet.MaxCommittedMb + 1)]
    [InlineData(3, int.MinValue)]
    public void TickWithCommitted_BadValue_NamesTheSlotAndChangesNothing(int threads, int bad)
    {
        Fleet fleet = new RandomFleet(92).Build(RandomFleet.FastModel, Hosts, fillFactor: 0.7);
        using var balancer = new Balancer(fleet, KernelPath.Vector512, threads);
        balancer.Tick(CommittedFor(fleet, 0));
        ulong hash = fleet.ComputeStateHash();
        int[] before = fleet.Committed.ToArray();

        // Bad values in the last chunk's slots and, later, in the first chunk's: the first bad slot is named.
        int[] committed = CommittedFor(fleet, 1);
        int last = fleet.SlotCount - 3, first = 20;
        committed[last] = bad;
        committed[first] = bad;
        var error = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => balancer.Tick(committed));
        Assert.Contains($"VM {first}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(FormattableString.Invariant($"{bad} MB"), error.Message, StringComparison.Ordinal);
        Assert.Equal(before, fleet.Committed.ToArray());
        Assert.Equal(1, fleet.TickIndex);
        Assert.Equal(hash, fleet.ComputeStateHash());

        // Only the last chunk's slot bad: still refused as a whole.
        committed[first] = 100;
        error = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => balancer.Tick(committed));
        Assert.Contains($"VM {last}:", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, fleet.Committed.ToArray());
        Assert.Equal(hash, fleet.ComputeStateHash());

        // The balancer goes on: the next good tick runs.
        committed[last] = 100;
        balancer.Tick(committed);
        Assert.Equal(2, fleet.TickIndex);
        Assert.Equal(committed, fleet.Committed.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TickWithCommitted_WrongLength_Refused(int threads)
    {
        Fleet fleet = new RandomFleet(93).Build(RandomFleet.FastModel, Hosts, fillFactor: 0.7);
        using var balancer = new Balancer(fleet, KernelPath.Vector512, threads);
        var error = Assert.Throws<ArgumentException>(() => balancer.Tick(new int[fleet.SlotCount - 1]));
        Assert.Contains($"expected one per slot ({fleet.SlotCount})", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, fleet.TickIndex);
    }

    [Fact]
    public void TickWithCommitted_InsideShardedTick_Refused()
    {
        Fleet fleet = new RandomFleet(94).Build(RandomFleet.FastModel, Hosts, fillFactor: 0.7);
        using var balancer = new Balancer(fleet, KernelPath.Vector512, threads: 2);
        balancer.BeginTick();
        Assert.Throws<InvalidOperationException>(() => balancer.Tick(CommittedFor(fleet, 0)));
        balancer.TickHosts(0, fleet.HostCount); // every host once: EndTick refuses a tick that skipped one
        balancer.EndTick();
    }

    /// <summary>
    /// <see cref="Fleet.UpdateCommitted"/> (R8 input, as a replay reports it): a reported value, 0 included, is taken by a
    /// slot that holds a VM; <see cref="Fleet.NotReported"/> leaves the slot's value; a free slot keeps what it held. The
    /// run from slot 3 covers 21 slots, so both its whole vectors and its tail are checked, each with free slots in it.
    /// </summary>
    [Fact]
    public void UpdateCommitted_TakesTheReportsOfUsedSlots_LeavesNotReportedAndFreeSlotsAlone()
    {
        var fleet = new Fleet(RandomFleet.FastModel, [new HostSpec(1 << 20, 32)]);
        for (int i = 0; i < 20; i++)
            fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        fleet.RemoveVm(10); // a free slot inside the run's whole vectors; slots 20.. are free in its tail
        var before = new int[fleet.SlotCount];
        for (int i = 0; i < before.Length; i++)
            before[i] = 1000 + (2 * i);
        fleet.SetCommitted(before);

        const int First = 3;
        var reports = new int[21];
        for (int k = 0; k < reports.Length; k++)
            reports[k] = (k % 3) switch { 0 => Fleet.NotReported, 1 => 0, _ => 5000 + (2 * k) };
        fleet.UpdateCommitted(First, reports);

        for (int slot = 0; slot < fleet.SlotCount; slot++)
        {
            int k = slot - First;
            bool reported = k >= 0 && k < reports.Length && reports[k] != Fleet.NotReported;
            int expected = reported && fleet.IsUsed(slot) ? reports[k] : before[slot];
            Assert.True(expected == fleet.Committed[slot], $"slot {slot}: committed {fleet.Committed[slot]} MB, expected {expected}");
        }

        Assert.Equal(0, fleet.Committed[4]);    // a report of 0 in a whole vector is a report
        Assert.Equal(1020, fleet.Committed[10]); // the free slot in a whole vector kept its value
        Assert.Equal(0, fleet.Committed[19]);   // a report of 0 in the tail
        Assert.Equal(1040, fleet.Committed[20]); // a free slot in the tail kept its value
    }
}
