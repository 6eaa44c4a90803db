using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Options of <see cref="TraceGenerator.GenerateFrom"/>: a large trace of VMs drawn from a real one (with replacement),
/// each playing its source VM's series from its own tick and optionally scaled. Every option is recorded in the trace's
/// metadata (prefix "gen."), with the source's name and metadata.
/// </summary>
public sealed record DerivedTraceOptions
{
    /// <summary>The largest scale factor accepted (and the smallest is its inverse).</summary>
    public const double MaxScale = 100;

    /// <summary>Number of VMs (default 1000).</summary>
    public int Vms { get; init; } = 1000;

    /// <summary>Number of hosts; VM i runs on host i mod Hosts. 0 = no placement, empty host table (default 10).</summary>
    public int Hosts { get; init; } = 10;

    /// <summary>Seed: the same source, seed and options give a byte-identical file (default 1).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Number of ticks; null = the source's length (default). A longer trace plays each series round again.</summary>
    public int? Ticks { get; init; }

    /// <summary>
    /// Smallest scale factor of a VM (default 1). Each VM draws its factor uniformly in [<see cref="ScaleMin"/>,
    /// <see cref="ScaleMax"/>]; a factor f scales its sizes (Startup, Minimum, Maximum) and the measured part of its
    /// demand (docs/generate.md; the OS base of the demand model follows the new size).
    /// </summary>
    public double ScaleMin { get; init; } = 1;

    /// <summary>Largest scale factor of a VM (default 1: with <see cref="ScaleMin"/> 1, no scaling).</summary>
    public double ScaleMax { get; init; } = 1;

    /// <summary>
    /// RAM of every host in MB; null = auto: the largest Σ Startup of a host × <see cref="HostHeadroom"/>, at least the
    /// largest VM's Maximum, plus the reserve, rounded up to 1024 MB. With a size given, source VMs whose Startup (at
    /// <see cref="ScaleMax"/>) cannot fit an empty host are not drawn.
    /// </summary>
    public int? HostMb { get; init; }

    /// <summary>Factor over the Startup sum used by the auto host size (default 1.5).</summary>
    public double HostHeadroom { get; init; } = 1.5;

    /// <summary>Management-OS reserve recorded for every host (default 2048 MB, R3's default).</summary>
    public int HostReserveMb { get; init; } = 2048;

    /// <summary>
    /// P10: which share of the drawn VMs has which guest responsiveness, recorded in the trace's metadata and applied by
    /// replay and compare by each VM's index in the new trace. Null (default): the source's mix when it records one (its
    /// shares, drawn anew over the new VMs), else all ideal.
    /// </summary>
    public GuestMix? Guests { get; init; }

    /// <summary>
    /// How the source VMs are drawn (default <see cref="DerivedDraw.Compare"/>: uniformly with replacement, compare's own
    /// draw). <see cref="DerivedDraw.Balanced"/> draws each source VM of the pool ⌊Vms ÷ pool⌋ times and the rest without
    /// replacement, so a fleet about the source's size holds about the source's VMs (docs/generate.md).
    /// </summary>
    public DerivedDraw Draw { get; init; } = DerivedDraw.Compare;

    /// <summary>
    /// Start ticks drawn as whole multiples of this many seconds (0, default: any tick). 86 400 keeps the source's time
    /// of day for every VM, so the fleet's daily swing stays the source's; 604 800 keeps the day of the week too. A whole
    /// number of the source's ticks, at most the source's length.
    /// </summary>
    public int AlignStartsSeconds { get; init; }

    /// <summary>Options of the native writer.</summary>
    public NativeTraceWriterOptions Writer { get; init; } = NativeTraceWriterOptions.Default;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        Check(Vms is >= 1 and <= NativeFormat.MaxVmCount, nameof(Vms), Vms, string.Create(CultureInfo.InvariantCulture, $"1..{NativeFormat.MaxVmCount}"));
        Check(Hosts >= 0 && Hosts <= Vms && Hosts <= NativeFormat.MaxHostCount, nameof(Hosts), Hosts, "0 (no placement) up to the VM count");
        Check(Hosts == 0 || (long)Hosts * HostSpec.MaxVmCapacity >= Vms, nameof(Hosts), Hosts, string.Create(CultureInfo.InvariantCulture, $"enough hosts for at most {HostSpec.MaxVmCapacity} VMs each"));
        Check(Ticks is null or >= 1, nameof(Ticks), Ticks ?? 0, "null (the source's length) or at least 1");
        Check(double.IsFinite(ScaleMin) && ScaleMin >= 1 / MaxScale && ScaleMin <= MaxScale, nameof(ScaleMin), ScaleMin, string.Create(CultureInfo.InvariantCulture, $"a factor from {1 / MaxScale} to {MaxScale}"));
        Check(double.IsFinite(ScaleMax) && ScaleMax >= ScaleMin && ScaleMax <= MaxScale, nameof(ScaleMax), ScaleMax, string.Create(CultureInfo.InvariantCulture, $"a factor from ScaleMin ({ScaleMin.ToString(CultureInfo.InvariantCulture)}) to {MaxScale}"));
        Check(HostMb is null || (HostMb > 0 && HostMb % 2 == 0 && HostMb <= TraceValues.MaxCommittedMb), nameof(HostMb), HostMb ?? 0, string.Create(CultureInfo.InvariantCulture, $"null (auto) or a positive multiple of 2 up to {TraceValues.MaxCommittedMb}"));
        Check(double.IsFinite(HostHeadroom) && HostHeadroom >= 1 && HostHeadroom <= 100, nameof(HostHeadroom), HostHeadroom, "1..100");
        Check(HostReserveMb >= 0 && HostReserveMb % 2 == 0, nameof(HostReserveMb), HostReserveMb, "a non-negative multiple of 2");
        Check(HostMb is null || HostReserveMb < HostMb, nameof(HostReserveMb), HostReserveMb, "below HostMb");
        Check(Draw is DerivedDraw.Compare or DerivedDraw.Balanced, nameof(Draw), (int)Draw, "Compare or Balanced");
        Check(AlignStartsSeconds >= 0, nameof(AlignStartsSeconds), AlignStartsSeconds, "0 (any tick) or a positive number of seconds");
        ArgumentNullException.ThrowIfNull(Writer);
        Writer.Validate();
    }

    internal void Record(TraceMetadata m, int ticks)
    {
        m.Set("generator", "DmKernel.Traces.TraceGenerator.GenerateFrom/1");
        m.Set("gen.vms", Vms).Set("gen.hosts", Hosts).Set("gen.ticks", ticks).Set("gen.ticks_option", Ticks is int t ? t.ToString(CultureInfo.InvariantCulture) : "the source's length");
        m.Set("gen.seed", Seed.ToString(CultureInfo.InvariantCulture));
        m.Set("gen.scale_min", ScaleMin).Set("gen.scale_max", ScaleMax);
        m.Set("gen.host_mb", HostMb is int h ? h.ToString(CultureInfo.InvariantCulture) : "auto");
        m.Set("gen.host_headroom", HostHeadroom).Set("gen.host_reserve_mb", HostReserveMb);
        m.Set("gen.draw_rule", Draw == DerivedDraw.Balanced ? "balanced" : "compare").Set("gen.align_starts_seconds", AlignStartsSeconds);
    }

    private static void Check(bool ok, string name, double value, string expected)
    {
        if (!ok)
            throw new InvariantOutOfRangeException(name, value, $"{name} = {value.ToString(CultureInfo.InvariantCulture)}: expected {expected}.");
    }
}

/// <summary>How <see cref="TraceGenerator.GenerateFrom"/> draws the source VMs.</summary>
public enum DerivedDraw
{
    /// <summary>Uniformly with replacement: VM i is compare's draw (<see cref="Capacity.CapacityStudy.Draw"/>) for its host and index.</summary>
    Compare,

    /// <summary>
    /// Each pool VM ⌊Vms ÷ pool⌋ times, the remaining Vms mod pool without replacement, in a seeded random order; start
    /// ticks and scale factors as <see cref="Compare"/>. The fleet's composition then follows the source's (each source
    /// VM once in a fleet of the pool's size), where a draw with replacement may take a very large VM several times or not at all.
    /// </summary>
    Balanced,
}
