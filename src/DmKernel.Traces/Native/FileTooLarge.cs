namespace DmKernel.Traces;

/// <summary>
/// A write past the largest file this process may write (a file-size limit: <c>ulimit -f</c>, as batch schedulers set,
/// once SIGXFSZ is ignored as the CLI does) or that its file system holds (4 GB on FAT32) fails with EFBIG, which .NET
/// reports as <see cref="ArgumentOutOfRangeException"/> ("Specified file length was too large for the file system",
/// parameter "value"), as though the caller had passed a bad argument. These turn it into an <see cref="IOException"/>
/// naming the file, which callers handle as any failed write (a full disk): the temporary file deleted, one error line.
/// </summary>
internal static class FileTooLarge
{
    /// <summary>Whether <paramref name="ex"/> is .NET's report of EFBIG from a file operation.</summary>
    /// <remarks>Reads the throwing method from <see cref="Exception.TargetSite"/>. In a trimmed or native-AOT application
    /// its metadata may be gone; TargetSite is then null and this answers false, so EFBIG reaches the caller as the
    /// runtime's own <see cref="ArgumentOutOfRangeException"/> (still an error, without the file's name), never as
    /// another kind of failure.</remarks>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026:RequiresUnreferencedCode",
        Justification = "TargetSite null under trimming makes Is answer false: the exception is rethrown as it came.")]
    public static bool Is(Exception ex) =>
        ex is ArgumentOutOfRangeException { ParamName: "value" } a
        && a.TargetSite?.DeclaringType?.Namespace is string ns
        && (ns.StartsWith("System.IO", StringComparison.Ordinal) || ns.StartsWith("Microsoft.Win32", StringComparison.Ordinal));

    /// <summary>The <see cref="IOException"/> for EFBIG while writing <paramref name="path"/>.</summary>
    public static IOException Error(string path, Exception inner) =>
        new($"File too large : '{path}': the file would grow past the largest file this process may write (a file-size " +
            "limit: ulimit -f, or a batch scheduler's) or its file system holds", inner);

    /// <summary><paramref name="inner"/>, with EFBIG from its writes reported as <see cref="Error"/> naming <paramref name="path"/>.</summary>
    public static Stream Guard(Stream inner, string path) => new GuardStream(inner, path);

    private sealed class GuardStream(Stream inner, string path) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override void Flush()
        {
            try
            {
                inner.Flush();
            }
            catch (ArgumentOutOfRangeException ex) when (Is(ex))
            {
                throw Error(path, ex);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value)
        {
            try
            {
                inner.SetLength(value);
            }
            catch (ArgumentOutOfRangeException ex) when (Is(ex))
            {
                throw Error(path, ex);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                inner.Write(buffer);
            }
            catch (ArgumentOutOfRangeException ex) when (Is(ex))
            {
                throw Error(path, ex);
            }
        }

        public override void WriteByte(byte value) => Write([value]);

        protected override void Dispose(bool disposing)
        {
            if (!disposing)
                return;
            try
            {
                inner.Dispose(); // flushes what is buffered
            }
            catch (ArgumentOutOfRangeException ex) when (Is(ex))
            {
                throw Error(path, ex);
            }
            finally
            {
                base.Dispose(disposing);
            }
        }
    }
}
