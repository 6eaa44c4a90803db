using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Turns what a trace measured into committed demand (the spec's "What the trace and simulator side must
/// know"): <c>demand = round(usedMb × K + OsBaseMb)</c> (half away from zero), clamped to
/// 0..<see cref="TraceValues.MaxCommittedMb"/>. For percentage traces usedMb = pct / 100 × size.
/// </summary>
public sealed record DemandModel
{
    /// <summary>Scale of the measured memory (default 1).</summary>
    public double K { get; init; } = 1.0;

    /// <summary>MB added for what the measurement misses, e.g. the guest OS (default 0; Bitbrains defaults to 512).</summary>
    public double OsBaseMb { get; init; }

    /// <summary>Committed demand in MB for <paramref name="usedMb"/>; <paramref name="clamped"/> is set when the clamp applied.</summary>
    public int Demand(double usedMb, out bool clamped)
    {
        double d = Math.Round(usedMb * K + OsBaseMb, MidpointRounding.AwayFromZero);
        clamped = d < 0 || d > TraceValues.MaxCommittedMb;
        return (int)Math.Clamp(d, 0, TraceValues.MaxCommittedMb);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the bad option (prefixed, e.g. "Demand.K").</summary>
    public void Validate(string prefix)
    {
        if (!double.IsFinite(K) || K < 0 || K > 1000)
            throw new ArgumentOutOfRangeException($"{prefix}.{nameof(K)}", K, $"{prefix}.{nameof(K)} = {K.ToString(CultureInfo.InvariantCulture)}: expected a finite factor from 0 to 1000.");
        if (!double.IsFinite(OsBaseMb) || OsBaseMb < 0 || OsBaseMb > TraceValues.MaxCommittedMb)
            throw new ArgumentOutOfRangeException($"{prefix}.{nameof(OsBaseMb)}", OsBaseMb, $"{prefix}.{nameof(OsBaseMb)} = {OsBaseMb.ToString(CultureInfo.InvariantCulture)}: expected 0..{TraceValues.MaxCommittedMb} MB.");
    }

    internal void Record(TraceMetadata m, string usedDefinition)
    {
        m.Set("demand.formula", "round(used_mb * k + os_base_mb), clamped to 0..16777216");
        m.Set("demand.used_mb", usedDefinition);
        m.Set("demand.k", K).Set("demand.os_base_mb", OsBaseMb);
    }
}
