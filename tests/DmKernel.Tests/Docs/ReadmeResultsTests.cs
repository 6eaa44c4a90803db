using System.Text.Json;
using System.Text.RegularExpressions;
using DmKernel.Traces.Capacity;
using static DmKernel.Tests.Docs.DocFigures;

namespace DmKernel.Tests.Docs;

/// <summary>
/// Docs that cannot drift: every figure README.md quotes from a committed result (the <c>compare</c> outputs under
/// docs/results/, the benchmark reports under bench/results/) is recomputed here from that file, formatted at the
/// precision README prints it, and compared. A README figure that no longer matches its source fails, naming the figure
/// and the file. The tables are found by their header and each row by its link or label; the sentences by the words
/// around their figures, so a reworded sentence fails too (update its pattern here, with the figures still taken from the
/// file).
/// </summary>
public partial class ReadmeResultsTests
{
    private static string ReadmeText() => Text("README.md");

    private static JsonElement Json(string relative) => DocFigures.Json(relative, "README quotes");

    // ---- formatting, as CompareReport formats (src/DmKernel.Cli/Report/CompareReport.cs; its helpers are private) ----

    /// <summary>CompareReport.Gb without its unit: MB as GB with two decimals.</summary>
    private static string Gb(double mb) => (mb / 1024).ToString("F2", Ic);

    /// <summary>CompareReport.Range: "median (min–max)", or one figure when the draws agree.</summary>
    private static string Range(JsonElement vmsPerHost, string source)
    {
        Assert.False(vmsPerHost.TryGetProperty("atSearchLimit", out JsonElement limit) && limit.GetBoolean(),
            $"{source}: a density at the search's limit prints as a bound (≥), which this test does not format");
        int median = vmsPerHost.GetProperty("median").GetInt32(), min = vmsPerHost.GetProperty("min").GetInt32(), max = vmsPerHost.GetProperty("max").GetInt32();
        return min == max ? median.ToString(Ic) : string.Create(Ic, $"{median} ({min}–{max})");
    }

    private static JsonElement Strategy(JsonElement comparison, string key)
        => comparison.GetProperty("strategies").EnumerateArray().Single(s => s.GetProperty("key").GetString() == key);

    private static double Num(JsonElement e, string path)
    {
        foreach (string name in path.Split('.'))
            e = e.GetProperty(name);
        return e.GetDouble();
    }

    /// <summary>The cells of each row of the README table whose header row starts with <paramref name="header"/>.</summary>
    private static List<string[]> Table(string header) => TableRows(ReadmeText().Split('\n'), header, $"README has no table with the header '{header}'");

    private static Match Sentence(Regex pattern, string what)
    {
        Match m = pattern.Match(Flat("README.md"));
        Assert.True(m.Success, $"README no longer has {what} in the words this test looks for ({pattern}): update the pattern, keeping the figures checked against their source");
        return m;
    }

    // ---- docs/results/compare: the Bitbrains month table ----

    [GeneratedRegex(@"^\[[^\]]+\]\((?<path>docs/results/compare/(?<name>[\w.-]+)\.report\.md)\)$")]
    private static partial Regex ReportLink();

    [Fact]
    public void BitbrainsMonthTable_MatchesEachRowsComparisonJson()
    {
        var figures = new FigureCheck("README figures that do not match their committed source", "README ");
        List<string[]> rows = Table("| import | answer | Dynamic Memory, VMs per host");
        Assert.True(rows.Count >= 2, "the Bitbrains month table has fewer than 2 rows");
        foreach (string[] row in rows)
        {
            Assert.Equal(9, row.Length);
            Match link = ReportLink().Match(row[8]);
            Assert.True(link.Success, $"row '{row[0]}' of the Bitbrains month table does not link a docs/results/compare/*.report.md: {row[8]}");
            string source = $"docs/results/compare/{link.Groups["name"].Value}.comparison.json";
            JsonElement c = Json(source);
            string at = $"Bitbrains month table, row '{row[0]}'";

            JsonElement verdict = c.GetProperty("verdict");
            bool yes = verdict.GetProperty("dynamicMemoryPaysOff").GetBoolean();
            string answer = !verdict.GetProperty("decided").GetBoolean() ? "undecided" : yes ? "yes" : "no";
            figures.Check($"{at}, answer", row[1], $"**{answer}**", $"{source} verdict");

            figures.Check($"{at}, Dynamic Memory VMs per host", row[2], Range(Strategy(c, "dm").GetProperty("vmsPerHost"), source), $"{source} strategies[dm].vmsPerHost");
            figures.Check($"{at}, static provisioned", row[3], Range(Strategy(c, "static-provisioned").GetProperty("vmsPerHost"), source), $"{source} strategies[static-provisioned].vmsPerHost");

            JsonElement ratio = verdict.GetProperty("ratioToStaticProvisioned");
            figures.Check($"{at}, ratio", row[4], $"{F2(Num(ratio, "median"))} × ({F2(Num(ratio, "min"))}–{F2(Num(ratio, "max"))})", $"{source} verdict.ratioToStaticProvisioned");

            // CompareReport.SensitivitySentence: the lowest min and highest max over the grid's cells.
            JsonElement[] cells = [.. c.GetProperty("sensitivity").EnumerateArray()];
            Assert.True(cells.Length > 0, $"{source} has no sensitivity grid, which the table quotes");
            int cellsYes = cells.Count(x => x.GetProperty("dynamicMemoryPaysOff").GetBoolean());
            bool holds = cells.All(x => x.GetProperty("dynamicMemoryPaysOff").GetBoolean() == yes);
            string lo = F2(cells.Min(x => Num(x, "ratioToStaticProvisioned.min"))), hi = F2(cells.Max(x => Num(x, "ratioToStaticProvisioned.max")));
            string grid = holds
                ? $"holds: {(yes ? "yes" : "no")} in {cells.Length} of {cells.Length}, {lo}–{hi}"
                : $"depends: yes in {cellsYes} of {cells.Length}, {lo}–{hi}";
            figures.Check($"{at}, sensitivity grid", row[5], grid, $"{source} sensitivity[]");

            // The Minimum cells (stop 55): "9.04 × / 1.89 × (yes, yes)", the factors 0.5 and 2 in that order.
            JsonElement[] minimum = [.. c.GetProperty("minimumSensitivity").EnumerateArray()];
            Assert.Equal([0.5, 2.0], minimum.Select(x => x.GetProperty("factor").GetDouble()));
            string minimumText = string.Join(" / ", minimum.Select(x => $"{F2(Num(x, "ratioToStaticProvisioned.median"))} ×"))
                + $" ({string.Join(", ", minimum.Select(x => x.GetProperty("dynamicMemoryPaysOff").GetBoolean() ? "yes" : "no"))})";
            figures.Check($"{at}, Minimum × 0.5 / × 2", row[6], minimumText, $"{source} minimumSensitivity[]");

            JsonElement dm = Strategy(c, "dm").GetProperty("hostsNeeded"), st = Strategy(c, "static-provisioned").GetProperty("hostsNeeded");
            string hosts = string.Create(Ic, $"{dm.GetProperty("hosts").GetInt32()} / {st.GetProperty("hosts").GetInt32()} ({Gb(Num(dm, "atHosts.meanHeldPerVmMb"))} / {Gb(Num(st, "atHosts.meanHeldPerVmMb"))} GB)");
            figures.Check($"{at}, hosts needed (memory held per VM)", row[7], hosts, $"{source} strategies[dm|static-provisioned].hostsNeeded.hosts, .atHosts.meanHeldPerVmMb");
        }

        figures.AssertAllMatch(atLeast: 12);
    }

    [GeneratedRegex(@"they page (?<f1>[\d.]+ %) and (?<f4>[\d.]+ %) of the servable VM-time; (?<f1b0>[\d.]+ %) and (?<f4b0>[\d.]+ %) with a base of 0\)")]
    private static partial Regex FixedSizesPaging();

    [GeneratedRegex(@"Dynamic Memory fits (?<dm>\d+) VMs per host against (?<st>\d+) \((?<ratio>[\d.]+) ×; \[bitbrains-2013-8-256gb\]\(docs/results/compare/bitbrains-2013-8-256gb\.report\.md\)\)")]
    private static partial Regex Month256Gb();

    [GeneratedRegex(@"The ""(?<seconds>[\d.]+ s)"" in the committed report's ""(?<probes>\d+ probes, \d+ M VM-ticks)"" line")]
    private static partial Regex MonthRunLine();

    [GeneratedRegex(@"(?<seconds>[\d.]+ s) at `[0-9a-f]{7}`: `docs/results/compare/bitbrains-2013-8\.report\.md`")]
    private static partial Regex MonthRunLineInLimitations();

    [GeneratedRegex(@"^- (?<probes>\d+ probes, \d+ M VM-ticks), (?<seconds>[\d.]+ s)\.$", RegexOptions.Multiline)]
    private static partial Regex ReportRunLine();

    [Fact]
    public void BitbrainsMonthSentences_MatchTheirComparisonJsonAndReport()
    {
        var figures = new FigureCheck("README figures that do not match their committed source", "README ");
        const string month = "docs/results/compare/bitbrains-2013-8.comparison.json", month0 = "docs/results/compare/bitbrains-2013-8-os-base-0.comparison.json";

        // ShareText.Percent(p, 1), as CompareReport.Habits prints "pages 16.7 % of servable VM-time".
        Match paging = Sentence(FixedSizesPaging(), "the fixed sizes' paging on the month (\"they page … with a base of 0\")");
        foreach ((string group, string file, string key) in new[] { ("f1", month, "fixed-1024"), ("f4", month, "fixed-4096"), ("f1b0", month0, "fixed-1024"), ("f4b0", month0, "fixed-4096") })
        {
            string expected = ShareText.Percent(Num(Strategy(Json(file), key), "vmsPerHost.pagingShareAtAnyDensity"), 1);
            figures.Check($"month, {key} paging at any density", paging.Groups[group].Value, expected, $"{file} strategies[{key}].vmsPerHost.pagingShareAtAnyDensity");
        }

        const string gb256 = "docs/results/compare/bitbrains-2013-8-256gb.comparison.json";
        JsonElement c256 = Json(gb256);
        Match m256 = Sentence(Month256Gb(), "the month on 256 GB hosts (\"Dynamic Memory fits N VMs per host against M\")");
        figures.Check("month on 256 GB hosts, Dynamic Memory VMs per host", m256.Groups["dm"].Value, Num(Strategy(c256, "dm"), "vmsPerHost.median").ToString(Ic), $"{gb256} strategies[dm].vmsPerHost.median");
        figures.Check("month on 256 GB hosts, static VMs per host", m256.Groups["st"].Value, Num(Strategy(c256, "static-provisioned"), "vmsPerHost.median").ToString(Ic), $"{gb256} strategies[static-provisioned].vmsPerHost.median");
        figures.Check("month on 256 GB hosts, ratio (one decimal)", m256.Groups["ratio"].Value, Num(c256, "verdict.ratioToStaticProvisioned.median").ToString("F1", Ic), $"{gb256} verdict.ratioToStaticProvisioned.median");

        // The report's "N probes, M M VM-ticks, S s." line, which README quotes twice.
        const string report = "docs/results/compare/bitbrains-2013-8.report.md";
        Match run = ReportRunLine().Match(Text(report));
        Assert.True(run.Success, $"{report} has no '- N probes, M M VM-ticks, S s.' line");
        Match quoted = Sentence(MonthRunLine(), "the month report's run line (The \"S s\" in the committed report's \"N probes, …\" line)");
        figures.Check("month report's run line", quoted.Groups["probes"].Value, run.Groups["probes"].Value, report);
        figures.Check("month report's run time", quoted.Groups["seconds"].Value, run.Groups["seconds"].Value, report);
        figures.Check("month report's run time (limitations)", Sentence(MonthRunLineInLimitations(), "the month report's run time in the limitations").Groups["seconds"].Value, run.Groups["seconds"].Value, report);

        figures.AssertAllMatch(atLeast: 10);
    }

    // ---- docs/results/compare: the quoted answers ----

    [GeneratedRegex(@"docs/results/compare/[\w.-]+\.report\.md")]
    private static partial Regex AnyReport();

    /// <summary>
    /// Every block quote of README that opens with a capacity answer ("> **Answer: …") is, paragraph by paragraph, a
    /// paragraph of the committed report.md that README links nearest to it (before or after).
    /// </summary>
    [Fact]
    public void QuotedAnswers_AreTheirReportsParagraphsVerbatim()
    {
        string[] lines = ReadmeText().Split('\n');
        var blocks = new List<(int Line, int End, List<string> Paragraphs)>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("> **Answer:", StringComparison.Ordinal))
                continue;
            var paragraphs = new List<string>();
            var current = new List<string>();
            int start = i;
            for (; i < lines.Length && lines[i].StartsWith('>'); i++)
            {
                string text = lines[i].Length > 1 ? lines[i][2..] : "";
                if (text.Length == 0)
                {
                    paragraphs.Add(string.Join(' ', current));
                    current.Clear();
                }
                else
                {
                    current.Add(text.Trim());
                }
            }

            paragraphs.Add(string.Join(' ', current));
            blocks.Add((start, i - 1, paragraphs));
        }

        Assert.True(blocks.Count >= 2, $"README has {blocks.Count} quoted capacity answers, expected the sample's and the VDI fleet's");
        var links = new List<(int Line, string Path)>();
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (Match m in AnyReport().Matches(lines[i]))
                links.Add((i, m.Value));
        }

        var missing = new List<string>();
        int quoted = 0;
        foreach ((int line, int end, List<string> paragraphs) in blocks)
        {
            string report = links.MinBy(l => l.Line < line ? line - l.Line : Math.Max(0, l.Line - end)).Path;
            string[] reportParagraphs = [.. Text(report).Split('\n').Select(l => l.Trim())];
            foreach (string p in paragraphs)
            {
                quoted++;
                if (reportParagraphs.Contains(p, StringComparer.Ordinal))
                    continue;

                // Name the figure: where the quote leaves the report's paragraph it shares the longest start with.
                string nearest = reportParagraphs.MaxBy(r => CommonPrefix(r, p))!;
                int at = CommonPrefix(nearest, p), from = Math.Max(0, at - 30);
                missing.Add($"README line {line + 1}, quoted from {report}: README has \"…{p[from..Math.Min(p.Length, at + 30)]}…\" where the report has \"…{nearest[from..Math.Min(nearest.Length, at + 30)]}…\"");
            }
        }

        Assert.True(missing.Count == 0, "README quotes paragraphs that are not in the report it quotes (verbatim, line breaks as spaces):\n" + string.Join('\n', missing));
        Assert.True(quoted >= 4, $"only {quoted} quoted paragraphs found");
    }

    private static int CommonPrefix(string a, string b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n])
            n++;
        return n;
    }

    // ---- docs/results/policies: the policy-lab table and its sentences ----

    [GeneratedRegex(@"^(?<name>.+?) \((?<vms>\d+) VMs, (?<days>\d+) days?(, (?<tb>\d+) TB hosts)?\)$")]
    private static partial Regex TraceLabel();

    [Fact]
    public void PolicyTable_MatchesEachTracesPoliciesJson()
    {
        var figures = new FigureCheck("README figures that do not match their committed source", "README ");
        List<string[]> rows = Table("| trace | policy | density, VMs per host |");
        var groups = new List<(string Label, List<string[]> Rows)>();
        foreach (string[] row in rows)
        {
            Assert.Equal(10, row.Length);
            if (row[0].Length > 0)
                groups.Add((row[0], []));
            Assert.True(groups.Count > 0, "the policy table's first row names no trace");
            groups[^1].Rows.Add(row);
        }

        Assert.True(groups.Count >= 2, "the policy table has fewer than 2 traces");
        foreach ((string label, List<string[]> group) in groups)
        {
            Match t = TraceLabel().Match(label);
            Assert.True(t.Success, $"the policy table's trace label '{label}' is not 'name (N VMs, D days[, T TB hosts])'");
            string source = $"docs/results/policies/{t.Groups["name"].Value.ToLowerInvariant().Replace(' ', '-')}.comparison.json";
            JsonElement c = Json(source);
            figures.Check($"policy table, '{label}', VMs", t.Groups["vms"].Value, c.GetProperty("vms").GetInt32().ToString(Ic), $"{source} vms");
            figures.Check($"policy table, '{label}', days", t.Groups["days"].Value, (Num(c, "ticks") * Num(c, "tickSeconds") / 86_400).ToString("0.#", Ic), $"{source} ticks × tickSeconds");
            if (t.Groups["tb"].Success)
                figures.Check($"policy table, '{label}', host TB", t.Groups["tb"].Value, (Num(c, "host.totalMb") / 1_048_576).ToString("0.#", Ic), $"{source} host.totalMb");

            JsonElement[] policies = [.. c.GetProperty("policies").EnumerateArray()];
            Assert.True(policies.Length == group.Count, $"the policy table shows {group.Count} policies for '{label}', {source} has {policies.Length}");
            for (int i = 0; i < policies.Length; i++)
            {
                string[] row = group[i];
                JsonElement p = policies[i];
                string name = p.GetProperty("name").GetString()!;
                string at = $"policy table, '{label}', {name}";
                string src = $"{source} policies[{name}]";
                figures.Check($"policy table, '{label}', policy {i + 1}", row[1], name, $"{source} policies[{i}].name");

                JsonElement vph = p.GetProperty("vmsPerHost");
                bool never = vph.GetProperty("max").GetInt32() == 0; // DensityResult.NeverMeets
                figures.Check($"{at}, density", row[2], never ? "none" : Range(vph, source), $"{src}.vmsPerHost");
                figures.Check($"{at}, × static", row[3], never ? "–" : $"{F2(Num(vph, "ratioToStaticProvisioned.median"))} ×", $"{src}.vmsPerHost.ratioToStaticProvisioned.median");

                JsonElement hosts = p.GetProperty("hostsNeeded");
                string hostsText = hosts.ValueKind == JsonValueKind.Number ? hosts.GetInt32().ToString(Ic)
                    : p.GetProperty("hostsAnswer").GetString() == "beyondMaxHosts" ? $"more than {p.GetProperty("maxHostsTried").GetInt32()}" : "none";
                figures.Check($"{at}, hosts needed", row[4], hostsText, $"{src}.hostsNeeded");

                // The report's side-by-side columns: the paging share from its counts, the unmet demand from its MB-ticks
                // (CompareReport.UnmetGbh), in whole GB·h and VM·h as README prints them.
                JsonElement totals = p.GetProperty("sideBySideTotals"), side = p.GetProperty("sideBySide");
                figures.Check($"{at}, side by side paging", row[5], ShareText.Percent(Num(totals, "pagingVmTicks") / Num(totals, "servableVmTicks")), $"{src}.sideBySideTotals.pagingVmTicks / .servableVmTicks");
                figures.Check($"{at}, unmet demand", row[6], $"{Thousands(Num(side, "unmetMbTicks") * Num(c, "tickSeconds") / 3600 / 1024)} GB·h", $"{src}.sideBySide.unmetMbTicks × tickSeconds");
                double denied = Num(totals, "deniedVmHours");
                figures.Check($"{at}, denied starts", row[7], denied == 0 ? "0" : $"{Thousands(denied)} VM·h", $"{src}.sideBySideTotals.deniedVmHours");
                figures.Check($"{at}, memory held per VM", row[8], $"{Gb(Num(side, "meanHeldPerVmMb"))} GB", $"{src}.sideBySide.meanHeldPerVmMb");
                figures.Check($"{at}, pressure p50 / p99", row[9], string.Create(Ic, $"{Num(totals, "pressure.p50")} / {Num(totals, "pressure.p99")} %"), $"{src}.sideBySideTotals.pressure.p50, .p99");
            }
        }

        figures.AssertAllMatch(atLeast: 80);
    }

    [GeneratedRegex(@"hold (?<mom>\d+) % and (?<esx>\d+) % more memory per VM and leave (?<momTb>[\d.]+) and (?<esxTb>[\d.]+) TB·h of demand unmet where Hyper-V leaves none")]
    private static partial Regex MonthPoliciesHeld();

    [GeneratedRegex(@"lands exactly on compare's static strategy \((?<vms>\d+) VMs, (?<ratio>[\d.]+) ×\)")]
    private static partial Regex MonthStaticPolicy();

    [GeneratedRegex(@"without the idle-memory tax, ESX leaves (?<ratio>[\d.]+) × the unmet demand \((?<noTax>[\d ]+) against (?<tax>[\d ]+) GB·h; paging (?<noTaxPaging>[\d.]+ %) against (?<taxPaging>[\d.]+ %)\)")]
    private static partial Regex EsxIdleTax();

    [Fact]
    public void PolicySentences_MatchTheMonthsPoliciesJson()
    {
        var figures = new FigureCheck("README figures that do not match their committed source", "README ");
        const string month = "docs/results/policies/bitbrains-2013-8.comparison.json", tax = "docs/results/policies/bitbrains-2013-8-esx-tax.comparison.json";
        JsonElement c = Json(month);
        JsonElement Policy(JsonElement comparison, string name) => comparison.GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
        double Held(JsonElement p) => Num(p, "sideBySide.meanHeldPerVmMb");
        double UnmetGbh(JsonElement comparison, JsonElement p) => Num(p, "sideBySide.unmetMbTicks") * Num(comparison, "tickSeconds") / 3600 / 1024;

        JsonElement hyperV = Policy(c, "Hyper-V"), mom = Policy(c, "oVirt MoM"), esx = Policy(c, "VMware ESX");
        Match held = Sentence(MonthPoliciesHeld(), "MoM's and ESX's memory held and unmet demand on the month (\"hold N % and M % more memory per VM …\")");
        figures.Check("month, MoM's memory held per VM over Hyper-V's", held.Groups["mom"].Value, (((Held(mom) / Held(hyperV)) - 1) * 100).ToString("F0", Ic), $"{month} policies[].sideBySide.meanHeldPerVmMb, MoM / Hyper-V - 1");
        figures.Check("month, ESX's memory held per VM over Hyper-V's", held.Groups["esx"].Value, (((Held(esx) / Held(hyperV)) - 1) * 100).ToString("F0", Ic), $"{month} policies[].sideBySide.meanHeldPerVmMb, ESX / Hyper-V - 1");
        figures.Check("month, MoM's unmet demand (TB·h)", held.Groups["momTb"].Value, (UnmetGbh(c, mom) / 1024).ToString("F1", Ic), $"{month} policies[oVirt MoM].sideBySide.unmetMbTicks");
        figures.Check("month, ESX's unmet demand (TB·h)", held.Groups["esxTb"].Value, (UnmetGbh(c, esx) / 1024).ToString("F1", Ic), $"{month} policies[VMware ESX].sideBySide.unmetMbTicks");
        figures.Check("month, Hyper-V's unmet demand (\"none\")", "0", Num(hyperV, "sideBySide.unmetMbTicks").ToString(Ic), $"{month} policies[Hyper-V].sideBySide.unmetMbTicks");

        JsonElement staticPolicy = Policy(c, "static");
        Match st = Sentence(MonthStaticPolicy(), "the static policy on the month (\"lands exactly on compare's static strategy\")");
        figures.Check("month, static policy VMs per host", st.Groups["vms"].Value, Num(staticPolicy, "vmsPerHost.median").ToString(Ic), $"{month} policies[static].vmsPerHost.median");
        figures.Check("month, static policy = compare's static strategy", st.Groups["vms"].Value, Num(Strategy(c, "static-provisioned"), "vmsPerHost.median").ToString(Ic), $"{month} strategies[static-provisioned].vmsPerHost.median");
        figures.Check("month, static policy × static", st.Groups["ratio"].Value, F2(Num(staticPolicy, "vmsPerHost.ratioToStaticProvisioned.median")), $"{month} policies[static].vmsPerHost.ratioToStaticProvisioned.median");

        JsonElement t = Json(tax);
        JsonElement[] esxRuns = [.. t.GetProperty("policies").EnumerateArray()];
        JsonElement withTax = esxRuns.Single(p => p.GetProperty("parameters").GetProperty("idleTaxPerMille").GetString() != "0");
        JsonElement noTax = esxRuns.Single(p => p.GetProperty("parameters").GetProperty("idleTaxPerMille").GetString() == "0");
        Match e = Sentence(EsxIdleTax(), "the ESX idle-tax experiment (\"without the idle-memory tax, ESX leaves …\")");
        figures.Check("ESX without the idle tax, unmet demand ratio", e.Groups["ratio"].Value, (UnmetGbh(t, noTax) / UnmetGbh(t, withTax)).ToString("F1", Ic), $"{tax} policies[idleTaxPerMille 0 / 750].sideBySide.unmetMbTicks");
        figures.Check("ESX without the idle tax, unmet demand", e.Groups["noTax"].Value, Thousands(UnmetGbh(t, noTax)), $"{tax} policies[idleTaxPerMille 0].sideBySide.unmetMbTicks");
        figures.Check("ESX with the idle tax, unmet demand", e.Groups["tax"].Value, Thousands(UnmetGbh(t, withTax)), $"{tax} policies[idleTaxPerMille 750].sideBySide.unmetMbTicks");
        figures.Check("ESX without the idle tax, paging", e.Groups["noTaxPaging"].Value, ShareText.Percent(Num(noTax, "sideBySideTotals.pagingVmTicks") / Num(noTax, "sideBySideTotals.servableVmTicks")), $"{tax} policies[idleTaxPerMille 0].sideBySideTotals");
        figures.Check("ESX with the idle tax, paging", e.Groups["taxPaging"].Value, ShareText.Percent(Num(withTax, "sideBySideTotals.pagingVmTicks") / Num(withTax, "sideBySideTotals.servableVmTicks")), $"{tax} policies[idleTaxPerMille 750].sideBySideTotals");

        figures.AssertAllMatch(atLeast: 13);
    }

    // ---- bench/results: TickBench ratios ----

    private static List<Dictionary<string, string>> BenchRows(string relative) => DocFigures.BenchRows(relative, "README quotes");

    private static Dictionary<string, string> BenchRow(List<Dictionary<string, string>> rows, string source, int shortPercent, int vms, string path, string workload)
        => rows.SingleOrDefault(r => r["ShortSharePercent"] == shortPercent.ToString(Ic) && r["Vms"] == vms.ToString(Ic) && r["Path"] == path && r["Workload"] == workload)
            ?? throw new InvalidOperationException($"{source} has no row {path} {workload}, {vms} VMs, {shortPercent} % short");

    private static decimal Median(IEnumerable<decimal> values)
    {
        decimal[] sorted = [.. values.Order()];
        Assert.True(sorted.Length % 2 == 1, "a median of an odd number of runs is one run's figure");
        return sorted[sorted.Length / 2];
    }

    // The four realistic-workload cells README quotes, in its order: (VMs, % of hosts short).
    private static readonly (int Vms, int Short)[] Cells4 = [(50_000, 0), (1_000_000, 0), (50_000, 25), (1_000_000, 25)];

    /// <summary>Vector512 / MinFloor of the realistic workload, each cell's "/MinFloor" per run, over the runs lean-kernel/TickBench-{commit}-{1..}.md.</summary>
    private static (List<decimal[]> Ratios, List<decimal[]> NsPerVm, string Files) TickBenchRuns(string folder, string commit)
    {
        string dir = Path.Combine(Root, folder, "lean-kernel");
        string[] files = [.. Directory.GetFiles(dir, $"TickBench-{commit}-*.md").Order(StringComparer.Ordinal)];
        Assert.True(files.Length == 3, $"README quotes medians of three runs; {folder}/lean-kernel has {files.Length} TickBench-{commit}-N.md");
        var ratios = new List<decimal[]>();
        var ns = new List<decimal[]>();
        foreach ((int vms, int shortPercent) in Cells4)
        {
            var r = new List<decimal>();
            var n = new List<decimal>();
            foreach (string file in files)
            {
                string relative = Path.GetRelativePath(Root, file);
                Dictionary<string, string> row = BenchRow(BenchRows(relative), relative, shortPercent, vms, "V512", "Realistic");
                r.Add(decimal.Parse(row["/MinFloor"], Ic));
                n.Add(decimal.Parse(row["ns/VM"], Ic));
            }

            ratios.Add([.. r]);
            ns.Add([.. n]);
        }

        return (ratios, ns, $"{folder}/lean-kernel/TickBench-{commit}-{{1,2,3}}.md");
    }

    [GeneratedRegex(@"\[bench/results/intel-xeon-avx512-2core/lean-kernel\.md\]\(bench/results/intel-xeon-avx512-2core/lean-kernel\.md\)\. TickBench's realistic workload .*? medians of three runs of [^`]*at `(?<commit>[0-9a-f]{7})`: \*\*(?<c0>[\d.]+) ×\*\* \(50 000 VMs, 0 % short\), \*\*(?<c1>[\d.]+) ×\*\* \(1 000 000, 0 %; (?<runs>[\d.]+, [\d.]+, [\d.]+):[^)]*\), \*\*(?<c2>[\d.]+) ×\*\* \(50 000, 25 %\), \*\*(?<c3>[\d.]+) ×\*\* \(1 000 000, 25 %\); Vector512 itself (?<n0>[\d.]+), (?<n1>[\d.]+), (?<n2>[\d.]+) and (?<n3>[\d.]+) ns/VM \(medians of the same runs\)")]
    private static partial Regex IntelTickBench();

    [GeneratedRegex(@"\*\*Issue 12 on the AMD EPYC machine\*\* \([^`]*`(?<commit>[0-9a-f]{7})`, the same kernel; \[bench/results/amd-epyc-zen4-2core/lean-kernel\.md\]\(bench/results/amd-epyc-zen4-2core/lean-kernel\.md\)\): realistic Vector512 / MinFloor, medians of three runs \*\*(?<c0>[\d.]+) ×\*\* \(50 000 VMs, 0 % short\), \*\*(?<c1>[\d.]+) ×\*\* \(1 000 000, 0 %; (?<lo>[\d.]+)–(?<hi>[\d.]+)\), \*\*(?<c2>[\d.]+) ×\*\* \(50 000, 25 %\), \*\*(?<c3>[\d.]+) ×\*\* \(1 000 000, 25 %\)")]
    private static partial Regex AmdTickBench();

    [GeneratedRegex(@"Vector512 at (?<lo>[\d.]+)–(?<hi>[\d.]+) × the \(aligned\) minimal-bytes floor \(medians of the latest three runs\).*?\| 3 × floor reached at 1M VMs without short hosts on the Intel machine \((?<intelLo>[\d.]+)–(?<intelHi>[\d.]+) × in its latest three runs; (?<amdLo>[\d.]+)–(?<amdHi>[\d.]+) × on the AMD machine\), not at 50k VMs \((?<i0>[\d.]+), (?<i2>[\d.]+) ×; AMD (?<a0>[\d.]+), (?<a2>[\d.]+) ×\) nor at 1M with 25 % short \((?<i3>[\d.]+) ×; AMD (?<a3>[\d.]+) ×\)")]
    private static partial Regex StatusTickBench();

    /// <summary>
    /// The lean-kernel TickBench targets: README's medians of three runs (Intel and AMD, in the performance section and
    /// the status table) against the "/MinFloor" column of the V512 realistic rows in the raw BenchmarkDotNet reports
    /// the runs left (bench/results/*/lean-kernel/TickBench-{commit}-{1,2,3}.md, the commit named in README).
    /// </summary>
    [Fact]
    public void TickBenchTargets_AreTheMediansOfTheRawRuns()
    {
        var figures = new FigureCheck("README figures that do not match their committed source", "README ");
        static string S(decimal d) => d.ToString(Ic);

        Match intel = Sentence(IntelTickBench(), "the Intel TickBench medians (\"medians of three runs of … at `commit`: **N ×** …\")");
        (List<decimal[]> iRatios, List<decimal[]> iNs, string iFiles) = TickBenchRuns("bench/results/intel-xeon-avx512-2core", intel.Groups["commit"].Value);
        for (int k = 0; k < 4; k++)
        {
            figures.Check($"Intel TickBench V512 / MinFloor median, {Cells4[k].Vms} VMs, {Cells4[k].Short} % short", intel.Groups[$"c{k}"].Value, S(Median(iRatios[k])), $"{iFiles} /MinFloor");
            // ns/VM is printed with three decimals in the reports, two in README: decimal's F2 rounds half away from zero.
            figures.Check($"Intel TickBench V512 ns/VM median, {Cells4[k].Vms} VMs, {Cells4[k].Short} % short", intel.Groups[$"n{k}"].Value, Median(iNs[k]).ToString("F2", Ic), $"{iFiles} ns/VM");
        }

        figures.Check("Intel TickBench runs at 1 000 000 VMs, 0 % short", intel.Groups["runs"].Value, string.Join(", ", iRatios[1].Order().Select(S)), $"{iFiles} /MinFloor");

        Match amd = Sentence(AmdTickBench(), "the AMD TickBench medians (\"**Issue 12 on the AMD EPYC machine** … medians of three runs **N ×** …\")");
        (List<decimal[]> aRatios, _, string aFiles) = TickBenchRuns("bench/results/amd-epyc-zen4-2core", amd.Groups["commit"].Value);
        for (int k = 0; k < 4; k++)
            figures.Check($"AMD TickBench V512 / MinFloor median, {Cells4[k].Vms} VMs, {Cells4[k].Short} % short", amd.Groups[$"c{k}"].Value, S(Median(aRatios[k])), $"{aFiles} /MinFloor");
        figures.Check("AMD TickBench lowest run at 1 000 000 VMs, 0 % short", amd.Groups["lo"].Value, S(aRatios[1].Min()), $"{aFiles} /MinFloor");
        figures.Check("AMD TickBench highest run at 1 000 000 VMs, 0 % short", amd.Groups["hi"].Value, S(aRatios[1].Max()), $"{aFiles} /MinFloor");

        // The status table repeats them.
        Match status = Sentence(StatusTickBench(), "the status table's lean-tick figures (\"Vector512 at N–M × the (aligned) minimal-bytes floor … 3 × floor reached …\")");
        decimal[] intelMedians = [.. iRatios.Select(Median)];
        figures.Check("status table, Intel medians, lowest (one decimal)", status.Groups["lo"].Value, intelMedians.Min().ToString("F1", Ic), $"{iFiles} /MinFloor medians");
        figures.Check("status table, Intel medians, highest (one decimal)", status.Groups["hi"].Value, intelMedians.Max().ToString("F1", Ic), $"{iFiles} /MinFloor medians");
        figures.Check("status table, Intel lowest run at 1M VMs, 0 % short", status.Groups["intelLo"].Value, S(iRatios[1].Min()), $"{iFiles} /MinFloor");
        figures.Check("status table, Intel highest run at 1M VMs, 0 % short", status.Groups["intelHi"].Value, S(iRatios[1].Max()), $"{iFiles} /MinFloor");
        figures.Check("status table, AMD lowest run at 1M VMs, 0 % short", status.Groups["amdLo"].Value, S(aRatios[1].Min()), $"{aFiles} /MinFloor");
        figures.Check("status table, AMD highest run at 1M VMs, 0 % short", status.Groups["amdHi"].Value, S(aRatios[1].Max()), $"{aFiles} /MinFloor");
        foreach (int k in (ReadOnlySpan<int>)[0, 2, 3])
        {
            figures.Check($"status table, Intel median, {Cells4[k].Vms} VMs, {Cells4[k].Short} % short", status.Groups[$"i{k}"].Value, S(intelMedians[k]), $"{iFiles} /MinFloor");
            figures.Check($"status table, AMD median, {Cells4[k].Vms} VMs, {Cells4[k].Short} % short", status.Groups[$"a{k}"].Value, S(Median(aRatios[k])), $"{aFiles} /MinFloor");
        }

        figures.AssertAllMatch(atLeast: 27);
    }

    [GeneratedRegex(@"`(?<file>lean-kernel/TickBench-scalar-[0-9a-f]{7}\.md)`\): \*\*Vector512 against the scalar reference, same run\*\*, steady workload (?<s0>[\d.]+) × \(50 000 VMs, 0 % short\), (?<s1>[\d.]+) × \(1 000 000, 0 %\), (?<s2>[\d.]+) × \(50 000, 25 %\), (?<s3>[\d.]+) × \(1 000 000, 25 %\); realistic workload (?<r0>[\d.]+) ×, (?<r1>[\d.]+) ×, (?<r2>[\d.]+) ×, (?<r3>[\d.]+) ×")]
    private static partial Regex ScalarRatios();

    /// <summary>
    /// Vector512 against the scalar reference (AMD, one run): README's ratios against Scalar's Mean over V512's in the
    /// raw report it names, as lean-kernel.md says they were taken ("Scalar / V512 from the means"), at one decimal.
    /// </summary>
    [Fact]
    public void ScalarRatios_AreTheRawReportsMeans()
    {
        var figures = new FigureCheck("README figures that do not match their committed source", "README ");
        Match m = Sentence(ScalarRatios(), "the AMD Vector512 / scalar ratios (\"**Vector512 against the scalar reference, same run**, steady workload …\")");
        string source = "bench/results/amd-epyc-zen4-2core/" + m.Groups["file"].Value;
        List<Dictionary<string, string>> rows = BenchRows(source);
        foreach ((string workload, string prefix) in new[] { ("Steady", "s"), ("Realistic", "r") })
        {
            for (int k = 0; k < 4; k++)
            {
                (int vms, int shortPercent) = Cells4[k];
                decimal scalar = BenchTime(BenchRow(rows, source, shortPercent, vms, "Scalar", workload)["Mean"]);
                decimal v512 = BenchTime(BenchRow(rows, source, shortPercent, vms, "V512", workload)["Mean"]);
                figures.Check($"Vector512 / scalar, {workload.ToLowerInvariant()}, {vms} VMs, {shortPercent} % short", m.Groups[$"{prefix}{k}"].Value, (scalar / v512).ToString("F1", Ic), $"{source} Mean(Scalar) / Mean(V512)");
            }
        }

        figures.AssertAllMatch(atLeast: 8);
    }

    [GeneratedRegex(@"at code `(?<code>[0-9a-f]{7})` \(`lean-kernel/ReplayBench-\k<code>\.md`[^)]*\):\s+\*\*(?<ra1m>[\d.]+) ns ± (?<sd>[\d.]+) per VM-tick at 1 000 000 VMs with the read-ahead \((?<rate>\d+) M\s+VM-ticks/s\)\*\* and (?<no1m>[\d.]+) ns without it; (?<ra100k>[\d.]+) and (?<no100k>[\d.]+) ns at 100 000 VMs")]
    private static partial Regex ReplayBenchLatest();

    /// <summary>
    /// README's latest ReplayBench figures (AMD): each ns/VM, the standard deviation and the rate, from the raw report the
    /// sentence names.
    /// </summary>
    [Fact]
    public void ReplayBenchLatest_IsItsRawReport()
    {
        const string Folder = "bench/results/amd-epyc-zen4-2core/";
        Match m = Sentence(ReplayBenchLatest(), "the latest ReplayBench run (\"rerun on ... at code ... 1 000 000 VMs with the read-ahead ...\")");
        string source = $"{Folder}lean-kernel/ReplayBench-{m.Groups["code"].Value}.md";
        List<Dictionary<string, string>> rows = BenchRows(source);
        Dictionary<string, string> Row(bool readAhead, string vms) => rows.Single(r => r["ReadAhead"] == (readAhead ? "True" : "False") && r["Vms"] == vms);
        var figures = new FigureCheck("figures that do not match the latest ReplayBench report");
        figures.Check("with the read-ahead, 1M VMs", m.Groups["ra1m"].Value, Row(true, "1000000")["ns/VM"], source);
        figures.Check("without it, 1M VMs", m.Groups["no1m"].Value, Row(false, "1000000")["ns/VM"], source);
        figures.Check("with the read-ahead, 100k VMs", m.Groups["ra100k"].Value, Row(true, "100000")["ns/VM"], source);
        figures.Check("without it, 100k VMs", m.Groups["no100k"].Value, Row(false, "100000")["ns/VM"], source);
        figures.Check("standard deviation, 1M VMs", m.Groups["sd"].Value, (DocFigures.BenchTime(Row(true, "1000000")["StdDev"]) / 1_000_000m).ToString("F3", Ic), source + " StdDev ÷ 1 000 000 VMs");
        decimal ns = decimal.Parse(Row(true, "1000000")["ns/VM"], Ic);
        figures.Check("rate, 1M VMs", m.Groups["rate"].Value, Math.Round(1000m / ns).ToString(Ic), "1 000 ÷ ns/VM");
        figures.AssertAllMatch(atLeast: 6);
    }

    [GeneratedRegex(@"[Ff]ive alternating pairs before and after the\s+setup's wait for the read-ahead measured no difference beyond noise, medians (?<before>[\d.]+) and (?<after>[\d.]+) ns with the read-ahead")]
    private static partial Regex ReplaySetupPairs();

    /// <summary>
    /// ReplayBench before and after its setup waits for the read-ahead (AMD, five alternating pairs): README's two medians
    /// and readme-figures.md's table, from the ns/VM column of the ten raw reports.
    /// </summary>
    [Fact]
    public void ReplaySetupPairs_AreTheRawReportsMedians()
    {
        const string Folder = "bench/results/amd-epyc-zen4-2core/";
        var figures = new FigureCheck("figures that do not match the ReplayBench setup pairs' raw reports");
        decimal NsPerVm(string side, int pair, bool readAhead)
        {
            string source = $"{Folder}lean-kernel/ReplayBench-setup-{side}-{pair}.md";
            return decimal.Parse(BenchRows(source).Single(r => r["ReadAhead"] == (readAhead ? "True" : "False") && r["Vms"] == "1000000")["ns/VM"], Ic);
        }

        Match m = Sentence(ReplaySetupPairs(), "the ReplayBench setup pairs' medians (\"Five alternating pairs before and after the setup's wait ...\")");
        figures.Check("README, ReplayBench before the setup change, median with the read-ahead", m.Groups["before"].Value,
            Median(Enumerable.Range(1, 5).Select(i => NsPerVm("before", i, true))).ToString("F2", Ic), "the five before-reports' ns/VM");
        figures.Check("README, ReplayBench after the setup change, median with the read-ahead", m.Groups["after"].Value,
            Median(Enumerable.Range(1, 5).Select(i => NsPerVm("after", i, true))).ToString("F2", Ic), "the five after-reports' ns/VM");

        string[] lines = Text(Folder + "readme-figures.md").Split('\n');
        List<string[]> rows = TableRows(lines, "| pair | before, no read-ahead", $"{Folder}readme-figures.md has no ReplayBench setup table");
        Assert.Equal(6, rows.Count);
        (string Side, bool ReadAhead)[] columns = [("before", false), ("after", false), ("before", true), ("after", true)];
        for (int k = 0; k < columns.Length; k++)
        {
            (string side, bool readAhead) = columns[k];
            decimal[] runs = [.. Enumerable.Range(1, 5).Select(i => NsPerVm(side, i, readAhead))];
            for (int i = 0; i < 5; i++)
                figures.Check($"readme-figures.md, pair {i + 1}, column {k + 2}", rows[i][k + 1], runs[i].ToString("F3", Ic), $"ReplayBench-setup-{side}-{i + 1}.md ns/VM");
            figures.Check($"readme-figures.md, median, column {k + 2}", rows[5][k + 1], Median(runs).ToString("F3", Ic), "the five reports' ns/VM");
        }

        figures.AssertAllMatch(atLeast: 2 + (4 * 6));
    }
}
