using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Options of <see cref="AlibabaImporter"/> (cluster-trace-v2018 machine_usage.csv). Each machine becomes one
/// host of <see cref="HostMb"/> MB carrying one aggregate workload VM (see the importer). Defaults: 60 s ticks
/// (the median sample interval), hold gaps up to 600 s (sampling is irregular: p90 about 200 s; only gaps over
/// 600 s are real outages), 0 s jitter tolerance (timestamps are multiples of 10 s), demand = mem_util / 100 ×
/// HostMb (k = 1, OsBase 0: the host total already includes its OS), tick 0 at t = 0 (the trace start).
/// </summary>
public sealed record AlibabaImportOptions : ImportOptions
{
    /// <summary>The defaults above; <see cref="HostMb"/> must be set.</summary>
    public AlibabaImportOptions()
        : base(NominalPeriodSeconds, 600, 0, new DemandModel { K = 1.0, OsBaseMb = 0 })
    {
    }

    /// <summary>The source's nominal (median) sample period.</summary>
    public const double NominalPeriodSeconds = 60;

    /// <summary>RAM of a machine in MB: what mem_util_percent = 100 means (the trace publishes no absolute size). Required.</summary>
    public required int HostMb { get; init; }

    /// <summary>Management-OS reserve of each host (default 2048 MB); the workload VM's Startup = Maximum = HostMb − this.</summary>
    public int HostReserveMb { get; init; } = 2048;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        // The largest host this import can take: mem_util = 100 % stands for HostMb (at most 16 TB), and the machine's workload
        // VM (HostMb - HostReserveMb) may not exceed the settings' Maximum ceiling (R1); the error names the smaller.
        long upper = Math.Min(TraceValues.MaxCommittedMb, (long)Settings.MaxCeilingMb + Math.Max(0, HostReserveMb));
        Check(HostMb > 0 && HostMb % 2 == 0 && HostMb <= TraceValues.MaxCommittedMb, nameof(HostMb), HostMb, string.Create(CultureInfo.InvariantCulture, $"a positive multiple of 2 MB up to {upper}"));
        Check(HostReserveMb >= 0 && HostReserveMb % 2 == 0 && HostMb - HostReserveMb >= VmSettings.MinMinimumMb, nameof(HostReserveMb), HostReserveMb, "a multiple of 2 MB that leaves at least 32 MB of HostMb");
        Check(HostMb - HostReserveMb <= Settings.MaxCeilingMb, nameof(HostMb), HostMb,
            string.Create(CultureInfo.InvariantCulture, $"at most {(long)Settings.MaxCeilingMb + HostReserveMb} MB: the machine's workload VM gets the host's memory less the {HostReserveMb} MB reserve as its Maximum, which may not exceed R1's MaxCeiling ({Settings.MaxCeilingMb} MB)"));
    }

    internal override void Record(TraceMetadata m, double startSeconds)
    {
        base.Record(m, startSeconds);
        m.Set("alibaba.host_mb", HostMb).Set("alibaba.host_reserve_mb", HostReserveMb);
        m.Set("placement", string.Create(CultureInfo.InvariantCulture, $"one host per machine ({HostMb} MB, reserve {HostReserveMb} MB) with one aggregate workload VM"));
    }
}
