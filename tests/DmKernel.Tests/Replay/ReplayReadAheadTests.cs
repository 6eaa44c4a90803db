using DmKernel.Tests.Reliability;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>
/// The replay's read-ahead (<see cref="ReplayOptions.ReadAhead"/>: the next ticks read and decoded on a thread of their
/// own, started as soon as the engine has placed the trace, so that the first tick is decoded while the fleet is built)
/// changes nothing a replay gives: the same results, also after a resume, and a broken trace fails at the same tick
/// with the same error, the first tick included; an engine whose construction fails stops its read-ahead. Waiting for it
/// between ticks (ReplayBench's iteration setup) leaves it full and idle.
/// </summary>
public class ReplayReadAheadTests
{
    [Fact]
    public void ReadAhead_SameResultAsReadingOnTheReplaysThread()
    {
        string trace = ReplayDeterminismTests.SampleTrace;
        var options = new ReplayOptions { Path = KernelPath.Vector512, HashEvery = 100, MaxTicks = 900, ProcessorCount = Cores };
        Assert.Equal(Result(trace, options with { ReadAhead = false }, readAhead: false), Result(trace, options, readAhead: true));
    }

    /// <summary>Planned for as a machine of four cores, so that the read-ahead and the chunk measurer run wherever the
    /// tests do (on one core they would be off, and each comparison would compare the replay with itself).</summary>
    private const int Cores = 4;

    /// <summary><see cref="ReplayDeterminismTests.ResultJson"/>, checking that the read-ahead and (one thread) the chunk
    /// measurer ran or did not, as <paramref name="readAhead"/> says.</summary>
    private static string Result(string trace, ReplayOptions options, bool readAhead)
    {
        using NativeTraceReader reader = NativeTraceReader.Open(trace);
        using var engine = new ReplayEngine(reader, options);
        Assert.Equal(readAhead, engine.UsesReadAhead);
        while (engine.Step())
        {
        }

        if (options.Threads == 1)
            Assert.Equal(readAhead, engine.UsedChunkMeasurer);
        using var stream = new MemoryStream();
        ReplaySummary.Write(stream, engine, trace, peakWorkingSetBytes: 0);
        return ReplayDeterminismTests.WithoutRun(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void OneCore_ReplaysWithoutReadAhead_AndGivesTheSameResult()
    {
        // On one core the read-ahead's and the measurer's threads would take the replay's own core: both stay off.
        string trace = ReplayDeterminismTests.SampleTrace;
        var options = new ReplayOptions { HashEvery = 100, MaxTicks = 300 };
        Assert.Equal(Result(trace, options with { ProcessorCount = Cores }, readAhead: true), Result(trace, options with { ProcessorCount = 1 }, readAhead: false));
    }

    [Theory]
    [InlineData(0.55)]
    [InlineData(0.9)]
    public void CorruptTickChunk_FailsAtTheSameTickWithTheSameError_WithAndWithoutReadAhead(double at)
    {
        // One byte flipped in the tick chunks: the chunk's checksum fails when the replay reaches it.
        using var dir = new TempDir();
        string source = dir.File("gen.dmt"), cut = dir.File("corrupt.dmt");
        TraceGenerator.Generate(source, new TraceGeneratorOptions
        {
            Vms = 300,
            Hosts = 4,
            Ticks = 200,
            Seed = 3,
            TickSeconds = 60,
            Writer = new NativeTraceWriterOptions { ChunkVmTicks = 300 * 10 }, // chunks of 10 ticks
        });
        byte[] bytes = File.ReadAllBytes(source);
        bytes[(int)(bytes.Length * at)] ^= 0x5A;
        File.WriteAllBytes(cut, bytes);

        (long Ticks, string Message) Fail(bool readAhead)
        {
            using NativeTraceReader reader = NativeTraceReader.Open(cut);
            using var engine = new ReplayEngine(reader, new ReplayOptions { ReadAhead = readAhead, ProcessorCount = Cores });
            Assert.Equal(readAhead, engine.UsesReadAhead);
            var e = Assert.Throws<TraceFormatException>(() =>
            {
                while (engine.Step())
                {
                }
            });
            return (engine.TicksDone, e.Message);
        }

        (long ticks, string message) = Fail(readAhead: false);
        Assert.True(ticks > 0, "the corrupt byte falls after the first chunk");
        Assert.Equal((ticks, message), Fail(readAhead: true));
    }

    [Fact]
    public void MalformedFirstTick_FailsAtTickZeroWithTheSameError_WithAndWithoutReadAhead()
    {
        // The read-ahead decodes tick 0 before the engine is built; its error still comes from the first Step.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        TraceVm[] vms = [new("a", VmSettings.Default, 0), new("b", VmSettings.Default, 0)];
        var trace = ResealedTrace.Create(path, vms, [new TraceHost(65_536)], [[1000, 2000], [1100, 2100], [1200, 2200]]);
        trace.Chunks[0].Payload = ResealedTrace.EncodeTick([1000]); // one value for two VMs
        trace.Save(path);

        string Fail(bool readAhead)
        {
            using NativeTraceReader reader = NativeTraceReader.Open(path);
            using var engine = new ReplayEngine(reader, new ReplayOptions { ReadAhead = readAhead, ProcessorCount = Cores });
            Assert.Equal(readAhead, engine.UsesReadAhead);
            var e = Assert.Throws<TraceFormatException>(() => engine.Step());
            Assert.Equal(0, engine.TicksDone);
            Assert.Equal("chunk 0 (ticks 0..0)", e.Where);
            return e.Message;
        }

        string message = Fail(readAhead: false);
        Assert.Contains("tick 0: the payload is malformed at VM 1", message, StringComparison.Ordinal);
        Assert.Equal(message, Fail(readAhead: true));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFleetTheModelRefuses_FailsTheConstructor_AndStopsItsReadAhead(bool readAhead)
    {
        // The read-ahead has started (and read tick 0) when a VM is refused; the constructor's error comes out and the
        // reading thread is stopped (disposing the engine's half-built read-ahead would hang otherwise).
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        TraceGenerator.Generate(path, new TraceGeneratorOptions { Vms = 50, Hosts = 2, Ticks = 20, Seed = 5 });
        var done = Task.Run(() =>
        {
            using NativeTraceReader reader = NativeTraceReader.Open(path);
            var options = new ReplayOptions { ReadAhead = readAhead, ProcessorCount = Cores, Model = ModelParameters.Default with { MaxCeilingMb = 64 } };
            return Assert.Throws<TraceFormatException>(() => new ReplayEngine(reader, options).Dispose());
        });
        TraceFormatException e = await done.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.StartsWith("VM 0 ", e.Where, StringComparison.Ordinal);
        Assert.Contains("refused by R1: at most MaxCeiling (64 MB)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 137)]
    [InlineData(2, 500)]
    public void Resume_FromACheckpoint_SameResultAsUninterrupted_WithAndWithoutReadAhead(int threads, int at)
    {
        // The read-ahead has read from tick 0 when ResumeFrom skips the checkpoint's ticks through it.
        string trace = ReplayDeterminismTests.SampleTrace;
        var options = new ReplayOptions { Path = KernelPath.Vector512, Threads = threads, HashEvery = 50, MaxTicks = 700, ProcessorCount = Cores };
        string whole = ReplayDeterminismTests.ResultJson(trace, options with { ReadAhead = false });
        using var checkpoint = new MemoryStream();
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        using (var engine = new ReplayEngine(reader, options with { ReadAhead = false }))
        {
            for (int t = 0; t < at; t++)
                Assert.True(engine.Step());
            engine.SaveCheckpoint(checkpoint, "fp", note: 7);
        }

        foreach (bool readAhead in new[] { false, true })
        {
            using NativeTraceReader reader = NativeTraceReader.Open(trace);
            using var engine = new ReplayEngine(reader, options with { ReadAhead = readAhead });
            Assert.Equal(readAhead, engine.UsesReadAhead);
            checkpoint.Position = 0;
            Assert.Equal(7, engine.ResumeFrom(checkpoint, "fp"));
            Assert.Equal(at, engine.TicksDone);
            while (engine.Step())
            {
            }

            using var summary = new MemoryStream();
            ReplaySummary.Write(summary, engine, trace, peakWorkingSetBytes: 0);
            Assert.Equal(whole, ReplayDeterminismTests.WithoutRun(System.Text.Encoding.UTF8.GetString(summary.ToArray())));
        }
    }

    [Fact]
    public void WaitForReadAhead_AfterTheWarmTicks_LeavesDepthTicksReady_AndTheReadingThreadIdle()
    {
        // ReplayBench's iteration setup: its warm ticks, then the wait. The measured ticks then start from a full
        // read-ahead whose thread decodes nothing: it has read exactly Depth ticks past the replay and reads no more.
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, new ReplayOptions { ProcessorCount = Cores });
        Assert.True(engine.UsesReadAhead);
        const int warmTicks = 4;
        for (int t = 0; t < warmTicks; t++)
            Assert.True(engine.Step());
        engine.WaitForReadAhead();
        Assert.Equal(TickReadAhead.Depth, engine.ReadAheadTicksReady);
        Assert.Equal(warmTicks + TickReadAhead.Depth, reader.TicksRead);
        Thread.Sleep(50); // (not a timing: a thread that went on decoding would have moved the reader by now)
        Assert.Equal(warmTicks + TickReadAhead.Depth, reader.TicksRead);
        Assert.Equal(TickReadAhead.Depth, engine.ReadAheadTicksReady);

        // And the replay goes on from there as from any other tick.
        Assert.True(engine.Step());
        engine.WaitForReadAhead();
        Assert.Equal(warmTicks + 1 + TickReadAhead.Depth, reader.TicksRead);
    }

    [Fact]
    public void WaitForReadAhead_WithTheReadingThreadBehind_WaitsUntilItIsFull()
    {
        // The reading thread starts with one buffer of its three (TickReadAhead.HeldBackForTests), so after the warm ticks
        // it is one tick at most ahead of the replay, whatever the timing: a semaphore of one permit lets it decode no
        // further (the state a slow decode leaves). The wait gives the buffers back and returns with the read-ahead full.
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        ReplayEngine engine;
        TickReadAhead.HeldBackForTests = TickReadAhead.Depth - 1;
        try
        {
            engine = new ReplayEngine(reader, new ReplayOptions { ProcessorCount = Cores });
        }
        finally
        {
            TickReadAhead.HeldBackForTests = 0;
        }

        using (engine)
        {
            Assert.True(engine.UsesReadAhead);
            const int warmTicks = 4;
            for (int t = 0; t < warmTicks; t++)
                Assert.True(engine.Step());
            Assert.InRange(engine.ReadAheadTicksReady, 0, 1);
            Assert.InRange(reader.TicksRead, warmTicks, warmTicks + 1);
            engine.WaitForReadAhead();
            Assert.Equal(TickReadAhead.Depth, engine.ReadAheadTicksReady);
            Assert.Equal(warmTicks + TickReadAhead.Depth, reader.TicksRead);

            // From there the replay goes on with the whole depth.
            Assert.True(engine.Step());
            engine.WaitForReadAhead();
            Assert.Equal(TickReadAhead.Depth, engine.ReadAheadTicksReady);
            Assert.Equal(warmTicks + 1 + TickReadAhead.Depth, reader.TicksRead);
        }
    }

    [Fact]
    public void WaitForReadAhead_NearTheEnd_ReturnsWithTheTicksLeft()
    {
        // Fewer ticks left than the read-ahead holds: it reads them and stops, and the wait returns.
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, new ReplayOptions { ProcessorCount = Cores, MaxTicks = 5 });
        for (int t = 0; t < 4; t++)
            Assert.True(engine.Step());
        engine.WaitForReadAhead();
        Assert.Equal(1, engine.ReadAheadTicksReady);
        Assert.Equal(5, reader.TicksRead);
        Assert.True(engine.Step());
        engine.WaitForReadAhead();
        Assert.Equal(0, engine.ReadAheadTicksReady);
        Assert.False(engine.Step());
    }

    [Fact]
    public void WaitForReadAhead_WithoutReadAhead_ReturnsAtOnce()
    {
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, new ReplayOptions { ReadAhead = false, ProcessorCount = Cores });
        Assert.False(engine.UsesReadAhead);
        Assert.True(engine.Step());
        engine.WaitForReadAhead();
        Assert.Equal(0, engine.ReadAheadTicksReady);
        Assert.Equal(1, reader.TicksRead);
    }

    [Fact]
    public void Dispose_Twice_BeforeAnyStep_DoesNothingTheSecondTime()
    {
        // The read-ahead runs from the constructor on; disposing the engine twice stops it once.
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        var engine = new ReplayEngine(reader, new ReplayOptions { ProcessorCount = Cores });
        Assert.True(engine.UsesReadAhead);
        Assert.True(engine.ReadAheadThreadAlive);
        engine.Dispose();
        Assert.False(engine.ReadAheadThreadAlive); // stopped before Dispose returns, not left reading a reader its caller closes next
        engine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => engine.Step());
    }

    [Fact]
    public void Dispose_MidReplay_StopsTheReadingThreadBeforeReturning_TheReaderMovesNoFurther()
    {
        // A replay stopped part way (a caller's cancel, or an error in its own code): the reading thread waits for a
        // buffer with Depth ticks decoded; the engine's Dispose stops it and joins it, so the caller may close the reader.
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        var engine = new ReplayEngine(reader, new ReplayOptions { ProcessorCount = Cores });
        for (int t = 0; t < 3; t++)
            Assert.True(engine.Step());
        engine.WaitForReadAhead();
        Assert.True(engine.ReadAheadThreadAlive);
        long read = reader.TicksRead;
        engine.Dispose();
        Assert.False(engine.ReadAheadThreadAlive);
        Assert.Equal(read, reader.TicksRead);
    }

    [Fact]
    public async Task Dispose_WhileTheReadAheadWaitsForABuffer_Returns()
    {
        // Three ticks taken of 1440: the reading thread fills its buffers and waits; disposing the engine stops it.
        var done = Task.Run(() =>
        {
            using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
            using var engine = new ReplayEngine(reader, new ReplayOptions { ProcessorCount = Cores });
            Assert.True(engine.UsesReadAhead);
            for (int t = 0; t < 3; t++)
                Assert.True(engine.Step());
            Assert.Equal(3, engine.Fleet.TickIndex);
        });
        await done.WaitAsync(TimeSpan.FromMinutes(2)); // throws TimeoutException if disposing waited for the reading thread
    }
}
