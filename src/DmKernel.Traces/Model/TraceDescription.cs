namespace DmKernel.Traces;

/// <summary>
/// What a writer needs besides the VM and host tables: the tick length, a free-text description of the
/// source, and the metadata (demand model, import or generator options) that made the trace.
/// </summary>
public sealed record TraceDescription(double TickSeconds, string Source, TraceMetadata Metadata)
{
    /// <summary>A description with empty metadata.</summary>
    public TraceDescription(double tickSeconds, string source) : this(tickSeconds, source, new TraceMetadata()) { }
}
