using System.Globalization;

namespace DmKernel.Cli.Output;

/// <summary>Small pieces of report and console wording.</summary>
internal static class Words
{
    /// <summary>"1 host", "4 hosts": a count with its noun in the singular or plural (nouns that take an s).</summary>
    public static string Count(long n, string noun) => string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? "" : "s")}");
}
