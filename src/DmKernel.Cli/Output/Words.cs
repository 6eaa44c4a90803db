using System.Globalization;

namespace DmKernel.Cli.Output;

/// <summary>Small pieces of report and console wording.</summary>
internal static class Words
{
    /// <summary>"1 host", "4 hosts": a count with its noun in the singular or plural (nouns that take an s).</summary>
    public static string Count(long n, string noun) => string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? "" : "s")}");

    /// <summary>"12 M VM-ticks" from a million on, "51200 VM-ticks" below (before: "0 M VM-ticks" for a small run).</summary>
    public static string VmTicks(long n) => n >= 1_000_000 ? string.Create(CultureInfo.InvariantCulture, $"{n / 1e6:F0} M VM-ticks") : Count(n, "VM-tick");

    /// <summary>
    /// Ascending whole numbers with runs of three or more as ranges: "0, 1, 5-9, 12" (so a list of hundreds of shards
    /// stays one readable line).
    /// </summary>
    public static string Ranges(IEnumerable<int> ascending)
    {
        var text = new System.Text.StringBuilder();
        int[] n = [.. ascending];
        for (int i = 0; i < n.Length;)
        {
            int j = i;
            while (j + 1 < n.Length && n[j + 1] == n[j] + 1)
                j++;
            if (text.Length > 0)
                text.Append(", ");
            var ic = CultureInfo.InvariantCulture;
            if (j - i >= 2)
                text.Append(ic, $"{n[i]}-{n[j]}");
            else if (j > i)
                text.Append(ic, $"{n[i]}, {n[j]}");
            else
                text.Append(ic, $"{n[i]}");
            i = j + 1;
        }

        return text.ToString();
    }
}
