using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Policies;

/// <summary>P10 as a trace option: the mix of guest responses over a trace's VMs, its text form, and the generator recording it.</summary>
public class P10_GuestMixTests
{
    [Fact]
    public void P10_Mix_TextRoundTrips_AndIdealIsEmpty()
    {
        GuestMix mix = GuestMix.Parse("stuck=5%, rate:64=20%,intermittent:30/60=10%");
        Assert.Equal("stuck=5%,rate:64=20%,intermittent:30/60=10%", mix.ToString());
        Assert.Equal(3, mix.Parts.Count);
        Assert.True(GuestMix.Parse("ideal").IsIdeal);
        Assert.True(GuestMix.Parse("stuck=0%").IsIdeal);
        Assert.Equal("ideal", GuestMix.Ideal.ToString());
    }

    [Theory]
    [InlineData("stuck")]
    [InlineData("stuck=x%")]
    [InlineData("stuck=60%,rate:10=50%")]
    [InlineData("slow=5%")]
    [InlineData("stuck=-1%")]
    public void P10_Mix_BadText_IsRefused(string text)
        => Assert.Throws<FormatException>(() => GuestMix.Parse(text));

    /// <summary>
    /// ReplayOptions.GuestIndexOfVm of another count, or with a negative entry, is refused by the engine's constructor
    /// naming the option, whether or not the trace records a mix (before: a negative entry was accepted on a trace
    /// without one, so the same options failed on one trace and not on another).
    /// </summary>
    [Theory]
    [InlineData("ideal")]
    [InlineData("stuck=20%")]
    public void P10_GuestIndexOfVm_OfAnotherCountOrNegative_IsRefused_WithOrWithoutAMix(string guests)
    {
        using var tmp = new TempDir();
        string path = tmp.File("t.dmt");
        var vms = Enumerable.Range(0, 4).Select(i => new TraceVm($"vm{i}", VmSettings.Dynamic(1024, 512, 4096), 0)).ToList();
        using (var w = new NativeTraceWriter(path, new TraceDescription(60, "test", new TraceMetadata().Set(GuestMix.MetadataKey, guests)), vms, [new TraceHost(65536)]))
        {
            w.WriteTick([2000, 2000, 2000, 2000]);
            w.Complete();
        }

        foreach ((int[] index, string expected) in new[] { ([0, 1, 2], "has 3 entries; the trace has 4 VMs"), (new[] { 7, 8, -1, 9 }, "GuestIndexOfVm[2] is -1") })
        {
            using NativeTraceReader reader = NativeTraceReader.Open(path);
            var e = Assert.Throws<ArgumentException>(() => new DmKernel.Traces.Replay.ReplayEngine(reader, new DmKernel.Traces.Replay.ReplayOptions { GuestIndexOfVm = index }));
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Equal("options", e.ParamName);
        }

        using (NativeTraceReader reader = NativeTraceReader.Open(path))
        using (var engine = new DmKernel.Traces.Replay.ReplayEngine(reader, new DmKernel.Traces.Replay.ReplayOptions { GuestIndexOfVm = [7, 8, 0, 9] }))
            Assert.True(engine.Step());
    }

    /// <summary>
    /// A trace whose recorded mix gives a response twice (written by generate before that was refused) still replays and
    /// compares, its shares read as before; a recorded mix that does not parse is a TraceFormatException naming the file
    /// and the metadata key (it escaped as a FormatException from inside the replay engine).
    /// </summary>
    [Fact]
    public void P10_RecordedMix_WithARepeatedResponse_StillReplays_ABadOneIsNamed()
    {
        using var tmp = new TempDir();
        string Write(string name, string guests)
        {
            string path = tmp.File(name);
            var vms = Enumerable.Range(0, 40).Select(i => new TraceVm($"vm{i}", VmSettings.Dynamic(1024, 512, 4096), i % 2)).ToList();
            using var w = new NativeTraceWriter(path, new TraceDescription(60, "test", new TraceMetadata().Set(GuestMix.MetadataKey, guests)), vms, [new TraceHost(65536), new TraceHost(65536)]);
            int[] tick = Enumerable.Repeat(2000, 40).ToArray();
            for (int t = 0; t < 30; t++)
                w.WriteTick(tick);
            w.Complete();
            return path;
        }

        string repeated = Write("repeated.dmt", "stuck=20%,stuck=20%");
        using (NativeTraceReader reader = NativeTraceReader.Open(repeated))
        using (var engine = new DmKernel.Traces.Replay.ReplayEngine(reader, new DmKernel.Traces.Replay.ReplayOptions()))
        {
            while (engine.Step())
            {
            }
        }

        Assert.Equal(2, GuestMix.FromMetadata(new TraceMetadata().Set(GuestMix.MetadataKey, "stuck=20%,stuck=20%")).Parts.Count);

        string bad = Write("bad.dmt", "stuck=x%");
        using (NativeTraceReader reader = NativeTraceReader.Open(bad))
        {
            var e = Assert.Throws<TraceFormatException>(() => new DmKernel.Traces.Replay.ReplayEngine(reader, new DmKernel.Traces.Replay.ReplayOptions()));
            Assert.Contains("metadata 'guests'", e.Message, StringComparison.Ordinal);
            Assert.Contains("bad.dmt", e.Message, StringComparison.Ordinal);
        }

        using (NativeTraceReader reader = NativeTraceReader.Open(bad))
            Assert.Throws<TraceFormatException>(() => DmKernel.Traces.Capacity.TraceSeries.Load(reader));
    }

    /// <summary>
    /// The text form writes the shares exactly as given, so a mix reads back as the same mix (before: rounded to 0.001 %,
    /// shares of 33.3335 % + 33.3335 % + 33.333 % = 100 % were recorded as 100.001 %, which replay and compare then
    /// refused; 0.0001 % was recorded as 0 %, every VM ideal).
    /// </summary>
    [Theory]
    [InlineData("stuck=33.3335%,rate:1=33.3335%,intermittent:60/60=33.333%")]
    [InlineData("stuck=0.0001%")]
    [InlineData("rate:64=12.345678901234%,stuck=0.1%")]
    public void P10_Mix_TextForm_ReadsBackAsTheSameMix(string text)
    {
        GuestMix mix = GuestMix.Parse(text);
        GuestMix again = GuestMix.FromMetadata(new TraceMetadata().Set(GuestMix.MetadataKey, mix.ToString()));
        Assert.Equal(mix.Parts, again.Parts);
        Assert.Equal(mix.ToString(), again.ToString());
        Assert.Equal(text, mix.ToString());
    }

    /// <summary>
    /// A share is written with one '%' and within 0..100 %, each response once even at 0 % (before: "stuck=5" and
    /// "stuck=5%%%" were read as 5 %, "stuck=0%,stuck=5%" passed the duplicate check); the messages say what is wrong.
    /// </summary>
    [Theory]
    [InlineData("stuck=5", "is not RESPONSE=SHARE%")]
    [InlineData("stuck=5%%%", "is not RESPONSE=SHARE%")]
    [InlineData("stuck=0%,stuck=5%", "stuck is given twice")]
    [InlineData("stuck=101%", "'stuck=101%': a share is a percentage from 0 to 100 %")]
    [InlineData("rate:0.5=5%", "takes a whole number of MB per second")]
    public void P10_Mix_ShareAndRate_AreReadAsWritten_NamingWhatIsWrong(string text, string message)
        => Assert.Contains(message, Assert.Throws<FormatException>(() => GuestMix.Parse(text)).Message, StringComparison.Ordinal);

    /// <summary>The same response twice (before: their shares were added, 5 % and 5 % stuck made 10 %) is refused by name;
    /// rates that differ are different responses.</summary>
    [Fact]
    public void P10_Mix_SameResponseTwice_IsRefused_NamingIt()
    {
        var e = Assert.Throws<FormatException>(() => GuestMix.Parse("stuck=5%,rate:64=1%,stuck=5%"));
        Assert.Contains("stuck is given twice", e.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => GuestMix.Parse("rate:64=5%,rate:64=5%"));
        Assert.Equal(2, GuestMix.Parse("rate:64=5%,rate:32=5%").ToString().Split(',').Length);
    }

    /// <summary>A mix with no pair at all (empty, blank, only commas) is refused (before: read as all ideal, while
    /// compare's <c>--buffers ,</c> was refused); <c>ideal</c> says all ideal, and a trace's metadata still reads.</summary>
    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(",")]
    [InlineData(" , ,")]
    public void P10_Mix_WithNoResponse_IsRefused_IdealSaysAllIdeal(string text)
    {
        var e = Assert.Throws<FormatException>(() => GuestMix.Parse(text));
        Assert.Contains("gives no response", e.Message, StringComparison.Ordinal);
        Assert.Contains("'ideal'", e.Message, StringComparison.Ordinal);
        Assert.Empty(GuestMix.Parse("ideal").Parts);
        Assert.Empty(GuestMix.FromMetadata(new TraceMetadata().Set(GuestMix.MetadataKey, text)).Parts);
    }

    [Fact]
    public void P10_Mix_SharesHoldOverManyVms_AndEachVmAlwaysGetsTheSameResponse()
    {
        // 10 000 draws: stuck 5 % (500 expected, binomial σ ≈ 22), rate 20 % (2000, σ = 40), the rest ideal.
        GuestMix mix = GuestMix.Parse("stuck=5%,rate:64=20%");
        int stuck = 0, rate = 0;
        for (int v = 0; v < 10_000; v++)
        {
            GuestResponse r = mix.For(v);
            stuck += r.Kind == GuestResponseKind.Stuck ? 1 : 0;
            rate += r.Kind == GuestResponseKind.Rate ? 1 : 0;
            Assert.Equal(r, GuestMix.Parse("stuck=5%,rate:64=20%").For(v));
        }

        Assert.InRange(stuck, 400, 600);
        Assert.InRange(rate, 1800, 2200);
        Assert.Equal(GuestResponse.Ideal, GuestMix.Ideal.For(7));
    }

    [Fact]
    public void P10_Generator_RecordsTheMixInTheTrace()
    {
        using var dir = new TempDir();
        string path = dir.File("g.dmt");
        TraceGenerator.Generate(path, new TraceGeneratorOptions { Vms = 20, Hosts = 2, Ticks = 3, Guests = GuestMix.Parse("stuck=10%") });
        using NativeTraceReader reader = NativeTraceReader.Open(path);
        Assert.Equal("stuck=10%", GuestMix.FromMetadata(reader.Header.Metadata).ToString());

        string vdi = dir.File("v.dmt");
        VdiFleet.Write(vdi, new VdiFleetOptions { Desktops = 10, Hosts = 1, Ticks = 2, Guests = GuestMix.Parse("rate:50=50%") });
        using NativeTraceReader r2 = NativeTraceReader.Open(vdi);
        Assert.Equal("rate:50=50%", GuestMix.FromMetadata(r2.Header.Metadata).ToString());
    }
}
