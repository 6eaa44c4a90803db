using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// A native trace file that cannot be read: bad magic, unsupported version, checksum mismatch, truncation,
/// a value out of range. The message names the file, the place (header field, section, chunk and its tick
/// range) and what was expected. Readers throw only this type on corrupt input.
/// </summary>
public sealed class TraceFormatException : Exception
{
    /// <summary>The file <paramref name="path"/> cannot be read at <paramref name="where"/>: <paramref name="problem"/>.</summary>
    public TraceFormatException(string path, string where, string problem, Exception? inner = null)
        : base($"Trace file '{path}', {where}: {problem}", inner)
    {
        Path = path;
        Where = where;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The place in the file: a header field, a section, or a chunk with its tick range.</summary>
    public string Where { get; }

    /// <summary>
    /// Throws "the trace ended early" for tick <paramref name="tick"/> of a trace whose header promised
    /// <paramref name="promised"/> ticks: one message for every reader of ticks, and the throw kept out of the per-tick
    /// methods that call it.
    /// </summary>
    [DoesNotReturn]
    internal static void ThrowEndedEarly(string path, long tick, long promised)
        => throw new TraceFormatException(path, string.Create(CultureInfo.InvariantCulture, $"tick {tick}"), string.Create(CultureInfo.InvariantCulture, $"the trace ended early: its header promises {promised} ticks"));
}
