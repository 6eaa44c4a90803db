namespace DmKernel.Tests.Support;

/// <summary>
/// Seeded random fleets and workloads for differential tests and soaks. The same seed gives the same fleet and
/// the same operations, so several copies can be driven in lock step on different kernel paths.
/// </summary>
internal sealed class RandomFleet
{
    /// <summary>Short periods so that boot, reclaim and window transitions happen often.</summary>
    public static ModelParameters FastModel { get; } = new()
    {
        BootGraceSeconds = 3,
        ReclaimPeriodSeconds = 7,
        PressureWindowSeconds = 5,
        MaxRemovePerSecondMb = 300,
    };

    private readonly Random _random;
    private readonly bool _edges;

    public RandomFleet(int seed, bool edgeValues = false)
    {
        _random = new Random(seed);
        _edges = edgeValues;
    }

    /// <summary>Host sizes from 5 to 128 VMs, 1 000-odd slots in all (so per-VM columns of 4 KiB and more).</summary>
    public static int[] MixedHosts => [64, 30, 128, 17, 64, 49, 64, 64, 100, 33, 64, 64, 128, 5, 64, 64, 90];

    /// <summary>
    /// A fleet of <see cref="FastModel"/> over <paramref name="vmsPerHost"/> (seed <paramref name="seed"/>, fill factor
    /// 0.8: some hosts short) with every VM asked to start, so that its first tick runs R4–R7 on every host.
    /// </summary>
    public static Fleet Started(ReadOnlySpan<int> vmsPerHost, int seed = 17)
    {
        Fleet fleet = new RandomFleet(seed).Build(FastModel, vmsPerHost, fillFactor: 0.8);
        for (int vm = 0; vm < fleet.SlotCount; vm++)
        {
            if (fleet.IsUsed(vm))
                fleet.RequestStart(vm);
        }

        return fleet;
    }

    /// <summary>Every slot's committed memory for tick <paramref name="tick"/>: a deterministic sweep over 0–8 999 MB.</summary>
    public static int[] SweptCommitted(int slots, int tick)
    {
        int[] committed = new int[slots];
        for (int i = 0; i < committed.Length; i++)
            committed[i] = ((i * 7919) + (tick * 104_729)) % 9000;
        return committed;
    }

    /// <summary>Builds hosts with the given VM counts; each host's RAM is drawn so that some hosts are short.</summary>
    public Fleet Build(ModelParameters model, ReadOnlySpan<int> vmsPerHost, double fillFactor = 0.8)
    {
        var settings = new List<VmSettings>[vmsPerHost.Length];
        var specs = new HostSpec[vmsPerHost.Length];
        for (int h = 0; h < vmsPerHost.Length; h++)
        {
            settings[h] = new List<VmSettings>();
            long startupSum = 0;
            for (int v = 0; v < vmsPerHost[h]; v++)
            {
                VmSettings s = NextSettings(model);
                settings[h].Add(s);
                startupSum += s.StartupMb;
            }

            // Between a tight host (short often) and a roomy one.
            double factor = fillFactor * (0.5 + _random.NextDouble());
            long total = 2048 + (long)(startupSum * factor * 1.6);
            total = Math.Min(total, int.MaxValue / 4) & ~(long)(model.GranularityMb - 1); // R3: a multiple of G
            specs[h] = new HostSpec((int)total, vmsPerHost[h], 1024);
        }

        var fleet = new Fleet(model, specs);
        for (int h = 0; h < vmsPerHost.Length; h++)
        {
            foreach (VmSettings s in settings[h])
            {
                int vm = fleet.AddVm(h, s);
                fleet.SetCommitted(vm, NextCommitted(s));
            }
        }

        return fleet;
    }

    public VmSettings NextSettings(ModelParameters model) => Granular(NextEvenSettings(model), model);

    /// <summary>
    /// <paramref name="s"/> with Startup, Minimum and Maximum made multiples of the model's granularity (R1), in their
    /// order (Startup up, Minimum down but at least 32 rounded up, Maximum up but at most the ceiling rounded down): the
    /// identity for G = 2, so that a seed gives the same fleet as before granularity was drawn.
    /// </summary>
    public static VmSettings Granular(VmSettings s, ModelParameters model)
    {
        int g = model.GranularityMb;
        int Up(int x) => (int)(((long)x + g - 1) / g * g);
        int Down(int x) => x / g * g;
        int startup = Up(s.StartupMb);
        int ceiling = Down(model.MaxCeilingMb);
        int min = Math.Clamp(Down(s.MinimumMb), Up(32), startup);
        int max = Math.Clamp(Up(s.MaximumMb), startup, ceiling);
        return s with { StartupMb = startup, MinimumMb = min, MaximumMb = max };
    }

    private VmSettings NextEvenSettings(ModelParameters model)
    {
        int ceiling = model.MaxCeilingMb;
        if (_edges && _random.Next(4) == 0)
        {
            // Edge values: bounds, maxima, extreme buffers and weights.
            int startup = Pick(32, 34, 512, 4096, 65536);
            int min = _random.Next(2) == 0 ? 32 : startup;
            int max = Pick(startup, startup * 2, ceiling);
            return new VmSettings(startup, Math.Min(min, startup), Math.Max(max, startup), Pick(5, 2000, 20), Pick(0, 10_000, 1, 5000),
                _random.Next(8) != 0, _random.Next(3) == 0 ? GuestKind.Linux : GuestKind.Windows);
        }

        int st = 2 * _random.Next(64, 4097);
        int mn = 2 * _random.Next(16, st / 2 + 1);
        int mx = Math.Min(ceiling, st + 2 * _random.Next(0, 8193));
        return new VmSettings(st, mn, mx, _random.Next(5, 201), _random.Next(0, 10_001), _random.Next(10) != 0,
            _random.Next(4) == 0 ? GuestKind.Linux : GuestKind.Windows);
    }

    public int NextCommitted(VmSettings s)
    {
        if (_edges && _random.Next(16) == 0)
            return Pick(0, 1, Fleet.MaxCommittedMb, s.MaximumMb, s.MaximumMb + 1);
        return _random.Next(0, s.MaximumMb + s.MaximumMb / 4 + 2);
    }

    /// <summary>
    /// One step of random activity decided from <paramref name="reference"/>'s state and applied to every fleet:
    /// demand changes, starts, restarts, stops and R2-valid settings changes.
    /// </summary>
    public void Step(Fleet reference, IReadOnlyList<Fleet> fleets, double activity = 0.05)
    {
        int slots = reference.SlotCount;
        if (slots == 0)
            return;
        int changes = Math.Max(1, (int)(slots * activity));
        for (int c = 0; c < changes; c++)
        {
            int vm = _random.Next(slots);
            if (!reference.IsUsed(vm))
                continue;
            VmSettings s = reference.GetSettings(vm);
            int roll = _random.Next(100);
            VmState state = reference.State(vm);
            bool pending = reference.PendingRequest(vm) != LifecycleRequest.None;
            if (roll < 55)
            {
                int committed = NextCommitted(s);
                foreach (Fleet f in fleets)
                    f.SetCommitted(vm, committed);
            }
            else if (roll < 75 && state == VmState.Off && !pending)
            {
                foreach (Fleet f in fleets)
                    f.RequestStart(vm);
            }
            else if (roll < 82 && state != VmState.Off && !pending)
            {
                foreach (Fleet f in fleets)
                    f.RequestStop(vm);
            }
            else if (roll < 89 && state != VmState.Off && !pending)
            {
                foreach (Fleet f in fleets)
                    f.RequestRestart(vm);
            }
            else
            {
                // R2-valid while running; any R1-valid change while Off.
                VmSettings next = Granular(s with
                {
                    BufferPercent = _random.Next(5, 2001),
                    Weight = _random.Next(0, 10_001),
                    MinimumMb = Math.Max(32, s.MinimumMb - 2 * _random.Next(0, 64)),
                    MaximumMb = Math.Min(reference.Model.MaxCeilingMb, s.MaximumMb + 2 * _random.Next(0, 512)),
                }, reference.Model);
                foreach (Fleet f in fleets)
                    f.Configure(vm, next);
            }
        }
    }

    public int Next(int max) => _random.Next(max);

    private int Pick(params int[] values) => values[_random.Next(values.Length)];
}
