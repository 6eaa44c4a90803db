namespace DmKernel.Benchmarks;

/// <summary>
/// The seeded fleet every suite measures: <c>vms</c> VMs on hosts of 63 or 64 VMs (the sizes are balanced,
/// so most fleets have odd-sized hosts and their padded lanes), every VM Running after setup, and a chosen
/// share of hosts short of memory so that R11's water-filling runs on them every tick.
/// </summary>
/// <remarks>
/// Settings (R1): Startup 512..8192 MB, Minimum 256..Startup, Maximum Startup..4 × Startup (all multiples of
/// 2 MB), Buffer 5..100 %, Weight 0..10000, about 25 % Linux guests and 5 % static VMs. Committed demand is
/// drawn once from Minimum / 2..Maximum and stays put, so the enough-memory hosts are at equilibrium after
/// setup (the vector path's cost does not depend on that). A short host gets its reserve plus the sum of its
/// VMs' Startup: every VM starts, but the targets add up to about twice that, so Shortfall stays above
/// Available on every tick. The other hosts get their reserve plus the sum of Maximum: never short.
/// </remarks>
internal static class Workload
{
    /// <summary>The seed of every benchmark fleet.</summary>
    public const int Seed = 20_260_101;

    /// <summary>The most VMs on one host; hosts hold 63 or 64.</summary>
    public const int MaxVmsPerHost = 64;

    /// <summary>Spec defaults except a one-second boot grace (R5), so that setup reaches Running in two ticks.</summary>
    public static ModelParameters Model { get; } = new() { BootGraceSeconds = 1 };

    /// <summary>Number of hosts for <paramref name="vms"/> VMs.</summary>
    public static int HostCount(int vms, int vmsPerHost = MaxVmsPerHost) => (vms + vmsPerHost - 1) / vmsPerHost;

    /// <summary>
    /// Whether host <paramref name="host"/> is one of the short ones: exactly floor(hosts × share / 100) of
    /// them, spread evenly over the fleet.
    /// </summary>
    public static bool IsShortHost(int host, int shortSharePercent)
        => (long)(host + 1) * shortSharePercent / 100 > (long)host * shortSharePercent / 100;

    /// <summary>
    /// Builds the fleet, starts every VM, ticks through the boot grace and a few balancing ticks, and checks
    /// that every VM is Running and that exactly the short hosts ran R11's short plan.
    /// </summary>
    public static Fleet Build(int vms, int shortSharePercent, int seed = Seed, int vmsPerHost = MaxVmsPerHost)
    {
        if (vms < 1)
            throw new ArgumentOutOfRangeException(nameof(vms), vms, "At least one VM.");
        if (shortSharePercent is < 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(shortSharePercent), shortSharePercent, "A percentage, 0..100.");

        int hostCount = HostCount(vms, vmsPerHost);
        var random = new Random(seed);
        var settings = new VmSettings[vms];
        var committed = new int[vms];
        var hosts = new HostSpec[hostCount];
        int reserve = Model.HostReserveMb;
        int vm = 0;
        for (int h = 0; h < hostCount; h++)
        {
            int size = HostSize(vms, hostCount, h);
            long startupSum = 0, maximumSum = 0;
            for (int k = 0; k < size; k++, vm++)
            {
                settings[vm] = RandomSettings(random);
                committed[vm] = Even(random, settings[vm].MinimumMb / 2, settings[vm].MaximumMb);
                startupSum += settings[vm].StartupMb;
                maximumSum += settings[vm].MaximumMb;
            }

            long total = reserve + (IsShortHost(h, shortSharePercent) ? startupSum : maximumSum);
            hosts[h] = new HostSpec(checked((int)total), size);
        }

        var fleet = new Fleet(Model, hosts);
        var slotCommitted = new int[fleet.SlotCount];
        vm = 0;
        for (int h = 0; h < hostCount; h++)
        {
            int size = HostSize(vms, hostCount, h);
            for (int k = 0; k < size; k++, vm++)
            {
                int slot = fleet.AddVm(h, settings[vm]);
                slotCommitted[slot] = committed[vm];
                fleet.RequestStart(slot);
            }
        }

        fleet.SetCommitted(slotCommitted);
        using (var balancer = new Balancer(fleet, KernelPath.Scalar))
        {
            // Tick 1 starts every VM (R4), tick 2 ends the one-tick grace (R5); the rest settle the hosts.
            for (int t = 0; t < 5; t++)
            {
                balancer.Tick();
                if (t >= 1)
                    CheckShortHosts(fleet, shortSharePercent);
            }
        }

        CheckAllRunning(fleet, vms);
        return fleet;
    }

    /// <summary>Throws unless exactly the designated hosts ran R11's short plan in the last tick.</summary>
    public static void CheckShortHosts(Fleet fleet, int shortSharePercent)
    {
        int expected = 0, actual = 0, wrong = 0;
        for (int h = 0; h < fleet.HostCount; h++)
        {
            bool designated = IsShortHost(h, shortSharePercent);
            bool wasShort = fleet.HostWasShort(h);
            expected += designated ? 1 : 0;
            actual += wasShort ? 1 : 0;
            wrong += designated != wasShort ? 1 : 0;
        }

        if (wrong != 0)
        {
            throw new InvalidOperationException(
                $"Workload: {actual} of {fleet.HostCount} hosts were short at tick {fleet.TickIndex - 1}, expected {expected} " +
                $"({shortSharePercent} %); {wrong} hosts differ. The benchmark would not measure what it says.");
        }
    }

    private static void CheckAllRunning(Fleet fleet, int vms)
    {
        int running = 0;
        for (int i = 0; i < fleet.SlotCount; i++)
            running += fleet.IsUsed(i) && fleet.State(i) == VmState.Running ? 1 : 0;
        if (running != vms)
            throw new InvalidOperationException($"Workload: {running} of {vms} VMs are Running after setup.");
    }

    /// <summary>Balanced host sizes: the first hosts get one VM more.</summary>
    private static int HostSize(int vms, int hostCount, int host)
        => vms / hostCount + (host < vms % hostCount ? 1 : 0);

    private static VmSettings RandomSettings(Random random)
    {
        int startup = Even(random, 512, 8192);
        var guest = random.Next(4) == 0 ? GuestKind.Linux : GuestKind.Windows;
        if (random.Next(20) == 0)
            return VmSettings.Static(startup, guest);
        int minimum = Even(random, 256, startup);
        int maximum = Even(random, startup, 4 * startup);
        int buffer = random.Next(5, 101);
        int weight = random.Next(0, 10_001);
        return VmSettings.Dynamic(startup, minimum, maximum, buffer, weight, guest);
    }

    /// <summary>A random low + 2k in [low, high]: a multiple of 2 MB when low is one.</summary>
    private static int Even(Random random, int low, int high) => low + (2 * random.Next(0, ((high - low) / 2) + 1));
}
