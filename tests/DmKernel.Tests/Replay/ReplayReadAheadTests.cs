using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>
/// The replay's read-ahead (<see cref="ReplayOptions.ReadAhead"/>: the next ticks read and decoded on a thread of their
/// own) changes nothing a replay gives: the same results, and a broken trace fails at the same tick with the same error.
/// </summary>
public class ReplayReadAheadTests
{
    [Fact]
    public void ReadAhead_SameResultAsReadingOnTheReplaysThread()
    {
        string trace = ReplayDeterminismTests.SampleTrace;
        var options = new ReplayOptions { Path = KernelPath.Vector512, HashEvery = 100, MaxTicks = 900 };
        Assert.True(Environment.ProcessorCount > 1 || !options.ReadAhead, "a machine with one core replays without read-ahead");
        Assert.Equal(ReplayDeterminismTests.ResultJson(trace, options with { ReadAhead = false }), ReplayDeterminismTests.ResultJson(trace, options));
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
            using var engine = new ReplayEngine(reader, new ReplayOptions { ReadAhead = readAhead });
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
    public async Task Dispose_WhileTheReadAheadWaitsForABuffer_Returns()
    {
        // Three ticks taken of 1440: the reading thread fills its buffers and waits; disposing the engine stops it.
        var done = Task.Run(() =>
        {
            using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
            using var engine = new ReplayEngine(reader, new ReplayOptions());
            for (int t = 0; t < 3; t++)
                Assert.True(engine.Step());
            Assert.Equal(3, engine.Fleet.TickIndex);
        });
        await done.WaitAsync(TimeSpan.FromMinutes(2)); // throws TimeoutException if disposing waited for the reading thread
    }
}
