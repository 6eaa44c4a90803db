using System.Globalization;
using System.Text;
using System.Text.Json;
using DmKernel.Cli.Output;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;
using ScottPlot;

namespace DmKernel.Cli.Report;

/// <summary>The outputs of <c>dmkernel compare</c>: the answer first, then the tables, the curves and the warnings.</summary>
internal sealed partial class CompareReport(CapacityResult result, double seconds)
{
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    private DensityResult Dm => result.DensityOf(result.Options.Strategies.First(s => s.IsDynamic));

    private DensityResult Static => result.DensityOf(MemoryStrategy.StaticProvisioned);

    private string HostGb => result.Options.Host.TotalMb % 1024 == 0
        ? string.Create(Ic, $"{result.Options.Host.TotalMb / 1024} GB")
        : Gb(result.Options.Host.TotalMb);

    /// <summary>The answer in a few sentences (the report's first paragraph, also printed by the CLI).</summary>
    public string Headline(bool inReport = false)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Answer());
        if (result.DynamicMemoryAtMinimum)
        {
            // The answer's size then comes from a setting the trace does not record: said beside it, not only in Warnings.
            sb.AppendLine().Append(Ic, $"**Bound by the VMs' Minimum:** Dynamic Memory held them at about their Minimum, above their demand, so this answer follows the Minimum their settings give more than the workload ({(inReport ? "see Warnings below" : "see report.md's warnings")}).").AppendLine();
        }

        if (result.DynamicMemoryShortOnUnservable)
        {
            // Unservable time counts for no strategy (the issue), so squeezing those VMs was free for Dynamic Memory's density.
            sb.AppendLine().Append(Ic, $"**For the servable VMs only:** Dynamic Memory held the VMs whose demand is above their Maximum below that Maximum on {ShareText.Percent(result.DynamicMemoryUnservableShortShare)} of the VM-time at its density, where static provisioned gives it; that time is unservable and counted for no strategy, so this answer leaves their extra paging out ({(inReport ? "see Warnings below" : "see report.md's warnings")}).").AppendLine();
        }

        sb.AppendLine();
        sb.Append(Habits());
        string hosts = HostsSentence();
        if (hosts.Length > 0)
            sb.Append(' ').Append(hosts);
        if (result.Sensitivity.Count > 0)
            sb.AppendLine().AppendLine().Append(SensitivitySentence());
        if (result.MinimumSensitivity.Count > 0)
            sb.AppendLine().AppendLine().Append(MinimumSentence());
        if (!result.Guests.IsIdeal)
            sb.AppendLine().AppendLine().Append(Ic, $"Guests (P10, recorded in the trace, in every probe): {GuestsText(result.Guests, result.TickSeconds)}.");
        if (result.Warnings.Count > 0)
            sb.AppendLine().AppendLine().Append(Ic, $"{result.Warnings.Count} warning(s): {(inReport ? "see Warnings below" : "see report.md")}.");
        return sb.ToString().TrimEnd();
    }

    /// <summary>"10 % of the VMs stuck (...), 20 % of the VMs slow (64 MB/s at most)": a P10 mix as a planner reads it.</summary>
    /// <remarks>Spells that are not whole ticks of <paramref name="tickSeconds"/> are given as they ran (P10's spells run in
    /// whole ticks, rounded half up, at least one): "stuck 30 s, then ideal 60 s, in turn (at 60-s ticks: 1 tick, then 1)".</remarks>
    private static string GuestsText(GuestMix mix, double tickSeconds) => string.Join(", ", mix.Parts.Select(p => string.Create(Ic, $"{p.Share * 100:0.####} % of the VMs {p.Response.Kind switch
    {
        GuestResponseKind.Stuck => "stuck (their balloon never moves)",
        GuestResponseKind.Rate => string.Create(Ic, $"slow ({p.Response.RateMbPerSecond} MB/s at most)"),
        _ => string.Create(Ic, $"stuck {p.Response.StuckSeconds} s, then ideal {p.Response.IdealSeconds} s, in turn{SpellsAsRun(p.Response, tickSeconds)}"),
    }}")));

    private static string SpellsAsRun(GuestResponse r, double tickSeconds)
    {
        ModelParameters model = ModelParameters.Default with { TickSeconds = tickSeconds };
        int stuck = model.ToTicks(r.StuckSeconds), ideal = model.ToTicks(r.IdealSeconds);
        bool whole = Math.Abs(stuck * tickSeconds - r.StuckSeconds) <= 1e-9 * r.StuckSeconds && Math.Abs(ideal * tickSeconds - r.IdealSeconds) <= 1e-9 * r.IdealSeconds;
        return whole ? "" : string.Create(Ic, $" (at {tickSeconds:0.###}-s ticks: {Words.Count(stuck, "tick")}, then {ideal})");
    }

    private string Answer()
    {
        DensityResult dm = Dm, st = Static;
        CapacityVerdict v = result.Verdict;
        string level = result.Options.Level.Describe();
        if (dm.NeverMeets && st.NeverMeets)
            return $"**Answer: neither Dynamic Memory nor static memory at the provisioned size meets the service level ({level}) on a {HostGb} host, at any density.** Dynamic Memory: {dm.CannotMeet}. Static provisioned: {st.CannotMeet}.";
        if (dm.NeverMeets)
            return string.Create(Ic, $"**Answer: no.** At the service level ({level}), Dynamic Memory {dm.CannotMeet}, while static memory at the provisioned size fits {Range(st)} VMs per {HostGb} host.");
        if (st.NeverMeets)
            return string.Create(Ic, $"**Answer: yes.** At the service level ({level}), only Dynamic Memory serves these VMs: it fits {Range(dm)} VMs per {HostGb} host, while static memory at the provisioned size {st.CannotMeet}.");
        string ratio = dm.AtSearchLimit && st.AtSearchLimit
            ? string.Create(Ic, $"as does static memory at the provisioned size (≥ {Count(st.Median, "VM")}): both reach the search's limit, so their ratio is unknown")
            : string.Create(Ic, $"**{BoundedRatio(dm, st, v.Ratio.Median)}** static memory at the provisioned size ({(st.AtSearchLimit ? "≥ " : "")}{Count(st.Median, "VM")}; the median of the ratios draw by draw, {v.Ratio.Min:F2}–{v.Ratio.Max:F2} over the same draws)");
        if (!v.Decided)
        {
            return string.Create(Ic, $"**Answer: undecided.** At the service level ({level}), Dynamic Memory fits {Range(dm)} {Vms(dm)} per {HostGb} host, {ratio}, but its search stopped at its limit of {dm.SearchLimit} VMs per host, so it may fit more: on hosts this large the study cannot tell. Study smaller hosts (--host-mb).");
        }

        return v.Yes
            ? string.Create(Ic, $"**Answer: yes.** At the service level ({level}), Dynamic Memory fits **{Range(dm)} {Vms(dm)} per {HostGb} host**, {ratio}.{Binding()}")
            : string.Create(Ic, $"**Answer: no, not for density.** At the service level ({level}), Dynamic Memory fits {Range(dm)} {Vms(dm)} per {HostGb} host, {ratio}: less than the {CapacityVerdict.Threshold - 1:P0} gain that would count.{Binding()}");
    }

    /// <summary>What stopped Dynamic Memory one VM per host beyond its density, over the draws.</summary>
    private string Binding()
    {
        (int starts, int paging, int pressure) = MissCounts(Dm, result.Options.Level);
        int n = Dm.Seeds.Count;
        var parts = new List<string>();
        if (starts > 0)
            parts.Add(string.Create(Ic, $"a start denied (R4: a VM's Startup does not fit) in {starts} of {n} draws"));
        if (paging > 0)
            parts.Add(string.Create(Ic, $"paging beyond the limit in {paging} of {n}"));
        if (pressure > 0)
            parts.Add(string.Create(Ic, $"the pressure limit in {pressure} of {n}"));
        return parts.Count == 0 ? "" : $" One VM more per host misses the level by {string.Join(", ", parts)}.";
    }

    /// <summary>
    /// How one VM more per host than a density missed the level, draw by draw: a start denied (R4), else paging beyond the
    /// limit, else the pressure limit (draws without a miss, at the search's limit, count for none).
    /// </summary>
    private static (int Starts, int Paging, int Pressure) MissCounts(DensityResult d, ServiceLevel level)
    {
        int starts = 0, paging = 0, pressure = 0;
        foreach (DensitySeed s in d.Seeds)
        {
            if (s.FirstMiss is not ProbeOutcome miss)
                continue;
            if (miss.DeniedVmTicks > 0)
                starts++;
            else if (miss.PagingShare > level.MaxPagingShare)
                paging++;
            else
                pressure++;
        }

        return (starts, paging, pressure);
    }

    /// <summary>
    /// A table cell for <see cref="MissCounts"/>: "start denied 3/3", "start denied 1/3, paging 2/3", "pressure 2/2", or "–"
    /// where no draw missed (as where each met the level at the search's limit).
    /// </summary>
    internal static string MissCell(DensityResult d, ServiceLevel level)
    {
        (int starts, int paging, int pressure) = MissCounts(d, level);
        int n = d.Seeds.Count;
        var parts = new List<string>();
        if (starts > 0)
            parts.Add(string.Create(Ic, $"start denied {starts}/{n}"));
        if (paging > 0)
            parts.Add(string.Create(Ic, $"paging {paging}/{n}"));
        if (pressure > 0)
            parts.Add(string.Create(Ic, $"pressure {pressure}/{n}"));
        return parts.Count == 0 ? "–" : string.Join(", ", parts);
    }

    /// <summary>
    /// A table cell for <see cref="CapacityStudy.UnservableShortShare"/>: the share of the VM-time at the density (over the
    /// draws that met the level) on which a VM with unservable demand was on and held below its Maximum; "–" where no draw met it.
    /// </summary>
    private static string HeldBelowMaximumCell(DensityResult d)
        => d.Seeds.Any(s => s.AtDensity is not null) ? ShareText.Percent(CapacityStudy.UnservableShortShare(d)) : "–";

    /// <summary>comparison.json's <c>oneVmMoreMissesBy</c>: <see cref="MissCounts"/> and the draws they are of.</summary>
    private static void WriteMisses(Utf8JsonWriter json, DensityResult d, ServiceLevel level)
    {
        (int starts, int paging, int pressure) = MissCounts(d, level);
        json.WriteStartObject("oneVmMoreMissesBy");
        json.WriteNumber("draws", d.Seeds.Count);
        json.WriteNumber("startDenied", starts);
        json.WriteNumber("paging", paging);
        json.WriteNumber("pressure", pressure);
        json.WriteEndObject();
    }

    private string Habits()
    {
        var parts = new List<string>();
        var never = new List<string>();
        foreach (DensityResult d in result.Densities)
        {
            if (d.Strategy.IsDynamic || d.Strategy == MemoryStrategy.StaticProvisioned)
                continue;
            if (d.NeverMeets)
            {
                never.Add(d.PoolPagingShare is double p && p > result.Options.Level.MaxPagingShare
                    ? string.Create(Ic, $"{d.Strategy.Name} (pages {ShareText.Percent(p, 1)} of servable VM-time)")
                    : $"{d.Strategy.Name} ({d.CannotMeet})");
                continue;
            }

            DensityRatio r = DensityRatio.Of(Dm, d);
            parts.Add(string.Create(Ic, $"{d.Strategy.Name} fits {Range(d)} (Dynamic Memory {BoundedRatio(Dm, d, r.Median)})"));
        }

        var sb = new StringBuilder();
        if (parts.Count > 0)
            sb.Append("Against the habits: ").Append(string.Join("; ", parts)).Append('.');
        if (never.Count > 0)
        {
            string list = never.Count == 1 ? never[0] : string.Join(", ", never.Take(never.Count - 1)) + " and " + never[^1];
            sb.Append(sb.Length > 0 ? " " : "").Append(char.ToUpperInvariant(list[0])).Append(list.AsSpan(1)).Append(" cannot meet the level at any density.");
        }

        var buffers = result.Densities.Where(d => d.Strategy.IsDynamic && d != Dm).ToList();
        if (buffers.Count > 0)
            sb.Append(" The buffer knob: ").Append(string.Join(", ", buffers.Select(d => string.Create(Ic, $"{d.Strategy.Parameter} % fits {Range(d)}")))).Append(' ').Append(Vms(buffers[^1])).Append(" per host."); // "1 VM" when the last reads 1
        return sb.ToString();
    }

    private string HostsSentence()
    {
        HostsResult? dm = result.Hosts.FirstOrDefault(h => h.Strategy == Dm.Strategy), st = result.Hosts.FirstOrDefault(h => h.Strategy == MemoryStrategy.StaticProvisioned);
        if (dm is null || st is null)
            return "";
        string Hosts(HostsResult h) => h.Hosts is int n ? Count(n, "host") : h.CannotHost is not null || NeverMeets(h) || TriedOneVmPerHost(h) ? "no number of hosts" : string.Create(Ic, $"more than {Count(h.MaxHosts, "host")} (the search's limit: raise --max-hosts)");
        string held = dm.AtHosts is ProbeOutcome a && st.AtHosts is ProbeOutcome b
            ? string.Create(Ic, $", holding {Gb(a.MeanHeldPerVmMb)} per VM on average against {Gb(b.MeanHeldPerVmMb)}")
            : "";
        return string.Create(Ic, $"The trace's own {Count(result.PoolVms, "VM")} {(result.PoolVms == 1 ? "needs" : "need")} {Hosts(dm)} under Dynamic Memory and {Hosts(st)} static at the provisioned size{held}.");
    }

    private string SensitivitySentence()
    {
        int yes = result.Sensitivity.Count(c => c.Verdict.Yes), n = result.Sensitivity.Count;
        double lo = result.Sensitivity.Min(c => c.Verdict.Ratio.Min), hi = result.Sensitivity.Max(c => c.Verdict.Ratio.Max);
        bool holds = result.Sensitivity.All(c => c.Verdict.Yes == result.Verdict.Yes);
        return holds
            ? string.Create(Ic, $"**Sensitivity: the answer holds** under all {n} demand models of the grid ({Grid()}): {(result.Verdict.Yes ? "yes" : "no")} in {n} of {n}, ratio {lo:F2}–{Fmt(hi)}. The grid varies the demand only; the VMs' settings (Minimum, Startup) and the hosts stay as given{(result.MinimumSensitivity.Count > 0 ? " (the Minimum is varied apart, below)" : "")}.")
            : string.Create(Ic, $"**Sensitivity: the answer depends on the demand model**: yes under {yes} of {n} models of the grid, no under {n - yes}; ratio {lo:F2}–{Fmt(hi)} (table below).");
    }

    /// <summary>
    /// The Minimum cells in a sentence: whether the yes or no holds with the VMs' Minimum scaled, and the ratio under each
    /// (it can move several-fold where Dynamic Memory holds the VMs at their Minimum, while the answer holds).
    /// </summary>
    private string MinimumSentence()
    {
        IReadOnlyList<MinimumCell> cells = result.MinimumSensitivity;
        bool holds = cells.All(c => c.Verdict.Yes == result.Verdict.Yes);
        string given = string.Create(Ic, $"{Fmt(result.Verdict.Ratio.Median)} × static with the Minimum as given{(MinimumDivisorGiven() is int d ? string.Create(Ic, $" (Startup ÷ {d})") : "")}");
        string each = string.Join("; ", cells.Select(c => string.Create(Ic, $"{Fmt(c.Verdict.Ratio.Median)} × at {MinimumLabel(c, cells)}{(holds ? "" : c.Verdict.Yes ? " (yes)" : " (no)")}")));

        // The yes may hold while the ratio moves several-fold (the Bitbrains month: 1.89 to 9.04 ×): said, not left to the reader.
        double[] medians = [result.Verdict.Ratio.Median, .. cells.Select(c => c.Verdict.Ratio.Median)];
        bool moves = medians.Min() > 0 && medians.Max() / medians.Min() >= 1.25;
        return holds
            ? string.Create(Ic, $"**Sensitivity to the VMs' Minimum: the answer holds** ({(result.Verdict.Yes ? "yes" : "no")} in {cells.Count} of {cells.Count}){(moves ? ", but the ratio moves with it" : "")}: {given}; {each}.")
            : string.Create(Ic, $"**Sensitivity to the VMs' Minimum: the answer depends on it**: {given}; {each}. A trace records no Minimum: set the one you would run (import --minimum-divisor).");
    }

    private int? MinimumDivisorGiven()
        => result.MinimumSensitivity.FirstOrDefault(c => c.Divisor is not null) is MinimumCell c ? (int)Math.Round(c.Divisor!.Value * c.Factor) : null;

    /// <summary>
    /// "Minimum × 0.5 (Startup ÷ 8)"; "Minimum × 2 (at Startup: it cannot pass it)" where the rule's divisor would fall below
    /// 1; "Minimum × 2 (Startup ÷ 1.5: no import divisor gives it)" where it is not a whole number; "Minimum × 0.5" where
    /// the trace records no rule. The factor has the decimals <paramref name="grid"/>, the cells listed beside it, needs
    /// to read apart (<see cref="MinimumFactorText"/>: 0.001 and 0.0010002, not "0.001" twice); six without it.
    /// </summary>
    internal static string MinimumLabel(MinimumCell c, IReadOnlyList<MinimumCell>? grid = null)
    {
        string f = MinimumFactorText.Of(c.Factor, (grid ?? [c]).Select(x => x.Factor));
        return c.Divisor switch
        {
            null => $"Minimum × {f}",
            < 1 => $"Minimum × {f} (at Startup: it cannot pass it)",
            double d when d == Math.Floor(d) && d <= 1024 => string.Create(Ic, $"Minimum × {f} (Startup ÷ {d:0})"),
            // Six decimals: a divisor outside a whole one's 0.01 % (DivisorFor) reads as not whole (÷ 3.99956, not ÷ 4).
            double d => string.Create(Ic, $"Minimum × {f} (Startup ÷ {d:0.######}: no import divisor gives it)"),
        };
    }

    private string Grid() => result.RecordedDemand is null
        ? "demand scaled by " + string.Join(" / ", result.Sensitivity.Select(c => c.Demand.K.ToString("0.##", Ic)))
        : "OS base " + string.Join("/", result.Sensitivity.Select(c => c.Demand.OsBaseMb).Distinct().Select(b => b.ToString("0", Ic))) + " MB × k "
            + string.Join("/", result.Sensitivity.Select(c => c.Demand.K).Distinct().Select(k => k.ToString("0.0#", Ic)));

    /// <summary>The whole report.md.</summary>
    public string Markdown()
    {
        var md = new StringBuilder();
        CapacityOptions o = result.Options;
        md.AppendLine(Ic, $"# Do we need Dynamic Memory? `{result.Trace}`");
        md.AppendLine();
        md.AppendLine(Headline(inReport: true));
        md.AppendLine();
        md.AppendLine("![Unserved VM-time against VMs per host, per strategy](density.png)");
        md.AppendLine();
        md.AppendLine(Ic, $"*Each curve: the first draw's hosts filled with more and more VMs; the share of servable VM-time paging or denied a start. The dashed line is the paging limit; a diamond marks each strategy's density in that first draw (where the level, which also allows no denied start, is last met; the table gives the median over the draws).{(result.Densities.Any(d => MissedUnderTheLine(d, result.Options.Level).Count > 0) ? " A black cross marks a point under the line that missed the level all the same (a denied start counts little VM-time; or the pressure limit)." : "")}*");
        md.AppendLine();

        if (result.Warnings.Count > 0)
        {
            md.AppendLine("## Warnings");
            md.AppendLine();
            foreach (string w in result.Warnings)
                md.AppendLine(Ic, $"- {w}");
            md.AppendLine();
        }

        md.AppendLine("## How this was measured");
        md.AppendLine();
        md.AppendLine(Ic, $"- **Service level**, the same for every strategy: {o.Level.Describe()}. *Servable* VM-time is when a VM is wanted on with a demand it can be given at all (at most its provisioned Maximum); the rest is *unservable* ({ShareText.Percent(result.UnservableShare)} of the trace's VM-time, below), shown apart and never counted for or against a strategy.");
        md.AppendLine(Ic, $"- **VMs per host**: {o.HostsPerProbe} hosts of {o.Host.TotalMb} MB ({o.Host.ReserveMb} MB reserve) filled with N VMs each, drawn from the trace's {Count(result.PoolVms, "VM")} with replacement, each playing its own series from a random tick (wrapping around); the largest N that meets the level, for {Count(o.Seeds, "draw")} (seeds {o.Seed}..{o.Seed + (ulong)o.Seeds - 1}): median and range. Every strategy sees the same draws, so ratios are taken draw by draw.");
        md.AppendLine(Ic, $"- **Hosts needed**: the trace's own VMs re-packed by Startup (largest first, onto the least-loaded host) onto k hosts; the fewest k that meets the level.");
        md.AppendLine(Ic, $"- Each probe replays {Count(result.Ticks, "tick")} of {result.TickSeconds:0.###} s through the kernel after a warm-up in which the VMs start one after another as room allows (R4), as an administrator boots a host. Demand model of the trace: {result.RecordedDemand?.Describe() ?? "none recorded (the trace's values are committed demand)"}.");
        md.AppendLine(Ic, $"- **Guests** (P10): {(result.Guests.IsIdeal ? "all ideal (the trace records no mix): every balloon and hot-add is carried out at once" : GuestsText(result.Guests, result.TickSeconds) + ", the rest ideal; the mix the trace records, applied in every probe under every strategy and policy, each VM's response drawn from its index in the trace")}.");
        md.AppendLine(Ic, $"- {Words.Count(result.ProbesRun, "probe")}, {Words.VmTicks(result.VmTicksReplayed)}, {seconds:F1} s.");
        md.AppendLine();

        md.AppendLine("## VMs per host");
        md.AppendLine();
        md.AppendLine("| strategy | VMs per host (median, range) | Dynamic Memory × | one VM more misses by | memory held per VM at density (mean over on VM-time / fleet peak per VM) | demand per VM at density | paging at density |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (DensityResult d in result.Densities)
        {
            if (d.NeverMeets)
            {
                md.AppendLine(Ic, $"| {d.Strategy.Name} | none | – | {d.CannotMeet} | – | – | – |");
                continue;
            }

            DensityRatio r = DensityRatio.Of(Dm, d);
            ProbeOutcome? at = d.AtMedian;
            string miss = Misses(d);
            md.AppendLine(Ic, $"| {d.Strategy.Name} | {Range(d)} | {(d == Dm ? "1.00 ×" : BoundedRatio(Dm, d, r.Median))} | {(miss.Length == 0 ? "–" : miss)} | {(at is null ? "–" : $"{Gb(at.MeanHeldPerVmMb)} / {Gb(at.PeakHeldPerVmMb)}")} | {(at is null ? "–" : Gb(at.MeanDemandPerVmMb))} | {(at is null ? "–" : ShareText.Percent(at.PagingShare))} |");
        }

        md.AppendLine();
        md.AppendLine("*\"by tick N\": the search stops a probe as soon as it cannot meet the level, so a miss's shares are over the N measured ticks it played (docs/compare.md).*");
        md.AppendLine();
        md.AppendLine("## Hosts this fleet needs");
        md.AppendLine();
        md.AppendLine("| strategy | hosts | VMs per host | memory held per VM (mean over on VM-time / fleet peak per VM) | paging | one host fewer misses by |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (HostsResult h in result.Hosts)
        {
            string fewer = h.LastMiss is ProbeOutcome m ? string.Create(Ic, $"{Count(m.Hosts, "host")}: {result.Options.Level.Shortfall(m)}") : "–";
            if (h.CannotHost is string why)
            {
                md.AppendLine(Ic, $"| {h.Strategy.Name} | none: {why} | – | – | – | – |");
                continue;
            }

            if (h.Hosts is not int n || h.AtHosts is not ProbeOutcome a)
            {
                md.AppendLine(NeverMeets(h)
                    ? string.Create(Ic, $"| {h.Strategy.Name} | none: it misses the level at any density (above) | – | – | – | {(h.LastMiss is not null ? $"the most tried, {fewer}" : "–")} |")
                    : TriedOneVmPerHost(h)
                    ? string.Create(Ic, $"| {h.Strategy.Name} | none: it misses the level even with one VM per host | – | – | – | {(h.LastMiss is not null ? $"the most tried, {fewer}" : "–")} |")
                    : string.Create(Ic, $"| {h.Strategy.Name} | more than {h.MaxHosts} (the search's limit: --max-hosts) | – | – | – | {(h.LastMiss is not null ? $"the most tried, {fewer}" : "–")} |"));
                continue;
            }

            md.AppendLine(Ic, $"| {h.Strategy.Name} | {n} | {(double)result.PoolVms / n:F1} | {Gb(a.MeanHeldPerVmMb)} / {Gb(a.PeakHeldPerVmMb)} | {ShareText.Percent(a.PagingShare)} | {fewer} |");
        }

        if (result.Sensitivity.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Sensitivity to the demand model");
            md.AppendLine();
            md.AppendLine(SensitivitySentence());
            md.AppendLine();
            md.AppendLine("| demand model | Dynamic Memory VMs per host | held per VM | one VM more misses by (draws) | VMs with unservable demand held below their Maximum (share of VM-time) | static provisioned | ratio (range) | answer |");
            md.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (SensitivityCell c in result.Sensitivity)
            {
                // A trace without a recorded demand model (generated) is scaled: its cells are "demand × k", not a model.
                string model = result.RecordedDemand is null ? string.Create(Ic, $"demand × {c.Demand.K:0.##}") : c.Demand.Describe();
                md.AppendLine(Ic, $"| {model} | {Range(c.DynamicMemory)} | {HeldPerVm(c.DynamicMemory)} | {MissCell(c.DynamicMemory, o.Level)} | {HeldBelowMaximumCell(c.DynamicMemory)} | {Range(c.StaticProvisioned)} | {Fmt(c.Verdict.Ratio.Median)} ({c.Verdict.Ratio.Min:F2}–{Fmt(c.Verdict.Ratio.Max)}) | {(c.Verdict.Yes ? "yes" : "no")} |");
            }
        }

        if (result.MinimumSensitivity.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Sensitivity to the VMs' Minimum");
            md.AppendLine();
            md.AppendLine(MinimumSentence());
            md.AppendLine();
            md.AppendLine("Each Dynamic Memory VM's Minimum times the factor, rounded up to 2 MB, at least 32 MB and at most its Startup (where the import recorded Minimum = Startup ÷ d, derived again from Startup: what importing with --minimum-divisor d ÷ factor gives, when that is a whole number from 1 to 1024, to within 0.01 %); static provisioned holds every VM at its Maximum, so its density is the same in every row.");
            md.AppendLine();
            md.AppendLine("| Minimum | pool's mean Minimum | Dynamic Memory VMs per host | held per VM | one VM more misses by (draws) | VMs with unservable demand held below their Maximum (share of VM-time) | static provisioned | ratio (range) | answer |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|");
            md.AppendLine(Ic, $"| as given{(MinimumDivisorGiven() is int g ? string.Create(Ic, $" (Startup ÷ {g})") : "")} | {(result.PoolFloorMb > 0 ? Gb(result.PoolFloorMb) : "–")} | {Range(Dm)} | {HeldPerVm(Dm)} | {MissCell(Dm, o.Level)} | {HeldBelowMaximumCell(Dm)} | {Range(Static)} | {Fmt(result.Verdict.Ratio.Median)} ({result.Verdict.Ratio.Min:F2}–{Fmt(result.Verdict.Ratio.Max)}) | {(result.Verdict.Yes ? "yes" : "no")} |");
            foreach (MinimumCell c in result.MinimumSensitivity)
                md.AppendLine(Ic, $"| {MinimumLabel(c, result.MinimumSensitivity)} | {(c.MeanMinimumMb > 0 ? Gb(c.MeanMinimumMb) : "–")} | {Range(c.DynamicMemory)} | {HeldPerVm(c.DynamicMemory)} | {MissCell(c.DynamicMemory, o.Level)} | {HeldBelowMaximumCell(c.DynamicMemory)} | {Range(c.StaticProvisioned)} | {Fmt(c.Verdict.Ratio.Median)} ({c.Verdict.Ratio.Min:F2}–{Fmt(c.Verdict.Ratio.Max)}) | {(c.Verdict.Yes ? "yes" : "no")} |");
        }

        md.AppendLine();
        md.Append(PolicySection());
        md.AppendLine("## Unservable demand");
        md.AppendLine();
        int most = result.Unservable.Count(u => u.Share > 0.5);
        md.AppendLine(Ic, $"{ShareText.Percent(result.UnservableShare)} of the trace's VM-time has a demand above what the VM can ever be given (its provisioned Maximum). {(result.Unservable.Count == 1 ? "1 VM has" : string.Create(CultureInfo.InvariantCulture, $"{result.Unservable.Count} VMs have"))} some; {most} ({ShareText.Percent((double)most / Math.Max(1, result.TraceVms), 1)} of the fleet) for most of their on-time.{(most > 0 ? " Their demand model may not fit them, or they were really short of memory." : "")}");
        if (result.Unservable.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("| VM | provisioned | median demand | median usage | unservable share of its on-time |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (UnservableVm u in result.Unservable.Take(10))
                md.AppendLine(Ic, $"| {u.Id} | {u.ProvisionedMb} MB | {u.MedianDemandMb} MB | {(u.MedianUsedMb is double m ? string.Create(CultureInfo.InvariantCulture, $"{m:F0} MB") : "–")} | {ShareText.Percent(u.Share, 1)} |");
        }

        md.AppendLine();
        md.AppendLine("## VMs that starve under Dynamic Memory");
        md.AppendLine();
        HostsResult? dmHosts = result.Hosts.FirstOrDefault(h => h.Strategy == Dm.Strategy);
        // Which packing the list is taken from: the answer's, or when no host count meets the level, the one with the most
        // hosts tried (its last miss); an empty list on no packing at all must not read as "no VM pages".
        string packing = dmHosts is null || dmHosts.Hosts is not null
            ? "hosts-needed packing"
            : string.Create(Ic, $"last try, {Count(dmHosts.MaxHosts, "host")}, which misses the level (no number of hosts tried meets it)");
        if (dmHosts is { Hosts: null, CannotHost: string cannot })
        {
            md.AppendLine(Ic, $"No packing to list them from: no number of hosts can hold the trace's VMs under Dynamic Memory ({cannot}).");
        }
        else if (result.Starving.Count == 0)
        {
            md.AppendLine(Ic, $"On its {packing} no VM pages on servable time.");
        }
        else
        {
            md.AppendLine(Ic, $"On Dynamic Memory's {packing}; shares of each VM's own servable on-time.");
            md.AppendLine();
            md.AppendLine("| VM | provisioned | paging share | unmet demand (GB·h) |");
            md.AppendLine("|---|---|---|---|");
            foreach (StarvingVm s in result.Starving)
                md.AppendLine(Ic, $"| {s.Id} | {s.ProvisionedMb} MB | {ShareText.Percent(s.Share)} | {ShareText.Amount(s.UnmetMbTicks * result.TickSeconds / 3600 / 1024)} |");
        }

        return md.ToString();
    }

    /// <summary>
    /// The points of <paramref name="d"/>'s curve drawn on or under the paging limit that nevertheless miss the level (a
    /// denied start counts little VM-time, so such a point sits under the line): density.png crosses them out.
    /// </summary>
    internal static IReadOnlyList<CurvePoint> MissedUnderTheLine(DensityResult d, ServiceLevel level)
        => [.. d.Curve.Where(p => !level.IsMetBy(p.Outcome) && p.UnservedShare <= level.MaxPagingShare)];

    /// <summary>A point of a plot, in the plot's own units (density.png: VMs per host and %).</summary>
    internal readonly record struct PlotPoint(double X, double Y);

    /// <summary>
    /// One strategy's curve on density.png: its legend, its colour (the strategy's index in the study's strategies, in
    /// the Category10 palette), its points (x VMs per host, y % of servable VM-time paging or denied), its line pattern and
    /// marker (by the order the curves are drawn in), the diamond at the first draw's density and the points crossed out.
    /// </summary>
    internal sealed record DensityCurve(string Legend, int Colour, double[] Xs, double[] Ys, LinePattern Pattern, MarkerShape Shape, PlotPoint Density, IReadOnlyList<PlotPoint> Missed);

    /// <summary>A strategy that pages beyond the limit at any density: a dotted horizontal line at <see cref="Y"/> % in its colour.</summary>
    internal sealed record FlatLine(string Legend, int Colour, double Y);

    /// <summary>
    /// The diamonds' legend entry: <paramref name="Colour"/> is the strategy whose diamond carries it, Dynamic Memory's
    /// (the one the report's headline gives the median of); null where Dynamic Memory has no curve, so no diamond is
    /// the headline's: a black diamond of its own then, outside the frame, as the diamonds drawn are each in its curve's
    /// colour (before, the first drawn strategy's diamond carried it, in that strategy's colour).
    /// </summary>
    internal sealed record DiamondKey(string Legend, int? Colour);

    /// <summary>
    /// What density.png draws, in this order: the <see cref="Curves"/> (each with its diamond and its crosses, the first
    /// cross with <see cref="MissedLegend"/>; the diamonds' legend entry <see cref="Key"/>), the <see cref="Flats"/>, the
    /// paging limit at <see cref="Limit"/> % (dashed, black); the x axis from 0 to <see cref="XMax"/> VMs per host, the y
    /// axis from 0 to <see cref="YMax"/> %.
    /// </summary>
    internal sealed record DensityPlot(string Title, string XLabel, string YLabel, IReadOnlyList<DensityCurve> Curves, string MissedLegend,
        IReadOnlyList<FlatLine> Flats, double Limit, string LimitLegend, double XMax, double YMax)
    {
        /// <summary>The diamonds' legend entry; null without a curve (no diamond is drawn).</summary>
        public DiamondKey? Key { get; init; }

        /// <summary>
        /// Legend entries, in a strategy's colour, for the strategies with neither a curve nor a flat line (one that cannot
        /// start a VM on this host, or misses the level with one VM per host): absent from the picture, they are said in
        /// its legend and not only in report.md (before stop 55, nothing named them).
        /// </summary>
        public IReadOnlyList<FlatLine> NotDrawn { get; init; } = [];
    }

    // Strategies often share a curve (buffers that change nothing, static provisioned and provisioned + 50 % on
    // large hosts): each curve has its own line pattern and marker, so one drawn over another still shows, and the
    // legend says which curves are the same.
    private static readonly LinePattern[] CurvePatterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    private static readonly MarkerShape[] CurveShapes = [MarkerShape.FilledCircle, MarkerShape.OpenSquare, MarkerShape.FilledTriangleUp, MarkerShape.OpenCircle, MarkerShape.Cross, MarkerShape.FilledSquare, MarkerShape.OpenTriangleDown];

    /// <summary>
    /// density.png's numbers: per strategy with a curve (the first draw's full-length probes), unserved share in % against
    /// VMs per host, the first draw's density as a diamond on its curve, the points on or under the paging limit that
    /// missed the level crossed out; a flat line for each strategy that pages beyond the limit at any density; the paging
    /// limit. The x axis ends 5 % beyond the largest VMs per host of any curve (at least 1); the y axis at 100 % or less,
    /// at least 4 × the limit, up to 10 × the limit to show 110 % of the highest point of a curve (a flat line above
    /// that runs off the frame; its legend gives its value).
    /// </summary>
    internal DensityPlot DensityPlotData()
    {
        ServiceLevel level = result.Options.Level;
        double limit = level.MaxPagingShare * 100;
        double maxX = 1;
        var curves = new List<DensityCurve>();
        var drawn = new List<(string Name, double[] Xs, double[] Ys)>();
        for (int i = 0; i < result.Densities.Count; i++)
        {
            DensityResult d = result.Densities[i];
            if (d.Curve.Count == 0)
                continue;
            double[] xs = [.. d.Curve.Select(p => (double)p.VmsPerHost)];
            double[] ys = [.. d.Curve.Select(p => p.UnservedShare * 100)];
            string? same = drawn.FirstOrDefault(c => c.Xs.AsSpan().SequenceEqual(xs) && c.Ys.AsSpan().SequenceEqual(ys)).Name;
            drawn.Add((d.Strategy.Name, xs, ys));
            int density = d.Seeds[0].VmsPerHost;
            CurvePoint? at = d.Curve.FirstOrDefault(p => p.VmsPerHost == density);
            curves.Add(new DensityCurve(same is null ? d.Strategy.Name : $"{d.Strategy.Name} (the same curve as {same})", i, xs, ys,
                CurvePatterns[(drawn.Count - 1) % CurvePatterns.Length], CurveShapes[(drawn.Count - 1) % CurveShapes.Length],
                new PlotPoint(density, at is null ? 0 : at.UnservedShare * 100),
                [.. MissedUnderTheLine(d, level).Select(miss => new PlotPoint(miss.VmsPerHost, miss.UnservedShare * 100))]));
            maxX = Math.Max(maxX, xs.Max());
        }

        var flats = new List<FlatLine>();
        var notDrawn = new List<FlatLine>();
        for (int i = 0; i < result.Densities.Count; i++)
        {
            DensityResult d = result.Densities[i];
            if (d.Curve.Count > 0)
                continue;
            if (d.PoolPagingShare is double p)
                flats.Add(new FlatLine(string.Create(Ic, $"{d.Strategy.Name}: {ShareText.Percent(p, 1)} at any density"), i, p * 100));
            else
                notDrawn.Add(new FlatLine(string.Create(Ic, $"{d.Strategy.Name}: not drawn ({NotDrawnReason(d)})"), i, double.NaN));
        }

        // The curves set the scale, not the flat lines: a strategy at 16.7 % at any density set the month's axis to 10 %
        // and flattened every curve (0..1.1 %) into the bottom pixels (before stop 54). Up to 10 × the limit: the
        // crossings are what matter; a curve or a flat line above that leaves the frame (the legend gives each flat
        // line's value).
        double top = curves.Count > 0
            ? result.Densities.SelectMany(d => d.Curve).Select(c => c.UnservedShare * 100).DefaultIfEmpty(0).Max()
            : flats.Select(f => f.Y).DefaultIfEmpty(0).Max(); // nothing but flat lines: they are the picture
        return new DensityPlot(CurvesTitle(), "VMs per host", "servable VM-time paging or denied (%)", curves,
            level.MaxPressure is null
                ? "missed the level by a denied start (under the line)"
                : "missed the level by a denied start or the pressure limit (under the line)",
            flats, limit, string.Create(Ic, $"paging limit {limit:0.###} %"), maxX * 1.05, Math.Min(100, Math.Max(limit * 4, Math.Min(limit * 10, top * 1.1))))
        {
            NotDrawn = notDrawn,
            Key = curves.Count == 0 ? null
                : curves.FirstOrDefault(c => result.Densities[c.Colour].Strategy == result.Options.Strategies.FirstOrDefault(s => s.IsDynamic)) is DensityCurve dm
                    ? new DiamondKey("density in this draw (the report: the median over the draws)", dm.Colour)
                    : new DiamondKey("density in this draw, in its curve's colour (the report: the median over the draws)", null),
        };
    }

    /// <summary>Why a strategy has no curve, in a few words for a legend.</summary>
    private string NotDrawnReason(DensityResult d)
    {
        if (result.Warnings.Any(w => w.StartsWith($"Under {d.Strategy.Name}, VM ", StringComparison.Ordinal)))
            return "a VM of the trace cannot start on this host";
        return d.CannotMeet is string why && why.Length <= 60 ? why : "it cannot meet the level: see report.md";
    }

    /// <summary>density.png: per strategy, unserved share against VMs per host, the paging limit, each density marked (<see cref="DensityPlotData"/>).</summary>
    public void WriteCurves(string path)
    {
        (Plot plot, int width, int height) = CurvesFigure();
        plot.SavePng(path, width, height);
    }

    /// <summary>
    /// density.png as ScottPlot draws it (<see cref="DensityPlotData"/>), and its size: 1200 × 500, wider where the title
    /// would not fit. The title is centred over the data area, which the legend on the right narrows: a wide legend (a
    /// strategy "not drawn (...)") and a long trace name clipped it at the left edge, so the figure is widened until both
    /// title lines fit between its edges (the legend keeps its width).
    /// </summary>
    internal (Plot Plot, int Width, int Height) CurvesFigure()
    {
        DensityPlot data = DensityPlotData();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        bool crossed = false;
        foreach (DensityCurve c in data.Curves)
        {
            var line = plot.Add.ScatterLine(c.Xs, c.Ys, palette.GetColor(c.Colour));
            line.LegendText = c.Legend;
            line.LinePattern = c.Pattern;
            line.MarkerShape = c.Shape;
            line.MarkerSize = 7;

            // A point under the paging line that still missed the level (a denied start, or the pressure limit) would read
            // as met: crossed out in black.
            foreach (PlotPoint miss in c.Missed)
            {
                var cross = plot.Add.Marker(miss.X, miss.Y);
                cross.MarkerShape = MarkerShape.Eks;
                cross.MarkerSize = 14;
                cross.MarkerLineWidth = 2;
                cross.Color = Colors.Black;
                if (!crossed)
                {
                    cross.LegendText = data.MissedLegend;
                    crossed = true;
                }
            }
        }

        // The diamonds after every curve, Dynamic Memory's last, so that it is drawn on top where strategies share a
        // density (a reviewer: the buffer knob's diamond hid Dynamic Memory's at one VM per host). The diamond is this
        // draw's density, which the headline's median over the draws need not equal (the sample: 35 here, 46 in the
        // headline): the legend says so, not only the caption in report.md; on Dynamic Memory's diamond, or, without its
        // curve, on a black one of its own outside the frame (no drawn diamond is the headline's).
        foreach (DensityCurve c in data.Curves.Reverse().OrderBy(c => c.Colour == data.Key?.Colour))
        {
            var marker = plot.Add.Marker(c.Density.X, c.Density.Y);
            marker.MarkerShape = MarkerShape.FilledDiamond;
            marker.MarkerSize = 12;
            marker.Color = palette.GetColor(c.Colour);
            if (c.Colour == data.Key?.Colour)
                marker.LegendText = data.Key.Legend;
        }

        if (data.Key is { Colour: null } key)
        {
            var neutral = plot.Add.Marker(-data.XMax, -data.YMax);
            neutral.MarkerShape = MarkerShape.FilledDiamond;
            neutral.MarkerSize = 12;
            neutral.Color = Colors.Black;
            neutral.LegendText = key.Legend;
        }

        foreach (FlatLine f in data.Flats)
        {
            var flat = plot.Add.HorizontalLine(f.Y, color: palette.GetColor(f.Colour));
            flat.LegendText = f.Legend;
            flat.LinePattern = LinePattern.Dotted;
        }

        // A strategy with nothing to draw gets its legend entry from a marker outside the frame (the axes are set below).
        foreach (FlatLine f in data.NotDrawn)
        {
            var absent = plot.Add.Marker(-data.XMax, -data.YMax);
            absent.MarkerShape = MarkerShape.Eks;
            absent.MarkerSize = 10;
            absent.Color = palette.GetColor(f.Colour);
            absent.LegendText = f.Legend;
        }

        var level = plot.Add.HorizontalLine(data.Limit);
        level.LinePattern = LinePattern.Dashed;
        level.Color = Colors.Black;
        level.LegendText = data.LimitLegend;
        plot.Title(data.Title);
        plot.XLabel(data.XLabel);
        plot.YLabel(data.YLabel);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true }; // VMs per host: whole numbers
        plot.Axes.SetLimitsX(0, data.XMax);
        plot.Axes.SetLimitsY(0, data.YMax);
        plot.ShowLegend(Edge.Right);

        int width = ReplayReport.PlotWidth + 300, height = ReplayReport.PlotHeight + 80;
        using Paint paint = Paint.NewDisposablePaint();
        for (int pass = 0; pass < 3; pass++)
        {
            plot.RenderInMemory(width, height);
            float title = plot.Axes.Title.Label.Measure(paint).Width + 20; // 10 px clear of each edge
            PixelRect area = plot.LastRender.DataRect;
            float room = 2 * Math.Min(area.HorizontalCenter, width - area.HorizontalCenter);
            if (title <= room)
                break;
            width += (int)Math.Ceiling(title - room); // the data area, and the title's centre with it, takes it all
        }

        return (plot, width, height);
    }

    /// <summary>
    /// density.png's title. The curves and diamonds are one draw's while the report's tables give the median over the
    /// draws: the picture says so itself, as it is often looked at without report.md.
    /// </summary>
    internal string CurvesTitle()
    {
        CapacityOptions o = result.Options;
        string draw = o.Seeds > 1
            ? string.Create(Ic, $"the draw of seed {o.Seed} (first of {o.Seeds}); report.md gives the median of the {o.Seeds} draws")
            : string.Create(Ic, $"the draw of seed {o.Seed}");
        return string.Create(Ic, $"{result.Trace}: VM-time unserved against VMs per {HostGb} host\n{draw}");
    }

    /// <summary>comparison.json: every figure of the report (docs/compare.md, "comparison.json, field by field").</summary>
    public static void WriteJson(string path, CapacityResult r, double seconds, Action<Utf8JsonWriter>? run = null)
    {
        using FileStream stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var report = new CompareReport(r, seconds);
        CapacityOptions o = r.Options;
        json.WriteStartObject();
        json.WriteString("format", "dmkernel-compare/2");
        json.WriteString("trace", r.Trace);
        json.WriteNumber("vms", r.TraceVms);
        json.WriteNumber("poolVms", r.PoolVms);
        json.WriteNumber("ticks", r.Ticks);
        json.WriteNumber("tickSeconds", r.TickSeconds);
        json.WriteStartObject("serviceLevel");
        json.WriteNumber("maxPagingShare", o.Level.MaxPagingShare);
        json.WriteBoolean("deniedStartsAllowed", false);
        if (o.Level.MaxPressure is int mp)
        {
            json.WriteNumber("maxPressure", mp);
            json.WriteNumber("pressurePercentile", o.Level.PressurePercentile);
        }

        json.WriteEndObject();
        json.WriteStartObject("host");
        json.WriteNumber("totalMb", o.Host.TotalMb);
        // The reserve every probe used: the host's own, else the model's (R3), as CapacityOptions.Validate and the study read it.
        json.WriteNumber("reserveMb", o.Host.ReserveMb ?? o.Probe.Model.HostReserveMb);
        json.WriteEndObject();
        json.WriteNumber("hostsPerProbe", o.HostsPerProbe);
        json.WriteNumber("seeds", o.Seeds);
        json.WriteNumber("firstSeed", o.Seed);
        if (r.RecordedDemand is DemandModel dm)
            WriteDemand(json, "demandModel", dm);
        json.WriteString("guests", r.Guests.ToString());
        json.WriteStartObject("verdict");
        json.WriteBoolean("dynamicMemoryPaysOff", r.Verdict.Yes);
        json.WriteBoolean("decided", r.Verdict.Decided);
        WriteRatio(json, r.Verdict.Ratio);
        json.WriteEndObject();

        json.WriteStartArray("strategies");
        foreach (DensityResult d in r.Densities)
        {
            json.WriteStartObject();
            json.WriteString("key", d.Strategy.Key);
            json.WriteString("name", d.Strategy.Name);
            json.WriteStartObject("vmsPerHost");
            json.WriteNumber("median", d.Median);
            json.WriteNumber("min", d.Min);
            json.WriteNumber("max", d.Max);
            json.WriteBoolean("atSearchLimit", d.AtSearchLimit);
            WriteMisses(json, d, o.Level);
            json.WriteStartArray("bySeed");
            foreach (DensitySeed s in d.Seeds)
                json.WriteNumberValue(s.VmsPerHost);
            json.WriteEndArray();
            if (d.CannotMeet is string why)
                json.WriteString("cannotMeet", why);
            if (d.PoolPagingShare is double pp)
                json.WriteNumber("pagingShareAtAnyDensity", Math.Round(pp, 6));
            if (d.AtMedian is ProbeOutcome at)
                WriteOutcome(json, "atMedianDensity", at);
            json.WriteStartArray("curve");
            foreach (CurvePoint c in d.Curve)
            {
                json.WriteStartObject();
                json.WriteNumber("vmsPerHost", c.VmsPerHost);
                json.WriteNumber("unservedShare", Math.Round(c.UnservedShare, 6));
                json.WriteNumber("pagingShare", Math.Round(c.Outcome.PagingShare, 6));
                json.WriteNumber("deniedShare", Math.Round(c.Outcome.DeniedShare, 6));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            HostsResult? h = r.Hosts.FirstOrDefault(x => x.Strategy == d.Strategy);
            if (h is not null)
            {
                json.WriteStartObject("hostsNeeded");
                if (h.Hosts is int n)
                    json.WriteNumber("hosts", n);
                else
                    json.WriteNull("hosts");
                json.WriteString("answer", report.HostsAnswer(h, d.NeverMeets));
                json.WriteNumber("maxHostsTried", h.MaxHosts);
                if (h.AtHosts is ProbeOutcome a)
                    WriteOutcome(json, "atHosts", a);
                if (h.LastMiss is ProbeOutcome miss)
                    WriteOutcome(json, "lastMiss", miss);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("sensitivity");
        foreach (SensitivityCell c in r.Sensitivity)
        {
            json.WriteStartObject();
            WriteDemand(json, "demandModel", c.Demand);
            json.WriteNumber("dynamicMemoryVmsPerHost", c.DynamicMemory.Median);
            json.WriteNumber("staticProvisionedVmsPerHost", c.StaticProvisioned.Median);
            json.WriteBoolean("dynamicMemoryPaysOff", c.Verdict.Yes);
            WriteRatio(json, c.Verdict.Ratio);
            WriteMisses(json, c.DynamicMemory, o.Level);
            json.WriteNumber("dynamicMemoryHeldBelowMaximumShare", Math.Round(CapacityStudy.UnservableShortShare(c.DynamicMemory), 6));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("minimumSensitivity");
        foreach (MinimumCell c in r.MinimumSensitivity)
        {
            json.WriteStartObject();
            json.WriteNumber("factor", c.Factor);
            if (c.Divisor is double d && d >= 1 && d == Math.Floor(d) && d <= 1024)
                json.WriteNumber("minimumDivisor", d); // an import divisor that gives the cell; absent where none does
            json.WriteNumber("meanMinimumMb", Math.Round(c.MeanMinimumMb, 1));
            json.WriteNumber("dynamicMemoryVmsPerHost", c.DynamicMemory.Median);
            json.WriteNumber("staticProvisionedVmsPerHost", c.StaticProvisioned.Median);
            json.WriteBoolean("dynamicMemoryPaysOff", c.Verdict.Yes);
            WriteRatio(json, c.Verdict.Ratio);
            WriteMisses(json, c.DynamicMemory, o.Level);
            json.WriteNumber("dynamicMemoryHeldBelowMaximumShare", Math.Round(CapacityStudy.UnservableShortShare(c.DynamicMemory), 6));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("unservable");
        json.WriteNumber("share", Math.Round(r.UnservableShare, 6));
        json.WriteNumber("dynamicMemoryHeldBelowMaximumShare", Math.Round(r.DynamicMemoryUnservableShortShare, 6));
        json.WriteBoolean("dynamicMemoryHeldBelowMaximum", r.DynamicMemoryShortOnUnservable);
        json.WriteStartArray("vms");
        foreach (UnservableVm u in r.Unservable)
        {
            json.WriteStartObject();
            json.WriteString("id", u.Id);
            json.WriteNumber("provisionedMb", u.ProvisionedMb);
            json.WriteNumber("medianDemandMb", u.MedianDemandMb);
            json.WriteNumber("share", Math.Round(u.Share, 6));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("starving");
        foreach (StarvingVm v in r.Starving)
        {
            json.WriteStartObject();
            json.WriteString("id", v.Id);
            json.WriteNumber("provisionedMb", v.ProvisionedMb);
            json.WriteNumber("servableTicks", v.ServableTicks);
            json.WriteNumber("pagingTicks", v.PagingTicks);
            json.WriteNumber("pagingShare", Math.Round(v.Share, 6));
            json.WriteNumber("unmetMbTicks", v.UnmetMbTicks);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("leftOut");
        json.WriteNumber("neverOn", r.NeverOn);
        json.WriteNumber("ticksBefore", r.TicksLeftOutBefore);
        json.WriteNumber("ticksAfter", r.TicksLeftOutAfter);
        json.WriteStartArray("tooLarge");
        foreach (ExcludedVm x in r.TooLarge)
        {
            json.WriteStartObject();
            json.WriteString("id", x.Id);
            json.WriteNumber("sizeMb", x.SizeMb);
            json.WriteString("strategy", x.Strategy);
            json.WriteNumber("hostMbThatFits", x.HostMbThatFits);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        WritePolicies(json, r, report);
        json.WriteStartArray("warnings");
        foreach (string w in r.Warnings)
            json.WriteStringValue(w);
        json.WriteEndArray();
        json.WriteStartObject("run");
        json.WriteNumber("wallSeconds", Math.Round(seconds, 3));
        json.WriteNumber("probes", r.ProbesRun);
        json.WriteNumber("vmTicks", r.VmTicksReplayed);
        json.WriteNumber("threads", o.Threads);
        run?.Invoke(json);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteDemand(Utf8JsonWriter json, string name, DemandModel m)
    {
        json.WriteStartObject(name);
        json.WriteNumber("k", m.K);
        json.WriteNumber("osBaseMb", m.OsBaseMb);
        json.WriteNumber("osBaseCapPercent", m.OsBaseCapPercent);
        json.WriteEndObject();
    }

    private static void WriteRatio(Utf8JsonWriter json, DensityRatio r)
    {
        json.WriteStartObject("ratioToStaticProvisioned");
        WriteFinite(json, "median", r.Median);
        WriteFinite(json, "min", r.Min);
        WriteFinite(json, "max", r.Max);
        json.WriteEndObject();
    }

    private static void WriteFinite(Utf8JsonWriter json, string name, double v)
    {
        if (double.IsFinite(v))
            json.WriteNumber(name, Math.Round(v, 4));
        else
            json.WriteNull(name);
    }

    private static void WriteOutcome(Utf8JsonWriter json, string name, ProbeOutcome o)
    {
        json.WriteStartObject(name);
        json.WriteNumber("vms", o.Vms);
        json.WriteNumber("hosts", o.Hosts);
        json.WriteNumber("pagingShare", Math.Round(o.PagingShare, 6));
        json.WriteNumber("deniedShare", Math.Round(o.DeniedShare, 6));
        json.WriteNumber("unservableShare", Math.Round(o.UnservableShare, 6));
        json.WriteNumber("meanHeldPerVmMb", Math.Round(o.MeanHeldPerVmMb, 1));
        json.WriteNumber("peakHeldPerVmMb", Math.Round(o.PeakHeldPerVmMb, 1));
        json.WriteNumber("meanDemandPerVmMb", Math.Round(o.MeanDemandPerVmMb, 1));
        json.WriteNumber("unmetMbTicks", o.UnmetMbTicks);
        if (o.PressurePercentile > 0)
            json.WriteNumber("pressurePercentile", o.PressurePercentile);
        if (o.Stopped)
            json.WriteNumber("stoppedByTick", o.Ticks); // a search's probe stopped once it could no longer meet the level: its figures are over these ticks
        json.WriteEndObject();
    }

    private static string Vms(DensityResult d) => d.Median == 1 && d.Max == 1 ? "VM" : "VMs";

    /// <summary>What one VM more per host than the density misses the level by, draw by draw, named by seed ("seed 2: starts denied ...").</summary>
    private string Misses(DensityResult d)
        => string.Join("; ", d.Seeds.Where(s => s.FirstMiss is not null).Select(s => string.Create(Ic, $"seed {result.Options.Seed + (ulong)s.Seed}: {result.Options.Level.Shortfall(s.FirstMiss!)}")));

    /// <summary>True when the strategy of <paramref name="h"/> misses the level at any density (its density search says so): no host count meets it.</summary>
    private bool NeverMeets(HostsResult h) => h.Hosts is null && result.Densities.FirstOrDefault(d => d.Strategy == h.Strategy) is { NeverMeets: true };

    /// <summary>
    /// comparison.json's <c>answer</c> of a hosts-needed search, the report's wording as a key: <c>found</c>,
    /// <c>missesAtAnyDensity</c> (its density search never meets the level), <c>missesWithOneVmPerHost</c>, or
    /// <c>beyondMaxHosts</c> (not within the --max-hosts given); <c>vmTooLarge</c> (a VM larger than a host under the
    /// strategy) does not occur in compare, whose pool leaves such VMs out (<c>leftOut.tooLarge</c>).
    /// </summary>
    internal string HostsAnswer(HostsResult h, bool densityNeverMeets)
        => h.Hosts is not null ? "found"
        : h.CannotHost is not null ? "vmTooLarge"
        : densityNeverMeets ? "missesAtAnyDensity"
        : TriedOneVmPerHost(h) ? "missesWithOneVmPerHost"
        : "beyondMaxHosts";

    /// <summary>
    /// True when the hosts-needed search of <paramref name="h"/> tried every VM on a host of its own and missed (without
    /// --max-hosts it goes on up to that): no host count meets it, rather than "more than N" at a limit.
    /// </summary>
    private bool TriedOneVmPerHost(HostsResult h) => h.Hosts is null && h.MaxHosts >= result.PoolVms;

    private static string Count(int n, string noun) => Words.Count(n, noun);

    // A density at the search's limit is a lower bound ("≥ 20000"): the search did not try beyond it.
    /// <summary>The mean memory held per VM at the density, over the draws that met the level ("–" where none did).</summary>
    private static string HeldPerVm(DensityResult d)
    {
        ProbeOutcome[] at = [.. d.Seeds.Where(x => x.AtDensity is not null).Select(x => x.AtDensity!)];
        return at.Length == 0 ? "–" : Gb(at.Average(o => o.MeanHeldPerVmMb));
    }

    private static string Range(DensityResult d) => d.Min == d.Max
        ? Bound(d, d.Median)
        : string.Create(Ic, $"{Bound(d, d.Median)} ({d.Min}–{Bound(d, d.Max)})");

    private static string Bound(DensityResult d, int n) => d.SearchLimit > 0 && n >= d.SearchLimit ? string.Create(Ic, $"≥ {n}") : n.ToString(Ic);

    private static string Ratio(double r) => double.IsPositiveInfinity(r) ? "only DM" : string.Create(Ic, $"{r:F2} ×");

    /// <summary>
    /// Dynamic Memory's density over <paramref name="other"/>'s: "≥" when only Dynamic Memory's search stopped at its
    /// limit (its density is a lower bound), "≤" when only the other's did, and unknown when both did.
    /// </summary>
    private static string BoundedRatio(DensityResult dm, DensityResult other, double median)
        => dm.AtSearchLimit && other.AtSearchLimit ? "? (both at the search limit)"
            : (dm.AtSearchLimit ? "≥ " : other.AtSearchLimit ? "≤ " : "") + Ratio(median);

    private static string Fmt(double r) => double.IsPositiveInfinity(r) ? "∞" : r.ToString("F2", Ic);

    // Memory per VM, always in GB with two decimals, so a column reads in one unit ("0.95 GB", "4.00 GB", "12.34 GB").
    private static string Gb(double mb) => string.Create(Ic, $"{mb / 1024:F2} GB");
}
