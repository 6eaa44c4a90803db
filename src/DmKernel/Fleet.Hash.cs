namespace DmKernel;

public sealed partial class Fleet
{
    /// <summary>
    /// A 64-bit XxHash3 chain of the whole state: the tick index, then every column of the schema's hash chain
    /// (settings, state, decisions, counters, windows, pending requests, per-host columns) in a fixed order, each read
    /// as its logical element type. Equal fleets hash equal whatever kernel path or thread count produced them; any
    /// difference in any hashed column changes it (with overwhelming probability). Allocation-free after the first
    /// call; may be taken at any tick.
    /// </summary>
    public ulong ComputeStateHash() => Cols.ComputeHash(TickIndex);
}
