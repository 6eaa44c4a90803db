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
        Check(ReadThreads >= 0, nameof(ReadThreads), ReadThreads, "0 (one per processor) or a positive number of threads");
        Check(PlaceOnHostMb is null || (PlaceOnHostMb > 0 && PlaceOnHostMb % 2 == 0 && PlaceOnHostMb <= TraceValues.MaxCommittedMb), nameof(PlaceOnHostMb), PlaceOnHostMb ?? 0, "a positive multiple of 2 MB up to 16777216 MB (16 TB), as replay's and compare's hosts");
        Check(PlacementReserveMb >= 0 && PlacementReserveMb % 2 == 0 && (PlaceOnHostMb is null || PlacementReserveMb < PlaceOnHostMb), nameof(PlacementReserveMb), PlacementReserveMb, "a multiple of 2 MB from 0 to below PlaceOnHostMb");
    }

    internal override void Record(TraceMetadata m, double startSeconds)
    {
        base.Record(m, startSeconds);
        m.Set("bitbrains.clamp_usage_to_capacity", ClampUsageToCapacity);
        m.Set("placement", PlaceOnHostMb is int h
            ? string.Create(CultureInfo.InvariantCulture, $"first-fit decreasing by Startup on hosts of {h} MB, reserve {PlacementReserveMb} MB")
            : "none");
    }
}
