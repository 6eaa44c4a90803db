namespace DmKernel.Traces;

/// <summary>A placed VM table (every <see cref="TraceVm.Host"/> set) and the host table it refers to.</summary>
/// <param name="Vms">The VMs given, in their order, each with <see cref="TraceVm.Host"/> set to its host's index in
/// <paramref name="Hosts"/>.</param>
/// <param name="Hosts">The hosts the placement opened, all alike (the host size and reserve asked for).</param>
public sealed record PlacementResult(TraceVm[] Vms, TraceHost[] Hosts);
