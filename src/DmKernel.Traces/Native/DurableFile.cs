using System.Runtime.InteropServices;

namespace DmKernel.Traces;

/// <summary>
/// Makes the "write under a temporary name, then rename" of every output survive a power failure or a crash of the
/// machine, not only a killed process: a file's bytes are flushed to the disk before it is renamed over its final path
/// (else the rename can reach the disk before the bytes, and the path holds an empty or partial file after a restart,
/// with the earlier file gone), and the folder is flushed after the rename (so that renames reach the disk in the order
/// they were made: a checkpoint's series checksums before its state). A process that is killed loses nothing either
/// way: what it wrote is in the system's cache and reaches the disk.
/// </summary>
internal static class DurableFile
{
    /// <summary>
    /// For tests: told of each flush ("file PATH", "folder PATH") and rename ("rename FROM TO") made on this flow of
    /// control, in order. A flush to disk cannot be seen from outside, so the tests check the order of the calls.
    /// </summary>
    internal static readonly AsyncLocal<Action<string>?> Observer = new();

    /// <summary>Writes <paramref name="file"/>'s buffer and flushes the file to the disk (fsync).</summary>
    public static void Flush(FileStream file)
    {
        file.Flush(flushToDisk: true);
        Observer.Value?.Invoke("file " + file.Name);
    }

    /// <summary>Flushes the file at <paramref name="path"/> to the disk (written by another stream, which has written its buffer).</summary>
    public static void Flush(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        Flush(file);
    }

    /// <summary>
    /// Renames <paramref name="from"/> (flushed already) over <paramref name="to"/> and flushes the folder that holds
    /// <paramref name="to"/>, so that the rename is on the disk before anything that follows it.
    /// </summary>
    public static void Rename(string from, string to)
    {
        File.Move(from, to, overwrite: true);
        Observer.Value?.Invoke($"rename {from} {to}");
        FlushFolder(Path.GetDirectoryName(Path.GetFullPath(to))!);
    }

    /// <summary>
    /// Flushes a folder's entries (the renames and new files in it) to the disk. Best effort: Windows has no such call
    /// (NTFS writes its entries in order), and a file system that cannot flush a folder (some network ones) is left to
    /// write it when it will; the files' own bytes were flushed with <see cref="Flush(FileStream)"/>.
    /// </summary>
    public static void FlushFolder(string folder)
    {
        Observer.Value?.Invoke("folder " + folder);
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            // The runtime's own shim (libSystem.Native): open(2) with the shim's O_RDONLY | O_CLOEXEC, fsync(2), close(2).
            // A FileStream cannot open a folder.
            IntPtr fd = Open(folder, OpenCloseOnExec, 0);
            if (fd < 0)
                return;
            try
            {
                _ = FSync(fd);
            }
            finally
            {
                _ = Close(fd);
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or ArgumentException)
        {
            // No shim, or a name the marshaller cannot write: the folder is written when the system writes it.
        }
    }

    private const int OpenCloseOnExec = 0x0010; // pal_io.h: PAL_O_RDONLY (0) | PAL_O_CLOEXEC (0x0010)

    // (CharSet.Ansi is UTF-8 on Unix, the only place these are called.)
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Open", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr Open(string path, int flags, int mode);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_FSync")]
    private static extern int FSync(IntPtr fd);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Close")]
    private static extern int Close(IntPtr fd);
}
