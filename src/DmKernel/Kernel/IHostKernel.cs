namespace DmKernel.Kernel;

/// <summary>
/// One balancer pass over one host: the replaceable per-tick piece, the seam for other balancer policies. It reads and
/// writes the host only through <see cref="HostColumns"/> (spans over the host's slots of every per-VM column, and the
/// host's own elements), so it runs, and is tested, on any <see cref="FleetColumns"/>. Implementations are structs used
/// as generic type arguments (<see cref="Balancer"/> drives them), so the JIT specializes and inlines each one: no
/// virtual call per VM or per host. Hosts never share a pool, so any split of hosts across threads gives the same result.
/// </summary>
internal interface IHostKernel
{
    static abstract void TickHost(in HostColumns host, in TickContext ctx, HostScratch scratch);

    /// <summary>
    /// Ticks hosts [<paramref name="first"/>, <paramref name="end"/>) of <paramref name="columns"/>, each exactly as
    /// <see cref="TickHost"/> would (one by one, or together to pay a per-host set-up once).
    /// </summary>
    static abstract void TickHosts(FleetColumns columns, int first, int end, in TickContext ctx, HostScratch scratch);
}
