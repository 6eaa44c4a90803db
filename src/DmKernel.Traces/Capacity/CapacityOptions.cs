using System.Globalization;

namespace DmKernel.Traces.Capacity;

/// <summary>What a capacity study asks of a trace (<see cref="CapacityStudy.Run"/>).</summary>
public sealed record CapacityOptions
{
    /// <summary>The service level every strategy is held to.</summary>
    public ServiceLevel Level { get; init; } = new();

    /// <summary>The host the VMs are packed onto: its RAM and reserve (R3).</summary>
    public TraceHost Host { get; init; } = new(262_144, 2048);

    /// <summary>Hosts filled per density probe (default 8).</summary>
    public int HostsPerProbe { get; init; } = 8;

    /// <summary>Draws per density question (default 3): each seed draws other VMs and time offsets.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>The first seed (seeds are Seed, Seed + 1, ...).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The strategies compared; the first Dynamic Memory one and <see cref="MemoryStrategy.StaticProvisioned"/> give the verdict.</summary>
    public IReadOnlyList<MemoryStrategy> Strategies { get; init; } = DefaultStrategies([10, 50]);

    /// <summary>
    /// Balancer policies to compare (docs/policies.md): the verdict's Dynamic Memory strategy under each, with its density,
    /// hosts needed and a side-by-side probe (<see cref="CapacityResult.Policies"/>). Empty: none; the strategies run under
    /// <see cref="ProbeOptions.Policy"/> either way.
    /// </summary>
    public IReadOnlyList<BalancerPolicy> Policies { get; init; } = [];

    /// <summary>Demand models for the sensitivity grid (empty: no sensitivity).</summary>
    public IReadOnlyList<DemandModel> Sensitivity { get; init; } = [];

    /// <summary>
    /// Factors of the VMs' Minimum for the sensitivity grid's Minimum cells (empty: none): Dynamic Memory's density again
    /// with each VM's Minimum times each factor (<see cref="TraceSeries.WithMinimum"/>), against static provisioned, whose
    /// density no Minimum changes. A trace records no Minimum (an import sets it by a rule), and where Dynamic Memory holds
    /// its VMs at their Minimum its density follows it (<see cref="CapacityResult.DynamicMemoryAtMinimum"/>).
    /// </summary>
    public IReadOnlyList<double> MinimumSensitivity { get; init; } = [];

    /// <summary>The smallest factor of <see cref="MinimumSensitivity"/> (1/1024).</summary>
    public const double MinMinimumFactor = 1.0 / 1024;

    /// <summary>The largest factor of <see cref="MinimumSensitivity"/> (1024).</summary>
    public const double MaxMinimumFactor = 1024;

    /// <summary>The Minimum factors <c>compare --sensitivity</c> runs: half and twice the VMs' Minimum (an import's Startup ÷ 4 becomes ÷ 8 and ÷ 2).</summary>
    public static IReadOnlyList<double> DefaultMinimumSensitivity { get; } = [0.5, 2];

    /// <summary>How probes run (model, kernel path).</summary>
    public ProbeOptions Probe { get; init; } = new();

    /// <summary>Probes run at once (default 1).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Most hosts the hosts-needed search tries (null: no limit; the search starts from every VM at its Startup packed
    /// perfectly, plus one, and goes on up to one VM per host when nothing within that meets).
    /// </summary>
    public int? MaxHosts { get; init; }

    /// <summary>Most trace values the sensitivity grid's re-expressed copies may hold together (default 2^28, 1 GiB).</summary>
    public long MaxSensitivityValues { get; init; } = TraceSeries.DefaultMaxValues;

    /// <summary>Most VMs per host a density search tries (default 20 000).</summary>
    public int MaxVmsPerHost { get; init; } = 20_000;

    /// <summary>Dynamic Memory, static provisioned, Dynamic Memory with each of <paramref name="buffers"/>, fixed 1 GB, fixed 4 GB, provisioned + 50 %.</summary>
    public static IReadOnlyList<MemoryStrategy> DefaultStrategies(IEnumerable<int> buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        var list = new List<MemoryStrategy> { MemoryStrategy.DynamicMemory, MemoryStrategy.StaticProvisioned };
        foreach (int b in buffers)
            list.Add(MemoryStrategy.DynamicWithBuffer(b));
        list.Add(MemoryStrategy.Fixed(1024));
        list.Add(MemoryStrategy.Fixed(4096));
        list.Add(MemoryStrategy.ProvisionedPlus(50));
        return list;
    }

    /// <summary>
    /// The sensitivity grid. For a trace that records how demand was derived from a measurement (<paramref name="recorded"/>):
    /// OS base 0 / 256 / 512 MB × K 1.0 / 1.25, with the recorded base cap. For a trace of committed demand as is (null):
    /// the demand scaled by K 0.8 / 0.9 / 1.1 / 1.25.
    /// </summary>
    public static IReadOnlyList<DemandModel> DefaultSensitivity(DemandModel? recorded)
    {
        var grid = new List<DemandModel>();
        if (recorded is null)
        {
            foreach (double k in (ReadOnlySpan<double>)[0.8, 0.9, 1.1, 1.25])
                grid.Add(new DemandModel { K = k });
            return grid;
        }

        foreach (double k in (ReadOnlySpan<double>)[1.0, 1.25])
        {
            foreach (double b in (ReadOnlySpan<double>)[0, 256, 512])
                grid.Add(new DemandModel { K = k, OsBaseMb = b, OsBaseCapPercent = recorded.OsBaseCapPercent });
        }

        return grid;
    }

    /// <summary>Checks the options; errors name the option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Level);
        Level.Validate();
        // At most 16 TB, as the generator's hosts: the advice "--host-mb N or more would" adds the reserve to a VM's size, and
        // with a host and reserve near 2^31 MB that sum wrapped negative (before stop 53).
        if (Host.TotalMb <= 0 || Host.TotalMb % 2 != 0 || Host.TotalMb > TraceValues.MaxCommittedMb)
            throw new InvariantOutOfRangeException(nameof(Host), Host.TotalMb, string.Create(CultureInfo.InvariantCulture, $"host size: expected a positive multiple of 2 MB up to {TraceValues.MaxCommittedMb} MB (16 TB)."));
        int reserve = Host.ReserveMb ?? Probe.Model.HostReserveMb;
        if (reserve < 0 || reserve % 2 != 0 || reserve >= Host.TotalMb)
            throw new InvariantOutOfRangeException(nameof(Host), reserve, string.Create(CultureInfo.InvariantCulture, $"host reserve: expected a multiple of 2 MB below the host size ({Host.TotalMb} MB)."));
        if (HostsPerProbe is < 1 or > 1024)
            throw new InvariantOutOfRangeException(nameof(HostsPerProbe), HostsPerProbe, "hosts per probe: expected 1..1024.");
        if (Seeds is < 1 or > 100)
            throw new InvariantOutOfRangeException(nameof(Seeds), Seeds, "seeds: expected 1..100.");
        if (Threads is < 1 or > 1024)
            throw new InvariantOutOfRangeException(nameof(Threads), Threads, "threads: expected 1..1024.");
        if (MaxHosts is < 1 or > 1_000_000)
            throw new InvariantOutOfRangeException(nameof(MaxHosts), MaxHosts, "max hosts: expected 1..1000000.");
        if (MaxSensitivityValues < 0)
            throw new InvariantOutOfRangeException(nameof(MaxSensitivityValues), MaxSensitivityValues, "max sensitivity values: expected 0 or more.");
        if (MaxVmsPerHost is < 1 or > HostSpec.MaxVmCapacity)
            throw new InvariantOutOfRangeException(nameof(MaxVmsPerHost), MaxVmsPerHost, string.Create(CultureInfo.InvariantCulture, $"max VMs per host: expected 1..{HostSpec.MaxVmCapacity}."));
        if (Strategies is null || Strategies.Count == 0)
            throw new ArgumentException("At least one strategy is needed.", nameof(Strategies));
        if (!Strategies.Any(s => s.Kind == StrategyKind.DynamicMemory) || !Strategies.Contains(MemoryStrategy.StaticProvisioned))
            throw new ArgumentException("The strategies must include a Dynamic Memory strategy and static provisioned (the verdict compares them).", nameof(Strategies));
        ArgumentNullException.ThrowIfNull(Policies);
        foreach (BalancerPolicy p in Policies)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(Policies));
            p.Validate();
        }

        if (Policies.Distinct().Count() != Policies.Count)
            throw new ArgumentException("Each policy may be compared once.", nameof(Policies));
        foreach (DemandModel m in Sensitivity)
            m.Validate("sensitivity");
        ArgumentNullException.ThrowIfNull(MinimumSensitivity);
        foreach (double f in MinimumSensitivity)
        {
            if (!double.IsFinite(f) || f < MinMinimumFactor || f > MaxMinimumFactor)
                throw new InvariantOutOfRangeException(nameof(MinimumSensitivity), f, string.Create(CultureInfo.InvariantCulture, $"Minimum factor {f:R}: expected a number from 1/1024 to 1024."));
        }

        if (MinimumSensitivity.Distinct().Count() != MinimumSensitivity.Count)
            throw new ArgumentException("Each Minimum factor may be given once.", nameof(MinimumSensitivity));
    }
}
