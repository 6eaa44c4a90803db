using System.Globalization;

namespace DmKernel.Traces.Capacity;

/// <summary>
/// The policy lab in the capacity study (<see cref="CapacityOptions.Policies"/>, docs/policies.md): the verdict's Dynamic
/// Memory strategy under each balancer policy, held to the same service level (VMs per host over the same draws, hosts
/// needed), and one side-by-side probe of the trace's VMs on one placement under each policy.
/// </summary>
public static partial class CapacityStudy
{
    /// <summary>
    /// The policies' side-by-side probes: the pool's VMs on the trace's own hosts when it has a placement, otherwise packed
    /// (as the hosts-needed search packs them) onto the hosts the first policy needs (<paramref name="first"/>, its
    /// hosts-needed result), the same placement for every policy; full length, with the pressure distribution.
    /// </summary>
    private static SideBySide SideBySideProbes(Context ctx, HostsResult first)
    {
        var ic = CultureInfo.InvariantCulture;
        TraceSeries series = ctx.Series;
        int[] pool = ctx.Pool;
        ProbeVm[] vms;
        int hostCount;
        string placement;
        if (pool.All(v => series.VmSpan[v].Host >= 0))
        {
            vms = [.. pool.Select(v => new ProbeVm(v, 0, series.VmSpan[v].Host))];
            hostCount = pool.Max(v => series.VmSpan[v].Host) + 1;
            placement = string.Create(ic, $"the trace's own placement: {pool.Length} VMs on its {hostCount} hosts (of {ctx.Options.Host.TotalMb} MB each)");
        }
        else
        {
            MemoryStrategy dm = first.Strategy;
            VmSettings[] settings = [.. pool.Select(v => dm.Apply(series.VmSpan[v].Settings, ctx.Model.MaxCeilingMb))];

            // A first policy that meets the level at no host count: without --max-hosts its search went on up to one VM per
            // host, where the policies have nothing to share; the search's first limit instead (every VM at its Startup
            // packed perfectly, plus one), as before the search went beyond it.
            long capacity = ctx.Capacity;
            int estimate = HostsJob.StartupEstimate(settings.Sum(s => (long)s.StartupMb), capacity, pool.Length);
            bool atEstimate = first.Hosts is null && ctx.Options.MaxHosts is null && estimate < first.MaxHosts;
            hostCount = first.Hosts ?? (atEstimate ? estimate : first.MaxHosts);
            vms = HostsJob.Pack(pool, settings, HostsJob.PackOrder(settings), hostCount).Vms;
            string why = first.Hosts is not null ? $"what {ctx.Options.Policies[0].Name} needs"
                : atEstimate ? $"every VM at its Startup packed perfectly, plus one: {ctx.Options.Policies[0].Name} meets the level at no host count"
                : "the most tried";
            placement = string.Create(ic, $"the trace's {pool.Length} VMs packed by Startup onto {hostCount} hosts of {ctx.Options.Host.TotalMb} MB ({why})");
        }

        return new SideBySide(ctx, first.Strategy, vms, hostCount, placement);
    }

    /// <summary>One full-length probe per policy of the same VMs on the same placement.</summary>
    private sealed class SideBySide(Context ctx, MemoryStrategy strategy, ProbeVm[] vms, int hostCount, string placement)
    {
        private readonly ProbeOutcome[] _outcomes = new ProbeOutcome[ctx.Options.Policies.Count];

        public string Placement => placement;

        public IReadOnlyList<ProbeOutcome> Outcomes => _outcomes;

        /// <summary>The probes to run, counted as <paramref name="owner"/>'s.</summary>
        public IEnumerable<Action> Probes(Job owner) => Enumerable.Range(0, _outcomes.Length).Select(i => (Action)(() =>
        {
            ProbeOptions options = ctx.ProbeOptions(stopEarly: false, perVm: false, ctx.Options.Policies[i]) with { PressureHistogram = true };
            _outcomes[i] = Probe.Run(ctx.Series, strategy, vms, hostCount, ctx.Host, options);
            owner.Probed(_outcomes[i]);
        }));
    }
}
