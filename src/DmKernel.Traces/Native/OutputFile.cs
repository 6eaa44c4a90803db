using System.Runtime.InteropServices;

namespace DmKernel.Traces;

/// <summary>
/// Guards an output file that is written under a temporary name and renamed over its final path when complete: the
/// rename replaces whatever directory entry is there, so an existing path that is not a regular file (a device such as
/// <c>/dev/null</c>, a named pipe, a socket, a symbolic link) is refused instead of being replaced by a file.
/// </summary>
internal static class OutputFile
{
    // File types of the st_mode bits as the runtime's own native shim reports them (pal_io.h: FileTypes).
    private const int TypeMask = 0xF000, Regular = 0x8000, Directory = 0x4000, CharDevice = 0x2000, BlockDevice = 0x6000,
        Fifo = 0x1000, Link = 0xA000, Socket = 0xC000;

    /// <summary>Throws <see cref="IOException"/> naming <paramref name="path"/> when it exists and is not a regular file.</summary>
    public static void EnsureReplaceable(string path)
    {
        if (Describe(path) is string kind)
        {
            throw new IOException($"'{path}' exists and is {kind}, not a regular file: the output is written under a temporary name and " +
                "renamed over its path, which would replace it. Give the path of a new or a regular file.");
        }
    }

    /// <summary>
    /// Throws <see cref="IOException"/> when <paramref name="outputPath"/>, or a temporary file the import writes beside it
    /// ("&lt;output&gt;.samples.tmp", created and truncated first, and "&lt;output&gt;.tmp", renamed over the output at the
    /// end), is one of <paramref name="inputs"/>: the same full path, or, when it exists, the same file reached another way
    /// (a hard link, or a path through a symbolic link to a folder; a symbolic link as the output itself is refused by
    /// <see cref="EnsureReplaceable"/>). An import given its own input as the output would read it and then rename the
    /// trace over it, destroying it; one given an input as a temporary file would truncate it before reading it.
    /// </summary>
    public static void EnsureNotAnInput(string outputPath, IEnumerable<string> inputs)
    {
        // Names compare exactly on Unix (macOS's case-insensitive volumes included: the same file under another case is
        // the same device and inode, so a case-sensitive volume's two files are not refused as one); on Windows, paths
        // are case-insensitive and compared alone.
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        string[] suffixes = ["", ".tmp", ".samples.tmp"]; // NativeTraceWriter's and SampleSpill's
        string[] written = [.. suffixes.Select(suffix => Path.GetFullPath(outputPath + suffix))];
        byte[]?[] ids = [.. written.Select(w => File.Exists(w) ? Identity(w) : null)];
        foreach (string input in inputs)
        {
            string full = Path.GetFullPath(input);
            byte[]? id = null;
            for (int k = 0; k < written.Length; k++)
            {
                if (!string.Equals(written[k], full, comparison) && (ids[k] is not byte[] writtenId || !(id ??= Identity(input) ?? []).AsSpan().SequenceEqual(writtenId)))
                    continue;
                if (k == 0)
                {
                    throw new IOException($"the output '{outputPath}' is an input of this import ('{input}'): writing the trace there would replace " +
                        "the source it was read from. Give another output path (nothing was written).");
                }

                throw new IOException($"the temporary file '{outputPath}{suffixes[k]}' that the import writes beside the output '{outputPath}' " +
                    $"is an input of this import ('{input}'): writing it would destroy the source. Give another output path (nothing was written).");
            }
        }
    }

    /// <summary>
    /// What tells one existing file from another on Unix (stat, following links: the device and inode, from the runtime's
    /// native shim, whose FileStatus holds Dev at byte 88 and Ino in the 32 bytes from there, with the size at byte 16 and
    /// the modification time at 40 as a check); null where there is no such file or no shim (Windows: the full paths are
    /// compared alone).
    /// </summary>
    internal static byte[]? Identity(string path)
    {
        if (OperatingSystem.IsWindows())
            return null;
        byte[] status = new byte[256];
        try
        {
            if (Stat(path, status) != 0)
                return null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or ArgumentException)
        {
            return null; // no shim, or a name the marshaller cannot write as UTF-8
        }

        return [.. status.AsSpan(16, 8), .. status.AsSpan(40, 16), .. status.AsSpan(88, 32)];
    }

    /// <summary>What <paramref name="path"/> is when it exists and is not a regular file ("a character device", ...), else null.</summary>
    internal static string? Describe(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows: no devices or pipes in the file namespace that a rename could replace; a reparse point is the link.
            return File.Exists(path) && File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint) ? "a symbolic link" : null;
        }

        // The runtime's shim (libSystem.Native, shipped with every .NET on Unix) reports lstat's st_mode at a fixed place
        // (FileStatus: Flags, then Mode), unlike the C library's struct stat, whose layout differs by architecture.
        byte[] status = new byte[256];
        int rc;
        try
        {
            rc = LStat(path, status);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return new FileInfo(path).LinkTarget is not null ? "a symbolic link" : null;
        }

        if (rc != 0)
            return null; // no such path (or not visible to us): the rename creates a new entry
        return Kind(status);
    }

    /// <summary>The file type in a FileStatus that the shim filled ("a named pipe", ...); null for a regular file or a folder.</summary>
    internal static string? Kind(byte[] status) => (BitConverter.ToInt32(status, 4) & TypeMask) switch
    {
        Regular or Directory => null, // a folder is refused by the callers with their own message
        CharDevice => "a character device",
        BlockDevice => "a block device",
        Fifo => "a named pipe",
        Link => "a symbolic link",
        Socket => "a socket",
        _ => "a special file",
    };

    // (CharSet.Ansi is UTF-8 on Unix, the only place these are called.)
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    internal static extern int Stat(string path, [Out] byte[] output);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int LStat(string path, [Out] byte[] output);
}
