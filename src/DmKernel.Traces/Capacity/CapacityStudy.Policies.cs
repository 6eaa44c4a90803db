using System.Globalization;

namespace DmKernel.Traces.Capacity;

/// <summary>
/// The policy lab in the capacity study (<see cref="CapacityOptions.Policies"/>, docs/policies.md): the verdict's Dynamic
/// Memory strategy under each balancer policy, held to the same service level (VMs per host over the same draws, hosts
/// needed), and one side-by-side probe of the trace's VMs on one placement under each policy.
/// </summary>
public static partial class CapacityStudy
{
    /// <summary>The searches of one policy.</summary>
    private sealed record PolicyJobs(BalancerPolicy Policy, DensityJob[] Density, HostsJob Hosts);

    /// <summary>
    /// Adds a density search per seed and a hosts-needed search of <paramref name="dm"/> under every policy to compare. The
    /// policy the strategies already run under (<see cref="ProbeOptions.Policy"/>) reuses their searches.
    /// </summary>
    private static List<PolicyJobs> AddPolicyJobs(Context ctx, TraceSeries series, MemoryStrategy dm, DensityJob[] dmDensity, HostsJob dmHosts, List<Job> jobs)
    {
        var list = new List<PolicyJobs>();
        foreach (BalancerPolicy policy in ctx.Options.Policies)
        {
            if (policy == ctx.Options.Probe.Policy)
            {
                list.Add(new PolicyJobs(policy, dmDensity, dmHosts));
                continue;
            }

            var density = new DensityJob[ctx.Options.Seeds];
            for (int k = 0; k < density.Length; k++)
                jobs.Add(density[k] = new DensityJob(ctx, series, dm, k) { Policy = policy });
            var hosts = new HostsJob(ctx, dm) { Policy = policy };
            jobs.Add(hosts);
            list.Add(new PolicyJobs(policy, density, hosts));
        }

        return list;
    }

    /// <summary>
    /// Each policy's result, with its side-by-side probe: the pool's VMs on the trace's own hosts when it has a placement,
    /// otherwise packed (as the hosts-needed search packs them) onto the hosts the first policy needs, the same placement for
    /// every policy; full length, with the pressure distribution. Returns the results and a description of the placement.
    /// </summary>
    private static (IReadOnlyList<PolicyResult> Results, string? Placement) PolicyResults(Context ctx, List<PolicyJobs> jobs, DensityResult staticDensity,
        CancellationToken cancel)
    {
        if (jobs.Count == 0)
            return ([], null);
        var ic = CultureInfo.InvariantCulture;
        TraceSeries series = ctx.Series;
        int[] pool = ctx.Pool;
        ProbeVm[] vms;
        int hostCount;
        string placement;
        if (pool.All(v => series.Vms[v].Host >= 0))
        {
            vms = [.. pool.Select(v => new ProbeVm(v, 0, series.Vms[v].Host))];
            hostCount = pool.Max(v => series.Vms[v].Host) + 1;
            placement = string.Create(ic, $"the trace's own placement: {pool.Length} VMs on its {hostCount} hosts (of {ctx.Options.Host.TotalMb} MB each)");
        }
        else
        {
            HostsResult first = jobs[0].Hosts.Result!;
            hostCount = first.Hosts ?? first.MaxHosts;
            MemoryStrategy dm = first.Strategy;
            VmSettings[] settings = [.. pool.Select(v => dm.Apply(series.Vms[v].Settings, ctx.Model.MaxCeilingMb))];
            vms = HostsJob.Pack(pool, settings, hostCount).Vms;
            placement = string.Create(ic,
                $"the trace's {pool.Length} VMs packed by Startup onto {hostCount} hosts of {ctx.Options.Host.TotalMb} MB ({(first.Hosts is null ? "the most tried" : $"what {jobs[0].Policy.Name} needs")})");
        }

        var outcomes = new ProbeOutcome[jobs.Count];
        RunAll([.. Enumerable.Range(0, jobs.Count)], ctx.Options.Threads, i =>
        {
            ProbeOptions options = ctx.ProbeOptions(stopEarly: false, perVm: false, jobs[i].Policy) with { PressureHistogram = true };
            outcomes[i] = Probe.Run(series, jobs[i].Hosts.Result!.Strategy, vms, hostCount, ctx.Host, options);
            ctx.Probed(outcomes[i]);
        }, cancel);

        var results = new PolicyResult[jobs.Count];
        for (int i = 0; i < jobs.Count; i++)
        {
            DensityResult density = Result(jobs[i].Hosts.Result!.Strategy, null, jobs[i].Density, ctx);
            results[i] = new PolicyResult(jobs[i].Policy, density, jobs[i].Hosts.Result!, DensityRatio.Of(density, staticDensity), outcomes[i]);
        }

        return (results, placement);
    }
}
