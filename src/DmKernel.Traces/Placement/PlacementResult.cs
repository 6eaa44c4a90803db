namespace DmKernel.Traces;

/// <summary>A placed VM table (every <see cref="TraceVm.Host"/> set) and the host table it refers to.</summary>
public sealed record PlacementResult(TraceVm[] Vms, TraceHost[] Hosts);
