using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DmKernel.Tests.Fuzz;

/// <summary>One generated input: a label for the report (mutations applied) and the files it consists of.</summary>
internal sealed record FuzzCase(string Label, IReadOnlyList<(string Name, byte[] Bytes)> Files, int Variant = 0)
{
    public int Size => Files.Sum(f => f.Bytes.Length);
}

/// <summary>
/// Runs seeded fuzz cases with a watchdog. The case count is DMKERNEL_FUZZ_ITERATIONS (default 10 000 per
/// reader; set it higher, e.g. 1000000, for a long run). Case i of a test uses <c>new Random(CaseSeed(seed, i))</c>,
/// so every run is deterministic and a failing case is reproduced by its index.
/// </summary>
internal static class FuzzRunner
{
    public const int DefaultIterations = 10_000;

    /// <summary>A case running longer than this fails as a hang.</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Cases per reader: DMKERNEL_FUZZ_ITERATIONS when set to a positive integer, else 10 000.</summary>
    public static int Iterations
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("DMKERNEL_FUZZ_ITERATIONS");
            return int.TryParse(env, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : DefaultIterations;
        }
    }

    /// <summary>The seed of case <paramref name="index"/> (SplitMix64 of the test's seed and the index).</summary>
    public static int CaseSeed(int seed, int index)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32) + (ulong)index + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }

    /// <summary>
    /// Runs <paramref name="count"/> cases: <paramref name="make"/> builds case i from its Random, <paramref name="execute"/>
    /// runs it. An exception that <paramref name="isDocumented"/> accepts is a pass; any other exception, or a case
    /// over <see cref="CaseTimeout"/>, fails the test with the case's index, seed, mutations and input (the smallest
    /// input per distinct failure is shown; all inputs are also saved under $TMP/dmkernel-fuzz-failures/).
    /// </summary>
    public static void Run(string reader, int seed, int count, Func<Random, int, FuzzCase> make, Action<FuzzCase> execute, Func<Exception, bool> isDocumented)
    {
        var failures = new Dictionary<string, (int Index, FuzzCase Case, Exception Error, int Times)>(StringComparer.Ordinal);
        int current = -1;
        long started = 0;
        FuzzCase? running = null;
        int passed = 0, documented = 0;
        var where = new HashSet<string>(StringComparer.Ordinal); // the documented exceptions' distinct signatures
        Exception? runnerError = null;
        var worker = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < count; i++)
                {
                    var c = make(new Random(CaseSeed(seed, i)), i);
                    Volatile.Write(ref running, c);
                    Volatile.Write(ref started, Stopwatch.GetTimestamp());
                    Volatile.Write(ref current, i);
                    try
                    {
                        execute(c);
                        passed++;
                    }
                    catch (Exception e) when (isDocumented(e))
                    {
                        documented++;
                        where.Add(Signature(e));
                    }
                    catch (Exception e)
                    {
                        string key = Signature(e);
                        lock (failures)
                        {
                            if (failures.TryGetValue(key, out var f))
                                failures[key] = c.Size < f.Case.Size ? (i, c, e, f.Times + 1) : f with { Times = f.Times + 1 };
                            else
                                failures[key] = (i, c, e, 1);
                        }
                    }
                }
            }
            catch (Exception e)
            {
                runnerError = e;
            }

            Volatile.Write(ref current, int.MaxValue);
        })
        { IsBackground = true, Name = "fuzz-" + reader };

        var total = Stopwatch.StartNew();
        worker.Start();
        while (!worker.Join(100))
        {
            int i = Volatile.Read(ref current);
            if (i < 0 || i == int.MaxValue)
                continue;
            var elapsed = Stopwatch.GetElapsedTime(Volatile.Read(ref started));
            if (elapsed > CaseTimeout && Volatile.Read(ref current) == i)
            {
                var c = Volatile.Read(ref running)!;
                string saved = Save(reader, seed, i, "hang", c);
                // The stuck case keeps running on its background thread until the test process exits: it cannot be stopped.
                Assert.Fail($"{reader} fuzz: case {i} (seed {seed}, case seed {CaseSeed(seed, i)}) HANGS: still running after {elapsed.TotalSeconds:F1} s "
                    + $"(limit {CaseTimeout.TotalSeconds} s).\nMutations: {c.Label}\nSaved to: {saved}\n{Describe(c)}\n{Summary(failures)}");
            }
        }

        if (runnerError is not null)
            Assert.Fail($"{reader} fuzz: the case generator failed: {runnerError}");
        Console.WriteLine($"{reader} fuzz: {count} cases in {total.Elapsed.TotalSeconds:F1} s: {passed} succeeded, {documented} raised the documented exception (from {where.Count} places), {count - passed - documented} failed.");
        if (failures.Count > 0)
            Assert.Fail($"{reader} fuzz (seed {seed}): {failures.Values.Sum(f => f.Times)} of {count} cases raised an undocumented exception.\n" + Summary(failures, reader, seed));

        // The cases reach past the first check: some read through, some are refused (the places of refusal are printed,
        // not asserted: which method is the top frame depends on what the JIT inlined, which varies with load).
        if (count >= MinCasesForShares)
        {
            Assert.True(passed >= count / 50, $"{reader} fuzz: only {passed} of {count} cases read through: the mutators break every input at its first check");
            Assert.True(documented >= count / 50, $"{reader} fuzz: only {documented} of {count} cases were refused: the mutators barely change the input");
        }
    }

    /// <summary>A run of at least this many cases checks how deep the cases reach (shares, places of refusal).</summary>
    private const int MinCasesForShares = 1000;


    /// <summary>Runs one fixed case (a regression input found by fuzzing) under the same rules and watchdog.</summary>
    public static void RunOne(string reader, FuzzCase c, Action<FuzzCase> execute, Func<Exception, bool> isDocumented) =>
        Run(reader, 0, 1, (_, _) => c, execute, isDocumented);

    private static string Summary(Dictionary<string, (int Index, FuzzCase Case, Exception Error, int Times)> failures, string? reader = null, int seed = 0)
    {
        var sb = new StringBuilder();
        lock (failures)
        {
            foreach (var (key, f) in failures)
            {
                string saved = reader is null ? "" : Save(reader, seed, f.Index, "crash", f.Case);
                sb.Append(CultureInfo.InvariantCulture, $"\n=== {key} ({f.Times} cases; smallest: case {f.Index}, case seed {CaseSeed(seed, f.Index)}) ===\n");
                sb.Append(CultureInfo.InvariantCulture, $"Mutations: {f.Case.Label} (variant {f.Case.Variant})\nSaved to: {saved}\n{f.Error}\n{Describe(f.Case)}\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>Exception type and the top frame of its stack: one entry per distinct crash.</summary>
    private static string Signature(Exception e)
    {
        string top = new StackTrace(e, false).GetFrames().FirstOrDefault()?.GetMethod() is { } m ? $"{m.DeclaringType?.FullName}.{m.Name}" : "?";
        return $"{e.GetType().FullName} at {top}";
    }

    /// <summary>The input, escaped (text as C# literal, at most 4 000 characters per file).</summary>
    public static string Describe(FuzzCase c)
    {
        var sb = new StringBuilder();
        foreach (var (name, bytes) in c.Files)
        {
            sb.Append(CultureInfo.InvariantCulture, $"--- {name} ({bytes.Length} bytes) ---\n\"");
            foreach (byte b in bytes.AsSpan(0, Math.Min(bytes.Length, 4000)))
            {
                sb.Append(b switch
                {
                    (byte)'\n' => "\\n",
                    (byte)'\r' => "\\r",
                    (byte)'\t' => "\\t",
                    (byte)'"' => "\\\"",
                    (byte)'\\' => "\\\\",
                    >= 0x20 and < 0x7F => ((char)b).ToString(),
                    _ => $"\\x{b:X2}",
                });
            }

            sb.Append(bytes.Length > 4000 ? "\"…\n" : "\"\n");
        }

        return sb.ToString();
    }

    private static string Save(string reader, int seed, int index, string what, FuzzCase c)
    {
        try
        {
            string dir = Path.Combine(Path.GetTempPath(), "dmkernel-fuzz-failures", $"{reader}-{seed}-{index}-{what}");
            Directory.CreateDirectory(dir);
            foreach (var (name, bytes) in c.Files)
            {
                string path = Path.Combine(dir, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, bytes);
            }

            return dir;
        }
        catch (IOException e)
        {
            return "(not saved: " + e.Message + ")";
        }
    }
}
