using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;

namespace DmKernel.Benchmarks;

/// <summary>
/// Full mode's exit code (BenchmarkSwitcher's run): 1 when a run's configuration was refused (a critical validation
/// error) or a benchmark did not run to completion, each named in the log; 0 otherwise, also when nothing was selected
/// (<c>--list</c>, <c>--help</c>). Scripts and CI jobs that run a full suite see a failed benchmark as a failure, not
/// only CI mode.
/// </summary>
internal static class FullModeExit
{
    public static int Of(IEnumerable<Summary> summaries, ILogger log)
    {
        int failures = 0;
        foreach (Summary summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                failures++;
                log.WriteLineError($"FAIL {summary.Title}: the run's configuration was refused (critical validation errors above).");
            }

            foreach (BenchmarkReport report in summary.Reports)
            {
                if (!report.Success)
                {
                    failures++;
                    log.WriteLineError($"FAIL {report.BenchmarkCase.DisplayInfo}: did not run to completion.");
                }
            }
        }

        return failures == 0 ? 0 : 1;
    }
}
