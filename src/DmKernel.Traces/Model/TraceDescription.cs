namespace DmKernel.Traces;

/// <summary>
/// What a writer needs besides the VM and host tables: the tick length, a free-text description of the
/// source, and the metadata (demand model, import or generator options) that made the trace.
/// </summary>
/// <param name="TickSeconds">Seconds per tick: finite, in (0, 1e9].</param>
/// <param name="Source">The free-text description of where the trace came from.</param>
/// <param name="Metadata">The key-value metadata (demand model, import or generator options).</param>
public sealed record TraceDescription(double TickSeconds, string Source, TraceMetadata Metadata)
{
    /// <summary>A description with empty metadata.</summary>
    public TraceDescription(double tickSeconds, string source) : this(tickSeconds, source, new TraceMetadata()) { }
}
