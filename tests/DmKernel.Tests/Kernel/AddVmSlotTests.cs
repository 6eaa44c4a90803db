namespace DmKernel.Tests.Kernel;

/// <summary>
/// R3: <see cref="Fleet.AddVm"/> puts a VM in the first free slot of its host, whatever came before: adds, removals,
/// refused calls, states loaded (accepted or refused). AddVm keeps where the host's first free slot may be and how many
/// slots are in use (cache columns, rebuilt on load) so that it does not scan the host from its first slot; these tests
/// hold it to the plain definition, a model of the used slots.
/// </summary>
public class AddVmSlotTests
{
    private static readonly VmSettings Good = VmSettings.Dynamic(1024, 512, 4096);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void AddVm_AfterAnySequenceOfAddsRemovalsRefusalsAndLoads_TakesTheFirstFreeSlot(int seed)
    {
        int[] capacities = [1, 5, 16, 17, 40, 100];
        var fleet = new Fleet(ModelParameters.Default, capacities.Select(c => new HostSpec(4096 + (c * 4096), c)).ToArray());
        var used = new bool[fleet.SlotCount];
        var random = new Random(seed);
        var snapshots = new List<(byte[] State, bool[] Used)>();
        int adds = 0, fulls = 0, removes = 0, loads = 0;
        for (int step = 0; step < 4000; step++)
        {
            int host = random.Next(capacities.Length);
            (int start, _) = fleet.HostSlots(host);
            int limit = start + capacities[host];
            int roll = random.Next(100);
            if (roll < 45)
            {
                int expected = Array.IndexOf(used, false, start, capacities[host]);
                if (expected < 0)
                {
                    var full = Assert.Throws<InvalidOperationException>(() => fleet.AddVm(host, Good));
                    Assert.Contains($"Host {host} is full", full.Message);
                    fulls++;
                }
                else
                {
                    Assert.Equal(expected, fleet.AddVm(host, Good));
                    used[expected] = true;
                    adds++;
                }
            }
            else if (roll < 50)
            {
                // R1 refuses the settings (a full host says it is full first): nothing changes, the next add still finds
                // the same slot.
                var bad = VmSettings.Dynamic(1024, 2048, 4096);
                if (Array.IndexOf(used, false, start, capacities[host]) < 0)
                    Assert.Throws<InvalidOperationException>(() => fleet.AddVm(host, bad));
                else
                    Assert.Throws<SettingRejectedException>(() => fleet.AddVm(host, bad));
            }
            else if (roll < 85)
            {
                int[] inUse = Enumerable.Range(start, limit - start).Where(i => used[i]).ToArray();
                if (inUse.Length == 0)
                    continue;
                int vm = inUse[random.Next(inUse.Length)];
                fleet.RemoveVm(vm);
                used[vm] = false;
                removes++;
            }
            else if (roll < 90)
            {
                using var stream = new MemoryStream();
                fleet.SaveState(stream);
                snapshots.Add((stream.ToArray(), (bool[])used.Clone()));
            }
            else if (roll < 95 && snapshots.Count > 0)
            {
                (byte[] state, bool[] wasUsed) = snapshots[random.Next(snapshots.Count)];
                fleet.LoadState(new MemoryStream(state, writable: false));
                used = (bool[])wasUsed.Clone();
                loads++;
            }
            else if (snapshots.Count > 0)
            {
                // A state the model cannot reach (a committed value out of R8's range, re-sealed): refused, the fleet as it was.
                byte[] bad = Corrupt(snapshots[random.Next(snapshots.Count)].State, fleet);
                Assert.Throws<InvalidDataException>(() => fleet.LoadState(new MemoryStream(bad, writable: false)));
            }

            if (step % 97 == 0)
            {
                for (int i = 0; i < fleet.SlotCount; i++)
                    Assert.Equal(used[i], fleet.IsUsed(i));
            }
        }

        // The sequence reached every kind of step many times.
        Assert.True(adds > 500 && fulls > 50 && removes > 500 && loads > 50, $"adds {adds}, full hosts {fulls}, removals {removes}, loads {loads}");
    }

    [Fact]
    public void AddVm_RemovalsBelowAndAboveWhereTheLastAddWent_AreFoundInSlotOrder()
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(65536, 40)]);
        for (int k = 0; k < 40; k++)
            Assert.Equal(k, fleet.AddVm(0, Good));
        fleet.RemoveVm(30);
        Assert.Equal(30, fleet.AddVm(0, Good));   // the host full again after it
        fleet.RemoveVm(35);                       // above where the last add went
        fleet.RemoveVm(7);                        // and below
        fleet.RemoveVm(39);                       // the last slot
        Assert.Equal(7, fleet.AddVm(0, Good));
        Assert.Equal(35, fleet.AddVm(0, Good));
        Assert.Equal(39, fleet.AddVm(0, Good));
        Assert.Throws<InvalidOperationException>(() => fleet.AddVm(0, Good));
        fleet.RemoveVm(0);
        Assert.Equal(0, fleet.AddVm(0, Good));
    }

    [Fact]
    public void AddVm_AfterLoadingAStateWithOtherFreeSlots_TakesTheLoadedStatesFirstFreeSlot()
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(65536, 20), new HostSpec(65536, 20)]);
        for (int k = 0; k < 20; k++)
            fleet.AddVm(0, Good);
        fleet.RemoveVm(3);
        using var holes = new MemoryStream();
        fleet.SaveState(holes);                   // host 0: slot 3 free; host 1: empty
        fleet.AddVm(0, Good);
        for (int k = 0; k < 20; k++)
            fleet.AddVm(1, Good);                 // both hosts full now
        fleet.LoadState(new MemoryStream(holes.ToArray(), writable: false));
        Assert.Equal(3, fleet.AddVm(0, Good));
        Assert.Throws<InvalidOperationException>(() => fleet.AddVm(0, Good));
        Assert.Equal(32, fleet.AddVm(1, Good));   // host 1's first slot: the loaded state's host 1 is empty
    }

    [Fact]
    public void AddVm_AfterARefusedLoad_TakesTheKeptStatesFirstFreeSlot()
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(65536, 20)]);
        using var empty = new MemoryStream();
        fleet.SaveState(empty);
        for (int k = 0; k < 20; k++)
            fleet.AddVm(0, Good);
        fleet.RemoveVm(12);
        Assert.Throws<InvalidDataException>(() => fleet.LoadState(new MemoryStream(Corrupt(empty.ToArray(), fleet), writable: false)));
        Assert.Equal(12, fleet.AddVm(0, Good));
        Assert.Throws<InvalidOperationException>(() => fleet.AddVm(0, Good));
    }

    /// <summary>
    /// <paramref name="state"/> with slot 0's committed input set to −5 MB, outside R8's range, and saved again (so its
    /// checksum matches): a state <see cref="Fleet.LoadState"/> reads whole and then refuses.
    /// </summary>
    private static byte[] Corrupt(byte[] state, Fleet like)
    {
        var scratch = new Fleet(like.Model, Enumerable.Range(0, like.HostCount)
            .Select(h => new HostSpec(like.Hosts.TotalMb[h], like.Hosts.VmCapacity[h])).ToArray());
        scratch.LoadState(new MemoryStream(state, writable: false));
        scratch.Cols.Committed[0] = -5;
        using var stream = new MemoryStream();
        scratch.SaveState(stream);
        return stream.ToArray();
    }
}
