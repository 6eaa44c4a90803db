using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Options of <see cref="GoogleGcdImporter"/> (Google cluster-data 2011 "GCD_VMs" per-job-day files).
/// Defaults: 300 s ticks (one row per 5 min), hold 900 s (3 samples), no jitter (there are no timestamps),
/// demand = mem% / 100 × VmSizeMb (k = 1, OsBase 0), tick 0 = midnight of the earliest day any file holds (day 1 for the
/// whole derivation).
/// </summary>
public sealed record GoogleGcdImportOptions : ImportOptions
{
    /// <summary>The defaults above; <see cref="VmSizeMb"/> must be set.</summary>
    public GoogleGcdImportOptions()
        : base(NominalPeriodSeconds, 3 * NominalPeriodSeconds, 0, new DemandModel { K = 1.0, OsBaseMb = 0 })
    {
    }

    /// <summary>Row i of a day file is the slot starting i × 300 s after that day's midnight.</summary>
    public const double NominalPeriodSeconds = 300;

    /// <summary>Rows per day file.</summary>
    public const int RowsPerDay = 288;

    /// <summary>The VM size in MB that memory 100 % stands for; also its provisioned memory for the settings rule. Required.</summary>
    public required int VmSizeMb { get; init; }

    /// <summary>Place VMs on hosts of this many MB with <see cref="TracePlacement.FirstFitByStartup"/>; null = no placement (default).</summary>
    public int? PlaceOnHostMb { get; init; }

    /// <summary>Reserve of the synthesized hosts (default 2048 MB).</summary>
    public int PlacementReserveMb { get; init; } = 2048;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Check(VmSizeMb >= VmSettings.MinMinimumMb && VmSizeMb <= Settings.MaxCeilingMb, nameof(VmSizeMb), VmSizeMb,
            string.Create(CultureInfo.InvariantCulture, $"32..{Settings.MaxCeilingMb} MB (the size memory 100 % stands for, and the VM's Maximum: at most R1's MaxCeiling)"));
        Check(PlaceOnHostMb is null || (PlaceOnHostMb > 0 && PlaceOnHostMb % 2 == 0 && PlaceOnHostMb <= TraceValues.MaxCommittedMb), nameof(PlaceOnHostMb), PlaceOnHostMb ?? 0, "a positive multiple of 2 MB up to 16777216 MB (16 TB), as replay's and compare's hosts");
        Check(PlacementReserveMb >= 0 && PlacementReserveMb % 2 == 0 && (PlaceOnHostMb is null || PlacementReserveMb < PlaceOnHostMb), nameof(PlacementReserveMb), PlacementReserveMb, "a multiple of 2 MB from 0 to below PlaceOnHostMb");
    }

    internal override void Record(TraceMetadata m, double startSeconds)
    {
        base.Record(m, startSeconds);
        m.Set("gcd.vm_size_mb", VmSizeMb);
        m.Set("placement", PlaceOnHostMb is int h
            ? string.Create(CultureInfo.InvariantCulture, $"first-fit decreasing by Startup on hosts of {h} MB, reserve {PlacementReserveMb} MB")
            : "none");
    }
}
