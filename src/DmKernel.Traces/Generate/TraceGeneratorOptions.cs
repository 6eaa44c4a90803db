using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Options of <see cref="TraceGenerator"/>. Defaults make a heterogeneous fleet with diurnal and bursty demand
/// and some VMs that arrive and depart. Every option is recorded in the trace's metadata (prefix "gen.").
/// </summary>
public sealed record TraceGeneratorOptions
{
    /// <summary>Number of VMs (default 1000).</summary>
    public int Vms { get; init; } = 1000;

    /// <summary>Number of hosts; VM i runs on host i mod Hosts. 0 = no placement, empty host table (default 10).</summary>
    public int Hosts { get; init; } = 10;

    /// <summary>Number of ticks (default 1440).</summary>
    public int Ticks { get; init; } = 1440;

    /// <summary>Seed: the same seed and options give a byte-identical file (default 1).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Tick length in seconds, at most <see cref="ModelParameters.MaxTickSeconds"/> (default 60).</summary>
    public double TickSeconds { get; init; } = 60;

    /// <summary>RAM of every host in MB; null = auto: (the largest Σ Startup of a host × <see cref="HostHeadroom"/>, at least the largest Maximum) + the reserve, rounded up to 1024 MB.</summary>
    public int? HostMb { get; init; }

    /// <summary>Factor over the Startup sum used by the auto host size (default 1.5).</summary>
    public double HostHeadroom { get; init; } = 1.5;

    /// <summary>Management-OS reserve recorded for every host (default 2048 MB, R3's default).</summary>
    public int HostReserveMb { get; init; } = 2048;

    /// <summary>Share of VMs with Dynamic Memory off (default 0.1).</summary>
    public double StaticFraction { get; init; } = 0.1;

    /// <summary>Share of Linux guests (default 0.3).</summary>
    public double LinuxFraction { get; init; } = 0.3;

    /// <summary>Period of the diurnal sinusoid in seconds (default 86400); each VM has its own phase.</summary>
    public double DiurnalPeriodSeconds { get; init; } = 86_400;

    /// <summary>Largest diurnal amplitude as a share of Maximum (default 0.25; each VM draws 0..this).</summary>
    public double DiurnalAmplitude { get; init; } = 0.25;

    /// <summary>Uniform noise per tick as a share of Maximum, ± (default 0.02).</summary>
    public double Noise { get; init; } = 0.02;

    /// <summary>Expected bursts per VM per day (default 4).</summary>
    public double BurstsPerDay { get; init; } = 4;

    /// <summary>Mean burst length in seconds (default 900).</summary>
    public double MeanBurstSeconds { get; init; } = 900;

    /// <summary>Share of VMs that arrive and depart (on/off periods); the others run the whole trace (default 0.2).</summary>
    public double ChurnFraction { get; init; } = 0.2;

    /// <summary>Mean on period of a churning VM in seconds (default 21600).</summary>
    public double MeanOnSeconds { get; init; } = 21_600;

    /// <summary>Mean off period of a churning VM in seconds (default 7200).</summary>
    public double MeanOffSeconds { get; init; } = 7_200;

    /// <summary>P10: which share of the VMs has which guest responsiveness, recorded in the trace's metadata (default: all ideal).</summary>
    public GuestMix Guests { get; init; } = GuestMix.Ideal;

    /// <summary>Options of the native writer.</summary>
    public NativeTraceWriterOptions Writer { get; init; } = NativeTraceWriterOptions.Default;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        Check(Vms is >= 0 and <= NativeFormat.MaxVmCount, nameof(Vms), Vms, string.Create(CultureInfo.InvariantCulture, $"0..{NativeFormat.MaxVmCount}"));
        Check(Hosts >= 0 && Hosts <= Math.Max(1, Vms) && Hosts <= NativeFormat.MaxHostCount, nameof(Hosts), Hosts, "0 (no placement) up to the VM count");
        Check(Hosts == 0 || (long)Hosts * HostSpec.MaxVmCapacity >= Vms, nameof(Hosts), Hosts, string.Create(CultureInfo.InvariantCulture, $"enough hosts for at most {HostSpec.MaxVmCapacity} VMs each"));
        Check(Ticks >= 0, nameof(Ticks), Ticks, ">= 0");
        Check(double.IsFinite(TickSeconds) && TickSeconds > 0 && TickSeconds <= ModelParameters.MaxTickSeconds, nameof(TickSeconds), TickSeconds, "a finite number of seconds in (0, 3600] (the longest tick the model runs: replay and compare refuse a trace of longer ticks)");
        Check(HostMb is null || (HostMb > 0 && HostMb % 2 == 0), nameof(HostMb), HostMb ?? 0, "null (auto) or a positive multiple of 2");
        Check(double.IsFinite(HostHeadroom) && HostHeadroom >= 1 && HostHeadroom <= 100, nameof(HostHeadroom), HostHeadroom, "1..100");
        Check(HostReserveMb >= 0 && HostReserveMb % 2 == 0, nameof(HostReserveMb), HostReserveMb, "a non-negative multiple of 2");
        Check(HostMb is null || HostReserveMb <= HostMb, nameof(HostReserveMb), HostReserveMb, "at most HostMb");
        Check(HostMb is null || HostMb <= TraceValues.MaxCommittedMb, nameof(HostMb), HostMb ?? 0, string.Create(CultureInfo.InvariantCulture, $"at most {TraceValues.MaxCommittedMb} MB (16 TB)"));
        Check(HostMb is null || Hosts == 0 || HostMb >= (long)HostReserveMb + TraceGenerator.SmallestStartupMb, nameof(HostMb), HostMb ?? 0,
            string.Create(CultureInfo.InvariantCulture, $"at least {(long)HostReserveMb + TraceGenerator.SmallestStartupMb} MB: a host reserve of {HostReserveMb} MB plus the smallest VM's Startup ({TraceGenerator.SmallestStartupMb} MB); a smaller host holds no VM"));
        CheckShare(nameof(StaticFraction), StaticFraction);
        CheckShare(nameof(LinuxFraction), LinuxFraction);
        CheckShare(nameof(ChurnFraction), ChurnFraction);
        CheckShare(nameof(DiurnalAmplitude), DiurnalAmplitude);
        CheckShare(nameof(Noise), Noise);
        Check(double.IsFinite(DiurnalPeriodSeconds) && DiurnalPeriodSeconds > 0, nameof(DiurnalPeriodSeconds), DiurnalPeriodSeconds, "a positive number of seconds");
        Check(double.IsFinite(BurstsPerDay) && BurstsPerDay >= 0, nameof(BurstsPerDay), BurstsPerDay, ">= 0");
        Check(double.IsFinite(MeanBurstSeconds) && MeanBurstSeconds > 0, nameof(MeanBurstSeconds), MeanBurstSeconds, "> 0");
        // At most 1e9 s, as P10's spells: a mean of 1e308 s made the on-share ∞/∞ = NaN, and churning VMs started off and stayed off (before stop 53).
        Check(double.IsFinite(MeanOnSeconds) && MeanOnSeconds > 0 && MeanOnSeconds <= 1e9, nameof(MeanOnSeconds), MeanOnSeconds, "> 0 and at most 1e9 s");
        Check(double.IsFinite(MeanOffSeconds) && MeanOffSeconds > 0 && MeanOffSeconds <= 1e9, nameof(MeanOffSeconds), MeanOffSeconds, "> 0 and at most 1e9 s");
        ArgumentNullException.ThrowIfNull(Guests);
        ArgumentNullException.ThrowIfNull(Writer);
        Writer.Validate();
    }

    internal void Record(TraceMetadata m)
    {
        m.Set("generator", "DmKernel.Traces.TraceGenerator/1");
        m.Set("gen.vms", Vms).Set("gen.hosts", Hosts).Set("gen.ticks", Ticks).Set("gen.seed", Seed.ToString(CultureInfo.InvariantCulture));
        m.Set("gen.tick_seconds", TickSeconds).Set("gen.host_mb", HostMb is int h ? h.ToString(CultureInfo.InvariantCulture) : "auto");
        m.Set("gen.host_headroom", HostHeadroom).Set("gen.host_reserve_mb", HostReserveMb);
        m.Set("gen.static_fraction", StaticFraction).Set("gen.linux_fraction", LinuxFraction);
        m.Set("gen.diurnal_period_seconds", DiurnalPeriodSeconds).Set("gen.diurnal_amplitude", DiurnalAmplitude).Set("gen.noise", Noise);
        m.Set("gen.bursts_per_day", BurstsPerDay).Set("gen.mean_burst_seconds", MeanBurstSeconds);
        m.Set("gen.churn_fraction", ChurnFraction).Set("gen.mean_on_seconds", MeanOnSeconds).Set("gen.mean_off_seconds", MeanOffSeconds);
        if (!Guests.IsIdeal)
            m.Set(GuestMix.MetadataKey, Guests.ToString());
    }

    private static void Check(bool ok, string name, double value, string expected)
    {
        if (!ok)
            throw new InvariantOutOfRangeException(name, value, $"{name} = {value.ToString(CultureInfo.InvariantCulture)}: expected {expected}.");
    }

    private static void CheckShare(string name, double value) => Check(double.IsFinite(value) && value >= 0 && value <= 1, name, value, "a share from 0 to 1");
}
