namespace DmKernel.Traces;

/// <summary>
/// Checks an input file before it is read: a path that is not a regular file once symbolic links are followed (a named
/// pipe, a socket, a device) or that cannot be opened for reading (a broken symbolic link, a loop of links, no read
/// permission) is named with the reason, instead of .NET's own message ("Could not find file", naming a file that is
/// listed in its folder) or, for a named pipe, an open that waits for a writer for ever.
/// </summary>
internal static class InputFile
{
    /// <summary>Why <paramref name="path"/> cannot be read as an input file ("it is a named pipe, not a regular file", ...), or null when it can.</summary>
    public static string? WhyUnreadable(string path)
    {
        if (TypeOfTarget(path) is string kind)
            return $"it is {kind}, not a regular file";
        if (System.IO.Directory.Exists(path))
            return "it is a folder, not a file"; // (links followed) an open would fail as "access denied", even for root
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            string? target = LinkTarget(path);
            return target is not null
                ? $"it is a symbolic link to '{target}', which does not exist"
                : "it no longer exists (deleted after the folder was listed?)";
        }
        catch (UnauthorizedAccessException)
        {
            return "permission denied: this user may not read it";
        }
        catch (IOException ex)
        {
            // .NET's Unix messages end with " : 'PATH'"; the path is named by the caller.
            string message = ex.Message;
            int at = message.LastIndexOf($" : '{path}'", StringComparison.Ordinal);
            if (at < 0)
                at = message.LastIndexOf($" : '{Path.GetFullPath(path)}'", StringComparison.Ordinal);
            return "it cannot be opened: " + (at > 0 ? message[..at] : message).TrimEnd('.');
        }
    }

    /// <summary>
    /// What a compressed file or an archive <paramref name="path"/> is, by the magic bytes at its start ("gzip-compressed",
    /// "a zip archive", ...), with the command that unpacks it; null for any other file (a file that cannot be opened
    /// included: <see cref="WhyUnreadable"/> names that). The public traces are downloaded so (Alibaba's
    /// machine_usage.tar.gz, Bitbrains' rnd.zip, the GCD derivation's GCD_VMs.tar.gz) and read as text they fail with a
    /// column count on line 1 that does not say why.
    /// </summary>
    public static (string What, string Unpack)? Compression(string path)
    {
        Span<byte> head = stackalloc byte[262];
        int n;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            n = RandomAccess.Read(handle, head, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Compression(head[..n]);
    }

    /// <summary><see cref="Compression(string)"/> of a file whose first bytes are <paramref name="h"/> (a tar archive is told from 262 bytes on).</summary>
    public static (string What, string Unpack)? Compression(ReadOnlySpan<byte> h)
    {
        int n = h.Length;
        if (h.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
            return ("gzip-compressed (a .gz, or a .tar.gz archive)", "gunzip, or tar xzf for a .tar.gz");
        if (h.StartsWith("PK\u0003\u0004"u8) || h.StartsWith("PK\u0005\u0006"u8))
            return ("a zip archive", "unzip");
        if (h.StartsWith("BZh"u8))
            return ("bzip2-compressed", "bunzip2, or tar xjf for a .tar.bz2");
        if (h.StartsWith((ReadOnlySpan<byte>)[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]))
            return ("xz-compressed", "unxz, or tar xJf for a .tar.xz");
        if (h.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]))
            return ("zstd-compressed", "unzstd, or tar --zstd -xf for a .tar.zst");
        if (h.StartsWith((ReadOnlySpan<byte>)[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]))
            return ("a 7z archive", "7z x");
        if (n >= 262 && h[257..262].SequenceEqual("ustar"u8))
            return ("a tar archive", "tar xf");
        return null;
    }

    /// <summary>
    /// Throws <see cref="IOException"/> naming <paramref name="path"/> and what it is when it exists and is not a regular
    /// file once links are followed (a named pipe, whose open would wait for a writer; a device; a socket).
    /// <paramref name="what"/> names the input ("a trace"), <paramref name="why"/> why a regular file is needed.
    /// </summary>
    public static void EnsureRegular(string path, string what, string why)
    {
        if (TypeOfTarget(path) is string kind)
            throw new IOException($"'{path}' is {kind}, not a regular file: {what} is read {why}. Give the path of a file.");
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What the file <paramref name="path"/> reaches (stat, following links) is when it exists and is neither a regular file nor a folder; else null.</summary>
    internal static string? TypeOfTarget(string path)
    {
        if (OperatingSystem.IsWindows())
            return null; // no pipes or devices among a folder's files
        byte[] status = new byte[256];
        try
        {
            if (OutputFile.Stat(path, status) != 0)
                return null; // no such file, or a broken link: the open names it
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or ArgumentException)
        {
            return null; // no shim, or a name the marshaller cannot write as UTF-8
        }

        return OutputFile.Kind(status);
    }
}
