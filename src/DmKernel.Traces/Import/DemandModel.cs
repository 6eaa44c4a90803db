using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Turns what a trace measured into committed demand (the spec's "What the trace and simulator side must
/// know"): <c>demand = round(usedMb × K) + base</c>, where the VM's OS base is
/// <c>base = round(min(OsBaseMb, OsBaseCapPercent / 100 × provisioned MB))</c> (both rounded half away from zero).
/// The base is what the measurement misses (the guest OS's own commit); it is capped at a share of the VM's
/// provisioned memory because a VM provisioned with 128 MB cannot hold a 512 MB OS (docs/importers.md, "Demand
/// models"). For percentage traces usedMb = pct / 100 × size.
/// </summary>
public sealed record DemandModel
{
    /// <summary>Scale of the measured memory (default 1).</summary>
    public double K { get; init; } = 1.0;

    /// <summary>MB added for what the measurement misses, e.g. the guest OS (default 0; Bitbrains defaults to 512).</summary>
    public double OsBaseMb { get; init; }

    /// <summary>The OS base is at most this share of the VM's provisioned memory, in percent (default 100: no cap; Bitbrains 25).</summary>
    public double OsBaseCapPercent { get; init; } = 100;

    /// <summary>The model a trace records in its metadata (<c>demand.k</c>, <c>demand.os_base_mb</c>, <c>demand.os_base_cap_percent</c>), or null when it records none.</summary>
    public static DemandModel? FromMetadata(TraceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue("demand.k", out string? k) || !metadata.TryGetValue("demand.os_base_mb", out string? b))
            return null;
        double cap = metadata.TryGetValue("demand.os_base_cap_percent", out string? c) ? Parse(c) : 100;
        var model = new DemandModel { K = Parse(k), OsBaseMb = Parse(b), OsBaseCapPercent = cap };
        try
        {
            model.Validate("demand");
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }

        return model;

        static double Parse(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : double.NaN;
    }

    /// <summary>
    /// The measured part in MB: round(usedMb × K), half away from zero; <paramref name="tooLarge"/> when it and the largest
    /// base any VM can have (<see cref="LargestBaseMb"/>) would take the demand past 16 TB. (The VM's own base is known only
    /// once its largest provisioned size is, after its last row.)
    /// </summary>
    public int Measured(double usedMb, out bool tooLarge)
    {
        double m = Math.Round(usedMb * K, MidpointRounding.AwayFromZero);
        tooLarge = !(m >= 0) || m + LargestBaseMb > TraceValues.MaxCommittedMb;
        return (int)Math.Clamp(double.IsNaN(m) ? 0 : m, 0, TraceValues.MaxCommittedMb);
    }

    /// <summary>The largest OS base a VM can have: <see cref="BaseMb"/> of the largest size a trace holds (16 TB).</summary>
    public long LargestBaseMb => (long)Math.Round(Math.Min(OsBaseMb, OsBaseCapPercent / 100 * TraceValues.MaxCommittedMb), MidpointRounding.AwayFromZero);

    /// <summary>The OS base of a VM provisioned with <paramref name="provisionedMb"/>: round(min(OsBaseMb, OsBaseCapPercent % × provisioned)).</summary>
    public int BaseMb(int provisionedMb)
        => (int)Math.Round(Math.Min(OsBaseMb, OsBaseCapPercent / 100 * provisionedMb), MidpointRounding.AwayFromZero);

    /// <summary>Committed demand of a VM provisioned with <paramref name="provisionedMb"/> that measured <paramref name="usedMb"/>.</summary>
    public int Demand(double usedMb, int provisionedMb)
        => (int)Math.Min(TraceValues.MaxCommittedMb, (long)Measured(usedMb, out _) + BaseMb(provisionedMb));

    /// <summary>
    /// Re-expresses a committed value under another model: the measured part <c>max(0, committed − fromBase)</c> scaled by
    /// <paramref name="scale"/> (the new K over the old one), rounded half away from zero, plus <paramref name="toBase"/>;
    /// clamped to 0..16 TB. Within 1 MB of importing the source again with the other model (the measured part was rounded once).
    /// </summary>
    public static int Convert(int committed, int fromBase, double scale, int toBase)
    {
        int part = Math.Max(0, committed - fromBase);
        double measured = part == 0 ? 0 : part * scale; // (0 × an infinite scale would be NaN)
        double d = Math.Round(measured, MidpointRounding.AwayFromZero) + toBase;
        return (int)Math.Clamp(d, 0, TraceValues.MaxCommittedMb);
    }

    /// <summary>A short label: "k 1, OS base 512 MB (at most 25 % of provisioned)".</summary>
    public string Describe()
    {
        var ic = CultureInfo.InvariantCulture;
        string cap = OsBaseCapPercent >= 100 || OsBaseMb == 0 ? "" : string.Create(ic, $" (at most {OsBaseCapPercent:0.##} % of provisioned)");
        return string.Create(ic, $"k {K:0.###}, OS base {OsBaseMb:0.##} MB{cap}");
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the bad option (prefixed, e.g. "Demand.K").</summary>
    public void Validate(string prefix)
    {
        if (!double.IsFinite(K) || K < 0 || K > 1000)
            throw new InvariantOutOfRangeException($"{prefix}.{nameof(K)}", K, $"{prefix}.{nameof(K)} = {K.ToString(CultureInfo.InvariantCulture)}: expected a finite factor from 0 to 1000.");
        if (!double.IsFinite(OsBaseMb) || OsBaseMb < 0 || OsBaseMb > TraceValues.MaxCommittedMb)
            throw new InvariantOutOfRangeException($"{prefix}.{nameof(OsBaseMb)}", OsBaseMb, string.Create(CultureInfo.InvariantCulture, $"{prefix}.{nameof(OsBaseMb)} = {OsBaseMb.ToString(CultureInfo.InvariantCulture)}: expected 0..{TraceValues.MaxCommittedMb} MB."));
        if (!double.IsFinite(OsBaseCapPercent) || OsBaseCapPercent < 0 || OsBaseCapPercent > 100)
            throw new InvariantOutOfRangeException($"{prefix}.{nameof(OsBaseCapPercent)}", OsBaseCapPercent, $"{prefix}.{nameof(OsBaseCapPercent)} = {OsBaseCapPercent.ToString(CultureInfo.InvariantCulture)}: expected a percentage from 0 to 100.");
    }

    internal void Record(TraceMetadata m, string usedDefinition)
    {
        m.Set("demand.formula", "round(used_mb * k) + round(min(os_base_mb, os_base_cap_percent / 100 * provisioned_mb)); a demand over 16777216 MB is refused (OutOfRange)");
        m.Set("demand.used_mb", usedDefinition);
        m.Set("demand.k", K).Set("demand.os_base_mb", OsBaseMb).Set("demand.os_base_cap_percent", OsBaseCapPercent);
    }
}
