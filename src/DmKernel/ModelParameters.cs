using System.Globalization;

namespace DmKernel;

/// <summary>
/// The model parameters of the spec's "Model parameters" section: one record, validated once
/// (<see cref="Validate"/>) when a <see cref="Fleet"/> is created. Periods are in seconds and are
/// converted to ticks by <see cref="ToTicks"/> (round half up, at least 1 tick).
/// </summary>
public sealed record ModelParameters
{
    /// <summary>The spec's defaults (<see cref="Default"/>); set the parameters to change with <c>with</c> or an object initializer.</summary>
    public ModelParameters()
    {
    }

    /// <summary>Largest supported MaxCeiling: keeps Maximum × 100 and every host sum in 32-bit range.</summary>
    public const int MaxCeilingLimitMb = 16 * 1024 * 1024;

    /// <summary>Largest supported pressure window in ticks (R18 sums stay within 32 bits).</summary>
    public const int MaxWindowTicks = 20_000;

    /// <summary>Longest tick the model runs, in seconds (an hour): <see cref="Validate"/> refuses a longer <see cref="TickSeconds"/>.</summary>
    public const double MaxTickSeconds = 3600;

    /// <summary>Length of one balancer pass in seconds (default 1, at most <see cref="MaxTickSeconds"/>).</summary>
    public double TickSeconds { get; init; } = 1.0;

    /// <summary>Granularity G in MB (default 2); a power of two from 2 to 1024.</summary>
    public int GranularityMb { get; init; } = 2;

    /// <summary>R5: Booting time before a VM takes part in balancing (default 50 s).</summary>
    public double BootGraceSeconds { get; init; } = 50;

    /// <summary>R15: passive reclaim cadence (default 300 s).</summary>
    public double ReclaimPeriodSeconds { get; init; } = 300;

    /// <summary>R12: balloon removal cap per VM per second (default 1020 MB/s).</summary>
    public int MaxRemovePerSecondMb { get; init; } = 1020;

    /// <summary>R18: tumbling window of the Average/Minimum/Maximum pressure counters (default 60 s).</summary>
    public double PressureWindowSeconds { get; init; } = 60;

    /// <summary>R3: default management-OS reserve of a host in MB (default 2048).</summary>
    public int HostReserveMb { get; init; } = 2048;

    /// <summary>R1: the largest Maximum a VM may have (default 1 048 576 MB = 1 TB).</summary>
    public int MaxCeilingMb { get; init; } = 1_048_576;

    /// <summary>R6: Smart Paging covers a restart's missing memory (default on).</summary>
    public bool SmartPaging { get; init; } = true;

    /// <summary>The defaults of the spec.</summary>
    public static ModelParameters Default { get; } = new();

    /// <summary>R5 in ticks.</summary>
    public int BootGraceTicks => ToTicks(BootGraceSeconds);

    /// <summary>R15 in ticks.</summary>
    public int ReclaimPeriodTicks => ToTicks(ReclaimPeriodSeconds);

    /// <summary>R18 window in ticks.</summary>
    public int PressureWindowTicks => ToTicks(PressureWindowSeconds);

    /// <summary>R12: the per-VM per-tick balloon cap, rounded down to the granularity, at least one granule.</summary>
    public int RemoveCapPerTickMb
    {
        get
        {
            double mb = FloorNear(MaxRemovePerSecondMb * TickSeconds);
            long cap = (long)Math.Min(mb, int.MaxValue) & ~(long)(GranularityMb - 1);
            return (int)Math.Max(GranularityMb, cap);
        }
    }

    /// <summary>
    /// <paramref name="x"/> rounded down, where a value within 8 units in the last place below a whole number is that number
    /// (the error of a product or ratio of two doubles, not a fraction any decimals the user writes can give):
    /// a product or ratio with a decimal tick is evaluated as the decimals the user wrote, not as their binary neighbours
    /// (0.29 s is stored a hair below 0.29, so 200 MB/s × 0.29 s came to 57.999… and floored to 57, not 58; 0.3 s ÷ 0.2 s
    /// came to 1.4999… and rounded half up to 1, not 2). P1: products with ratios "evaluated exactly and rounded down".
    /// </summary>
    internal static double FloorNear(double x)
    {
        double whole = Math.Round(x);
        double ulp = Math.BitIncrement(Math.Max(1, Math.Abs(whole))) - Math.Max(1, Math.Abs(whole));
        return whole > x && whole - x <= 8 * ulp ? whole : Math.Floor(x);
    }

    /// <summary>Converts a period in seconds to ticks: round half up, at least 1; NaN is refused.</summary>
    public int ToTicks(double seconds)
    {
        if (double.IsNaN(seconds))
            throw new InvariantOutOfRangeException(nameof(seconds), seconds, "a period in seconds, not NaN.");
        double ticks = FloorNear(seconds / TickSeconds + 0.5);
        return ticks < 1 ? 1 : ticks > int.MaxValue ? int.MaxValue : (int)ticks;
    }

    /// <summary>Checks every parameter; throws <see cref="ModelParameterException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (!double.IsFinite(TickSeconds) || TickSeconds <= 0 || TickSeconds > MaxTickSeconds)
            throw new ModelParameterException(nameof(TickSeconds), TickSeconds, "a finite number of seconds in (0, 3600]");
        if (GranularityMb < 2 || GranularityMb > 1024 || (GranularityMb & (GranularityMb - 1)) != 0)
            throw new ModelParameterException(nameof(GranularityMb), GranularityMb, "a power of two from 2 to 1024");
        CheckSeconds(nameof(BootGraceSeconds), BootGraceSeconds);
        CheckSeconds(nameof(ReclaimPeriodSeconds), ReclaimPeriodSeconds);
        CheckSeconds(nameof(PressureWindowSeconds), PressureWindowSeconds);
        if (PressureWindowTicks > MaxWindowTicks)
            throw new ModelParameterException(nameof(PressureWindowSeconds), PressureWindowSeconds, string.Create(CultureInfo.InvariantCulture, $"at most {MaxWindowTicks} ticks of {TickSeconds} s"));
        if (MaxRemovePerSecondMb < 1)
            throw new ModelParameterException(nameof(MaxRemovePerSecondMb), MaxRemovePerSecondMb, "a positive number of MB per second");
        if (HostReserveMb < 0 || HostReserveMb % GranularityMb != 0)
            throw new ModelParameterException(nameof(HostReserveMb), HostReserveMb, string.Create(CultureInfo.InvariantCulture, $"a non-negative multiple of {GranularityMb} MB"));
        if (MaxCeilingMb < 32 || MaxCeilingMb > MaxCeilingLimitMb || MaxCeilingMb % GranularityMb != 0)
            throw new ModelParameterException(nameof(MaxCeilingMb), MaxCeilingMb, string.Create(CultureInfo.InvariantCulture, $"a multiple of {GranularityMb} MB from 32 to {MaxCeilingLimitMb}"));
    }

    private static void CheckSeconds(string name, double value)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1e9)
            throw new ModelParameterException(name, value, "a finite number of seconds from 0 to 1e9");
    }
}
