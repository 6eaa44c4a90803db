using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Options of <see cref="BitbrainsImporter"/> (GWA-T-12). Defaults: 300 s ticks (the nominal sample period),
/// hold gaps up to 900 s (3 samples), 2 s jitter tolerance, demand = usage × 1.0 + 512 MB ("usage" is active
/// memory, which understates committed memory), tick 0 at the earliest sample of any VM.
/// </summary>
public sealed record BitbrainsImportOptions : ImportOptions
{
    /// <summary>The defaults above.</summary>
    public BitbrainsImportOptions()
        : base(NominalPeriodSeconds, 3 * NominalPeriodSeconds, 2, new DemandModel { K = 1.0, OsBaseMb = 512, OsBaseCapPercent = 25 })
    {
    }

    /// <summary>The source's nominal sample period.</summary>
    public const double NominalPeriodSeconds = 300;

    /// <summary>Clamp a sample's usage to its provisioned capacity (a 5-min average can exceed a changing capacity; default true).</summary>
    public bool ClampUsageToCapacity { get; init; } = true;

    /// <summary>
    /// What a usage of 0 in a sample where the VM is on (capacity above 0) means (default <see cref="BitbrainsUsageZero.Base"/>:
    /// a measured 0, so demand is the demand model's OS base alone). The dataset's notes say 0 often means "not measured":
    /// <see cref="BitbrainsUsageZero.HoldLast"/> carries the VM's last measured (non-zero) usage over such samples instead.
    /// </summary>
    public BitbrainsUsageZero UsageZero { get; init; } = BitbrainsUsageZero.Base;

    /// <summary>Place VMs on hosts of this many MB with <see cref="TracePlacement.FirstFitByStartup"/>; null = no placement (default).</summary>
    public int? PlaceOnHostMb { get; init; }

    /// <summary>Reserve of the synthesized hosts (default 2048 MB).</summary>
    public int PlacementReserveMb { get; init; } = 2048;

    /// <summary>
    /// Files parsed at the same time: 0 = one per processor (default), 1 = only on the calling thread. The trace
    /// and the report do not depend on it (files are read in parallel, then taken in order); not recorded.
    /// </summary>
    public int ReadThreads { get; init; }

    /// <summary>Tests: every file takes the general (Sep) path, the reference the fast path must match.</summary>
    internal bool GeneralPathOnly { get; init; }

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Check(UsageZero is BitbrainsUsageZero.Base or BitbrainsUsageZero.HoldLast, nameof(UsageZero), (int)UsageZero, "Base or HoldLast");
        Check(ReadThreads >= 0, nameof(ReadThreads), ReadThreads, "0 (one per processor) or a positive number of threads");
        Check(PlaceOnHostMb is null || (PlaceOnHostMb > 0 && PlaceOnHostMb % 2 == 0 && PlaceOnHostMb <= TraceValues.MaxCommittedMb), nameof(PlaceOnHostMb), PlaceOnHostMb ?? 0, "a positive multiple of 2 MB up to 16777216 MB (16 TB), as replay's and compare's hosts");
        Check(PlacementReserveMb >= 0 && PlacementReserveMb % 2 == 0 && (PlaceOnHostMb is null || PlacementReserveMb < PlaceOnHostMb), nameof(PlacementReserveMb), PlacementReserveMb, "a multiple of 2 MB from 0 to below PlaceOnHostMb");
    }

    internal override void Record(TraceMetadata m, double startSeconds)
    {
        base.Record(m, startSeconds);
        m.Set("bitbrains.clamp_usage_to_capacity", ClampUsageToCapacity);
        m.Set("bitbrains.usage_zero", UsageZero == BitbrainsUsageZero.HoldLast
            ? "hold: a usage of 0 while on carries the VM's last non-zero usage (none yet: 0)"
            : "base: a usage of 0 while on is read as 0 (demand = the OS base)");
        m.Set("placement", PlaceOnHostMb is int h
            ? string.Create(CultureInfo.InvariantCulture, $"first-fit decreasing by Startup on hosts of {h} MB, reserve {PlacementReserveMb} MB")
            : "none");
    }
}

/// <summary>What a Bitbrains usage of 0 in a sample where the VM is on means (<see cref="BitbrainsImportOptions.UsageZero"/>).</summary>
public enum BitbrainsUsageZero
{
    /// <summary>A measured 0: demand is the demand model's OS base alone.</summary>
    Base,

    /// <summary>Not measured: the VM's last non-zero usage in its file is carried over (0 before its first one).</summary>
    HoldLast,
}
