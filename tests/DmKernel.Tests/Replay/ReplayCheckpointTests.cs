using System.IO.Hashing;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>
/// <see cref="ReplayEngine.SaveCheckpoint"/> and <see cref="ReplayEngine.ResumeFrom"/> at their edges (docs/outputs.md,
/// checkpoints): a checkpoint at the replay's last tick resumes to the finished replay; a resume after a step, a checkpoint
/// of another fingerprint, one whose tick lies outside the replay, and a truncated or too short one are refused (as
/// <see cref="InvalidOperationException"/> and <see cref="InvalidDataException"/>, never a stray exception of the
/// reader); the wall time of the earlier run is carried on.
/// </summary>
public class ReplayCheckpointTests
{
    private static readonly ReplayOptions Options = new() { MaxTicks = 60, HashEvery = 7, ReadAhead = false };

    /// <summary>A checkpoint of the sample trace after <paramref name="ticks"/> ticks, with fingerprint "fp" and note 42.</summary>
    private static byte[] CheckpointAt(int ticks, out TimeSpan elapsed)
    {
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, Options);
        for (int t = 0; t < ticks; t++)
            Assert.True(engine.Step());
        using var stream = new MemoryStream();
        engine.SaveCheckpoint(stream, "fp", 42);
        elapsed = engine.Elapsed;
        return stream.ToArray();
    }

    /// <summary>The payload of <paramref name="checkpoint"/> changed by <paramref name="change"/>, with its checksum made to match again.</summary>
    private static byte[] Rewritten(byte[] checkpoint, Func<byte[], byte[]> change)
    {
        byte[] payload = change(checkpoint[..^8]);
        return [.. payload, .. XxHash64.Hash(payload)];
    }

    private static string Summary(ReplayEngine engine)
    {
        using var stream = new MemoryStream();
        ReplaySummary.Write(stream, engine, ReplayDeterminismTests.SampleTrace, peakWorkingSetBytes: 0);
        return ReplayDeterminismTests.WithoutRun(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void ACheckpointAtTheLastTick_Resumes_ToTheFinishedReplay()
    {
        string whole = ReplayDeterminismTests.ResultJson(ReplayDeterminismTests.SampleTrace, Options);
        byte[] checkpoint = CheckpointAt(60, out _);
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, Options);
        Assert.Equal(42, engine.ResumeFrom(new MemoryStream(checkpoint), "fp"));
        Assert.Equal(60, engine.TicksDone);
        Assert.False(engine.Step());
        Assert.Equal(whole, Summary(engine));
    }

    [Fact]
    public void Resume_CarriesOnTheStateHashesAndTheWallTimeOfTheEarlierRun()
    {
        byte[] checkpoint = CheckpointAt(30, out TimeSpan before);
        Assert.True(before > TimeSpan.Zero);
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, Options);
        engine.ResumeFrom(new MemoryStream(checkpoint), "fp");
        Assert.True(engine.Elapsed >= before, $"{engine.Elapsed} after the resume, {before} before");
        // The hashes of ticks 6, 13, 20 and 27 (every 7th) were taken before the checkpoint.
        Assert.Equal([6L, 13, 20, 27], engine.StateHashes.Select(h => h.Tick));
    }

    [Fact]
    public void Resume_AfterAStep_IsRefused()
    {
        byte[] checkpoint = CheckpointAt(10, out _);
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, Options);
        Assert.True(engine.Step());
        Assert.Throws<InvalidOperationException>(() => engine.ResumeFrom(new MemoryStream(checkpoint), "fp"));
        Assert.Equal(1, engine.TicksDone);
    }

    [Fact]
    public void ACheckpointOfAnotherFingerprint_IsRefusedNamingBoth()
    {
        byte[] checkpoint = CheckpointAt(10, out _);
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, Options);
        var e = Assert.Throws<InvalidDataException>(() => engine.ResumeFrom(new MemoryStream(checkpoint), "other"));
        Assert.Contains("it has 'fp', this one is 'other'", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, engine.TicksDone);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(61L)]
    public void ACheckpointAtATickOutsideTheReplay_IsRefused(long tick)
    {
        // The payload: the magic "DMKREPLAY/4" (1 + 11 bytes), the fingerprint "fp" (1 + 2), the note (8), then the tick.
        byte[] checkpoint = Rewritten(CheckpointAt(10, out _), payload =>
        {
            BitConverter.TryWriteBytes(payload.AsSpan(23, 8), tick);
            return payload;
        });
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, Options);
        var e = Assert.Throws<InvalidDataException>(() => engine.ResumeFrom(new MemoryStream(checkpoint), "fp"));
        Assert.Contains(FormattableString.Invariant($"at tick {tick}, outside this replay's 0..60"), e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A checkpoint is streamed to its output, not built in memory first: a fleet past about 12 million VMs (over 2 GB of
    /// state) does not fit one <see cref="MemoryStream"/>, and `replay --checkpoint-every` of 14 million VMs failed as "out
    /// of memory" on a machine with 20 GB free. Measured here as what SaveCheckpoint allocates on a 20 000-VM fleet: less
    /// than the checkpoint's own size (before: about twice it, the MemoryStream growing).
    /// </summary>
    [Fact]
    public void SaveCheckpoint_StreamsTheFleet_AllocatingLessThanTheCheckpoint()
    {
        using var dir = new TempDir();
        string trace = dir.File("g.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 20_000, Hosts = 100, Ticks = 3, Seed = 3 });
        using NativeTraceReader reader = NativeTraceReader.Open(trace);
        using var engine = new ReplayEngine(reader, new ReplayOptions { ReadAhead = false });
        Assert.True(engine.Step());
        using var sink = new CountingSink();
        engine.SaveCheckpoint(sink, "fp", 1); // warm: the first call's one-time allocations
        sink.Bytes = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        engine.SaveCheckpoint(sink, "fp", 1);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sink.Bytes > 3_000_000, $"the checkpoint is {sink.Bytes} B");
        Assert.True(allocated < sink.Bytes / 2, $"SaveCheckpoint allocated {allocated} B for a checkpoint of {sink.Bytes} B");
    }

    /// <summary>
    /// A checkpoint resumes from a stream that cannot seek as from a file (read into memory first; a file is checked in one
    /// pass and read where it is), and a corrupt one is refused the same way by both.
    /// </summary>
    [Fact]
    public void Resume_FromAFile_AndFromAStreamThatCannotSeek_AreTheSame_AndBothRefuseACorruptOne()
    {
        byte[] checkpoint = CheckpointAt(30, out _);
        using var dir = new TempDir();
        string path = dir.File("state.bin");
        File.WriteAllBytes(path, checkpoint);
        string Resumed(Func<Stream> open)
        {
            using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
            using var engine = new ReplayEngine(reader, Options);
            using (Stream s = open())
                Assert.Equal("fp", ReplayEngine.ReadCheckpointFingerprint(s));
            using (Stream s = open())
                Assert.Equal(42, engine.ResumeFrom(s, "fp"));
            while (engine.Step())
            {
            }

            return Summary(engine);
        }

        string whole = ReplayDeterminismTests.ResultJson(ReplayDeterminismTests.SampleTrace, Options);
        Assert.Equal(whole, Resumed(() => File.OpenRead(path)));
        Assert.Equal(whole, Resumed(() => new NoSeek(new MemoryStream(checkpoint))));

        byte[] corrupt = (byte[])checkpoint.Clone();
        corrupt[corrupt.Length / 2] ^= 1;
        File.WriteAllBytes(path, corrupt);
        foreach (Func<Stream> open in (Func<Stream>[])[() => File.OpenRead(path), () => new NoSeek(new MemoryStream(corrupt))])
        {
            using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
            using var engine = new ReplayEngine(reader, Options);
            using Stream s = open();
            var e = Assert.Throws<InvalidDataException>(() => engine.ResumeFrom(s, "fp"));
            Assert.Contains("checksum mismatch", e.Message, StringComparison.Ordinal);
            Assert.Equal(0, engine.TicksDone);
        }
    }

    /// <summary>A stream that counts what is written to it and keeps nothing.</summary>
    private sealed class CountingSink : Stream
    {
        public long Bytes { get; set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Bytes;

        public override long Position { get => Bytes; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Bytes += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Bytes += buffer.Length;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>A stream read as it comes, without seeking (a pipe's).</summary>
    private sealed class NoSeek(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public void ATruncatedCheckpoint_WithAMatchingChecksum_OrOneShorterThanItsChecksum_IsRefusedAsSuch()
    {
        byte[] full = CheckpointAt(10, out _);
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, Options);

        // Cut after the tick count: a checksum that matches what is left, and the rest missing.
        byte[] cut = Rewritten(full, payload => payload[..31]);
        var e = Assert.Throws<InvalidDataException>(() => engine.ResumeFrom(new MemoryStream(cut), "fp"));
        Assert.Equal("Checkpoint is truncated.", e.Message);
        byte[] magicOnly = Rewritten(full, payload => payload[..12]);
        e = Assert.Throws<InvalidDataException>(() => ReplayEngine.ReadCheckpointFingerprint(new MemoryStream(magicOnly)));
        Assert.Equal("Checkpoint is truncated.", e.Message);

        // Fewer bytes than the checksum itself.
        foreach (byte[] tiny in (byte[][])[[], [1, 2, 3]])
        {
            e = Assert.Throws<InvalidDataException>(() => engine.ResumeFrom(new MemoryStream(tiny), "fp"));
            Assert.Contains("checksum mismatch", e.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidDataException>(() => ReplayEngine.ReadCheckpointFingerprint(new MemoryStream(tiny)));
        }

        Assert.Equal(0, engine.TicksDone);
    }
}
