namespace DmKernel.Traces;

/// <summary>
/// One row of a trace's VM table: a string id (unique in the trace), the DM settings (R1) and the index of
/// the host it runs on in the host table, or -1 when the trace has no placement.
/// </summary>
/// <param name="Id">The VM's id: unique in the trace, at most <see cref="MaxIdBytes"/> UTF-8 bytes.</param>
/// <param name="Settings">Its Dynamic Memory settings (R1; sizes in MB).</param>
/// <param name="Host">Its host's index in the host table; -1 (the default): the trace has no placement.</param>
public readonly record struct TraceVm(string Id, VmSettings Settings, int Host = -1)
{
    /// <summary>The longest id, in UTF-8 bytes.</summary>
    public const int MaxIdBytes = 1024;
}
