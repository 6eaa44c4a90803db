using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Options every importer has. Each importer's record sets its own defaults (its nominal sample period, hold
/// limit and demand model) and adds its own options; every option is recorded in the trace's metadata.
/// </summary>
public abstract record ImportOptions
{
    /// <summary>An importer's defaults: its tick length, hold limit, jitter tolerance (seconds) and demand model.</summary>
    protected ImportOptions(double tickSeconds, double maxHoldSeconds, double jitterToleranceSeconds, DemandModel demand)
    {
        TickSeconds = tickSeconds;
        MaxHoldSeconds = maxHoldSeconds;
        JitterToleranceSeconds = jitterToleranceSeconds;
        Demand = demand;
    }

    /// <summary>Skip malformed rows (and files) and count them in the <see cref="ImportReport"/> instead of throwing (default false).</summary>
    public bool Lenient { get; init; }

    /// <summary>Tick length of the trace in seconds, at most <see cref="ModelParameters.MaxTickSeconds"/> (default: the source's nominal sample period).</summary>
    public double TickSeconds { get; init; }

    /// <summary>Time of tick 0 in the source's clock (seconds); null = the importer's default (see each importer).</summary>
    public double? StartSeconds { get; init; }

    /// <summary>
    /// Resampling: a tick takes the value of the last sample at or before it; when that sample is older than
    /// this many seconds the VM is off (-1) for the tick. So a gap of up to this long is held, a longer one
    /// becomes off after it, and a VM whose series ends is off this long after its last sample.
    /// </summary>
    public double MaxHoldSeconds { get; init; }

    /// <summary>
    /// Hold a VM's last value over every gap between two of its samples, however long (a gap is missing data, not a stop):
    /// the VM is then off only before its first sample, after its last (plus <see cref="MaxHoldSeconds"/>), and where a
    /// sample says so. Default false: a gap longer than <see cref="MaxHoldSeconds"/> is off after the hold (the VM stops
    /// and starts again at its next sample, booting at Startup), unless the whole fleet's samples stopped (a collection outage).
    /// </summary>
    public bool HoldGaps { get; init; }

    /// <summary>A sample stamped up to this many seconds after a tick still counts for that tick (clock jitter).</summary>
    public double JitterToleranceSeconds { get; init; }

    /// <summary>
    /// With ticks longer than the sample period: the last sample within a tick (<see cref="DownsampleRule.Last"/>, the
    /// default) or the largest (<see cref="DownsampleRule.Peak"/>).
    /// </summary>
    public DownsampleRule Downsample { get; init; }

    /// <summary>How measured memory becomes committed demand.</summary>
    public DemandModel Demand { get; init; }

    /// <summary>How DM settings follow from provisioned memory.</summary>
    public VmSettingsRule Settings { get; init; } = new();

    /// <summary>Options of the native writer.</summary>
    public NativeTraceWriterOptions Writer { get; init; } = NativeTraceWriterOptions.Default;

    /// <summary>Throws <see cref="ArgumentException"/> (usually <see cref="ArgumentOutOfRangeException"/>) naming the first bad option.</summary>
    public virtual void Validate()
    {
        Check(double.IsFinite(TickSeconds) && TickSeconds > 0 && TickSeconds <= ModelParameters.MaxTickSeconds, nameof(TickSeconds), TickSeconds, "a finite number of seconds in (0, 3600] (the longest tick the model runs: replay and compare refuse a trace of longer ticks)");
        Check(StartSeconds is null || double.IsFinite(StartSeconds.Value), nameof(StartSeconds), StartSeconds ?? 0, "null or a finite number of seconds");
        Check(double.IsFinite(MaxHoldSeconds) && MaxHoldSeconds >= 0, nameof(MaxHoldSeconds), MaxHoldSeconds, "a finite number of seconds >= 0");
        Check(double.IsFinite(JitterToleranceSeconds) && JitterToleranceSeconds >= 0 && JitterToleranceSeconds < TickSeconds, nameof(JitterToleranceSeconds), JitterToleranceSeconds, "seconds from 0 to below TickSeconds");
        Check(Enum.IsDefined(Downsample), nameof(Downsample), (double)Downsample, "Last (0) or Peak (1)");
        if (Demand is null)
            throw new ArgumentNullException(nameof(Demand), "Demand: expected a demand model.");
        Demand.Validate(nameof(Demand));
        if (Settings is null)
            throw new ArgumentNullException(nameof(Settings), "Settings: expected a settings rule.");
        Settings.Validate(nameof(Settings));
        if (Writer is null)
            throw new ArgumentNullException(nameof(Writer), "Writer: expected writer options.");
        Writer.Validate();
    }

    internal virtual void Record(TraceMetadata m, double startSeconds)
    {
        m.Set("import.lenient", Lenient);
        m.Set("resample.rule", Downsample == DownsampleRule.Peak
            ? "largest value of the samples after the previous tick and at or before tick time + jitter tolerance (on when any is on), else the last sample's; off (-1) when none of those is on and the last sample is older than max_hold_seconds, or there is none"
            : "value of the last sample at or before tick time + jitter tolerance; off (-1) when that sample is older than max_hold_seconds or there is none");
        m.Set("resample.downsample", Downsample == DownsampleRule.Peak ? "peak" : "last");
        m.Set("resample.tick_seconds", TickSeconds).Set("resample.start_seconds", startSeconds);
        m.Set("resample.max_hold_seconds", MaxHoldSeconds).Set("resample.jitter_tolerance_seconds", JitterToleranceSeconds);
        m.Set("resample.hold_gaps", HoldGaps);
        Settings.Record(m);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for option <paramref name="name"/> when <paramref name="ok"/> is false.</summary>
    protected static void Check(bool ok, string name, double value, string expected)
    {
        if (!ok)
            throw new InvariantOutOfRangeException(name, value, $"{name} = {value.ToString(CultureInfo.InvariantCulture)}: expected {expected}.");
    }
}
