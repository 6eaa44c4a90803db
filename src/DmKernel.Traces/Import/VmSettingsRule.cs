using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Derives a VM's DM settings (R1) from the memory it was provisioned with: Startup = Maximum =
/// roundUp2(provisioned MB) (at least 32, at most <see cref="MaxCeilingMb"/>), Minimum =
/// max(32, roundUp2(Startup / <see cref="MinimumDivisor"/>)), Buffer, Weight, guest and DM on/off as configured
/// (a static VM gets Minimum = Startup = Maximum).
/// </summary>
public sealed record VmSettingsRule
{
    /// <summary>Minimum = Startup / this, rounded up to 2 MB, at least 32 (default 4).</summary>
    public int MinimumDivisor { get; init; } = 4;

    /// <summary>R1 Buffer in percent (default 20).</summary>
    public int BufferPercent { get; init; } = 20;

    /// <summary>R1 Weight (default 5000).</summary>
    public int Weight { get; init; } = 5000;

    /// <summary>Dynamic Memory on (default true).</summary>
    public bool DynamicMemory { get; init; } = true;

    /// <summary>Guest kind (default Windows).</summary>
    public GuestKind Guest { get; init; } = GuestKind.Windows;

    /// <summary>
    /// Largest Startup/Maximum (default 1 048 576 MB, the spec's MaxCeiling). The importers refuse a larger provisioned
    /// size (<see cref="ImportErrorKind.OutOfRange"/> at the Bitbrains row; an option error for Alibaba's HostMb and
    /// GCD's VmSizeMb); <see cref="FromProvisionedMb"/> itself clamps.
    /// </summary>
    public int MaxCeilingMb { get; init; } = 1_048_576;

    /// <summary>The settings for a VM provisioned with <paramref name="provisionedMb"/>; <paramref name="clamped"/> when the ceiling or the 32 MB floor applied.</summary>
    public VmSettings FromProvisionedMb(double provisionedMb, out bool clamped)
    {
        double up = Math.Ceiling(provisionedMb / 2) * 2;
        clamped = !(up >= VmSettings.MinMinimumMb) || up > MaxCeilingMb;
        int startup = (int)Math.Clamp(double.IsNaN(up) ? 0 : up, VmSettings.MinMinimumMb, MaxCeilingMb);
        if (!DynamicMemory)
            return new VmSettings(startup, startup, startup, BufferPercent, Weight, false, Guest);
        int twice = 2 * MinimumDivisor;
        int minimum = Math.Max(VmSettings.MinMinimumMb, (startup + twice - 1) / twice * 2); // roundUp2(startup / divisor)
        return new VmSettings(startup, Math.Min(minimum, startup), startup, BufferPercent, Weight, true, Guest);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the bad option (prefixed, e.g. "Settings.Weight").</summary>
    public void Validate(string prefix)
    {
        Check(MinimumDivisor is >= 1 and <= 1024, prefix, nameof(MinimumDivisor), MinimumDivisor, "1..1024");
        Check(BufferPercent is >= VmSettings.MinBuffer and <= VmSettings.MaxBuffer, prefix, nameof(BufferPercent), BufferPercent, string.Create(CultureInfo.InvariantCulture, $"{VmSettings.MinBuffer}..{VmSettings.MaxBuffer}"));
        Check(Weight is >= VmSettings.MinWeight and <= VmSettings.MaxWeight, prefix, nameof(Weight), Weight, string.Create(CultureInfo.InvariantCulture, $"{VmSettings.MinWeight}..{VmSettings.MaxWeight}"));
        Check(Guest is GuestKind.Windows or GuestKind.Linux, prefix, nameof(Guest), (int)Guest, "Windows or Linux");
        Check(MaxCeilingMb >= VmSettings.MinMinimumMb && MaxCeilingMb <= TraceValues.MaxCommittedMb && MaxCeilingMb % 2 == 0, prefix, nameof(MaxCeilingMb), MaxCeilingMb, string.Create(CultureInfo.InvariantCulture, $"a multiple of 2 from 32 to {TraceValues.MaxCommittedMb}"));
    }

    internal void Record(TraceMetadata m)
    {
        m.Set("settings.rule", DynamicMemory
            ? "startup = maximum = roundUp2(max provisioned MB) in 32..max_ceiling; minimum = max(32, roundUp2(startup / minimum_divisor))"
            : "static: minimum = startup = maximum = roundUp2(max provisioned MB) in 32..max_ceiling");
        m.Set("settings.minimum_divisor", MinimumDivisor).Set("settings.buffer_percent", BufferPercent).Set("settings.weight", Weight);
        m.Set("settings.dynamic_memory", DynamicMemory).Set("settings.guest", Guest.ToString()).Set("settings.max_ceiling_mb", MaxCeilingMb);
    }

    private static void Check(bool ok, string prefix, string name, int value, string expected)
    {
        if (!ok)
            throw new InvariantOutOfRangeException($"{prefix}.{name}", value, string.Create(CultureInfo.InvariantCulture, $"{prefix}.{name} = {value}: expected {expected}."));
    }
}
