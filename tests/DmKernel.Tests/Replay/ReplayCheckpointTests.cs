using System.IO.Hashing;
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
        // The payload: the magic "DMKREPLAY/3" (1 + 11 bytes), the fingerprint "fp" (1 + 2), the note (8), then the tick.
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
