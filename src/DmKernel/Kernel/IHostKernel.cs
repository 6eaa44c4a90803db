namespace DmKernel.Kernel;

/// <summary>
/// One balancer pass over one host: the replaceable per-tick piece. Implementations are structs used as
/// generic type arguments (<see cref="Balancer"/> drives them), so the JIT specializes and inlines each one:
/// no virtual call per VM or per host. Hosts never share a pool, so a kernel touches only its host's slots
/// and host columns, and any split of hosts across threads gives the same result.
/// </summary>
internal interface IHostKernel
{
    static abstract void TickHost(Fleet fleet, int host, in TickContext ctx, HostScratch scratch);
}
