using DmKernel.Cli.Output;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// The CSV outputs' write-behind stream (<see cref="WriteBehindStream"/>): every byte reaches the file in order, a flush
/// means the bytes are in the file, and an error of its writing thread reaches the caller instead of a silently short file.
/// </summary>
public class WriteBehindStreamTests
{
    [Fact]
    public void Writes_InPiecesAcrossBlocks_ReachTheFileInOrder()
    {
        using var dir = new TempDir();
        string path = dir.File("out.bin");
        var random = new Random(5);
        byte[] expected = new byte[(3 * WriteBehindStream.BlockBytes) + 12_345];
        random.NextBytes(expected);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
        using (var stream = new WriteBehindStream(file))
        {
            int at = 0;
            while (at < expected.Length)
            {
                int n = Math.Min(expected.Length - at, random.Next(0, 300_000));
                if (n == 1)
                    stream.WriteByte(expected[at]);
                else
                    stream.Write(expected, at, n);
                at += n;
                Assert.Equal(at, stream.Length);
            }
        }

        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Flush_LeavesEveryByteWrittenInTheFile_AndLengthCountsFromTheInnerPosition()
    {
        // As a resumed replay appends to its hosts.csv: the inner stream starts at the end of what is there.
        using var dir = new TempDir();
        string path = dir.File("hosts.csv");
        File.WriteAllText(path, "header\n");
        var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        file.Seek(0, SeekOrigin.End);
        using var writer = new StreamWriter(new WriteBehindStream(file));
        Assert.Equal(7, writer.BaseStream.Length);
        for (int i = 0; i < 50_000; i++)
            writer.WriteLine(i);
        writer.Flush();
        long length = writer.BaseStream.Length;
        Assert.Equal(length, new FileInfo(path).Length);
        using (var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var text = new StreamReader(read))
        {
            Assert.Equal("header", text.ReadLine());
            Assert.Equal("0", text.ReadLine());
        }

        Assert.Throws<NotSupportedException>(() => writer.BaseStream.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => writer.BaseStream.ReadByte());
    }

    [Fact]
    public void AnErrorOfTheWritingThread_IsThrownToTheCaller_AndLaterCallsFail()
    {
        var failing = new FailingStream(failAfterBytes: WriteBehindStream.BlockBytes + 10);
        var stream = new WriteBehindStream(failing);
        byte[] block = new byte[WriteBehindStream.BlockBytes];
        stream.Write(block); // handed over: written
        stream.Write(block); // handed over: fails on the writing thread
        var e = Assert.Throws<IOException>(() =>
        {
            stream.Flush();
            stream.Write(block);
        });
        Assert.Equal("disk full (test)", e.Message);
        var later = Assert.Throws<IOException>(() => stream.Write(block)); // the stream stays failed
        Assert.Contains("disk full (test)", later.Message, StringComparison.Ordinal);
        Assert.Same(e, later.InnerException);
        Assert.Throws<IOException>(stream.Flush);
        stream.Dispose(); // the error was reported: disposing does not throw it again
        Assert.True(failing.Disposed, "the inner stream is disposed with the write-behind stream");
        Assert.Equal(WriteBehindStream.BlockBytes, failing.Accepted);
    }

    [Fact]
    public void AnErrorFoundOnlyAtDispose_IsThrownByDispose()
    {
        var failing = new FailingStream(failAfterBytes: 100);
        var stream = new WriteBehindStream(failing);
        stream.Write(new byte[200]); // still in the current block: written when disposing
        var e = Assert.Throws<IOException>(stream.Dispose);
        Assert.Equal("disk full (test)", e.Message);
        Assert.True(failing.Disposed);
    }

    /// <summary>
    /// After a failed write the stream writes nothing more, even where the inner stream would take the next blocks again
    /// (space freed): the file keeps what was written before the error, not a hole where the lost block was.
    /// </summary>
    [Fact]
    public void AfterAnError_LaterBlocksAreDropped_EvenWhereTheInnerStreamWouldTakeThem()
    {
        // The writing thread is held in its first write until the three blocks are handed over, so the third is queued
        // behind the one that fails.
        using var gate = new ManualResetEventSlim(false);
        var failing = new FailingStream(failAfterBytes: WriteBehindStream.BlockBytes + 10, failOnce: true) { Gate = gate };
        var stream = new WriteBehindStream(failing);
        byte[] block = new byte[WriteBehindStream.BlockBytes];
        stream.Write(block); // written
        stream.Write(block); // fails on the writing thread
        stream.Write(block); // queued behind it: dropped, though the inner stream would take it
        gate.Set();
        Assert.Throws<IOException>(stream.Flush);
        stream.Dispose();
        Assert.Equal(WriteBehindStream.BlockBytes, failing.Accepted);
    }

    /// <summary><see cref="WriteBehindStream.Flush"/> flushes the inner stream too (a buffered file's bytes reach the file).</summary>
    [Fact]
    public void Flush_FlushesTheInnerStream()
    {
        var inner = new FailingStream(failAfterBytes: long.MaxValue);
        using var stream = new WriteBehindStream(inner);
        stream.Write(new byte[10]);
        stream.Flush();
        Assert.Equal(10, inner.Accepted);
        Assert.Equal(1, inner.Flushes);
    }

    /// <summary>
    /// A writable stream that accepts <c>failAfterBytes</c> bytes, then throws as a full disk would (with <c>failOnce</c>
    /// only the write that crosses the limit, later writes are taken again); it counts its flushes.
    /// </summary>
    private sealed class FailingStream(long failAfterBytes, bool failOnce = false) : Stream
    {
        private bool _failed;

        public long Accepted { get; private set; }

        public int Flushes { get; private set; }

        /// <summary>Waited for before each write (null: none).</summary>
        public ManualResetEventSlim? Gate { get; init; }

        public bool Disposed { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Accepted;

        public override long Position { get => Accepted; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Gate?.Wait();
            if (Accepted + count > failAfterBytes && !(failOnce && _failed))
            {
                _failed = true;
                throw new IOException("disk full (test)");
            }

            Accepted += count;
        }

        public override void Flush() => Flushes++;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
