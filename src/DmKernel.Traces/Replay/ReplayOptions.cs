namespace DmKernel.Traces.Replay;

/// <summary>How a trace is replayed: kernel path, threads, model parameters and placement.</summary>
public sealed record ReplayOptions
{
    /// <summary>Kernel path (Auto: <c>DMKERNEL_PATH</c> or the widest accelerated one).</summary>
    public KernelPath Path { get; init; } = KernelPath.Auto;

    /// <summary>Threads ticking hosts.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Model parameters; <see cref="ModelParameters.TickSeconds"/> is always taken from the trace.</summary>
    public ModelParameters Model { get; init; } = ModelParameters.Default;

    /// <summary>The balancer policy and its parameters (docs/policies.md; default Hyper-V).</summary>
    public BalancerPolicy Policy { get; init; } = BalancerPolicy.HyperV;

    /// <summary>Host size for placement when the trace has none (deterministic first-fit by Startup).</summary>
    public int PlacementHostMb { get; init; } = 262_144;

    /// <summary>Host reserve for placement when the trace has no hosts.</summary>
    public int PlacementReserveMb { get; init; } = 2048;

    /// <summary>Stop after this many ticks (null: the whole trace).</summary>
    public long? MaxTicks { get; init; }

    /// <summary>Record <see cref="Fleet.ComputeStateHash"/> every this many ticks (0: only the final hash).</summary>
    public long HashEvery { get; init; }

    /// <summary>
    /// For a trace that is one part of a larger one (a shard written by <c>dmkernel split</c>): each of its VMs' index in
    /// the whole trace, from which the VM's P10 guest response is drawn (<see cref="GuestMix.For"/>), so that the part
    /// replays its VMs as the whole trace would. Null: each VM's own index. One entry per VM of the trace, non-negative:
    /// <see cref="ReplayEngine"/>'s constructor throws <see cref="ArgumentException"/> for another count or a negative
    /// entry, whether or not the trace records a mix.
    /// </summary>
    public IReadOnlyList<int>? GuestIndexOfVm { get; init; }

    /// <summary>
    /// Read and decode the next ticks on a thread of their own, a few ticks ahead, and, with one kernel thread, measure
    /// each chunk of hosts on another while the kernel ticks the next (when the machine has a core more than
    /// <see cref="Threads"/>); results do not depend on it.
    /// </summary>
    public bool ReadAhead { get; init; } = true;

    /// <summary>
    /// With one thread, the replay applies, ticks and measures the fleet in chunks of consecutive hosts of about this many
    /// slots (their columns, about 150 B per slot, stay in a core's L2 cache). Results do not depend on it; tests vary it.
    /// </summary>
    internal int ChunkSlots { get; init; } = 2048;

    /// <summary>
    /// The cores the replay plans for (whether <see cref="ReadAhead"/> and the warm-up take a thread of their own):
    /// <see cref="Environment.ProcessorCount"/>. Results do not depend on it; tests set it to reach the read-ahead and the
    /// chunk measurer on a machine of any size.
    /// </summary>
    internal int ProcessorCount { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Fleet ticks run before the trace's first, unmeasured, with every VM held at its value of tick 0 (0: none): a host
    /// packed full boots the VMs on at tick 0 one after another as room allows (a denied start is retried every tick while
    /// R4 reclaims from the VMs already running), as compare's probes do before they measure, instead of all at once. At
    /// most <see cref="MaxBootTicks"/>. Compare's probes boot for at least the boot grace + a reclaim period + 1 ticks
    /// (<see cref="Capacity.Probe.MinWarmupTicks"/>) and until every VM runs; <see cref="ReplayEngine.BootStillOff"/>
    /// says how many were still off after the boot.
    /// </summary>
    public int BootTicks { get; init; }

    /// <summary>The most <see cref="BootTicks"/> (1 000 000, compare's limit on its warm-up).</summary>
    public const int MaxBootTicks = 1_000_000;

    /// <summary>Checks the options; errors name the option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Path))
            throw new InvariantOutOfRangeException(nameof(Path), Path, "path: expected auto, scalar, v128, v256 or v512.");
        if (Threads is < 1 or > 1024)
            throw new InvariantOutOfRangeException(nameof(Threads), Threads, "threads: expected 1..1024.");
        if (PlacementHostMb <= 0 || PlacementHostMb % 2 != 0 || PlacementHostMb > TraceValues.MaxCommittedMb)
            throw new InvariantOutOfRangeException(nameof(PlacementHostMb), PlacementHostMb, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"host size: expected a positive multiple of 2 MB up to {TraceValues.MaxCommittedMb} MB (16 TB)."));
        if (PlacementReserveMb < 0 || PlacementReserveMb % 2 != 0 || PlacementReserveMb >= PlacementHostMb)
            throw new InvariantOutOfRangeException(nameof(PlacementReserveMb), PlacementReserveMb, "host reserve: expected a multiple of 2 MB below the host size.");
        if (HashEvery < 0)
            throw new InvariantOutOfRangeException(nameof(HashEvery), HashEvery, "hash every: expected 0 (off) or a positive number of ticks.");
        ArgumentNullException.ThrowIfNull(Policy);
        Policy.Validate();
        if (BootTicks is < 0 or > MaxBootTicks)
            throw new InvariantOutOfRangeException(nameof(BootTicks), BootTicks, "boot ticks: expected 0..1000000.");
        if (MaxTicks is < 0)
            throw new InvariantOutOfRangeException(nameof(MaxTicks), MaxTicks, "max ticks: expected a non-negative number.");
    }
}
