namespace DmKernel;

public sealed partial class Fleet
{
    /// <summary>
    /// A 64-bit XxHash3 hash of the whole state, composed per host: the tick index, the slot and host counts, then each
    /// host's hash (<see cref="ComputeHostStateHash"/>: every column of the schema's hash chain restricted to that host,
    /// in a fixed order, each read as its logical element type) in host order. Equal fleets hash equal whatever kernel
    /// path or thread count produced them; any difference in any hashed column changes it (with overwhelming
    /// probability). A fleet split by host into parts (shards on other machines) gives the same hash through
    /// <see cref="CombineStateHash"/>. Allocation-free after the first call on each thread (each thread hashes with its
    /// own scratch); may be taken at any tick index, between ticks: during a <see cref="Balancer.Tick()"/> or an open
    /// sharded tick (<see cref="Balancer.BeginTick"/> until <see cref="Balancer.EndTick"/>) it is refused with
    /// <see cref="InvalidOperationException"/>. Holds the fleet while it runs, beside other <see cref="ComputeStateHash"/>
    /// and <see cref="SaveState"/> calls (docs/public-api.md, "Threads"): refused while a call that changes the fleet runs
    /// on another thread, and a tick that starts meanwhile is refused, naming this call.
    /// </summary>
    public ulong ComputeStateHash()
    {
        BeginRead(HashReader, nameof(ComputeStateHash));
        try
        {
            return Cols.ComputeHash(TickIndex);
        }
        finally
        {
            EndRead(HashReader);
        }
    }

    /// <summary>
    /// The hash of one host's part of the state (its slots' columns and its own), independent of where its slots start
    /// and of the other hosts. <see cref="CombineStateHash"/> of every host's, in host order, is <see cref="ComputeStateHash"/>.
    /// </summary>
    public ulong ComputeHostStateHash(int host) => Cols.ComputeHostHash(CheckHost(host), WindowTickIndex(host));

    /// <summary>
    /// <see cref="ComputeStateHash"/> of a fleet at tick <paramref name="tickIndex"/> with <paramref name="slotCount"/>
    /// slots (<see cref="SlotCount"/>, padding included) from its hosts' hashes (<see cref="ComputeHostStateHash"/>) in
    /// host order, wherever they were computed.
    /// </summary>
    public static ulong CombineStateHash(long tickIndex, int slotCount, ReadOnlySpan<ulong> hostStateHashes)
        => FleetColumns.CombineHostHashes(tickIndex, slotCount, hostStateHashes);
}
