using System.Globalization;

namespace DmKernel.Traces.Capacity;

/// <summary>
/// A Minimum factor as the report and the warnings write it ("Minimum × 0.5"): with six decimals, or as many more as the
/// grid's factors need to read apart from each other and from 1 (the Minimum as given). At six decimals 0.001 and
/// 0.0010002, which the command line takes as two factors (more than 0.01 % apart), both read "0.001"; they read
/// "0.001" and "0.0010002". Factors six decimals tell apart keep them (0.5, 2, 1.00011).
/// </summary>
internal static class MinimumFactorText
{
    /// <summary><paramref name="factor"/> with the decimals <paramref name="grid"/> (the factors it is listed beside) needs.</summary>
    public static string Of(double factor, IEnumerable<double> grid)
    {
        double[] all = [.. grid.Append(factor).Append(1).Distinct()];
        for (int decimals = 6; decimals <= 15; decimals++)
        {
            string format = "0." + new string('#', decimals);
            if (all.Select(f => f.ToString(format, CultureInfo.InvariantCulture)).Distinct().Count() == all.Length)
                return factor.ToString(format, CultureInfo.InvariantCulture);
        }

        return factor.ToString("R", CultureInfo.InvariantCulture); // apart beyond 15 decimals: every digit
    }
}
