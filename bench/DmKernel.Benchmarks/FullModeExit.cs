using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;

namespace DmKernel.Benchmarks;

/// <summary>
/// Full mode's exit code (BenchmarkSwitcher's run): 1 when a run's configuration was refused (a critical validation
/// error) or a benchmark did not run to completion, each named in the log, and when no benchmark ran at all (a filter
/// that matches none, an option BenchmarkDotNet refused: before stop 53 both exited 0 after its "returned 0 benchmarks"
/// or "Option 'bogus' is unknown") unless the arguments only asked for the list, the help, the version or the
/// environment's info; 0 otherwise. Scripts and CI jobs that run a full suite see a failed or empty run as a failure,
/// not only CI mode.
/// </summary>
internal static class FullModeExit
{
    /// <summary>The arguments that ask BenchmarkDotNet for something other than a run (it returns no summary for them).</summary>
    private static readonly string[] NoRunArguments = ["--list", "-h", "--help", "-?", "--info", "--version"];

    public static int Of(IEnumerable<Summary> summaries, ILogger log, IReadOnlyList<string> args)
    {
        int failures = 0, ran = 0;
        foreach (Summary summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                failures++;
                log.WriteLineError($"FAIL {summary.Title}: the run's configuration was refused (critical validation errors above).");
            }

            foreach (BenchmarkReport report in summary.Reports)
            {
                ran++;
                if (!report.Success)
                {
                    failures++;
                    log.WriteLineError($"FAIL {report.BenchmarkCase.DisplayInfo}: did not run to completion.");
                }
            }
        }

        if (ran == 0 && failures == 0 && !args.Any(a => NoRunArguments.Contains(a, StringComparer.OrdinalIgnoreCase)))
        {
            log.WriteLineError("FAIL: no benchmark ran: the filter matched none, or BenchmarkDotNet refused the arguments (see above). "
                + "--list flat lists the benchmarks; a suite alone is selected by '*.TickBench.*' ('*TickBench*' also selects ParallelTickBench and PolicyTickBench).");
            return 1;
        }

        return failures == 0 ? 0 : 1;
    }
}
