using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using static DmKernel.Tests.Docs.DocFigures;

namespace DmKernel.Tests.Docs;

/// <summary>
/// Docs that cannot drift, for the figures README.md and docs/*.md quote from committed TEXT results: console logs and
/// hand-written result files under bench/results/ (the structured ones, JSON and BenchmarkDotNet reports, are
/// <see cref="ReadmeResultsTests"/>' and the other docs tests'). Each test finds the raw values in its source (console
/// lines, <c>/usr/bin/time</c> columns, the rows of a results table, a BenchmarkDotNet report the file names) and
/// recomputes each quoted figure from them at the precision the doc prints: a ratio from the two timings, a median from
/// the listed runs, a rate from the work and the time. A failure names the figure, the doc and line that quote it, and
/// the source. The sentences are found by the words around their figures, so a reworded sentence fails too (update its
/// pattern here, with the figures still taken from the source).
/// <para>
/// Some figures have no raw value behind them in the repository: the source file restates them by hand (its own words
/// say the raw output was not committed). For those (named in each test's comment) the test checks that the doc and the
/// source agree, and recomputes what can be: a rate from the figures it is made of, a rounding of an exact figure the
/// source gives.
/// </para>
/// </summary>
public partial class TextLogFiguresDocTests
{
    private const string Intel = "bench/results/intel-xeon-avx512-2core/";
    private const string Amd = "bench/results/amd-epyc-zen4-2core/";

    private static readonly string[] Words = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

    /// <summary>
    /// A file of the repository as <see cref="DocFigures.Flat"/> reads it (each line break and the blanks around it as one
    /// space), which remembers the line each character came from, so that a figure found in it is named by its line.
    /// </summary>
    private sealed class DocText
    {
        private readonly string flat;
        private readonly int[] lineOf;

        public DocText(string relative)
        {
            Path = relative;
            RequireFile(relative, "is quoted or is a source of quoted figures");
            string text = Text(relative);
            var sb = new StringBuilder(text.Length);
            var lines = new List<int>(text.Length);
            int line = 1, last = 0;
            void Copy(int from, int to)
            {
                for (int i = from; i < to; i++)
                {
                    sb.Append(text[i]);
                    lines.Add(line);
                    if (text[i] == '\n')
                        line++;
                }
            }

            foreach (Match m in BreakAndBlanks().Matches(text))
            {
                Copy(last, m.Index);
                sb.Append(' ');
                lines.Add(line);
                line += m.Value.Count(c => c == '\n');
                last = m.Index + m.Length;
            }

            Copy(last, text.Length);
            flat = sb.ToString();
            lineOf = [.. lines];
        }

        public string Path { get; }

        /// <summary>The first match of <paramref name="pattern"/>, asserting that there is one.</summary>
        public Match Find(Regex pattern, string what)
        {
            Match m = pattern.Match(flat);
            Assert.True(m.Success, $"{Path} no longer has {what} in the words this test looks for ({pattern}): update the pattern, keeping the figures checked against their source");
            return m;
        }

        public string At(Group g) => $"{Path} line {lineOf[g.Index]}";

        /// <summary>Checks the figure of group <paramref name="group"/> of <paramref name="m"/> (a match in this file).</summary>
        public void Check(FigureCheck figures, Match m, string group, string what, string expected, string source)
        {
            Group g = m.Groups[group];
            Assert.True(g.Success, $"{Path}: the pattern has no group '{group}' matched for {what}");
            figures.Check($"{what} ({At(g)})", g.Value, expected, source);
        }
    }

    [GeneratedRegex(@"\s*\n\s*")]
    private static partial Regex BreakAndBlanks();

    private static decimal Dec(string s) => decimal.Parse(s.Replace(" ", "", StringComparison.Ordinal), NumberStyles.Number, Ic);

    private static double Dbl(string s) => double.Parse(s.Replace(" ", "", StringComparison.Ordinal), NumberStyles.Number, Ic);

    private static string D(decimal v, int decimals) => v.ToString("F" + decimals.ToString(Ic), Ic);

    private static string D(double v, int decimals) => v.ToString("F" + decimals.ToString(Ic), Ic);

    /// <summary>The median: the middle value, or the mean of the two middle values of an even count.</summary>
    private static decimal Median(IEnumerable<decimal> values)
    {
        decimal[] s = [.. values.Order()];
        Assert.NotEmpty(s);
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] s = [.. values.Order()];
        Assert.NotEmpty(s);
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }

    private static string Range(decimal lo, decimal hi, int decimals) => $"{D(lo, decimals)}–{D(hi, decimals)}";

    private static string Range(double lo, double hi, int decimals) => $"{D(lo, decimals)}–{D(hi, decimals)}";

    /// <summary>"a, b, c and d", as the docs list figures.</summary>
    private static string List(IReadOnlyList<string> items) => items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];

    // =====================================================================================================================
    // sharded-compare.md (Intel Xeon): the raw /usr/bin/time lines of four rounds
    // =====================================================================================================================

    private sealed class CompareRound
    {
        public required string Kind { get; init; }
        public required int Round { get; init; }
        public decimal[] Wall { get; } = new decimal[3];
        public decimal[] Cpu { get; } = new decimal[3];
        public int Probes { get; set; }
        public int ShardProbes { get; set; }
        public long VmTicks { get; set; }
        public long ShardVmTicks { get; set; }
        public decimal CpuRatio => (Cpu[1] + Cpu[2]) / Cpu[0];
        public decimal Slower => Math.Max(Wall[1], Wall[2]);
        public decimal WallRatio => Wall[0] / Slower;
    }

    [GeneratedRegex(@"^(?<sens>sensitivity )?round (?<r>\d+) load")]
    private static partial Regex CompareRoundLine();

    [GeneratedRegex(@"^(?<who>single|shard 0|shard 1) wall (?<wall>[\d.]+) user (?<user>[\d.]+) sys (?<sys>[\d.]+)")]
    private static partial Regex TimeLine();

    [GeneratedRegex(@"^single probes (?<p>\d+) vmTicks (?<t>\d+) \| shards \[\(0, (?<p0>\d+), (?<t0>\d+), [\d.]+\), \(1, (?<p1>\d+), (?<t1>\d+), [\d.]+\)\]$")]
    private static partial Regex ProbesLine();

    private static List<CompareRound> ShardedCompareRounds(string source)
    {
        var rounds = new List<CompareRound>();
        foreach (string line in Text(source).Split('\n'))
        {
            Match m;
            if ((m = CompareRoundLine().Match(line)).Success)
            {
                rounds.Add(new CompareRound { Kind = m.Groups["sens"].Success ? "--sensitivity" : "default", Round = int.Parse(m.Groups["r"].Value, Ic) });
            }
            else if ((m = TimeLine().Match(line)).Success)
            {
                int who = m.Groups["who"].Value switch { "single" => 0, "shard 0" => 1, _ => 2 };
                rounds[^1].Wall[who] = Dec(m.Groups["wall"].Value);
                rounds[^1].Cpu[who] = Dec(m.Groups["user"].Value) + Dec(m.Groups["sys"].Value);
            }
            else if ((m = ProbesLine().Match(line)).Success)
            {
                rounds[^1].Probes = int.Parse(m.Groups["p"].Value, Ic);
                rounds[^1].ShardProbes = int.Parse(m.Groups["p0"].Value, Ic) + int.Parse(m.Groups["p1"].Value, Ic);
                rounds[^1].VmTicks = long.Parse(m.Groups["t"].Value, Ic);
                rounds[^1].ShardVmTicks = long.Parse(m.Groups["t0"].Value, Ic) + long.Parse(m.Groups["t1"].Value, Ic);
            }
        }

        Assert.True(rounds.Count == 4 && rounds.All(r => r.Cpu.All(c => c > 0) && r.Probes > 0), $"{source}: expected four rounds (default and --sensitivity, two each) with a single, two shard and a probes line each");
        return rounds;
    }

    [GeneratedRegex(@"two compare shards did exactly one process's probes between them, at (?<cpuLo>[\d.]+)–(?<cpuHi>[\d.]+) × its CPU time over (?<rounds>\w+) rounds, and one process's wall time was (?<wallLo>[\d.]+)–(?<wallHi>[\d.]+) × the slower shard's")]
    private static partial Regex ReadmeShardedCompare();

    [GeneratedRegex(@"a shard that only loads and plans took (?<empty>[\d.]+) s of wall time, \.NET start included, against (?<a>[\d.]+) and (?<b>[\d.]+) s for the whole default comparison on one thread, (?<lo>\d+)–(?<hi>\d+) % of it")]
    private static partial Regex ClusterEmptyCompareShard();

    [GeneratedRegex(@"An empty shard \(plan only: load, pool, warnings, no search\): `--shard 99/100`: wall (?<wall>[\d.]+) s")]
    private static partial Regex SourceEmptyCompareShard();

    [GeneratedRegex(@"at a load average of (?<load>[\d.]+–[\d.]+)\), then merge")]
    private static partial Regex ClusterCompareLoad();

    [GeneratedRegex(@"\(load average (?<load>[\d.]+–[\d.]+) during these runs\)")]
    private static partial Regex SourceCompareLoad();

    [GeneratedRegex(@"^(?<kind>default|`--sensitivity`) \((?<searches>\d+) searches, (?<probes>\d+) probes, (?<mvt>[\d ]+) M VM-ticks\)$")]
    private static partial Regex ClusterCompareRowLabel();

    [GeneratedRegex(@"Default comparison \([^;]*; (?<d>\d+) searches\).*With `--sensitivity` \([^;]*; (?<s>\d+) searches\)")]
    private static partial Regex SourceSearches();

    /// <summary>
    /// bench/results/intel-xeon-avx512-2core/sharded-compare.md: its summary table, README's ranges ("1.00–1.11 × its CPU
    /// time over four rounds", "1.76–1.99 ×") and docs/cluster.md's table and empty-shard sentence, from the raw
    /// <c>/usr/bin/time</c> lines (CPU = user + sys; wall ratio = one process over the slower shard). The empty shard's
    /// 0.37 s and the load average are single figures the file states in its prose (no log line behind them): those are
    /// checked for agreement, and the "2–3 %" computed from them.
    /// </summary>
    [Fact]
    public void ShardedCompare_FiguresAreItsRawTimeLines()
    {
        const string source = Intel + "sharded-compare.md";
        var figures = new FigureCheck($"figures that do not match {source}");
        List<CompareRound> rounds = ShardedCompareRounds(source);

        foreach (CompareRound r in rounds)
        {
            figures.Check($"{source}, {r.Kind} round {r.Round}: the shards' probes add up to one process's", r.ShardProbes.ToString(Ic), r.Probes.ToString(Ic), $"{source} probes line");
            figures.Check($"{source}, {r.Kind} round {r.Round}: the shards' VM-ticks add up to one process's", r.ShardVmTicks.ToString(Ic), r.VmTicks.ToString(Ic), $"{source} probes line");
        }

        // The source's own summary table shows its arithmetic: each term from the raw lines.
        List<string[]> summary = TableRows(Text(source).Split('\n'), "| comparison | round | shards' CPU", $"{source} has no summary table");
        Assert.Equal(rounds.Count, summary.Count);
        for (int i = 0; i < rounds.Count; i++)
        {
            CompareRound r = rounds[i];
            figures.Check($"{source} summary, {r.Kind} round {r.Round}, CPU", summary[i][2], $"({D(r.Cpu[1], 2)} + {D(r.Cpu[2], 2)}) / {D(r.Cpu[0], 2)} = {D(r.CpuRatio, 2)}", "its raw lines (user + sys)");
            figures.Check($"{source} summary, {r.Kind} round {r.Round}, wall", summary[i][3], $"{D(r.Wall[0], 2)} / {D(r.Slower, 2)} = {D(r.WallRatio, 2)}", "its raw lines (wall)");
        }

        var readme = new DocText("README.md");
        Match m = readme.Find(ReadmeShardedCompare(), "the compare shards' CPU and wall ratios (\"two compare shards did exactly one process's probes …\")");
        readme.Check(figures, m, "cpuLo", "compare shards' CPU ratio, lowest", D(rounds.Min(r => r.CpuRatio), 2), source);
        readme.Check(figures, m, "cpuHi", "compare shards' CPU ratio, highest", D(rounds.Max(r => r.CpuRatio), 2), source);
        readme.Check(figures, m, "rounds", "compare shards' rounds", Words[rounds.Count], source);
        readme.Check(figures, m, "wallLo", "compare shards' wall ratio, lowest", D(rounds.Min(r => r.WallRatio), 2), source);
        readme.Check(figures, m, "wallHi", "compare shards' wall ratio, highest", D(rounds.Max(r => r.WallRatio), 2), source);

        var cluster = new DocText("docs/cluster.md");
        List<string[]> rows = TableRows(Text("docs/cluster.md").Split('\n'), "| comparison | round | one process: wall / CPU", "docs/cluster.md has no compare-shards table");
        Assert.Equal(rounds.Count, rows.Count);
        for (int i = 0; i < rounds.Count; i++)
        {
            CompareRound r = rounds[i];
            string at = $"docs/cluster.md compare-shards table, {r.Kind} round {r.Round}";
            string[] c = rows[i];
            for (int k = 0; k < 3; k++)
                figures.Check($"{at}, {(k == 0 ? "one process" : $"shard {k - 1}")} wall / CPU", c[2 + k], $"{D(r.Wall[k], 2)} s / {D(r.Cpu[k], 2)} s", source);
            figures.Check($"{at}, shards' CPU ÷ one process's", c[5], D(r.CpuRatio, 2), source);
            figures.Check($"{at}, one process ÷ slower shard", c[6], D(r.WallRatio, 2), source);
            if (c[0].Length > 0)
            {
                Match label = ClusterCompareRowLabel().Match(c[0]);
                Assert.True(label.Success, $"{at}: the label '{c[0]}' is not 'kind (N searches, P probes, T M VM-ticks)'");
                figures.Check($"{at}, probes", label.Groups["probes"].Value, r.Probes.ToString(Ic), $"{source} probes line");
                figures.Check($"{at}, M VM-ticks", label.Groups["mvt"].Value, Thousands(Math.Round(r.VmTicks / 1e6)), $"{source} probes line (vmTicks)");
                Match searches = new DocText(source).Find(SourceSearches(), "the searches of each comparison");
                figures.Check($"{at}, searches", label.Groups["searches"].Value, searches.Groups[r.Kind == "default" ? "d" : "s"].Value, $"{source} (its headings)");
            }
        }

        decimal empty = Dec(new DocText(source).Find(SourceEmptyCompareShard(), "the empty shard's wall time").Groups["wall"].Value);
        decimal[] defaults = [.. rounds.Where(r => r.Kind == "default").Select(r => r.Wall[0]).Order()];
        m = cluster.Find(ClusterEmptyCompareShard(), "the empty compare shard's time (\"a shard that only loads and plans took …\")");
        cluster.Check(figures, m, "empty", "empty compare shard's wall time", D(empty, 2), $"{source} (stated in its prose)");
        cluster.Check(figures, m, "a", "default comparison's wall time, faster round", D(defaults[0], 2), source);
        cluster.Check(figures, m, "b", "default comparison's wall time, slower round", D(defaults[1], 2), source);
        cluster.Check(figures, m, "lo", "empty shard's share of the slower round, %", D(empty / defaults[1] * 100, 0), "the empty shard's time ÷ the single process's wall");
        cluster.Check(figures, m, "hi", "empty shard's share of the faster round, %", D(empty / defaults[0] * 100, 0), "the empty shard's time ÷ the single process's wall");
        m = cluster.Find(ClusterCompareLoad(), "the compare runs' load average");
        cluster.Check(figures, m, "load", "the compare runs' load average", new DocText(source).Find(SourceCompareLoad(), "the load average").Groups["load"].Value, $"{source} (stated in its prose)");

        figures.AssertAllMatch(atLeast: 8 + 8 + 5 + (4 * 5) + 6 + 5 + 1);
    }

    // =====================================================================================================================
    // sharded-replay.md (Intel Xeon): the rounds' tables, and the log of rounds 1 and 2
    // =====================================================================================================================

    private sealed class ReplayRound
    {
        public decimal OneWall { get; set; }
        public decimal OneCpu { get; set; }
        public string OneUserSys { get; set; } = "";
        public decimal Wall0 { get; set; }
        public decimal Wall1 { get; set; }
        public decimal? BothDone { get; set; }
        public decimal Cpu0 { get; set; }
        public decimal Cpu1 { get; set; }
        public decimal Together { get; set; }
        public bool Together_ { get; set; }
        public decimal CpuRatio => Together / OneCpu;
        public decimal? WallRatio => BothDone is { } done ? OneWall / done : null;
        public decimal CriticalPath => OneCpu / Math.Max(Cpu0, Cpu1);
    }

    [GeneratedRegex(@"^\| (?<round>\d+) \| (?<run>[^|]+?) \| (?<wall>[^|]+?) \| (?<cpu>[^|]+?) \| [^|]+ \|$", RegexOptions.Multiline)]
    private static partial Regex ReplayRunRow();

    [GeneratedRegex(@"^(?<cpu>[\d.]+) \((?<user>[\d.]+) \+ (?<sys>[\d.]+)\)$")]
    private static partial Regex OneCpuCell();

    [GeneratedRegex(@"^(?<w0>[\d.]+) / (?<w1>[\d.]+) \(both done: (?<done>[\d.]+)\)$")]
    private static partial Regex ShardWallCell();

    [GeneratedRegex(@"^(?<c0>[\d.]+) / (?<c1>[\d.]+) \(together (?<sum>[\d.]+)\)$")]
    private static partial Regex ShardCpuCell();

    [GeneratedRegex(@"^(?<w0>[\d.]+), then (?<w1>[\d.]+)$")]
    private static partial Regex AloneWallCell();

    [GeneratedRegex(@"^(?<c0>[\d.]+) \+ (?<c1>[\d.]+) = (?<sum>[\d.]+)$")]
    private static partial Regex AloneCpuCell();

    private static Dictionary<int, ReplayRound> ShardedReplayRounds(string source)
    {
        var rounds = new Dictionary<int, ReplayRound>();
        foreach (Match row in ReplayRunRow().Matches(Text(source)))
        {
            int n = int.Parse(row.Groups["round"].Value, Ic);
            ReplayRound r = rounds.TryGetValue(n, out ReplayRound? have) ? have : rounds[n] = new ReplayRound();
            string run = row.Groups["run"].Value, wall = row.Groups["wall"].Value, cpu = row.Groups["cpu"].Value;
            string at = $"{source}, round {n}, '{run}'";
            Match w, c;
            if (run == "one process")
            {
                r.OneWall = Dec(wall);
                Assert.True((c = OneCpuCell().Match(cpu)).Success, $"{at}: CPU cell '{cpu}'");
                r.OneCpu = Dec(c.Groups["cpu"].Value);
                r.OneUserSys = $"{c.Groups["user"].Value} + {c.Groups["sys"].Value}";
            }
            else if (run.StartsWith("shard 0 / shard 1", StringComparison.Ordinal))
            {
                Assert.True((w = ShardWallCell().Match(wall)).Success, $"{at}: wall cell '{wall}'");
                Assert.True((c = ShardCpuCell().Match(cpu)).Success, $"{at}: CPU cell '{cpu}'");
                (r.Wall0, r.Wall1, r.BothDone) = (Dec(w.Groups["w0"].Value), Dec(w.Groups["w1"].Value), Dec(w.Groups["done"].Value));
                (r.Cpu0, r.Cpu1, r.Together, r.Together_) = (Dec(c.Groups["c0"].Value), Dec(c.Groups["c1"].Value), Dec(c.Groups["sum"].Value), true);
            }
            else if (run == "shard 0 alone, then shard 1 alone")
            {
                Assert.True((w = AloneWallCell().Match(wall)).Success, $"{at}: wall cell '{wall}'");
                Assert.True((c = AloneCpuCell().Match(cpu)).Success, $"{at}: CPU cell '{cpu}'");
                (r.Wall0, r.Wall1, r.BothDone) = (Dec(w.Groups["w0"].Value), Dec(w.Groups["w1"].Value), null);
                (r.Cpu0, r.Cpu1, r.Together, r.Together_) = (Dec(c.Groups["c0"].Value), Dec(c.Groups["c1"].Value), Dec(c.Groups["sum"].Value), true);
            }
            else
            {
                Assert.Equal("merge", run);
            }
        }

        Assert.True(rounds.Count == 8 && rounds.Values.All(r => r.OneCpu > 0 && r.Together_), $"{source}: expected rounds 1–8, each with one process and two shards");
        return rounds;
    }

    [GeneratedRegex(@"^== round (?<r>\d+) (?<what>single|shards):", RegexOptions.Multiline)]
    private static partial Regex ReplayLogRound();

    [GeneratedRegex(@"^(?<who>single|shard 0|shard 1) wall (?<wall>[\d.]+) user (?<user>[\d.]+) sys (?<sys>[\d.]+)", RegexOptions.Multiline)]
    private static partial Regex ReplayLogTime();

    [GeneratedRegex(@"^shards wall \(both done\) (?<done>[\d.]+)$", RegexOptions.Multiline)]
    private static partial Regex ReplayLogBothDone();

    [GeneratedRegex(@"the two shards finished \*\*(?<w7>[\d.]+) × and (?<w8>[\d.]+) ×\*\* faster than one process \((?<s7>[\d.]+) and (?<s8>[\d.]+) s against (?<o7>[\d.]+) and (?<o8>[\d.]+) s wall\) and used \*\*(?<cLo>[\d.]+)–(?<cHi>[\d.]+) ×\*\* its CPU time.*?Earlier rounds with other sessions' builds on both cores: (?<wLo>[\d.]+)–(?<wHi>[\d.]+) × wall, (?<eLo>[\d.]+)–(?<eHi>[\d.]+) × CPU")]
    private static partial Regex ReadmeShardedReplay();

    [GeneratedRegex(@"Rounds 1–6, with other sessions busy on the machine: two shards' CPU time together (?<list>[\d., and]+?) × one process's \(decoding included; median (?<median>[\d.]+), (?<within>\w+) within the 1\.1 × target\)\. Wall time: (?<best>[\d.]+) × faster in (?<nBest>\w+) round, (?<lo>[\d.]+)–(?<hi>[\d.]+) × in (?<nOther>\w+) others: .*?the CPU critical path \(one process over the slower shard\) was (?<cpLo>[\d.]+)–(?<cpHi>[\d.]+) ×\. Rounds 7 and 8, .*?\*\*(?<w7>[\d.]+) × and (?<w8>[\d.]+) ×\*\* faster than one process \((?<s7>[\d.]+) and (?<s8>[\d.]+) s against (?<o7>[\d.]+) and (?<o8>[\d.]+) s wall\) and used (?<c7>[\d.]+) and (?<c8>[\d.]+) × its CPU time")]
    private static partial Regex ClusterShardedReplay();

    [GeneratedRegex(@"against about (?<ns>\d+) ns per VM-tick of CPU for the whole replay measured on the Intel Xeon machine \((?<cpu>[\d.]+) s for (?<vmt>[\d.]+) × 10⁹ VM-ticks, round 1 below")]
    private static partial Regex ClusterReplayCpuPerVmTick();

    [GeneratedRegex(@"(?<vms>[\d ]+) VMs drawn from the month \(docs/generate\.md\) on [\d ]+ hosts, (?<ticks>[\d ]+) ticks")]
    private static partial Regex SourceReplayTrace();

    [GeneratedRegex(@"(?<split1>[\d.]+) s of CPU for the 1M-VM, 2 880-tick trace in round 1 on the Intel Xeon machine, (?<split78>[\d.]+) s in rounds 7–8, .*?split \+ shards cost (?<r1>[\d.]+) × one process's CPU in round 1 and (?<r78>[\d.]+) × in rounds 7–8")]
    private static partial Regex ClusterSplitCost();

    [GeneratedRegex(@"\*\*(?<cpu>[\d.]+) s CPU\*\* \((?<user>[\d.]+) user \+ (?<sys>[\d.]+) system\)")]
    private static partial Regex SourceSplit1();

    [GeneratedRegex(@"`split --shards 2`: [\d.]+ s wall, (?<cpu>[\d.]+) s CPU")]
    private static partial Regex SourceSplit78();

    /// <summary>
    /// bench/results/intel-xeon-avx512-2core/sharded-replay.md: its figures tables (rounds 1–6, 7–8) from its run tables
    /// (CPU = the shards' together ÷ one process's; wall = one process ÷ both done; critical path = one process's CPU ÷ the
    /// slower shard's), the run table's rounds 1 and 2 from the log the file keeps for them (rounds 3–8 have no log: their
    /// table rows are the raw values), and README's and docs/cluster.md's ratios, median, counts and timings from the
    /// same tables.
    /// </summary>
    [Fact]
    public void ShardedReplay_FiguresAreItsRunTables()
    {
        const string source = Intel + "sharded-replay.md";
        var figures = new FigureCheck($"figures that do not match {source}");
        Dictionary<int, ReplayRound> rounds = ShardedReplayRounds(source);
        string text = Text(source);

        // Rounds 1 and 2 against the log.
        int logRound = 0;
        bool shards = false;
        var logged = new HashSet<int>();
        foreach (string line in text.Split('\n'))
        {
            Match m;
            if ((m = ReplayLogRound().Match(line)).Success)
            {
                (logRound, shards) = (int.Parse(m.Groups["r"].Value, Ic), m.Groups["what"].Value == "shards");
                logged.Add(logRound);
            }
            else if (logRound > 0 && (m = ReplayLogTime().Match(line)).Success)
            {
                ReplayRound r = rounds[logRound];
                decimal wall = Dec(m.Groups["wall"].Value), user = Dec(m.Groups["user"].Value), sys = Dec(m.Groups["sys"].Value);
                string who = m.Groups["who"].Value, at = $"{source} run table, round {logRound}, {who}";
                if (who == "single")
                {
                    figures.Check($"{at} wall", D(r.OneWall, 1), D(wall, 1), $"{source} log");
                    figures.Check($"{at} CPU", D(r.OneCpu, 1), D(user + sys, 1), $"{source} log (user + sys)");
                    figures.Check($"{at} user + sys", r.OneUserSys, $"{D(user, 1)} + {D(sys, 1)}", $"{source} log");
                }
                else
                {
                    Assert.True(shards, $"{source} log: a shard line outside a shards round");
                    bool first = who == "shard 0";
                    figures.Check($"{at} wall", D(first ? r.Wall0 : r.Wall1, 1), D(wall, 1), $"{source} log");
                    figures.Check($"{at} CPU", D(first ? r.Cpu0 : r.Cpu1, 1), D(user + sys, 1), $"{source} log (user + sys)");
                }
            }
            else if (logRound > 0 && (m = ReplayLogBothDone().Match(line)).Success)
            {
                figures.Check($"{source} run table, round {logRound}, both done", D(rounds[logRound].BothDone!.Value, 1), D(Dec(m.Groups["done"].Value), 1), $"{source} log");
            }
        }

        Assert.True(logged.SetEquals([1, 2]), $"{source}: expected the log of rounds 1 and 2");
        foreach (int n in (ReadOnlySpan<int>)[1, 2])
        {
            // The together figure is the sum of the logged CPU times, not of the table's rounded ones.
            var log = ReplayLogTime().Matches(text).Where(x => x.Groups["who"].Value != "single").Skip((n - 1) * 2).Take(2).Sum(x => Dec(x.Groups["user"].Value) + Dec(x.Groups["sys"].Value));
            figures.Check($"{source} run table, round {n}, shards' CPU together", D(rounds[n].Together, 1), D(log, 1), $"{source} log (user + sys of both shards)");
        }

        // The figures tables.
        string[] lines = text.Split('\n');
        List<string[]> busy = TableRows(lines, "| figure | round 1 |", $"{source} has no figures table for rounds 1–6");
        for (int n = 1; n <= 6; n++)
        {
            ReplayRound r = rounds[n];
            figures.Check($"{source} figures, round {n}, CPU ratio", busy[0][n], $"**{D(r.CpuRatio, 2)}**", "its run table");
            figures.Check($"{source} figures, round {n}, wall ratio", busy[1][n], r.WallRatio is { } w ? $"**{D(w, 2)} ×**" : "–", "its run table");
            figures.Check($"{source} figures, round {n}, CPU critical path", busy[2][n], $"{D(r.CriticalPath, 2)} ×", "its run table");
        }

        List<string[]> quiet = TableRows(lines, "| figure | round 7 | round 8 |", $"{source} has no figures table for rounds 7 and 8");
        for (int n = 7; n <= 8; n++)
        {
            figures.Check($"{source} figures, round {n}, wall ratio", quiet[0][n - 6], $"**{D(rounds[n].WallRatio!.Value, 2)} ×**", "its run table");
            figures.Check($"{source} figures, round {n}, CPU ratio", quiet[1][n - 6], $"**{D(rounds[n].CpuRatio, 2)}**", "its run table");
        }

        ReplayRound[] busyRounds = [.. Enumerable.Range(1, 6).Select(n => rounds[n])];
        decimal[] busyWall = [.. busyRounds.Where(r => r.WallRatio is not null).Select(r => r.WallRatio!.Value)];
        (ReplayRound r7, ReplayRound r8) = (rounds[7], rounds[8]);

        var readme = new DocText("README.md");
        Match q = readme.Find(ReadmeShardedReplay(), "the sharded replay's ratios (\"the two shards finished **N × and M ×** faster …\")");
        readme.Check(figures, q, "w7", "sharded replay, round 7, wall ratio", D(r7.WallRatio!.Value, 2), source);
        readme.Check(figures, q, "w8", "sharded replay, round 8, wall ratio", D(r8.WallRatio!.Value, 2), source);
        readme.Check(figures, q, "s7", "sharded replay, round 7, shards' wall", D(r7.BothDone!.Value, 1), source);
        readme.Check(figures, q, "s8", "sharded replay, round 8, shards' wall", D(r8.BothDone!.Value, 1), source);
        readme.Check(figures, q, "o7", "sharded replay, round 7, one process's wall", D(r7.OneWall, 1), source);
        readme.Check(figures, q, "o8", "sharded replay, round 8, one process's wall", D(r8.OneWall, 1), source);
        readme.Check(figures, q, "cLo", "sharded replay, rounds 7–8, CPU ratio, lowest", D(Math.Min(r7.CpuRatio, r8.CpuRatio), 2), source);
        readme.Check(figures, q, "cHi", "sharded replay, rounds 7–8, CPU ratio, highest", D(Math.Max(r7.CpuRatio, r8.CpuRatio), 2), source);
        readme.Check(figures, q, "wLo", "sharded replay, rounds 1–6, wall ratio, lowest", D(busyWall.Min(), 2), source);
        readme.Check(figures, q, "wHi", "sharded replay, rounds 1–6, wall ratio, highest", D(busyWall.Max(), 2), source);
        readme.Check(figures, q, "eLo", "sharded replay, rounds 1–6, CPU ratio, lowest", D(busyRounds.Min(r => r.CpuRatio), 2), source);
        readme.Check(figures, q, "eHi", "sharded replay, rounds 1–6, CPU ratio, highest", D(busyRounds.Max(r => r.CpuRatio), 2), source);

        var cluster = new DocText("docs/cluster.md");
        q = cluster.Find(ClusterShardedReplay(), "the sharded replay's rounds (\"Rounds 1–6, with other sessions busy …\")");
        cluster.Check(figures, q, "list", "sharded replay, rounds 1–6, CPU ratios", List([.. busyRounds.Select(r => D(r.CpuRatio, 2))]), source);
        cluster.Check(figures, q, "median", "sharded replay, rounds 1–6, CPU ratios' median", D(Median(busyRounds.Select(r => r.CpuRatio)), 2), source);
        cluster.Check(figures, q, "within", "sharded replay, rounds 1–6, CPU ratios within 1.1", Words[busyRounds.Count(r => r.CpuRatio <= 1.1m)], source);
        decimal[] fast = [.. busyWall.Where(w => w >= 1.8m)], slow = [.. busyWall.Where(w => w < 1.8m)];
        cluster.Check(figures, q, "best", "sharded replay, rounds 1–6, the wall ratio at or over 1.8", string.Join(", ", fast.Select(w => D(w, 2))), source);
        cluster.Check(figures, q, "nBest", "sharded replay, rounds 1–6, rounds at or over 1.8 × wall", Words[fast.Length], source);
        cluster.Check(figures, q, "lo", "sharded replay, rounds 1–6, the other wall ratios, lowest", D(slow.Min(), 2), source);
        cluster.Check(figures, q, "hi", "sharded replay, rounds 1–6, the other wall ratios, highest", D(slow.Max(), 2), source);
        cluster.Check(figures, q, "nOther", "sharded replay, rounds 1–6, rounds under 1.8 × wall", Words[slow.Length], source);
        cluster.Check(figures, q, "cpLo", "sharded replay, rounds 1–6, CPU critical path, lowest", D(busyRounds.Min(r => r.CriticalPath), 2), source);
        cluster.Check(figures, q, "cpHi", "sharded replay, rounds 1–6, CPU critical path, highest", D(busyRounds.Max(r => r.CriticalPath), 2), source);
        foreach ((string g, string what, string expected) in new[]
        {
            ("w7", "round 7, wall ratio", D(r7.WallRatio!.Value, 2)), ("w8", "round 8, wall ratio", D(r8.WallRatio!.Value, 2)),
            ("s7", "round 7, shards' wall", D(r7.BothDone!.Value, 1)), ("s8", "round 8, shards' wall", D(r8.BothDone!.Value, 1)),
            ("o7", "round 7, one process's wall", D(r7.OneWall, 1)), ("o8", "round 8, one process's wall", D(r8.OneWall, 1)),
            ("c7", "round 7, CPU ratio", D(r7.CpuRatio, 2)), ("c8", "round 8, CPU ratio", D(r8.CpuRatio, 2)),
        })
        {
            cluster.Check(figures, q, g, $"sharded replay, {what}", expected, source);
        }

        // The whole replay's CPU per VM-tick (round 1), and what the split costs.
        var src = new DocText(source);
        Match trace = src.Find(SourceReplayTrace(), "the trace's VMs and ticks");
        decimal vmTicks = Dec(trace.Groups["vms"].Value) * Dec(trace.Groups["ticks"].Value);
        q = cluster.Find(ClusterReplayCpuPerVmTick(), "the replay's CPU per VM-tick (\"about N ns per VM-tick of CPU …\")");
        cluster.Check(figures, q, "cpu", "sharded replay, round 1, one process's CPU", D(rounds[1].OneCpu, 1), source);
        cluster.Check(figures, q, "vmt", "sharded replay, VM-ticks (× 10⁹)", D(vmTicks / 1e9m, 2), $"{source} (VMs × ticks)");
        cluster.Check(figures, q, "ns", "sharded replay, round 1, CPU ns per VM-tick", D(rounds[1].OneCpu * 1e9m / vmTicks, 0), $"{source} (CPU ÷ VM-ticks)");

        Match split1 = src.Find(SourceSplit1(), "the split's CPU time (round 1)");
        figures.Check($"{source}, the split's CPU = user + system", split1.Groups["cpu"].Value, D(Dec(split1.Groups["user"].Value) + Dec(split1.Groups["sys"].Value), 1), source);
        decimal split1Cpu = Dec(split1.Groups["cpu"].Value), split78Cpu = Dec(src.Find(SourceSplit78(), "the split's CPU time (rounds 7–8)").Groups["cpu"].Value);
        q = cluster.Find(ClusterSplitCost(), "what the split costs (\"N s of CPU for the 1M-VM, 2 880-tick trace …\")");
        cluster.Check(figures, q, "split1", "the split's CPU, round 1", D(split1Cpu, 1), source);
        cluster.Check(figures, q, "split78", "the split's CPU, rounds 7–8", D(split78Cpu, 1), source);
        cluster.Check(figures, q, "r1", "split + shards ÷ one process's CPU, round 1", D((rounds[1].Together + split1Cpu) / rounds[1].OneCpu, 2), source);
        cluster.Check(figures, q, "r78", "split + shards ÷ one process's CPU, round 8 (as the source computes it)", D((r8.Together + split78Cpu) / r8.OneCpu, 1), source);

        figures.AssertAllMatch(atLeast: 14 + 2 + 18 + 4 + 12 + 18 + 3 + 5);
    }

    // =====================================================================================================================
    // import-memory-and-generate-from.md (Intel Xeon): the import runs and the generate / replay console output
    // =====================================================================================================================

    [GeneratedRegex(@"^(?:month|synth) (?<build>before|after) (?<input>[\w-]+) (?:wall_s_rss_kb )?(?<wall>[\d.]+) (?<rss>\d+) (?:\| (?<rows>\d+) rows \((?<mb>[\d.]+) MB|load)", RegexOptions.Multiline)]
    private static partial Regex ImportRun();

    private sealed record ImportRuns(double[] Wall, double[] RssMib, string Rows, string Mb);

    private static Dictionary<(string Input, string Build), ImportRuns> ImportRunsOf(string source)
    {
        var walls = new Dictionary<(string, string), List<double>>();
        var rss = new Dictionary<(string, string), List<double>>();
        var rows = new Dictionary<string, (string Rows, string Mb)>();
        foreach (Match m in ImportRun().Matches(Text(source)))
        {
            var key = (m.Groups["input"].Value, m.Groups["build"].Value);
            if (!walls.ContainsKey(key))
                (walls[key], rss[key]) = ([], []);
            walls[key].Add(Dbl(m.Groups["wall"].Value));
            rss[key].Add(Dbl(m.Groups["rss"].Value) / 1024);
            if (m.Groups["rows"].Success)
                rows[key.Item1] = (m.Groups["rows"].Value, m.Groups["mb"].Value);
        }

        Assert.True(walls.Count == 6, $"{source}: expected runs of three inputs, before and after; found {walls.Count}");
        return walls.Keys.ToDictionary(k => k, k => new ImportRuns([.. walls[k]], [.. rss[k]], rows[k.Item1].Rows, rows[k.Item1].Mb));
    }

    [GeneratedRegex(@"the month's import peaks at (?<afterLo>\d+)–(?<afterHi>\d+) MiB of working set against (?<beforeLo>\d+)–(?<beforeHi>\d+) MiB when the importers held every sample, and ten times its rows at (?<tenLo>\d+)–(?<tenHi>\d+) MiB against (?<tenBeforeLo>[\d.]+)–(?<tenBeforeHi>[\d.]+) GiB")]
    private static partial Regex ReadmeImportMemory();

    [GeneratedRegex(@"ten times the rows: \+(?<growth>\d+) % peak working set")]
    private static partial Regex ReadmeImportGrowth();

    [GeneratedRegex(@"\*\*Ten times the rows, the same 500 VMs: peak working set (?<oneLo>[\d.]+)–(?<oneHi>[\d.]+) → (?<tenLo>[\d.]+)–(?<tenHi>[\d.]+) MiB\*\* \(medians \+(?<median>[\d.]+) %, at most \+(?<most>[\d.]+) %; the target was 10 %\), where the importers that held every sample went from (?<bOneLo>\d+)–(?<bOneHi>\d+) MiB to (?<bTenLo>[\d.]+)–(?<bTenHi>[\d.]+) GiB")]
    private static partial Regex ImportersMemory();

    [GeneratedRegex(@"The Bitbrains month \((?<rows>[\d ]+) rows, (?<mb>[\d.]+) MB, 500 files; two threads\) imports in (?<lo>[\d.]+)–(?<hi>[\d.]+) s on the shared Intel Xeon machine; .*?the streaming importers took (?<ratio>[\d.]+) × the time of the importers that held every sample \(medians (?<after>[\d.]+) and (?<before>[\d.]+) s\): .*?Ten times the rows took (?<ten>[\d.]+) × as long as the synthetic folder of 8 600 rows per VM \(medians (?<a10>[\d.]+) against (?<a1>[\d.]+) s; (?<tenBefore>[\d.]+) × for the importers that held every sample, (?<b10>[\d.]+) against (?<b1>[\d.]+) s\)")]
    private static partial Regex ImportersSpeed();

    /// <summary>
    /// bench/results/intel-xeon-avx512-2core/import-memory-and-generate-from.md, the imports: its summary table (median
    /// and range of the wall times, range of the peak RSS in MiB, per input and build) from the run lines it lists
    /// (both formats, <c>wall_s_rss_kb</c> and <c>measure2</c>), the same table in docs/importers.md, and the ranges,
    /// growth and ratios README and docs/importers.md quote. Medians are of binary doubles, as the file's were printed: the
    /// month's "after" median is 2.975 s exactly, shown as 2.97.
    /// </summary>
    [Fact]
    public void ImportMemory_FiguresAreItsRuns()
    {
        const string source = Intel + "import-memory-and-generate-from.md";
        var figures = new FigureCheck($"figures that do not match {source}");
        Dictionary<(string Input, string Build), ImportRuns> runs = ImportRunsOf(source);
        string[] inputs = ["2013-8", "synth-1x", "synth-10x"];

        string Wall(ImportRuns r, int decimals) => $"{D(Median(r.Wall), decimals)} ({Range(r.Wall.Min(), r.Wall.Max(), decimals)}), {r.Wall.Length} runs";
        static string Rss(ImportRuns r) => $"{r.RssMib.Min().ToString("N1", Grouped)}–{r.RssMib.Max().ToString("N1", Grouped)} MiB";

        foreach ((string doc, string header) in new[] { (source, "| input | rows | before: wall s"), ("docs/importers.md", "| input | rows | before: wall s") })
        {
            List<string[]> table = TableRows(Text(doc).Split('\n'), header, $"{doc} has no import summary table");
            Assert.Equal(3, table.Count);
            for (int i = 0; i < 3; i++)
            {
                ImportRuns before = runs[(inputs[i], "before")], after = runs[(inputs[i], "after")];
                int decimals = i == 2 ? 1 : 2; // the 10× input's runs take tens of seconds: one decimal
                string at = $"{doc} import table, {inputs[i]}";
                figures.Check($"{at}, rows", table[i][1], Thousands(Dbl(before.Rows)), $"{source} run lines");
                string beforeWall = Wall(before, decimals), afterWall = Wall(after, decimals);
                if (doc != source)
                {
                    // docs/importers.md drops the run counts.
                    beforeWall = beforeWall[..beforeWall.LastIndexOf(',')];
                    afterWall = afterWall[..afterWall.LastIndexOf(',')];
                }

                figures.Check($"{at}, before, wall", table[i][2], beforeWall, $"{source} run lines");
                figures.Check($"{at}, before, peak RSS", table[i][3], Rss(before), $"{source} run lines (KiB ÷ 1024)");
                figures.Check($"{at}, after, wall", table[i][4], afterWall, $"{source} run lines");
                figures.Check($"{at}, after, peak RSS", table[i][5], Rss(after), $"{source} run lines (KiB ÷ 1024)");
            }
        }

        ImportRuns monthB = runs[("2013-8", "before")], monthA = runs[("2013-8", "after")];
        ImportRuns oneB = runs[("synth-1x", "before")], oneA = runs[("synth-1x", "after")];
        ImportRuns tenB = runs[("synth-10x", "before")], tenA = runs[("synth-10x", "after")];

        var readme = new DocText("README.md");
        Match m = readme.Find(ReadmeImportMemory(), "the importers' memory (\"the month's import peaks at …\")");
        readme.Check(figures, m, "afterLo", "month import peak, streaming, lowest (MiB)", D(monthA.RssMib.Min(), 0), source);
        readme.Check(figures, m, "afterHi", "month import peak, streaming, highest (MiB)", D(monthA.RssMib.Max(), 0), source);
        readme.Check(figures, m, "beforeLo", "month import peak, holding every sample, lowest (MiB)", D(monthB.RssMib.Min(), 0), source);
        readme.Check(figures, m, "beforeHi", "month import peak, holding every sample, highest (MiB)", D(monthB.RssMib.Max(), 0), source);
        readme.Check(figures, m, "tenLo", "ten times the rows, streaming, lowest (MiB)", D(tenA.RssMib.Min(), 0), source);
        readme.Check(figures, m, "tenHi", "ten times the rows, streaming, highest (MiB)", D(tenA.RssMib.Max(), 0), source);
        readme.Check(figures, m, "tenBeforeLo", "ten times the rows, holding every sample, lowest (GiB)", D(tenB.RssMib.Min() / 1024, 1), source);
        readme.Check(figures, m, "tenBeforeHi", "ten times the rows, holding every sample, highest (GiB)", D(tenB.RssMib.Max() / 1024, 1), source);
        double growth = (Median(tenA.RssMib) / Median(oneA.RssMib) - 1) * 100;
        m = readme.Find(ReadmeImportGrowth(), "the importers' growth over ten times the rows (\"ten times the rows: +N % peak working set\")");
        readme.Check(figures, m, "growth", "ten times the rows, growth of the median peak (%)", D(growth, 0), source);

        var importers = new DocText("docs/importers.md");
        m = importers.Find(ImportersMemory(), "the importers' memory over ten times the rows (\"**Ten times the rows, the same 500 VMs: …\")");
        importers.Check(figures, m, "oneLo", "synth-1x streaming peak, lowest", D(oneA.RssMib.Min(), 1), source);
        importers.Check(figures, m, "oneHi", "synth-1x streaming peak, highest", D(oneA.RssMib.Max(), 1), source);
        importers.Check(figures, m, "tenLo", "synth-10x streaming peak, lowest", D(tenA.RssMib.Min(), 1), source);
        importers.Check(figures, m, "tenHi", "synth-10x streaming peak, highest", D(tenA.RssMib.Max(), 1), source);
        importers.Check(figures, m, "median", "growth of the median peak (%)", D(growth, 1), source);
        importers.Check(figures, m, "most", "growth, widest pair (%)", D((tenA.RssMib.Max() / oneA.RssMib.Min() - 1) * 100, 1), $"{source} (highest 10× peak ÷ lowest 1× peak)");
        importers.Check(figures, m, "bOneLo", "synth-1x peak holding every sample, lowest (MiB)", D(oneB.RssMib.Min(), 0), source);
        importers.Check(figures, m, "bOneHi", "synth-1x peak holding every sample, highest (MiB)", D(oneB.RssMib.Max(), 0), source);
        importers.Check(figures, m, "bTenLo", "synth-10x peak holding every sample, lowest (GiB)", D(tenB.RssMib.Min() / 1024, 1), source);
        importers.Check(figures, m, "bTenHi", "synth-10x peak holding every sample, highest (GiB)", D(tenB.RssMib.Max() / 1024, 1), source);

        m = importers.Find(ImportersSpeed(), "the month's import speed (\"The Bitbrains month (N rows, M MB, 500 files; two threads) imports in …\")");
        importers.Check(figures, m, "rows", "the month's rows", Thousands(Dbl(monthA.Rows)), $"{source} run lines");
        importers.Check(figures, m, "mb", "the month's MB", monthA.Mb, $"{source} run lines");
        importers.Check(figures, m, "lo", "the month's import, streaming, fastest (s)", D(monthA.Wall.Min(), 1), source);
        importers.Check(figures, m, "hi", "the month's import, streaming, slowest (s)", D(monthA.Wall.Max(), 1), source);
        importers.Check(figures, m, "after", "the month's import, streaming, median (s)", D(Median(monthA.Wall), 2), source);
        importers.Check(figures, m, "before", "the month's import, holding every sample, median (s)", D(Median(monthB.Wall), 2), source);
        importers.Check(figures, m, "ratio", "the month's import, streaming ÷ holding every sample", D(Median(monthA.Wall) / Median(monthB.Wall), 2), source);
        importers.Check(figures, m, "a10", "synth-10x, streaming, median (s)", D(Median(tenA.Wall), 1), source);
        importers.Check(figures, m, "a1", "synth-1x, streaming, median (s)", D(Median(oneA.Wall), 2), source);
        importers.Check(figures, m, "ten", "ten times the rows ÷ synth-1x, streaming", D(Median(tenA.Wall) / Median(oneA.Wall), 1), source);
        importers.Check(figures, m, "b10", "synth-10x, holding every sample, median (s)", D(Median(tenB.Wall), 1), source);
        importers.Check(figures, m, "b1", "synth-1x, holding every sample, median (s)", D(Median(oneB.Wall), 2), source);
        importers.Check(figures, m, "tenBefore", "ten times the rows ÷ synth-1x, holding every sample", D(Median(tenB.Wall) / Median(oneB.Wall), 1), source);

        figures.AssertAllMatch(atLeast: (2 * 3 * 5) + 9 + 10 + 13);
    }

    [GeneratedRegex(@"Generated (?<vms>\d+) VMs drawn from \d+ VMs of month\.dmt on (?<hosts>\d+) hosts of (?<hostMb>\d+) MB, (?<ticks>\d+) ticks of \d+ s, in (?<s>[\d.]+) s: \S+ \((?<mb>[\d.]+) MB\) Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): [\d:.]+ Maximum resident set size \(kbytes\): (?<rss>\d+)")]
    private static partial Regex GenerateOutput();

    [GeneratedRegex(@"Replayed (?<vms>\d+) VMs on \d+ hosts for (?<ticks>\d+) ticks in (?<s>[\d.]+) s \((?<rate>[\d.]+) M VM-ticks/s, path v512, 1 thread\(s\)\)\. Paging (?<paging>[\d.]+ %) of VM-time; pressure mean (?<mean>[\d.]+ %), p99 (?<p99>\d+ %)")]
    private static partial Regex GenerateReplayOutput();

    [GeneratedRegex(@"`peakWorkingSetBytes` (?<ws>[\d ]+)\)")]
    private static partial Regex GenerateReplayWorkingSet();

    [GeneratedRegex(@"the million VMs over the whole month \((?<vmt>[\d.]+) × 10⁹ VM-ticks, hosts auto-sized to (?<tb>[\d.]+) TB\) took \*\*(?<gen>\d+) s\*\* to generate, a \*\*(?<gb>[\d.]+) GB\*\* file, with a peak working set of \*\*(?<rss>\d+) MiB\*\* \(`/usr/bin/time -v`\); the whole replay \(every tick, one thread\) ran in \*\*(?<replay>\d+) s\*\* \((?<rate>[\d.]+) M VM-ticks/s; peak working set (?<ws>\d+) MB, from `summary\.json`\): paging (?<paging>[\d.]+ %) of VM-time, pressure mean (?<mean>[\d.]+ %), p99 (?<p99>\d+ %)")]
    private static partial Regex ReadmeGenerateFrom();

    [GeneratedRegex(@"auto-sized to (?<hostMb>[\d ]+) MB: .*?\), (?<ticks>[\d ]+) ticks, (?<vmt>[\d.]+) × 10⁹ VM-ticks: \*\*(?<gen>\d+) s\*\* \((?<genRate>\d+) M VM-ticks/s; the writer's encoding and Zstd dominate\), a \*\*(?<gb>[\d.]+) GB\*\* file \((?<bpt>[\d.]+) bytes per VM-tick\), \*\*(?<rss>\d+) MiB\*\* peak working set\. The whole replay, every tick on one thread, runs on it in (?<replay>\d+) s \((?<rate>[\d.]+) M VM-ticks/s, (?<ws>\d+) MB peak working set\)")]
    private static partial Regex GenerateDocFrom();

    /// <summary>
    /// The same file, <c>generate --from</c> at a million VMs: README's and docs/generate.md's times, sizes, rates and
    /// replay figures from the console output the file keeps (Generated / Replayed lines, <c>/usr/bin/time -v</c>): VM-ticks
    /// = VMs × ticks, rates = VM-ticks ÷ seconds, GB = MB ÷ 1000, TB = host MB ÷ 2^20, MiB = KiB ÷ 1024. The replay's
    /// peak working set (487 MB) is summary.json's, which the file restates in its prose (summary.json is not committed):
    /// checked against that statement.
    /// </summary>
    [Fact]
    public void GenerateFrom_FiguresAreItsConsoleOutput()
    {
        const string source = Intel + "import-memory-and-generate-from.md";
        var figures = new FigureCheck($"figures that do not match {source}");
        var src = new DocText(source);
        Match gen = src.Find(GenerateOutput(), "the generate output with its /usr/bin/time lines");
        Match rep = src.Find(GenerateReplayOutput(), "the replay's Replayed and Paging lines");
        double vmTicks = Dbl(gen.Groups["vms"].Value) * Dbl(gen.Groups["ticks"].Value);
        double genS = Dbl(gen.Groups["s"].Value), mb = Dbl(gen.Groups["mb"].Value), hostMb = Dbl(gen.Groups["hostMb"].Value);
        double rssMib = Dbl(gen.Groups["rss"].Value) / 1024, replayS = Dbl(rep.Groups["s"].Value);
        double replayRate = Dbl(rep.Groups["vms"].Value) * Dbl(rep.Groups["ticks"].Value) / replayS / 1e6;
        double ws = Dbl(src.Find(GenerateReplayWorkingSet(), "summary.json's peakWorkingSetBytes as the file states it").Groups["ws"].Value) / 1e6;
        figures.Check($"{source}: the Replayed line's rate", rep.Groups["rate"].Value, D(replayRate, 1), $"{source} (VMs × ticks ÷ seconds of the same line)");

        var readme = new DocText("README.md");
        Match m = readme.Find(ReadmeGenerateFrom(), "the million VMs over the month (\"the million VMs over the whole month (N × 10⁹ VM-ticks …\")");
        readme.Check(figures, m, "vmt", "generate --from, VM-ticks (× 10⁹)", D(vmTicks / 1e9, 2), source);
        readme.Check(figures, m, "tb", "generate --from, host size (TB)", D(hostMb / 1_048_576, 1), source);
        readme.Check(figures, m, "gen", "generate --from, seconds", D(genS, 0), source);
        readme.Check(figures, m, "gb", "generate --from, file (GB)", D(mb / 1000, 1), source);
        readme.Check(figures, m, "rss", "generate --from, peak working set (MiB)", D(rssMib, 0), source);
        readme.Check(figures, m, "replay", "replay of it, seconds", D(replayS, 0), source);
        readme.Check(figures, m, "rate", "replay of it, M VM-ticks/s", D(replayRate, 1), source);
        readme.Check(figures, m, "ws", "replay of it, peak working set (MB)", D(ws, 0), $"{source} (summary.json's peakWorkingSetBytes, stated in its prose)");
        readme.Check(figures, m, "paging", "replay of it, paging", rep.Groups["paging"].Value, source);
        readme.Check(figures, m, "mean", "replay of it, pressure mean", rep.Groups["mean"].Value, source);
        readme.Check(figures, m, "p99", "replay of it, pressure p99", rep.Groups["p99"].Value, source);

        var doc = new DocText("docs/generate.md");
        m = doc.Find(GenerateDocFrom(), "the million VMs over the month (\"auto-sized to N MB: … **S s** …\")");
        doc.Check(figures, m, "hostMb", "generate --from, host size (MB)", Thousands(hostMb), source);
        doc.Check(figures, m, "ticks", "generate --from, ticks", Thousands(Dbl(gen.Groups["ticks"].Value)), source);
        doc.Check(figures, m, "vmt", "generate --from, VM-ticks (× 10⁹)", D(vmTicks / 1e9, 2), source);
        doc.Check(figures, m, "gen", "generate --from, seconds", D(genS, 0), source);
        doc.Check(figures, m, "genRate", "generate --from, M VM-ticks/s", D(vmTicks / genS / 1e6, 0), $"{source} (VM-ticks ÷ seconds)");
        doc.Check(figures, m, "gb", "generate --from, file (GB)", D(mb / 1000, 1), source);
        doc.Check(figures, m, "bpt", "generate --from, bytes per VM-tick", D(mb * 1e6 / vmTicks, 2), $"{source} (MB ÷ VM-ticks)");
        doc.Check(figures, m, "rss", "generate --from, peak working set (MiB)", D(rssMib, 0), source);
        doc.Check(figures, m, "replay", "replay of it, seconds", D(replayS, 0), source);
        doc.Check(figures, m, "rate", "replay of it, M VM-ticks/s", D(replayRate, 1), source);
        doc.Check(figures, m, "ws", "replay of it, peak working set (MB)", D(ws, 0), $"{source} (summary.json's peakWorkingSetBytes, stated in its prose)");

        figures.AssertAllMatch(atLeast: 1 + 11 + 11);
    }

    // =====================================================================================================================
    // AMD EPYC: compare-1m-vms-2568c25.txt and lean-kernel/cli-*.txt, threads-ab-1m-25.txt
    // =====================================================================================================================

    [GeneratedRegex(@"^(?<pair>\d+) (?<build>[ca]) (?<probes>\d+) probes, (?<mvt>\d+) M VM-ticks in (?<s>[\d.]+) s\. .*\| (?<wall>[\d.]+) s (?<rss>\d+) KB$", RegexOptions.Multiline)]
    private static partial Regex Compare1MLine();

    [GeneratedRegex(@"a = (?<a>[0-9a-f]{7})\. Columns")]
    private static partial Regex Compare1MBuild();

    [GeneratedRegex(@"CapacityStudy\.HostsJob\.Pack (?<pack>\d+) %")]
    private static partial Regex Compare1MPack();

    [GeneratedRegex(@"; (?<probes>\d+) probes, (?<mvt>[\d ]+) M VM-ticks\) the whole comparison took \*\*(?<a1>[\d.]+) and (?<a2>[\d.]+) s\*\* on the AMD EPYC machine \(2026-12-03, `(?<commit>[0-9a-f]{7})`\), against (?<c1>[\d.]+) and (?<c2>[\d.]+) s before that day's changes in alternating runs \((?<r1>[\d.]+) and (?<r2>[\d.]+) ×\), .*?\(hosts × VMs steps, (?<pack>\d+) % of the time\)")]
    private static partial Regex ReadmeCompare1M();

    [GeneratedRegex(@"compare \(a 1M-VM fleet in (?<a1>[\d.]+) and (?<a2>[\d.]+) s against (?<c1>[\d.]+) and (?<c2>[\d.]+) s before 2026-12-03's changes, (?<r1>[\d.]+) and (?<r2>[\d.]+) ×, AMD EPYC: `bench/results/amd-epyc-zen4-2core/compare-1m-vms-2568c25\.txt`\)")]
    private static partial Regex StatusCompare1M();

    [GeneratedRegex(@"1M-VM, 240-tick fleet above took (?<a1>[\d.]+) and (?<a2>[\d.]+) s on the AMD EPYC machine: `bench/results/amd-epyc-zen4-2core/compare-1m-vms-2568c25\.txt`")]
    private static partial Regex LimitationsCompare1M();

    /// <summary>
    /// bench/results/amd-epyc-zen4-2core/compare-1m-vms-2568c25.txt: README's compare of the generated million-VM fleet
    /// (its probes and VM-ticks, both builds' seconds from each headline line, the ratio of each pair, the commit) in the
    /// performance section, the status table and the limitations. The packing's "39 %" is a perf figure the file states in
    /// a comment (perf's output is not committed): checked for agreement.
    /// </summary>
    [Fact]
    public void Compare1M_FiguresAreItsHeadlineLines()
    {
        const string source = Amd + "compare-1m-vms-2568c25.txt";
        var figures = new FigureCheck($"figures that do not match {source}");
        var src = new DocText(source);
        Match[] lines = Compare1MLine().Matches(Text(source)).ToArray();
        Assert.True(lines.Length == 4, $"{source}: expected two pairs of headline lines, found {lines.Length}");
        Match[] a = [.. lines.Where(l => l.Groups["build"].Value == "a")], c = [.. lines.Where(l => l.Groups["build"].Value == "c")];
        string probes = a[0].Groups["probes"].Value, mvt = a[0].Groups["mvt"].Value;
        foreach (Match l in lines)
        {
            figures.Check($"{source}: pair {l.Groups["pair"].Value} {l.Groups["build"].Value}, probes", l.Groups["probes"].Value, probes, "every run's headline (the same report)");
            figures.Check($"{source}: pair {l.Groups["pair"].Value} {l.Groups["build"].Value}, M VM-ticks", l.Groups["mvt"].Value, mvt, "every run's headline (the same report)");
        }

        string Ratio(int pair) => D(Dec(c[pair].Groups["s"].Value) / Dec(a[pair].Groups["s"].Value), 2);
        var readme = new DocText("README.md");
        Match m = readme.Find(ReadmeCompare1M(), "the million-VM compare (\"(N probes, M M VM-ticks) the whole comparison took **A and B s** …\")");
        readme.Check(figures, m, "probes", "million-VM compare, probes", probes, source);
        readme.Check(figures, m, "mvt", "million-VM compare, M VM-ticks", Thousands(Dbl(mvt)), source);
        readme.Check(figures, m, "commit", "million-VM compare, code", src.Find(Compare1MBuild(), "the build a").Groups["a"].Value, $"{source} header");
        readme.Check(figures, m, "pack", "million-VM compare, the packing's share before", src.Find(Compare1MPack(), "the perf note on the packing").Groups["pack"].Value, $"{source} (a perf figure stated in its comment)");
        foreach ((DocText doc, Match q, string where) in new[]
        {
            (readme, m, "performance section"),
            (readme, readme.Find(StatusCompare1M(), "the status table's compare figures (\"compare (a 1M-VM fleet in …\")"), "status table"),
            (readme, readme.Find(LimitationsCompare1M(), "the limitations' compare figures (\"1M-VM, 240-tick fleet above took …\")"), "limitations"),
        })
        {
            for (int p = 0; p < 2; p++)
            {
                doc.Check(figures, q, $"a{p + 1}", $"million-VM compare ({where}), pair {p + 1}, seconds", a[p].Groups["s"].Value, $"{source} headline");
                if (q.Groups[$"c{p + 1}"].Success)
                {
                    doc.Check(figures, q, $"c{p + 1}", $"million-VM compare ({where}), pair {p + 1}, seconds before", c[p].Groups["s"].Value, $"{source} headline");
                    doc.Check(figures, q, $"r{p + 1}", $"million-VM compare ({where}), pair {p + 1}, ratio", Ratio(p), $"{source} (before ÷ after seconds)");
                }
            }
        }

        figures.AssertAllMatch(atLeast: 8 + 4 + (2 * 6) + 2);
    }

    [GeneratedRegex(@"^(?<build>[ab]) Replayed (?<vms>\d+) VMs on \d+ hosts for (?<ticks>\d+) ticks in (?<s>[\d.]+) s \((?<rate>[\d.]+) M VM-ticks/s, path v512, 1 thread\(s\)\)\. \| (?<wall>[\d.]+) s (?<rss>\d+) KB peakWS=(?<ws>\d+)$", RegexOptions.Multiline)]
    private static partial Regex Cli1000Line();

    [GeneratedRegex(@"\(1344\.5 MB, generated in (?<gen>[\d.]+) s\)|generated in (?<gen>[\d.]+) s\)")]
    private static partial Regex Cli1000Generated();

    [GeneratedRegex(@"a = (?<a>[0-9a-f]{7}), b = (?<b>[0-9a-f]{7})")]
    private static partial Regex Cli1000Builds();

    [GeneratedRegex(@"On the AMD EPYC machine \(2026-12-03, `(?<a>[0-9a-f]{7})`; `bench/results/amd-epyc-zen4-2core/lean-kernel/cli-1000-ticks-[0-9a-f]{7}\.txt`\), with one kernel thread .*? before issue 12 \(`(?<b>[0-9a-f]{7})`\) on the same file, the replay ran \*\*(?<r1>[\d.]+) and (?<r2>[\d.]+) ×\*\* as fast as the old code in the two pairs \((?<a1>[\d.]+) and (?<a2>[\d.]+) against (?<b1>[\d.]+) and (?<b2>[\d.]+) M VM-ticks/s, (?<sLo>[\d.]+)–(?<sHi>[\d.]+) s of replay\) and the whole command (?<w1>[\d.]+) and (?<w2>[\d.]+) × \((?<aw1>[\d.]+) and (?<aw2>[\d.]+) against (?<bw1>[\d.]+) and (?<bw2>[\d.]+) s\), at a peak working set of (?<wsLo>\d+)–(?<wsHi>\d+) MB against (?<wsB>\d+) MB; generating the file took (?<gen>[\d.]+) s there")]
    private static partial Regex ReadmeCli1000();

    [GeneratedRegex(@"replay \((?<lo>\d+)–(?<hi>\d+) M VM-ticks/s at 1M VMs with one kernel thread, (?<r1>[\d.]+) and (?<r2>[\d.]+) × the code before issue 12 in alternating runs, AMD EPYC, 2026-12-03: `bench/results/amd-epyc-zen4-2core/lean-kernel/cli-1000-ticks-29eafc2\.txt`")]
    private static partial Regex StatusCli1000();

    [GeneratedRegex(@"(?<lo>\d+)–(?<hi>\d+) MB peak working set at 1M VMs × 1000 ticks \(`bench/results/amd-epyc-zen4-2core/lean-kernel/cli-1000-ticks-29eafc2\.txt`\)")]
    private static partial Regex StatusCli1000Memory();

    /// <summary>
    /// bench/results/amd-epyc-zen4-2core/lean-kernel/cli-1000-ticks-29eafc2.txt: README's CLI replay of 1 000 000 VMs × 1 000
    /// ticks (performance section and status table) from the four headline lines: each rate from VMs × ticks over the
    /// replay's seconds (and checked against the rate the line prints), each pair's speed-up as the old build's seconds
    /// over the new one's (not the ratio of the rounded rates), the whole command's from the <c>/usr/bin/time</c> wall
    /// times, the peak working set from <c>peakWS</c> in MB.
    /// </summary>
    [Fact]
    public void CliReplay1000Ticks_FiguresAreItsHeadlineLines()
    {
        const string source = Amd + "lean-kernel/cli-1000-ticks-29eafc2.txt";
        var figures = new FigureCheck($"figures that do not match {source}");
        var src = new DocText(source);
        Match[] lines = Cli1000Line().Matches(Text(source)).ToArray();
        Assert.True(lines.Length == 4, $"{source}: expected two alternating pairs of headline lines, found {lines.Length}");
        Match[] a = [.. lines.Where(l => l.Groups["build"].Value == "a")], b = [.. lines.Where(l => l.Groups["build"].Value == "b")];
        decimal Seconds(Match l) => Dec(l.Groups["s"].Value);
        decimal Rate(Match l) => Dec(l.Groups["vms"].Value) * Dec(l.Groups["ticks"].Value) / Seconds(l) / 1_000_000m;
        decimal Wall(Match l) => Dec(l.Groups["wall"].Value);
        decimal Ws(Match l) => Dec(l.Groups["ws"].Value) / 1_000_000m;
        foreach (Match l in lines)
            figures.Check($"{source}: {l.Groups["build"].Value} line's rate", l.Groups["rate"].Value, D(Rate(l), 1), $"{source} (VMs × ticks ÷ seconds of the same line)");

        Match builds = src.Find(Cli1000Builds(), "the two builds");
        var readme = new DocText("README.md");
        Match m = readme.Find(ReadmeCli1000(), "the CLI replay of 1 000 000 VMs × 1 000 ticks (\"the replay ran **N and M ×** as fast as the old code …\")");
        readme.Check(figures, m, "a", "CLI replay, new build", builds.Groups["a"].Value, $"{source} header");
        readme.Check(figures, m, "b", "CLI replay, old build", builds.Groups["b"].Value, $"{source} header");
        for (int p = 0; p < 2; p++)
        {
            string pair = $"CLI replay, pair {p + 1}";
            readme.Check(figures, m, $"r{p + 1}", $"{pair}, replay speed-up", D(Seconds(b[p]) / Seconds(a[p]), 2), $"{source} (old ÷ new replay seconds)");
            readme.Check(figures, m, $"a{p + 1}", $"{pair}, new build's M VM-ticks/s", D(Rate(a[p]), 1), $"{source} (VMs × ticks ÷ seconds)");
            readme.Check(figures, m, $"b{p + 1}", $"{pair}, old build's M VM-ticks/s", D(Rate(b[p]), 1), $"{source} (VMs × ticks ÷ seconds)");
            readme.Check(figures, m, $"w{p + 1}", $"{pair}, whole command's speed-up", D(Wall(b[p]) / Wall(a[p]), 2), $"{source} (old ÷ new /usr/bin/time wall)");
            readme.Check(figures, m, $"aw{p + 1}", $"{pair}, new build's wall (s)", D(Wall(a[p]), 1), $"{source} /usr/bin/time");
            readme.Check(figures, m, $"bw{p + 1}", $"{pair}, old build's wall (s)", D(Wall(b[p]), 1), $"{source} /usr/bin/time");
        }

        readme.Check(figures, m, "sLo", "CLI replay, new build's replay seconds, shortest", D(a.Min(Seconds), 1), source);
        readme.Check(figures, m, "sHi", "CLI replay, new build's replay seconds, longest", D(a.Max(Seconds), 1), source);
        readme.Check(figures, m, "wsLo", "CLI replay, new build's peak working set, lowest (MB)", D(a.Min(Ws), 0), $"{source} peakWS");
        readme.Check(figures, m, "wsHi", "CLI replay, new build's peak working set, highest (MB)", D(a.Max(Ws), 0), $"{source} peakWS");
        Assert.True(D(b.Min(Ws), 0) == D(b.Max(Ws), 0), $"{source}: the old build's peak working sets differ in MB; README quotes one figure");
        readme.Check(figures, m, "wsB", "CLI replay, old build's peak working set (MB)", D(b.Min(Ws), 0), $"{source} peakWS");
        readme.Check(figures, m, "gen", "CLI replay, generating the trace (s)", src.Find(Cli1000Generated(), "the generate time").Groups["gen"].Value, $"{source} header");

        Match status = readme.Find(StatusCli1000(), "the status table's replay figures (\"replay (N–M M VM-ticks/s at 1M VMs with one kernel thread …\")");
        readme.Check(figures, status, "lo", "status table, CLI replay M VM-ticks/s, lowest", D(a.Min(Rate), 0), source);
        readme.Check(figures, status, "hi", "status table, CLI replay M VM-ticks/s, highest", D(a.Max(Rate), 0), source);
        for (int p = 0; p < 2; p++)
            readme.Check(figures, status, $"r{p + 1}", $"status table, CLI replay pair {p + 1} speed-up", D(Seconds(b[p]) / Seconds(a[p]), 2), $"{source} (old ÷ new replay seconds)");
        Match memory = readme.Find(StatusCli1000Memory(), "the status table's peak working set (\"N–M MB peak working set at 1M VMs × 1000 ticks\")");
        readme.Check(figures, memory, "lo", "status table, peak working set, lowest (MB)", D(a.Min(Ws), 0), $"{source} peakWS");
        readme.Check(figures, memory, "hi", "status table, peak working set, highest (MB)", D(a.Max(Ws), 0), $"{source} peakWS");

        figures.AssertAllMatch(atLeast: 4 + 2 + 12 + 6 + 6);
    }

    [GeneratedRegex(@"^## a = 29eafc2 .*?$(?<body>.*)\z", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CliPairsFinalBlock();

    [GeneratedRegex(@"^(?<pair>\d+) (?<build>[ab]) (?<rate>[\d.]+) (?<wall>[\d.]+) (?<rss>\d+)$", RegexOptions.Multiline)]
    private static partial Regex CliPairLine();

    [GeneratedRegex(@"^PAIR (?<pair>\d+) (?<build>before|after) ""wallSeconds"": [\d.]+ ""vmTicksPerSecond"": (?<rate>\d+) ", RegexOptions.Multiline)]
    private static partial Regex CliSummaryPairLine();

    [GeneratedRegex(@"the CLI end to end \*\*(?<median>[\d.]+) ×\*\* \(median of (?<n>\w+) alternating pairs, (?<lo>[\d.]+)–(?<hi>[\d.]+); (?<bLo>\d+)–(?<bHi>\d+) → (?<aLo>\d+)–(?<aHi>\d+) M VM-ticks/s\), process wall time (?<bWall>[\d.]+) → (?<aWall>[\d.]+) s \(medians\)")]
    private static partial Regex ReadmeCliPairs29eafc2();

    [GeneratedRegex(@"the CLI replay met on both machines \(AMD (?<median>[\d.]+) × since 2026-12-03")]
    private static partial Regex StatusCliPairs29eafc2();

    [GeneratedRegex(@"\*\*Issue 12 on the AMD EPYC machine\*\* .*?two threads at 1 000 000 VMs \*\*[\d.]+, [\d.]+ ×\*\* \(BenchmarkDotNet\) and (?<ab>[\d.]+) × interleaved; replay ReplayBench \*\*[\d.]+ ×\*\* \(median of four pairs\) but the CLI end to end \*\*(?<median>[\d.]+) ×\*\* \(median of (?<n>\w+) pairs, (?<lo>[\d.]+)–(?<hi>[\d.]+)\)")]
    private static partial Regex ReadmeCliPairs8439baf();

    [GeneratedRegex(@"1 thread median (?<one>[\d.]+) min [\d.]+; 2 threads median (?<two>[\d.]+) min [\d.]+ ns/VM; speedup of medians (?<speedup>[\d.]+)")]
    private static partial Regex ThreadsAb();

    /// <summary>
    /// The AMD CLI pairs README quotes through lean-kernel.md: at <c>29eafc2</c> (lean-kernel/cli-29eafc2.txt, its last
    /// block: ten alternating pairs, M VM-ticks/s from summary.json and the process wall) the median pair ratio, its range,
    /// both builds' rate ranges and the wall medians; at <c>8439baf</c> (lean-kernel/cli-8439baf.txt: eight pairs of
    /// summary.json fields) the median pair ratio and its range; and the "1.96 × interleaved" of the two-thread run
    /// (lean-kernel/threads-ab-1m-25.txt: the ratio of its two medians, which the line also prints).
    /// </summary>
    [Fact]
    public void CliPairs_FiguresAreTheirRawLines()
    {
        var figures = new FigureCheck("figures that do not match the AMD CLI pair logs");
        var readme = new DocText("README.md");

        const string final = Amd + "lean-kernel/cli-29eafc2.txt";
        Match block = CliPairsFinalBlock().Match(Text(final));
        Assert.True(block.Success, $"{final} has no '## a = 29eafc2' block");
        Match[] lines = CliPairLine().Matches(block.Groups["body"].Value).ToArray();
        Match[] a = [.. lines.Where(l => l.Groups["build"].Value == "a")], b = [.. lines.Where(l => l.Groups["build"].Value == "b")];
        Assert.True(a.Length == b.Length && a.Length >= 2 && a.Zip(b).All(x => x.First.Groups["pair"].Value == x.Second.Groups["pair"].Value), $"{final}: the last block's lines are not alternating pairs");
        decimal[] ratios = [.. a.Zip(b, (x, y) => Dec(x.Groups["rate"].Value) / Dec(y.Groups["rate"].Value))];
        decimal[] aRates = [.. a.Select(x => Dec(x.Groups["rate"].Value))], bRates = [.. b.Select(x => Dec(x.Groups["rate"].Value))];
        Match m = readme.Find(ReadmeCliPairs29eafc2(), "the AMD CLI pairs at 29eafc2 (\"the CLI end to end **N ×** (median of ten alternating pairs …\")");
        readme.Check(figures, m, "median", "AMD CLI at 29eafc2, median pair ratio", D(Median(ratios), 2), $"{final} (new ÷ old M VM-ticks/s per pair)");
        readme.Check(figures, m, "n", "AMD CLI at 29eafc2, pairs", Words[ratios.Length], final);
        readme.Check(figures, m, "lo", "AMD CLI at 29eafc2, lowest pair ratio", D(ratios.Min(), 2), final);
        readme.Check(figures, m, "hi", "AMD CLI at 29eafc2, highest pair ratio", D(ratios.Max(), 2), final);
        readme.Check(figures, m, "bLo", "AMD CLI at 29eafc2, old build's M VM-ticks/s, lowest", D(bRates.Min(), 0), final);
        readme.Check(figures, m, "bHi", "AMD CLI at 29eafc2, old build's M VM-ticks/s, highest", D(bRates.Max(), 0), final);
        readme.Check(figures, m, "aLo", "AMD CLI at 29eafc2, new build's M VM-ticks/s, lowest", D(aRates.Min(), 0), final);
        readme.Check(figures, m, "aHi", "AMD CLI at 29eafc2, new build's M VM-ticks/s, highest", D(aRates.Max(), 0), final);
        readme.Check(figures, m, "bWall", "AMD CLI at 29eafc2, old build's process wall, median (s)", D(Median(b.Select(x => Dec(x.Groups["wall"].Value))), 2), final);
        readme.Check(figures, m, "aWall", "AMD CLI at 29eafc2, new build's process wall, median (s)", D(Median(a.Select(x => Dec(x.Groups["wall"].Value))), 2), final);
        readme.Check(figures, readme.Find(StatusCliPairs29eafc2(), "the status table's AMD CLI figure (\"the CLI replay met on both machines (AMD N ×\")"), "median", "status table, AMD CLI median pair ratio", D(Median(ratios), 2), final);

        const string earlier = Amd + "lean-kernel/cli-8439baf.txt";
        Match[] pairs = CliSummaryPairLine().Matches(Text(earlier)).ToArray();
        Match[] before = [.. pairs.Where(l => l.Groups["build"].Value == "before")], after = [.. pairs.Where(l => l.Groups["build"].Value == "after")];
        Assert.True(before.Length == after.Length && before.Length >= 2, $"{earlier}: expected PAIR lines before and after");
        decimal[] r8 = [.. after.Zip(before, (x, y) => Dec(x.Groups["rate"].Value) / Dec(y.Groups["rate"].Value))];
        const string threads = Amd + "lean-kernel/threads-ab-1m-25.txt";
        Match ab = new DocText(threads).Find(ThreadsAb(), "the one- and two-thread medians");
        string abRatio = D(Dec(ab.Groups["one"].Value) / Dec(ab.Groups["two"].Value), 2);
        figures.Check($"{threads}: speedup of medians", ab.Groups["speedup"].Value, abRatio, $"{threads} (1-thread median ÷ 2-thread median)");
        m = readme.Find(ReadmeCliPairs8439baf(), "the AMD CLI pairs at 8439baf (\"**Issue 12 on the AMD EPYC machine** … the CLI end to end **N ×** (median of eight pairs …\")");
        readme.Check(figures, m, "ab", "AMD two threads interleaved", abRatio, $"{threads} (1-thread median ÷ 2-thread median)");
        readme.Check(figures, m, "median", "AMD CLI at 8439baf, median pair ratio", D(Median(r8), 2), $"{earlier} (after ÷ before vmTicksPerSecond per pair)");
        readme.Check(figures, m, "n", "AMD CLI at 8439baf, pairs", Words[r8.Length], earlier);
        readme.Check(figures, m, "lo", "AMD CLI at 8439baf, lowest pair ratio", D(r8.Min(), 2), earlier);
        readme.Check(figures, m, "hi", "AMD CLI at 8439baf, highest pair ratio", D(r8.Max(), 2), earlier);

        figures.AssertAllMatch(atLeast: 11 + 6);
    }

    // =====================================================================================================================
    // readme-figures.md (AMD EPYC): figures measured outside the committed BenchmarkDotNet reports
    // =====================================================================================================================

    [GeneratedRegex(@"one thread before (?<b1>[\d., ]+?), after (?<a1>[\d., ]+?) \(medians (?<mb1>[\d.]+) → (?<ma1>[\d.]+), \*\*(?<r1>[\d.]+) ×\*\*; (?<mbs1>\d+) MB/s\); two threads before (?<b2>[\d., ]+?), after (?<a2>[\d., ]+?) \(medians (?<mb2>[\d.]+) → (?<ma2>[\d.]+); (?<mbs2>\d+) MB/s\)")]
    private static partial Regex SourceImportRerun();

    [GeneratedRegex(@"on the seeded (?<mb>[\d.]+) MB folder of (?<files>\d+) VM files in the GWA-T-12 format .*?: (?<ms1>[\d.]+) ms per import = (?<rate1>\d+) MB/s on one thread, (?<ms2>[\d.]+) ms = (?<rate2>\d+) MB/s on two\. Recorded by commit")]
    private static partial Regex SourceImportBench();

    [GeneratedRegex(@"`ImportBench` \(Bitbrains importer, a seeded (?<mb>[\d.]+) MB folder of (?<files>\d+) VM files in the exact GWA-T-12 format, .*?\): (?<ms1>[\d.]+) ms per import = (?<rate1>\d+) MB/s on one thread, (?<ms2>[\d.]+) ms = (?<rate2>\d+) MB/s on two; .*?: (?<r1>[\d.]+) × the time on one thread \((?<a1>[\d.]+) ms, (?<mbs1>\d+) MB/s, against (?<b1>[\d.]+) ms\) and (?<r2>[\d.]+) × on two \((?<a2>[\d.]+) against (?<b2>[\d.]+) ms; medians of (?<pairs>\w+) pairs")]
    private static partial Regex ReadmeImportBench();

    [GeneratedRegex(@"parses (?<rate1>\d+) MB of CSV per second on one core once warm \(`ImportBench`, (?<mb>\d+) MB synthetic folder in the real format; (?<rate2>\d+) MB/s on two threads.*?reports (?<oneMb>[\d.]+) MB in (?<s>[\d.]+) s \((?<rate>\d+) MB/s\); the 8 MB real sample takes (?<real>[\d.–]+) s")]
    private static partial Regex ReadmeImportLimitations();

    [GeneratedRegex(@"of the (?<mb>[\d.]+) MB synthetic folder: (?<s>[\d.]+) s \((?<rate>\d+) MB/s\), commit [0-9a-f]+\. Of the 8 MB real sample \(`traces/real/bitbrains-gwa-t-12-rnd`\): (?<real>[\d.–]+) s")]
    private static partial Regex SourceOneOffImports();

    [GeneratedRegex(@"the 8 MB Bitbrains sample took (?<real>[\d.–]+) s, start-up included")]
    private static partial Regex ImportersOneOff();

    /// <summary>
    /// bench/results/amd-epyc-zen4-2core/readme-figures.md, ImportBench: the 2026-12-04 rerun (README and readme-figures.md:
    /// each run's mean, the medians of four pairs, their ratio, MB/s) from the raw reports import-bench/ImportBench-{before,
    /// after}-{7..10}.md, the folder's 52.3 MB from each report's MB/s × Mean. The first run's 104.6 and 67.4 ms and the
    /// one-off CLI imports (0.31 s; 0.13–0.19 s) have no committed report or output (the file says so): checked for
    /// agreement, with their MB/s recomputed from the MB and the time (the one-off 170 MB/s at the two significant figures
    /// it is printed with).
    /// </summary>
    [Fact]
    public void ImportBench_FiguresAreItsRawReports()
    {
        const string source = Amd + "readme-figures.md";
        var figures = new FigureCheck($"figures that do not match {source} or the reports it names");
        var means = new Dictionary<(string Side, string Threads), List<(string Text, decimal Ms)>>();
        var folderMb = new List<decimal>();
        foreach (string side in (ReadOnlySpan<string>)["before", "after"])
        {
            for (int i = 7; i <= 10; i++)
            {
                string report = $"{Amd}import-bench/ImportBench-{side}-{i}.md";
                foreach (Dictionary<string, string> row in BenchRows(report, $"{source} names"))
                {
                    decimal ms = BenchTime(row["Mean"]) / 1_000_000m;
                    var key = (side, row["Threads"]);
                    if (!means.ContainsKey(key))
                        means[key] = [];
                    means[key].Add((row["Mean"].Split(' ')[0], ms));
                    folderMb.Add(decimal.Parse(row["MB/s"], Ic) * ms / 1000);
                }
            }
        }

        Assert.Equal(4, means.Count);
        decimal mb = Median(folderMb);
        decimal Med(string side, string threads) => Median(means[(side, threads)].Select(x => x.Ms));
        string Mbs(decimal ms) => D(mb / ms * 1000, 0);

        var src = new DocText(source);
        Match s = src.Find(SourceImportRerun(), "the ImportBench rerun's runs (\"one thread before …, after … (medians …\")");
        foreach ((string g, string side, string threads) in new[] { ("b1", "before", "1"), ("a1", "after", "1"), ("b2", "before", "2"), ("a2", "after", "2") })
            src.Check(figures, s, g, $"ImportBench rerun, {side}, {threads} thread(s), each pair's mean (ms)", string.Join(", ", means[(side, threads)].Select(x => x.Text)), $"{Amd}import-bench/ImportBench-{side}-{{7..10}}.md Mean");
        src.Check(figures, s, "mb1", "ImportBench rerun, one thread, median before (ms)", D(Med("before", "1"), 1), "the before reports");
        src.Check(figures, s, "ma1", "ImportBench rerun, one thread, median after (ms)", D(Med("after", "1"), 1), "the after reports");
        src.Check(figures, s, "r1", "ImportBench rerun, one thread, after ÷ before", D(Med("after", "1") / Med("before", "1"), 2), "the reports' medians");
        src.Check(figures, s, "mbs1", "ImportBench rerun, one thread, MB/s", Mbs(Med("after", "1")), "the folder's MB ÷ the after median");
        src.Check(figures, s, "mb2", "ImportBench rerun, two threads, median before (ms)", D(Med("before", "2"), 1), "the before reports");
        src.Check(figures, s, "ma2", "ImportBench rerun, two threads, median after (ms)", D(Med("after", "2"), 1), "the after reports");
        src.Check(figures, s, "mbs2", "ImportBench rerun, two threads, MB/s", Mbs(Med("after", "2")), "the folder's MB ÷ the after median");

        Match first = src.Find(SourceImportBench(), "the first ImportBench run (\"N ms per import = M MB/s on one thread …\")");
        src.Check(figures, first, "mb", "ImportBench folder (MB)", D(mb, 1), "the reports' MB/s × Mean");
        decimal ms1 = Dec(first.Groups["ms1"].Value), ms2 = Dec(first.Groups["ms2"].Value);
        src.Check(figures, first, "rate1", "ImportBench first run, one thread, MB/s", Mbs(ms1), "the folder's MB ÷ its time");
        src.Check(figures, first, "rate2", "ImportBench first run, two threads, MB/s", Mbs(ms2), "the folder's MB ÷ its time");

        var readme = new DocText("README.md");
        Match m = readme.Find(ReadmeImportBench(), "the ImportBench paragraph (\"`ImportBench` (Bitbrains importer, a seeded N MB folder …\")");
        readme.Check(figures, m, "mb", "ImportBench folder (MB)", D(mb, 1), "the reports' MB/s × Mean");
        readme.Check(figures, m, "files", "ImportBench folder's files", first.Groups["files"].Value, source);
        readme.Check(figures, m, "ms1", "ImportBench, one thread (ms)", first.Groups["ms1"].Value, $"{source} (no report committed)");
        readme.Check(figures, m, "ms2", "ImportBench, two threads (ms)", first.Groups["ms2"].Value, $"{source} (no report committed)");
        readme.Check(figures, m, "rate1", "ImportBench, one thread, MB/s", Mbs(ms1), "the folder's MB ÷ the time");
        readme.Check(figures, m, "rate2", "ImportBench, two threads, MB/s", Mbs(ms2), "the folder's MB ÷ the time");
        readme.Check(figures, m, "r1", "ImportBench rerun, one thread, after ÷ before", D(Med("after", "1") / Med("before", "1"), 2), "the reports' medians");
        readme.Check(figures, m, "a1", "ImportBench rerun, one thread, median after (ms)", D(Med("after", "1"), 1), "the after reports");
        readme.Check(figures, m, "mbs1", "ImportBench rerun, one thread, MB/s", Mbs(Med("after", "1")), "the folder's MB ÷ the after median");
        readme.Check(figures, m, "b1", "ImportBench rerun, one thread, median before (ms)", D(Med("before", "1"), 1), "the before reports");
        readme.Check(figures, m, "r2", "ImportBench rerun, two threads, after ÷ before", D(Med("after", "2") / Med("before", "2"), 2), "the reports' medians");
        readme.Check(figures, m, "a2", "ImportBench rerun, two threads, median after (ms)", D(Med("after", "2"), 1), "the after reports");
        readme.Check(figures, m, "b2", "ImportBench rerun, two threads, median before (ms)", D(Med("before", "2"), 1), "the before reports");
        readme.Check(figures, m, "pairs", "ImportBench rerun, pairs", Words[means[("after", "1")].Count], "the reports");

        Match oneOff = src.Find(SourceOneOffImports(), "the one-off CLI imports");
        decimal oneOffRate = mb / Dec(oneOff.Groups["s"].Value);
        static string TwoFigures(decimal v)
        {
            decimal scale = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)v)) - 1);
            return (Math.Round(v / scale) * scale).ToString("0.##", Ic);
        }
        src.Check(figures, oneOff, "mb", "one-off import, folder (MB)", D(mb, 1), "the reports' MB/s × Mean");
        src.Check(figures, oneOff, "rate", "one-off import, MB/s (two significant figures)", TwoFigures(oneOffRate), "the folder's MB ÷ the time");
        m = readme.Find(ReadmeImportLimitations(), "the importer's speed in the limitations (\"parses N MB of CSV per second on one core …\")");
        readme.Check(figures, m, "rate1", "limitations, ImportBench one thread, MB/s", Mbs(ms1), "the folder's MB ÷ the time");
        readme.Check(figures, m, "mb", "limitations, ImportBench folder (MB, whole)", D(mb, 0), "the reports' MB/s × Mean");
        readme.Check(figures, m, "rate2", "limitations, ImportBench two threads, MB/s", Mbs(ms2), "the folder's MB ÷ the time");
        readme.Check(figures, m, "oneMb", "limitations, one-off import (MB)", D(mb, 1), "the reports' MB/s × Mean");
        readme.Check(figures, m, "s", "limitations, one-off import (s)", oneOff.Groups["s"].Value, $"{source} (no output committed)");
        readme.Check(figures, m, "rate", "limitations, one-off import, MB/s (two significant figures)", TwoFigures(oneOffRate), "the folder's MB ÷ the time");
        readme.Check(figures, m, "real", "limitations, the 8 MB sample's import (s)", oneOff.Groups["real"].Value, $"{source} (no output committed)");
        var importers = new DocText("docs/importers.md");
        importers.Check(figures, importers.Find(ImportersOneOff(), "the 8 MB sample's import time"), "real", "the 8 MB sample's import (s)", oneOff.Groups["real"].Value, $"{source} (no output committed)");

        figures.AssertAllMatch(atLeast: 11 + 3 + 14 + 2 + 7 + 1);
    }

    [GeneratedRegex(@"`vmTicksPerSecond` (?<raw>[\d ]+) \((?<rate>[\d.]+) M VM-ticks/s, the first tick's (?<starts>[\d ]+) starts and the per-host series included\), `peakWorkingSetBytes` (?<wsraw>[\d ]+) \((?<ws>\d+) MB\)\. Four alternating runs of the code before the vector short plan and of the committed code on the same file: (?<before>[\d.]+–[\d.]+) and (?<after>[\d.]+–[\d.]+) M VM-ticks/s \(an earlier pair, in a slow spell: (?<slow>[\d.]+ and [\d.]+)\)\. The session before measured (?<prev>[\d.]+) M VM-ticks/s and (?<prevMb>\d+) MB")]
    private static partial Regex SourceCliEarlier();

    [GeneratedRegex(@"it replayed at \*\*(?<rate>[\d.]+) M VM-ticks/s\*\* on one thread \(`summary\.json`: `vmTicksPerSecond` (?<raw>[\d ]+); this includes the first tick's (?<starts>[\d ]+) starts and the per-host series\) with a peak working set of \*\*(?<ws>\d+) MB\*\* \(`peakWorkingSetBytes` (?<wsraw>[\d ]+)\)\. Four alternating runs of the code before the vector short plan and of this code on the same file gave (?<before>[\d.]+–[\d.]+) and (?<after>[\d.]+–[\d.]+) M VM-ticks/s \(one earlier pair, in a slow spell: (?<slow>[\d.]+ and [\d.]+)\); the previous session measured (?<prev>[\d.]+) M VM-ticks/s and (?<prevMb>\d+) MB")]
    private static partial Regex ReadmeCliEarlier();

    [GeneratedRegex(@"; (?<rate>[\d.]+) M earlier: `readme-figures\.md`\)")]
    private static partial Regex StatusCliEarlier();

    [GeneratedRegex(@"The tick (?<tick>[\d–]+) ns per VM; reading and decoding the native file (?<decode>[\d.–]+) ns \(tick encoding 2; (?<varint>[\d–]+) ns with the format 1\.0 varints\); fleet metrics about (?<metrics>[\d.]+) ns; applying the tick about (?<apply>[\d.]+) ns; moving values to slots about (?<slots>[\d.]+) ns; the first tick of the generated trace, which starts (?<starts>[\d ]+) VMs on full hosts, about (?<first>[\d.]+) s")]
    private static partial Regex SourceTimeGoes();

    [GeneratedRegex(@"the tick (?<tick>[\d–]+) ns, reading and decoding (?<decode>[\d.–]+) ns \(tick encoding 2, docs/trace-format\.md; (?<varint>[\d–]+) ns with the 1\.0 varints\), fleet metrics about (?<metrics>[\d.]+) ns, applying the tick about (?<apply>[\d.]+) ns, moving values to slots about (?<slots>[\d.]+) ns")]
    private static partial Regex ReadmeTimeGoes();

    [GeneratedRegex(@"about (?<first>[\d.]+) s for (?<starts>[\d ]+) starts on the AMD EPYC machine, 2026-11-27; `bench/results/amd-epyc-zen4-2core/readme-figures\.md`")]
    private static partial Regex ReadmeFirstTick();

    [GeneratedRegex(@"reading and decoding took (?<varint>[\d–]+) ns per VM-tick with encoding 1 and (?<decode>[\d.–]+) ns with encoding 2")]
    private static partial Regex TraceFormatDecode1();

    [GeneratedRegex(@"reading and decoding take (?<decode>[\d.–]+) ns per VM-tick with encoding 2 \((?<varint>[\d–]+) ns with encoding 1\) against the tick's own (?<tick>[\d–]+) ns")]
    private static partial Regex TraceFormatDecode2();

    [GeneratedRegex(@"Reading and decoding cost (?<decode>[\d.–]+) ns per VM-tick \(a Stopwatch harness")]
    private static partial Regex ClusterDecode();

    [GeneratedRegex(@"the three runs before it, with the scalar short plan, (?<r1>[\d.]+), (?<r2>[\d.]+) and (?<r3>[\d.]+) ns at 1 000 000 VMs and (?<lo>[\d.]+)–(?<hi>[\d.]+) ns at 100 000")]
    private static partial Regex ReadmeEarlierReplayBench();

    /// <summary>
    /// readme-figures.md's figures with no committed raw output behind them (its own words: "the summary.json files were
    /// not committed", "the harness output was not committed"): the CLI replay of 2026-11-27 and where the replay's time
    /// goes. README, docs/trace-format.md and docs/cluster.md are checked against the file's statement, and the rounded
    /// figures against the exact ones it gives (68 552 535 VM-ticks/s as 68.6 M, 350 228 480 bytes as 350 MB). And the
    /// earlier ReplayBench runs: README's three figures from readme-figures.md's table, whose 20:27 row is checked against
    /// the raw table in earlier-run-2026-11-27.md (the other two rows' reports are only in git history).
    /// </summary>
    [Fact]
    public void ReadmeFigures_HandRecordedFiguresAgree()
    {
        const string source = Amd + "readme-figures.md";
        var figures = new FigureCheck($"figures that do not match {source}");
        var src = new DocText(source);
        var readme = new DocText("README.md");

        Match s = src.Find(SourceCliEarlier(), "the CLI replay of 2026-11-27 (\"`vmTicksPerSecond` N (M M VM-ticks/s …\")");
        string rate = D(Dec(s.Groups["raw"].Value) / 1_000_000m, 1), ws = D(Dec(s.Groups["wsraw"].Value) / 1_000_000m, 0);
        src.Check(figures, s, "rate", "CLI replay 2026-11-27, M VM-ticks/s", rate, "its vmTicksPerSecond");
        src.Check(figures, s, "ws", "CLI replay 2026-11-27, peak working set (MB)", ws, "its peakWorkingSetBytes");
        Match m = readme.Find(ReadmeCliEarlier(), "the CLI replay of 2026-11-27 (\"it replayed at **N M VM-ticks/s** on one thread …\")");
        readme.Check(figures, m, "rate", "CLI replay 2026-11-27, M VM-ticks/s", rate, $"{source} vmTicksPerSecond");
        readme.Check(figures, m, "ws", "CLI replay 2026-11-27, peak working set (MB)", ws, $"{source} peakWorkingSetBytes");
        foreach (string g in (ReadOnlySpan<string>)["raw", "starts", "wsraw", "before", "after", "slow", "prev", "prevMb"])
            readme.Check(figures, m, g, $"CLI replay 2026-11-27, '{g}'", s.Groups[g].Value, $"{source} (recorded by hand, no summary.json committed)");
        readme.Check(figures, readme.Find(StatusCliEarlier(), "the status table's earlier CLI rate (\"; N M earlier: `readme-figures.md`)\")"), "rate", "status table, CLI replay 2026-11-27, M VM-ticks/s", rate, $"{source} vmTicksPerSecond");

        Match t = src.Find(SourceTimeGoes(), "where the replay's time goes (\"The tick N ns per VM; reading and decoding …\")");
        m = readme.Find(ReadmeTimeGoes(), "where the replay's time goes (\"the tick N ns, reading and decoding …\")");
        foreach (string g in (ReadOnlySpan<string>)["tick", "decode", "varint", "metrics", "apply", "slots"])
            readme.Check(figures, m, g, $"where the time goes, '{g}'", t.Groups[g].Value, $"{source} (no harness output committed)");
        m = readme.Find(ReadmeFirstTick(), "the first tick's starts in the limitations (\"about N s for M starts …\")");
        readme.Check(figures, m, "first", "the first tick's time (s)", t.Groups["first"].Value, $"{source} (no harness output committed)");
        readme.Check(figures, m, "starts", "the first tick's starts", t.Groups["starts"].Value, $"{source} (no harness output committed)");
        figures.Check($"the first tick's starts, where the time goes and the CLI replay ({source})", t.Groups["starts"].Value, s.Groups["starts"].Value, source);
        var trace = new DocText("docs/trace-format.md");
        m = trace.Find(TraceFormatDecode1(), "the decoding cost by encoding (\"reading and decoding took N ns per VM-tick with encoding 1 …\")");
        trace.Check(figures, m, "varint", "decoding, encoding 1", t.Groups["varint"].Value, source);
        trace.Check(figures, m, "decode", "decoding, encoding 2", t.Groups["decode"].Value, source);
        m = trace.Find(TraceFormatDecode2(), "the decoding cost against the tick (\"reading and decoding take N ns per VM-tick with encoding 2 …\")");
        trace.Check(figures, m, "decode", "decoding, encoding 2", t.Groups["decode"].Value, source);
        trace.Check(figures, m, "varint", "decoding, encoding 1", t.Groups["varint"].Value, source);
        trace.Check(figures, m, "tick", "the tick", t.Groups["tick"].Value, source);
        var cluster = new DocText("docs/cluster.md");
        cluster.Check(figures, cluster.Find(ClusterDecode(), "the decoding cost (\"Reading and decoding cost N ns per VM-tick\")"), "decode", "decoding, encoding 2", t.Groups["decode"].Value, source);

        // ReplayBench's earlier runs.
        List<string[]> rows = TableRows(Text(source).Split('\n'), "| run | 100 000 VMs ns/VM-tick", $"{source} has no table of the earlier ReplayBench runs");
        Assert.Equal(3, rows.Count);
        string[] raw = rows.Single(r => r[3].Contains("earlier-run-2026-11-27.md", StringComparison.Ordinal));
        Dictionary<string, string>[] replay = [.. MarkdownBenchTables(Text(Amd + "earlier-run-2026-11-27.md")).Where(r => r["Method"] == "Replay")];
        figures.Check($"{source} earlier ReplayBench, 20:27, 100 000 VMs", raw[1], replay.Single(r => r["Vms"] == "100000")["ns/VM"], $"{Amd}earlier-run-2026-11-27.md Replay table");
        figures.Check($"{source} earlier ReplayBench, 20:27, 1 000 000 VMs", raw[2], replay.Single(r => r["Vms"] == "1000000")["ns/VM"], $"{Amd}earlier-run-2026-11-27.md Replay table");
        decimal[] at1m = [.. rows.Select(r => Dec(r[2])).Order()], at100k = [.. rows.Select(r => Dec(r[1]))];
        m = readme.Find(ReadmeEarlierReplayBench(), "the earlier ReplayBench runs (\"the three runs before it, with the scalar short plan, …\")");
        for (int i = 0; i < 3; i++)
            readme.Check(figures, m, $"r{i + 1}", $"earlier ReplayBench run {i + 1} (ascending), 1 000 000 VMs", D(at1m[i], 1), $"{source} ReplayBench table");
        readme.Check(figures, m, "lo", "earlier ReplayBench runs, 100 000 VMs, lowest", D(at100k.Min(), 1), $"{source} ReplayBench table");
        readme.Check(figures, m, "hi", "earlier ReplayBench runs, 100 000 VMs, highest", D(at100k.Max(), 1), $"{source} ReplayBench table");

        figures.AssertAllMatch(atLeast: 4 + 8 + 1 + 6 + 3 + 5 + 1 + 2 + 5);
    }

    /// <summary>The rows of every BenchmarkDotNet-style table (header "| Method |") in <paramref name="text"/>, by column; blank separator rows skipped.</summary>
    private static List<Dictionary<string, string>> MarkdownBenchTables(string text)
    {
        static string[] Cells(string line) => [.. line.Trim().Trim('|').Split('|').Select(c => c.Replace("**", "", StringComparison.Ordinal).Trim())];
        var rows = new List<Dictionary<string, string>>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("| Method |", StringComparison.Ordinal))
                continue;
            string[] header = Cells(lines[i]);
            for (i += 2; i < lines.Length && lines[i].StartsWith('|'); i++)
            {
                string[] cells = Cells(lines[i]);
                if (cells[0].Length > 0)
                    rows.Add(header.Zip(cells).ToDictionary(x => x.First, x => x.Second, StringComparer.Ordinal));
            }
        }

        return rows;
    }

    // =====================================================================================================================
    // other-runs-2026-11-27.md / earlier-run-2026-11-27.md (AMD EPYC): the day's full runs
    // =====================================================================================================================

    [GeneratedRegex(@"Run to run: the (?<n>\w+) full runs since the vector short plan \(`other-runs-2026-11-27\.md`\) gave 50 000-VM Simd / Floor (?<sf50>[\d.]+–[\d.]+), 1 000 000-VM Simd / Floor (?<sf1m>[\d.]+–[\d.]+), and 25 % short against none (?<s10>[\d.]+–[\d.]+) \(10 000\), (?<s50>[\d.]+–[\d.]+) \(50 000\), (?<s1m>[\d.]+–[\d.]+) \(1 000 000\); the (?<nOld>\w+) runs before it, with the scalar short plan, gave (?<old>[\d.]+–[\d.]+) at 10 000 and 50 000 but (?<old1m>[\d.]+–[\d.]+) at 1 000 000\. .*?for example 50 000-VM Simd without short hosts: (?<slow>[\d.]+) μs at 22:36 against (?<others>\d+–\d+) μs in the other four\)\. In this run the 10 000-VM Simd processes were both slow \((?<this10k>[\d.]+) ns/VM without short hosts against (?<o10lo>[\d.]+)–(?<o10hi>[\d.]+) in the other runs\)")]
    private static partial Regex ReadmeRunToRun();

    [GeneratedRegex(@"1 000 000 VMs [\d.]+ → [\d.]+ ns/VM \(\*\*[\d.]+ ×\*\*; (?<range>[\d.]+–[\d.]+) × in the other runs since the vector short plan: (?<nBelow>\w+) of the (?<n>\w+) runs, (?<below>[\d.]+ and [\d.]+), fell just short of 1\.6\)")]
    private static partial Regex ReadmeParallelRunToRun();

    [GeneratedRegex(@"50k Simd without short hosts at 22:36 \((?<slow>[\d.]+) μs, against (?<others>\d+–\d+) μs in the other runs\).*?10k Simd both without short hosts \((?<this10k>[\d.]+) μs, against (?<lo>[\d.]+)–(?<hi>[\d.]+) μs in the other runs\)")]
    private static partial Regex SourceSlowModes();

    /// <summary>
    /// bench/results/amd-epyc-zen4-2core/other-runs-2026-11-27.md: its table of the day's runs, row by row, for the runs
    /// whose tables are committed (20:27 in earlier-run-2026-11-27.md, 22:36 and 23:17 in this file, 22:49 the top-level
    /// reports), each ratio from the runs' Means (Simd / Floor and Scalar / Simd at 0 % short, 25 % short over none per
    /// size, one thread over two at 1M VMs); the 21:18, 22:03 and 22:21 rows have no committed report (their ratios are
    /// as the file records them). README's run-to-run ranges are then the table's columns over the runs since the vector
    /// short plan and before it; its slow-mode figures are the raw Means where a table holds them, and otherwise the
    /// file's prose, which README must agree with (and the committed runs must lie within the quoted ranges).
    /// </summary>
    [Fact]
    public void OtherRuns_TableIsTheRawRunsAndReadmeItsRanges()
    {
        const string source = Amd + "other-runs-2026-11-27.md";
        var figures = new FigureCheck($"figures that do not match {source} or the runs it names");
        string text = Text(source);
        int i2236 = text.IndexOf("The 22:36 run", StringComparison.Ordinal), i2317 = text.IndexOf("The 23:17 run", StringComparison.Ordinal);
        Assert.True(i2236 > 0 && i2317 > i2236, $"{source}: the raw tables of the 22:36 and 23:17 runs are not where this test looks ('The 22:36 run', 'The 23:17 run')");
        var raw = new Dictionary<string, (List<Dictionary<string, string>> Rows, string Where)>
        {
            ["20:27"] = (MarkdownBenchTables(Text(Amd + "earlier-run-2026-11-27.md")), Amd + "earlier-run-2026-11-27.md"),
            ["22:36"] = (MarkdownBenchTables(text[i2236..i2317]), $"{source}, the 22:36 tables"),
            ["23:17"] = (MarkdownBenchTables(text[i2317..]), $"{source}, the 23:17 tables"),
            ["22:49"] = ([.. BenchRows(Amd + "DmKernel.Benchmarks.TickBench-report-github.md", "other-runs-2026-11-27.md names"), .. BenchRows(Amd + "DmKernel.Benchmarks.ParallelTickBench-report-github.md", "other-runs-2026-11-27.md names")], $"{Amd}DmKernel.Benchmarks.*-report-github.md"),
        };

        static decimal Ns(List<Dictionary<string, string>> rows, string method, string key, string keyValue, int vms) =>
            BenchTime(rows.Single(r => r["Method"] == method && r[key] == keyValue && r["Vms"] == vms.ToString(Ic))["Mean"]) / vms;

        List<string[]> table = TableRows(text.Split('\n'), "| run (UTC) | code |", $"{source} has no table of the day's runs");
        string[] Cells(string[] row) => [.. row.Select(c => c.Replace("**", "", StringComparison.Ordinal))];
        int checkedRows = 0;
        foreach (string[] row0 in table)
        {
            string[] row = Cells(row0);
            if (!raw.TryGetValue(row[0], out var run))
                continue;
            checkedRows++;
            List<Dictionary<string, string>> r = run.Rows;
            decimal Simd(string share, int vms) => Ns(r, "Simd", "ShortSharePercent", share, vms);
            decimal Floor(int vms) => Ns(r, "Floor", "ShortSharePercent", "0", vms);
            string at = $"{source} runs table, {row[0]}";
            figures.Check($"{at}, 50k Simd / Floor", row[2], D(Simd("0", 50_000) / Floor(50_000), 2), run.Where);
            figures.Check($"{at}, 50k Scalar / Simd", row[3], D(Ns(r, "Scalar", "ShortSharePercent", "0", 50_000) / Simd("0", 50_000), 1), run.Where);
            figures.Check($"{at}, 1M Simd / Floor", row[4], D(Simd("0", 1_000_000) / Floor(1_000_000), 2), run.Where);
            figures.Check($"{at}, 25 % short / none", row[5], string.Join(" · ", new[] { 10_000, 50_000, 1_000_000 }.Select(v => D(Simd("25", v) / Simd("0", v), 2))), run.Where);
            figures.Check($"{at}, 2 threads / 1 at 1M", row[6], D(Ns(r, "Tick", "Threads", "1", 1_000_000) / Ns(r, "Tick", "Threads", "2", 1_000_000), 2), run.Where);
        }

        Assert.Equal(4, checkedRows);

        // README's ranges over the table's columns.
        string[][] rows = [.. table.Select(Cells)];
        string[][] vector = [.. rows.Where(r => !r[1].Contains("scalar short plan", StringComparison.Ordinal))], scalar = [.. rows.Where(r => r[1].Contains("scalar short plan", StringComparison.Ordinal))];
        static string RangeOf(IEnumerable<string> cells)
        {
            string[] c = [.. cells];
            return $"{c.MinBy(Dec)}–{c.MaxBy(Dec)}";
        }

        string Short(string[] r, int k) => r[5].Split(" · ")[k];
        var readme = new DocText("README.md");
        Match m = readme.Find(ReadmeRunToRun(), "the run-to-run ratios (\"Run to run: the five full runs since the vector short plan …\")");
        readme.Check(figures, m, "n", "runs since the vector short plan", Words[vector.Length], $"{source} runs table");
        readme.Check(figures, m, "sf50", "50 000-VM Simd / Floor, runs since the vector short plan", RangeOf(vector.Select(r => r[2])), $"{source} runs table");
        readme.Check(figures, m, "sf1m", "1 000 000-VM Simd / Floor, runs since the vector short plan", RangeOf(vector.Select(r => r[4])), $"{source} runs table");
        readme.Check(figures, m, "s10", "25 % short / none at 10 000, runs since the vector short plan", RangeOf(vector.Select(r => Short(r, 0))), $"{source} runs table");
        readme.Check(figures, m, "s50", "25 % short / none at 50 000, runs since the vector short plan", RangeOf(vector.Select(r => Short(r, 1))), $"{source} runs table");
        readme.Check(figures, m, "s1m", "25 % short / none at 1 000 000, runs since the vector short plan", RangeOf(vector.Select(r => Short(r, 2))), $"{source} runs table");
        readme.Check(figures, m, "nOld", "runs with the scalar short plan", Words[scalar.Length], $"{source} runs table");
        readme.Check(figures, m, "old", "25 % short / none at 10 000 and 50 000, scalar short plan", RangeOf(scalar.SelectMany(r => new[] { Short(r, 0), Short(r, 1) })), $"{source} runs table");
        readme.Check(figures, m, "old1m", "25 % short / none at 1 000 000, scalar short plan", RangeOf(scalar.Select(r => Short(r, 2))), $"{source} runs table");

        // The slow modes: the raw Means where a table holds them, the file's prose for the runs without one.
        Match prose = new DocText(source).Find(SourceSlowModes(), "the slow modes (\"50k Simd without short hosts at 22:36 (N μs, against …\")");
        decimal MeanUs(string runAt, string share, int vms) => BenchTime(raw[runAt].Rows.Single(r => r["Method"] == "Simd" && r["ShortSharePercent"] == share && r["Vms"] == vms.ToString(Ic))["Mean"]) / 1000;
        readme.Check(figures, m, "slow", "50 000-VM Simd at 22:36 (μs)", D(MeanUs("22:36", "0", 50_000), 1), raw["22:36"].Where);
        readme.Check(figures, m, "others", "50 000-VM Simd in the other runs (μs)", prose.Groups["others"].Value, $"{source} (its prose: two of the four runs have no committed table)");
        string[] others = prose.Groups["others"].Value.Split('–');
        foreach (string runAt in (ReadOnlySpan<string>)["22:49", "23:17"])
        {
            string us = D(MeanUs(runAt, "0", 50_000), 0);
            figures.Check($"{source}: 50k Simd at {runAt} within the prose's {prose.Groups["others"].Value} μs", (Dec(us) >= Dec(others[0]) && Dec(us) <= Dec(others[1])).ToString(), bool.TrueString, raw[runAt].Where);
        }

        readme.Check(figures, m, "this10k", "10 000-VM Simd at 22:49 (ns/VM)", D(MeanUs("22:49", "0", 10_000) * 1000 / 10_000, 2), raw["22:49"].Where);
        readme.Check(figures, m, "o10lo", "10 000-VM Simd in the other runs, lowest (ns/VM)", D(Dec(prose.Groups["lo"].Value) * 1000 / 10_000, 2), $"{source} (its prose, μs ÷ 10 000 VMs)");
        readme.Check(figures, m, "o10hi", "10 000-VM Simd in the other runs, highest (ns/VM)", D(Dec(prose.Groups["hi"].Value) * 1000 / 10_000, 2), $"{source} (its prose, μs ÷ 10 000 VMs)");
        foreach (string runAt in (ReadOnlySpan<string>)["20:27", "22:36", "23:17"])
        {
            decimal us = Math.Round(MeanUs(runAt, "0", 10_000), 1);
            figures.Check($"{source}: 10k Simd at {runAt} within the prose's {prose.Groups["lo"].Value}–{prose.Groups["hi"].Value} μs", (us >= Dec(prose.Groups["lo"].Value) && us <= Dec(prose.Groups["hi"].Value)).ToString(), bool.TrueString, raw[runAt].Where);
        }

        m = readme.Find(ReadmeParallelRunToRun(), "ParallelTickBench's run-to-run ratios (\"N × in the other runs since the vector short plan …\")");
        string[] threads = [.. vector.Select(r => r[6])];
        string[] below = [.. threads.Where(t => Dec(t) < 1.6m)];
        readme.Check(figures, m, "range", "two threads / one at 1M, runs since the vector short plan", RangeOf(threads), $"{source} runs table");
        readme.Check(figures, m, "n", "runs since the vector short plan", Words[threads.Length], $"{source} runs table");
        readme.Check(figures, m, "nBelow", "runs under 1.6 ×", Words[below.Length], $"{source} runs table");
        readme.Check(figures, m, "below", "the runs under 1.6 ×", List(below), $"{source} runs table");

        figures.AssertAllMatch(atLeast: (4 * 5) + 9 + 2 + 2 + 3 + 3 + 4);
    }
}
