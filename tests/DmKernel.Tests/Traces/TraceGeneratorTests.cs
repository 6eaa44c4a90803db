using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

[Collection(nameof(DmKernel.Tests.Cli.CliTests))] // CliTests.Run swaps the process's Console.Out: never beside another test that does
public sealed class TraceGeneratorTests
{
    private static readonly TraceGeneratorOptions Small = new() { Vms = 400, Hosts = 8, Ticks = 300, Seed = 7, TickSeconds = 300 };

    [Fact]
    public void SameSeed_GivesByteIdenticalFiles_OtherSeedDiffers()
    {
        using var dir = new TempDir();
        TraceGenerator.Generate(dir.File("a.dmt"), Small);
        TraceGenerator.Generate(dir.File("b.dmt"), Small);
        TraceGenerator.Generate(dir.File("c.dmt"), Small with { Seed = 8 });
        byte[] a = File.ReadAllBytes(dir.File("a.dmt"));
        Assert.Equal(a, File.ReadAllBytes(dir.File("b.dmt")));
        Assert.NotEqual(a, File.ReadAllBytes(dir.File("c.dmt")));
    }

    [Fact]
    public void Generated_IsHeterogeneousDiurnalBurstyWithArrivalsAndDepartures()
    {
        using var dir = new TempDir();
        var result = TraceGenerator.Generate(dir.File("g.dmt"), Small);
        var data = TraceData.Load(result.Path);
        Assert.Equal(400, data.Vms.Count);
        Assert.Equal(8, data.Hosts.Count);
        Assert.Equal(300, data.Ticks.Length);
        Assert.All(data.Hosts, h => Assert.Equal(result.HostMb, h.TotalMb));
        Assert.True(data.Vms.Select(v => v.Settings.MaximumMb).Distinct().Count() >= 5, "sizes are heterogeneous");
        Assert.Contains(data.Vms, v => !v.Settings.DynamicMemory);
        Assert.Contains(data.Vms, v => v.Settings.Guest == GuestKind.Linux);
        for (int h = 0; h < 8; h++)
            Assert.True(data.Vms.Where(v => v.Host == h).Sum(v => (long)v.Settings.StartupMb) + 2048 <= result.HostMb);

        int arrivals = 0, departures = 0, bursts = 0;
        for (int v = 0; v < 400; v++)
        {
            var s = data.Series(v);
            for (int t = 1; t < s.Length; t++)
            {
                if (s[t - 1] == -1 && s[t] != -1)
                    arrivals++;
                if (s[t - 1] != -1 && s[t] == -1)
                    departures++;
                if (s[t - 1] > 0 && s[t] > s[t - 1] + data.Vms[v].Settings.MaximumMb / 12)
                    bursts++;
            }
        }

        Assert.True(arrivals > 5 && departures > 5 && bursts > 20, $"arrivals {arrivals}, departures {departures}, bursts {bursts}");

        // Diurnal: one VM's always-on series swings by more than its noise over a day (288 ticks of 300 s).
        int steady = Enumerable.Range(0, 400).First(v => data.Series(v).All(x => x >= 0) && data.Vms[v].Settings.MaximumMb >= 8192);
        var series = data.Series(steady);
        Assert.True(series.Max() - series.Min() > data.Vms[steady].Settings.MaximumMb / 20);
        Assert.Equal("7", data.Header.Metadata["gen.seed"]);
    }

    [Fact]
    public void Options_AreValidated_ErrorsNameTheOption()
    {
        using var dir = new TempDir();
        Assert.Contains("Hosts", Assert.Throws<ArgumentOutOfRangeException>(() => TraceGenerator.Generate(dir.File("x"), Small with { Hosts = 1000 })).Message);
        Assert.Contains("ChurnFraction", Assert.Throws<ArgumentOutOfRangeException>(() => TraceGenerator.Generate(dir.File("x"), Small with { ChurnFraction = 2 })).Message);
        Assert.Contains("TickSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => TraceGenerator.Generate(dir.File("x"), Small with { TickSeconds = -1 })).Message);
    }

    /// <summary>
    /// The generators and importers write only ticks the model runs (at most <see cref="ModelParameters.MaxTickSeconds"/>):
    /// before, they took up to 1e9 s (the VDI fleet 86 400 s) and wrote traces that replay and compare then refused.
    /// </summary>
    [Fact]
    public void TickLongerThanTheModelRuns_IsRefusedBeforeAnythingIsWritten()
    {
        using var dir = new TempDir();
        string x = dir.File("x");
        Assert.Equal(3600, ModelParameters.MaxTickSeconds);
        TraceGenerator.Generate(x, Small with { TickSeconds = ModelParameters.MaxTickSeconds });
        (ModelParameters.Default with { TickSeconds = ModelParameters.MaxTickSeconds }).Validate();
        File.Delete(x);
        foreach (Action write in (Action[])[
            () => TraceGenerator.Generate(x, Small with { TickSeconds = 7200 }),
            () => VdiFleet.Write(x, new VdiFleetOptions { Desktops = 4, Ticks = 2, TickSeconds = 7200 }),
            () => BitbrainsImporter.Import(dir.Path, x, new BitbrainsImportOptions { TickSeconds = 7200 }),
        ])
        {
            var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(write);
            Assert.Equal("TickSeconds", e.ParamName);
            Assert.Contains("(0, 3600]", e.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(x));
        }

        Assert.Throws<ModelParameterException>(() => (ModelParameters.Default with { TickSeconds = 7200 }).Validate());
    }

    /// <summary>
    /// The VDI profile records its seed as the unsigned number it is, and every option it used, so that the recorded seed
    /// regenerates the same bytes (2^64 − 1 was recorded as -1, which generate refuses).
    /// </summary>
    [Fact]
    public void Vdi_LargeSeed_IsRecordedAsGiven_AndRegeneratesTheSameFile()
    {
        using var dir = new TempDir();
        var options = new VdiFleetOptions { Desktops = 10, Hosts = 1, Ticks = 4, Seed = ulong.MaxValue };
        VdiFleet.Write(dir.File("a.dmt"), options);
        var meta = TraceData.Load(dir.File("a.dmt")).Header.Metadata;
        Assert.Equal("18446744073709551615", meta["vdi.seed"]);
        Assert.Equal(("4", "1", "98304", "2048"), (meta["vdi.ticks"], meta["vdi.hosts"], meta["vdi.host_mb"], meta["vdi.host_reserve_mb"]));
        VdiFleet.Write(dir.File("b.dmt"), options with { Seed = ulong.Parse(meta["vdi.seed"], System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(File.ReadAllBytes(dir.File("a.dmt")), File.ReadAllBytes(dir.File("b.dmt")));
    }

    /// <summary>
    /// A synthetic fleet on hosts too small for some of its VMs says how many can never start (they were written without a
    /// word; a replay then counts their time as denied): the count is the trace's own VMs whose Startup exceeds their host.
    /// </summary>
    [Fact]
    public void SmallHosts_CountTheVmsThatCanNeverStart_AndTheCliWarns()
    {
        using var dir = new TempDir();
        GeneratedTrace g = TraceGenerator.Generate(dir.File("g.dmt"), new TraceGeneratorOptions { Vms = 400, Hosts = 8, Ticks = 4, Seed = 3, HostMb = 8192 });
        var data = TraceData.Load(g.Path);
        int expected = data.Vms.Count(v => v.Settings.StartupMb > data.Hosts[v.Host].TotalMb - data.Hosts[v.Host].ReserveMb!.Value);
        Assert.True(expected > 0, "the hosts should be too small for some VMs");
        Assert.Equal(expected, g.UnstartableVms);
        Assert.Equal(0, TraceGenerator.Generate(dir.File("h.dmt"), new TraceGeneratorOptions { Vms = 400, Hosts = 8, Ticks = 4, Seed = 3 }).UnstartableVms);

        (int exit, _, string stderr) = DmKernel.Tests.Cli.CliTests.Run("generate", "--vms", "400", "--hosts", "8", "--ticks", "4", "--seed", "3", "--host-mb", "8192", "-o", dir.File("c.dmt"));
        Assert.Equal(0, exit);
        Assert.Contains($"warning: {expected} of 400 VMs need more Startup memory than their host holds after its reserve", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_FollowTheDocumentedSizeClasses_Shares_AndStartupFloor_AndChurnStartsOnInProportion()
    {
        // docs/generate.md: a class of 1..64 GB with shares 10, 20, 30, 20, 12, 6, 2 %; a Dynamic Memory VM has Startup =
        // max(512, class / 4), Minimum = max(256, Startup / 2); a static VM holds half its class. 20 % of the VMs churn,
        // on 6 h and off 2 h on average, so at tick 0 a quarter of them (5 % of the fleet) is off. Counts within ±5 σ.
        using var dir = new TempDir();
        const int n = 20_000;
        TraceGenerator.Generate(dir.File("g.dmt"), new TraceGeneratorOptions { Vms = n, Hosts = 0, Ticks = 1, Seed = 11, TickSeconds = 300 });
        var data = TraceData.Load(dir.File("g.dmt"));
        int[] classes = [1024, 2048, 4096, 8192, 16384, 32768, 65536];
        double[] shares = [0.10, 0.20, 0.30, 0.20, 0.12, 0.06, 0.02];
        var count = new int[classes.Length];
        foreach (TraceVm vm in data.Vms)
        {
            VmSettings s = vm.Settings;
            int size = s.DynamicMemory ? s.MaximumMb : 2 * s.MaximumMb;
            int c = Array.IndexOf(classes, size);
            Assert.True(c >= 0, $"{vm.Id}: Maximum {s.MaximumMb}");
            count[c]++;
            if (s.DynamicMemory)
            {
                Assert.Equal(Math.Max(512, size / 4), s.StartupMb);
                Assert.Equal(Math.Max(256, s.StartupMb / 2), s.MinimumMb);
            }
        }

        for (int c = 0; c < classes.Length; c++)
        {
            double sigma = Math.Sqrt(n * shares[c] * (1 - shares[c]));
            Assert.InRange(count[c], (n * shares[c]) - (5 * sigma), (n * shares[c]) + (5 * sigma));
        }

        int off = data.Ticks[0].Count(v => v < 0);
        double p = 0.2 * 0.25, sd = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(off, (n * p) - (5 * sd), (n * p) + (5 * sd));
    }
}
