namespace DmKernel.Traces;

/// <summary>
/// One row of a trace's VM table: a string id (unique in the trace), the DM settings (R1) and the index of
/// the host it runs on in the host table, or -1 when the trace has no placement.
/// </summary>
public readonly record struct TraceVm(string Id, VmSettings Settings, int Host = -1)
{
    /// <summary>The longest id, in UTF-8 bytes.</summary>
    public const int MaxIdBytes = 1024;
}
