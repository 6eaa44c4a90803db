using System.Globalization;
using DmKernel.Cli.Output;

namespace DmKernel.Cli.Report;

/// <summary>
/// A policy's periods (P2's and P5's recomputation, P8's sample, squeezed's stuck detection of P10) run in whole ticks
/// (<see cref="ModelParameters.ToTicks"/>: rounded half up, at least one): at 300-s ticks squeezed's 10-s period runs on
/// every tick, 300 s apart. Reports and the console say so where a period is not a whole number of ticks, so that a
/// result is not explained by periods that did not run.
/// </summary>
internal static class PolicyPeriods
{
    /// <summary>The periods of <paramref name="policy"/>, by parameter name, in seconds.</summary>
    private static IEnumerable<(string Name, double Seconds)> Periods(BalancerPolicy policy) => policy.Kind switch
    {
        PolicyKind.Squeezed => [("periodSeconds", policy.SqueezedPeriodSeconds), ("stuckSeconds", policy.SqueezedStuckSeconds)],
        PolicyKind.Mom => [("periodSeconds", policy.MomPeriodSeconds)],
        PolicyKind.Esx => [("samplePeriodSeconds", policy.EsxSamplePeriodSeconds)],
        _ => [],
    };

    /// <summary>
    /// "periodSeconds 10 s runs as 1 tick (300 s), stuckSeconds 5 s as 1 tick (300 s)" for the periods that are not a whole
    /// number of ticks of <paramref name="tickSeconds"/>; empty when every one is.
    /// </summary>
    public static string RunAs(BalancerPolicy policy, double tickSeconds)
    {
        ModelParameters model = ModelParameters.Default with { TickSeconds = tickSeconds };
        var parts = new List<string>();
        foreach ((string name, double seconds) in Periods(policy))
        {
            int ticks = model.ToTicks(seconds);
            double ran = ticks * tickSeconds;
            if (Math.Abs(ran - seconds) <= 1e-9 * Math.Max(1, seconds))
                continue;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {seconds:0.###} s {(parts.Count == 0 ? "runs " : "")}as {Words.Count(ticks, "tick")} ({ran:0.###} s)"));
        }

        return string.Join(", ", parts);
    }

    /// <summary>The console's warning for <see cref="RunAs"/>, or null when every period is whole ticks.</summary>
    public static string? Warning(string option, BalancerPolicy policy, double tickSeconds)
    {
        string runAs = RunAs(policy, tickSeconds);
        return runAs.Length == 0 ? null
            : string.Create(CultureInfo.InvariantCulture, $"warning: {option} {policy.Key}: its periods run in whole ticks of {tickSeconds:0.###} s: {runAs}.");
    }
}
