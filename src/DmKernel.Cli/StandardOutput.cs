namespace DmKernel.Cli;

/// <summary>
/// Standard output as the commands write it (the summary lines at the end of a run): a write that fails (stdout closed
/// with <c>&gt;&amp;-</c>, a file on a full disk) is an <see cref="IOException"/> that says it was standard output, so the
/// error line names it rather than .NET's bare "Access to the path is denied." or "No space left on device", which read
/// as though an output file had failed (a run's files are in place by its summary lines); the exit code stays 1, as for
/// any write error. A reader that has gone (<c>| head</c>) is not an error: .NET drops writes to a closed pipe.
/// </summary>
internal sealed class StandardOutput(TextWriter inner) : TextWriter
{
    public override System.Text.Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override string NewLine
    {
#pragma warning disable CS8765 // TextWriter.NewLine's setter takes null as the default line break
        set => inner.NewLine = base.NewLine = value!;
#pragma warning restore CS8765
        get => inner.NewLine;
    }

    public override void Write(char value) => Guard(() => inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));

    public override void Write(string? value) => Guard(() => inner.Write(value));

    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));

    public override void WriteLine() => Guard(inner.WriteLine);

    public override void Flush() => Guard(inner.Flush);

    private static void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write to standard output (closed, or its file cannot be written): {ex.Message}", ex);
        }
    }
}
