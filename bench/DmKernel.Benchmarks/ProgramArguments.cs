namespace DmKernel.Benchmarks;

/// <summary>
/// The bench program's own argument and environment errors: an error line naming what is wrong and exit code 2, as
/// <c>--replay-probe</c> and <c>--bitbrains-synth</c> answer, instead of an unhandled exception and an abort (before
/// stop 53: <c>--probe abc</c>, <c>DMKERNEL_BENCH_VMS=abc</c> or <c>DMKERNEL_BENCH_PATHS=V1024</c> ended with exit 134
/// and a stack trace, the last from inside BenchmarkDotNet's reading of a suite's parameters; <c>--ci --bogus</c> ran CI
/// mode, the extra argument unread).
/// </summary>
internal static class ProgramArguments
{
    /// <summary>A bad argument or environment variable: its message is printed as "error: …", exit code 2.</summary>
    internal sealed class UsageException(string message) : Exception(message);

    /// <summary>Runs <paramref name="main"/>, answering a <see cref="UsageException"/> (or an environment variable's <see cref="FormatException"/>, which names it) with an error line and exit code 2.</summary>
    public static int Run(Func<int> main)
    {
        try
        {
            return main();
        }
        catch (Exception ex) when (ex is UsageException or FormatException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Console.Error.WriteLine("usage: DmKernel.Benchmarks [--ci | --alloc-check | --probe VMS WORKLOAD SHORT% [--paths P,Q] | --replay-probe TRACE | --bitbrains-synth DIR | BenchmarkDotNet's options, e.g. --filter '*.TickBench.*'] (bench/README.md)");
            return 2;
        }
    }

    /// <summary>CI mode and the allocation check take no other argument: one given is refused, naming it.</summary>
    public static void RefuseOthers(string[] args, string flag)
    {
        string[] others = [.. args.Where(a => a != flag)];
        if (others.Length > 0)
            throw new UsageException($"{flag} takes no other argument; got {string.Join(" ", others.Select(a => $"'{a}'"))}.");
    }

    /// <summary>The sizes and paths the environment selects, read before BenchmarkDotNet reads them (a bad one refused by name).</summary>
    public static void CheckEnvironment()
    {
        _ = BenchSizes.Select(1);
        _ = TickBench.PathValues;
    }
}
