using Microsoft.Win32.SafeHandles;

namespace DmKernel.Traces;

/// <summary>
/// Where an import keeps the samples it parsed until it writes the trace: a temporary file beside the output
/// ("&lt;output&gt;.samples.tmp", removed when the import ends, whatever happens), so that memory does not grow with the
/// number of rows. Each VM's samples form a chain of fixed-size blocks (<see cref="BlockBytes"/>): a block starts with the
/// offset of the VM's next block and the bytes it holds, then the samples as varints (time delta from the previous
/// sample, value + 1). Slots are handed out by one counter, so several threads can spill VMs at once; a VM holds one
/// block in memory while it is written (<see cref="SampleSeries"/>) and one while it is read (<see cref="SampleCursor"/>).
/// </summary>
internal sealed class SampleSpill : IDisposable
{
    /// <summary>Bytes of one block: about 800 samples of the real traces (4–6 bytes each).</summary>
    public const int BlockBytes = 4096;

    /// <summary>Bytes before a block's samples: the next block's offset (i64, -1 = the last block) and the samples' bytes (i32).</summary>
    public const int BlockHeader = 12;

    /// <summary>The most bytes one sample takes: a 64-bit varint (10) and a 32-bit one (5).</summary>
    public const int MaxSampleBytes = 15;

    private readonly SafeFileHandle _file;
    private long _end;

    private SampleSpill(string path, SafeFileHandle file)
    {
        Path = path;
        _file = file;
    }

    /// <summary>The temporary file's name (already unlinked on Unix: nothing is left even if the process is killed).</summary>
    public string Path { get; }

    /// <summary>
    /// Creates the temporary file for an import that writes <paramref name="outputPath"/>: "&lt;output&gt;.samples.tmp", or,
    /// when that cannot be created (a missing or read-only folder), one in the system's temporary folder, so that the import
    /// still reports its input's problems first and the output's own error when it writes the trace, as it always has.
    /// </summary>
    public static SampleSpill Create(string outputPath)
    {
        string path = outputPath + ".samples.tmp";
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dmkernel-{Guid.NewGuid():N}.samples.tmp");
            file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        }

        if (!OperatingSystem.IsWindows())
        {
            try
            {
                File.Delete(path); // the open handle keeps the data; a killed import leaves no file behind
            }
            catch (IOException)
            {
                // DeleteOnClose still removes it when the import ends.
            }
        }

        return new SampleSpill(path, file);
    }

    /// <summary>A new block's offset (thread-safe).</summary>
    public long AllocateBlock() => Interlocked.Add(ref _end, BlockBytes) - BlockBytes;

    /// <summary>Writes a block (its header and samples) at <paramref name="offset"/>.</summary>
    public void WriteBlock(long offset, ReadOnlySpan<byte> block)
    {
        try
        {
            RandomAccess.Write(_file, block, offset);
        }
        catch (ArgumentOutOfRangeException ex) when (FileTooLarge.Is(ex))
        {
            throw FileTooLarge.Error(Path, ex);
        }
    }

    /// <summary>Reads the block at <paramref name="offset"/> into <paramref name="block"/>; returns the bytes read.</summary>
    public int ReadBlock(long offset, Span<byte> block)
    {
        int total = 0;
        while (total < block.Length)
        {
            int n = RandomAccess.Read(_file, block[total..], offset + total);
            if (n == 0)
                break;
            total += n;
        }

        return total;
    }

    public void Dispose() => _file.Dispose();
}
