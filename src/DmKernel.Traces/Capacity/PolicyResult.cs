namespace DmKernel.Traces.Capacity;

/// <summary>
/// One balancer policy in the capacity study (docs/policies.md): the verdict's Dynamic Memory strategy under
/// <see cref="Policy"/>, held to the study's service level.
/// </summary>
/// <param name="Policy">The policy and its parameters.</param>
/// <param name="Density">VMs per host over the study's draws (the same draws for every policy).</param>
/// <param name="Hosts">Hosts the trace's own VMs need.</param>
/// <param name="VersusStatic">The density over static memory at the provisioned size, seed by seed.</param>
/// <param name="SideBySide">The trace's VMs on one placement, the same for every policy (<see cref="CapacityResult.PolicyPlacement"/>), over
/// the whole trace, with the distribution of Current Pressure.</param>
public sealed record PolicyResult(BalancerPolicy Policy, DensityResult Density, HostsResult Hosts, DensityRatio VersusStatic, ProbeOutcome SideBySide);
