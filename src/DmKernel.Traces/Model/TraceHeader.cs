namespace DmKernel.Traces;

/// <summary>
/// The header of a trace as read back: format version, tick length in seconds, VM, tick and host counts, a
/// description of the source, and the key-value metadata (demand model, import or generator options).
/// </summary>
/// <param name="FormatVersion">The file's major format version (the header's VersionMajor, 1; a reader refuses any other).</param>
/// <param name="TickSeconds">Seconds per tick: finite, in (0, 1e9].</param>
/// <param name="VmCount">Rows of the VM table (0..2^26): the values each tick holds.</param>
/// <param name="TickCount">Ticks in the trace (≥ 0).</param>
/// <param name="HostCount">Rows of the host table (0..2^24); 0: the trace has no placement (every <see cref="TraceVm.Host"/>
/// is -1).</param>
/// <param name="Source">The free-text description of where the trace came from.</param>
/// <param name="Metadata">The key-value metadata (demand model, import or generator options).</param>
public sealed record TraceHeader(
    int FormatVersion,
    double TickSeconds,
    int VmCount,
    long TickCount,
    int HostCount,
    string Source,
    TraceMetadata Metadata);
