namespace DmKernel.Traces;

/// <summary>Placeholder so the project builds; replaced by the trace model.</summary>
internal static class TraceInfo
{
    public const int FormatVersion = 1;
}
