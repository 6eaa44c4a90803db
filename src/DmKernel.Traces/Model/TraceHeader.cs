namespace DmKernel.Traces;

/// <summary>
/// The header of a trace as read back: format version, tick length in seconds, VM, tick and host counts, a
/// description of the source, and the key-value metadata (demand model, import or generator options).
/// </summary>
public sealed record TraceHeader(
    int FormatVersion,
    double TickSeconds,
    int VmCount,
    long TickCount,
    int HostCount,
    string Source,
    TraceMetadata Metadata);
