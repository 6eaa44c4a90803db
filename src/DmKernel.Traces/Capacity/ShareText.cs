using System.Globalization;

namespace DmKernel.Traces.Capacity;

/// <summary>
/// A share (a fraction of 1) as a percentage for a report, never rounded to a figure that says the opposite: a share
/// above zero that would print as 0 reads <c>&lt; 0.01 %</c>, one below 1 that would print as 100 reads
/// <c>&gt; 99.99 %</c> (with <c>decimals</c> 2). Exact 0 and 1 print as they are; NaN (nothing measured) is <c>–</c>.
/// </summary>
public static class ShareText
{
    /// <summary>
    /// <paramref name="share"/> (0..1) as a percentage with <paramref name="decimals"/> decimals (0..6), invariant culture:
    /// <c>0.0123</c> is <c>1.23 %</c>, <c>0.00001</c> is <c>&lt; 0.01 %</c>.
    /// </summary>
    public static string Percent(double share, int decimals = 2)
    {
        InvariantOutOfRangeException.ThrowIfNegative(decimals);
        InvariantOutOfRangeException.ThrowIfGreaterThan(decimals, 6);
        if (double.IsNaN(share))
            return "–";
        string format = "P" + decimals.ToString(CultureInfo.InvariantCulture);
        double unit = Math.Pow(10, -decimals) / 100; // the smallest step the format shows, as a share
        string smallest = (100 * unit).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (share > 0 && share < unit / 2)
            return $"< {smallest} %";
        if (share < 1 && share >= 1 - (unit / 2))
            return $"> {(100 - (100 * unit)).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)} %";
        return share.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// An amount of zero or more (GB·h of unmet demand, VM·h of denied starts) with <paramref name="decimals"/> decimals
    /// (0..6), invariant culture, never rounded to zero when it is not: <c>0.004</c> with 2 decimals is <c>&lt; 0.01</c>,
    /// <c>0.005</c> is <c>0.01</c>, exact 0 is <c>0.00</c>; NaN (nothing measured) is <c>–</c>.
    /// </summary>
    public static string Amount(double value, int decimals = 2)
    {
        InvariantOutOfRangeException.ThrowIfNegative(decimals);
        InvariantOutOfRangeException.ThrowIfGreaterThan(decimals, 6);
        if (double.IsNaN(value))
            return "–";
        string format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        double unit = Math.Pow(10, -decimals);
        return value > 0 && value < unit / 2
            ? "< " + unit.ToString(format, CultureInfo.InvariantCulture)
            : value.ToString(format, CultureInfo.InvariantCulture);
    }
}
