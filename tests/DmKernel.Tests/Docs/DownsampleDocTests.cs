using System.Text.Json;
using System.Text.RegularExpressions;
using static DmKernel.Tests.Docs.DocFigures;

namespace DmKernel.Tests.Docs;

/// <summary>
/// Docs that cannot drift, for <c>import --downsample</c>: the figures docs/importers.md ("Choices in reading the
/// sources") and docs/results/downsample/README.md quote are recomputed from the committed summaries and comparisons
/// beside that README, at the precision the docs print, and compared. A reworded sentence fails too (its pattern is
/// here; the figures still come from the files).
/// </summary>
public class DownsampleDocTests
{
    private static JsonElement Json(string name) => DocFigures.Json($"docs/results/downsample/{name}", "the docs quote");

    /// <summary>What the two rules' committed outputs say, computed as the docs state them.</summary>
    private sealed record Facts(
        double LastDemandMb, double PeakDemandMb, double LastPaging, double PeakPaging,
        long LastPagingS, long PeakPagingS, long LastUnservableS, long PeakUnservableS,
        double LastFixed1, double PeakFixed1, double LastFixed4, double PeakFixed4,
        int LastDensity, int PeakDensity, double Demand300Last, double Demand300Peak,
        long Paging300Last, long Paging300Peak, long Unservable300Last, long Unservable300Peak)
    {
        public static Facts Read()
        {
            JsonElement rl = Json("replay-3600s-last.summary.json").GetProperty("fleet"), rp = Json("replay-3600s-peak.summary.json").GetProperty("fleet");
            JsonElement ml = Json("replay-300s-last.summary.json").GetProperty("fleet"), mp = Json("replay-300s-peak.summary.json").GetProperty("fleet");
            JsonElement cl = Json("compare-3600s-last.comparison.json"), cp = Json("compare-3600s-peak.comparison.json");
            static double Share(JsonElement f) => (double)f.GetProperty("pagingVmSeconds").GetInt64() / f.GetProperty("onVmSeconds").GetInt64();
            static long L(JsonElement f, string name) => f.GetProperty(name).GetInt64();
            return new Facts(
                rl.GetProperty("meanDemandMb").GetDouble(), rp.GetProperty("meanDemandMb").GetDouble(), Share(rl), Share(rp),
                L(rl, "pagingVmSeconds"), L(rp, "pagingVmSeconds"), L(rl, "unservablePagingVmSeconds"), L(rp, "unservablePagingVmSeconds"),
                Fixed(cl, "fixed 1 GB"), Fixed(cp, "fixed 1 GB"), Fixed(cl, "fixed 4 GB"), Fixed(cp, "fixed 4 GB"),
                Density(cl), Density(cp), ml.GetProperty("meanDemandMb").GetDouble(), mp.GetProperty("meanDemandMb").GetDouble(),
                L(ml, "pagingVmSeconds"), L(mp, "pagingVmSeconds"), L(ml, "unservablePagingVmSeconds"), L(mp, "unservablePagingVmSeconds"));
        }

        private static JsonElement Strategy(JsonElement comparison, string name)
        {
            foreach (JsonElement s in comparison.GetProperty("strategies").EnumerateArray())
            {
                if (s.GetProperty("name").GetString() == name)
                    return s;
            }

            Assert.Fail($"no strategy '{name}' in a committed downsample comparison");
            return default;
        }

        private static double Fixed(JsonElement c, string name) => Strategy(c, name).GetProperty("vmsPerHost").GetProperty("pagingShareAtAnyDensity").GetDouble();

        private static int Density(JsonElement c) => Strategy(c, "Dynamic Memory").GetProperty("vmsPerHost").GetProperty("median").GetInt32();
    }

    private static string Gb(double mb) => F(mb / 1024, "F1");

    private static string Mb(double mb) => Thousands(Math.Round(mb, MidpointRounding.AwayFromZero));

    private static string Seconds(long s) => Thousands(s);

    private static void AssertFigures(string doc, string text, string pattern, params string[] expected)
    {
        Match m = Regex.Match(text, pattern);
        Assert.True(m.Success, $"{doc}: the sentence matching /{pattern}/ is gone or reworded; update its pattern here (its figures stay checked against docs/results/downsample/)");
        Assert.True(m.Groups.Count - 1 == expected.Length, $"{doc}, /{pattern}/: {m.Groups.Count - 1} quoted figures, {expected.Length} computed: a figure of the pattern is left unchecked (or one computed is not quoted)");
        var figures = new FigureCheck($"{doc}, /{pattern}/");
        for (int i = 0; i < expected.Length; i++)
            figures.Check($"figure {i + 1}", m.Groups[i + 1].Value, expected[i], "the committed output");

        figures.AssertAllMatch(atLeast: expected.Length);
    }

    [Fact]
    public void DownsampleResultsReadme_QuotesItsOwnFiles()
    {
        Facts f = Facts.Read();
        const string Doc = "docs/results/downsample/README.md";
        string text = Flat(Doc);
        AssertFigures(Doc, text,
            @"the peak reads ([\d.]+) × the mean demand of the last sample \(`fleet\.meanDemandMb` ([\d ]+) against ([\d ]+) MB, ([\d.]+) against ([\d.]+) GB\) and ([\d.]+) × the paging \(`pagingShareOfOnTime` ([\d.]+) % against ([\d.]+) % of VM-time\)",
            F(f.PeakDemandMb / f.LastDemandMb, "F2"), Mb(f.PeakDemandMb), Mb(f.LastDemandMb), Gb(f.PeakDemandMb), Gb(f.LastDemandMb),
            F(f.PeakPaging / f.LastPaging, "F1"), F(f.PeakPaging * 100, "F4"), F(f.LastPaging * 100, "F4"));
        AssertFigures(Doc, text,
            @"Dynamic Memory density is the same \((\d+) VMs per 1 TB host, bound by a denied start\), fixed 1 GB pages ([\d.]+) % of servable VM-time instead of ([\d.]+) %, fixed 4 GB ([\d.]+) % instead of ([\d.]+) %",
            f.LastDensity.ToString(Ic), F(f.PeakFixed1 * 100, "F1"), F(f.LastFixed1 * 100, "F1"), F(f.PeakFixed4 * 100, "F1"), F(f.LastFixed4 * 100, "F1"));
        Assert.Equal(f.LastDensity, f.PeakDensity);
        AssertFigures(Doc, text, @"At the 300 s period the two rules differ by ([\d.]+) MB of mean demand in (\d+) GB",
            F(Math.Abs(f.Demand300Peak - f.Demand300Last), "F1"), F(f.Demand300Last / 1024, "F0"));
        AssertFigures(Doc, text, @"\(([\d ]+) and ([\d ]+) s at 3 600 s, ([\d ]+) s at 300 s\)",
            Seconds(f.LastPagingS), Seconds(f.PeakPagingS), Seconds(f.Paging300Last));

        // "unservablePagingVmSeconds equals pagingVmSeconds under both rules and both tick lengths".
        Assert.Equal(f.LastPagingS, f.LastUnservableS);
        Assert.Equal(f.PeakPagingS, f.PeakUnservableS);
        Assert.Equal(f.Paging300Last, f.Unservable300Last);
        Assert.Equal(f.Paging300Peak, f.Unservable300Peak);
        Assert.Equal(f.Paging300Last, f.Paging300Peak);
    }

    [Fact]
    public void ImportersDoc_DownsampleParagraph_QuotesTheCommittedOutputs()
    {
        Facts f = Facts.Read();
        const string Doc = "docs/importers.md";
        string text = Flat(Doc);
        AssertFigures(Doc, text,
            @"`peak` reads (\d+) % more mean demand than `last` \(([\d.]+) against ([\d.]+) GB, from `replay` on each, 1 TB hosts\) and ([\d.]+) × the paging \(([\d.]+) % against ([\d.]+) % of VM-time\); `compare` gives the same Dynamic Memory density \((\d+) VMs per 1 TB host, bound by a denied start\) while fixed 1 GB pages ([\d.]+) % of servable VM-time instead of ([\d.]+) %",
            F((f.PeakDemandMb / f.LastDemandMb - 1) * 100, "F0"), Gb(f.PeakDemandMb), Gb(f.LastDemandMb),
            F(f.PeakPaging / f.LastPaging, "F1"), F(f.PeakPaging * 100, "F3"), F(f.LastPaging * 100, "F3"),
            f.LastDensity.ToString(Ic), F(f.PeakFixed1 * 100, "F1"), F(f.LastFixed1 * 100, "F1"));
        AssertFigures(Doc, text, @"\(the month at its 300 s: mean demand differs by ([\d.]+) MB in (\d+) GB\)",
            F(Math.Abs(f.Demand300Peak - f.Demand300Last), "F1"), F(f.Demand300Last / 1024, "F0"));
    }
}
