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
        Assert.Contains("Hosts", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TraceGenerator.Generate(dir.File("x"), Small with { Hosts = 1000 })).Message);
        Assert.Contains("ChurnFraction", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TraceGenerator.Generate(dir.File("x"), Small with { ChurnFraction = 2 })).Message);
        Assert.Contains("TickSeconds", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TraceGenerator.Generate(dir.File("x"), Small with { TickSeconds = -1 })).Message);
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

    /// <summary>
    /// docs/generate.md, Hosts: sized from the VMs, a host is the largest Σ Startup of a host × 1.5, at least the largest
    /// Maximum, plus the 2048 MB reserve, rounded up to 1 GB. The expected size is computed from the trace's own VM table;
    /// the fleets are chosen so that both "at least the largest Maximum" (one VM per host: Startup × 1.5 is below its
    /// class from 2 GB up) and "rounded up" (Σ Startup × 1.5 not a whole GB) decide the size.
    /// </summary>
    [Fact]
    public void AutoHostSize_IsLargestStartupSumTimesOneAndAHalf_AtLeastTheLargestMaximum_PlusReserve_RoundedUpToAGb()
    {
        using var dir = new TempDir();
        bool roundingMattered = false, largestMattered = false;
        for (ulong seed = 1; seed <= 12; seed++)
        {
            foreach ((int vms, int hosts) in ((int, int)[])[(12, 3), (12, 12)])
            {
                GeneratedTrace g = TraceGenerator.Generate(dir.File("h.dmt"), new TraceGeneratorOptions { Vms = vms, Hosts = hosts, Ticks = 1, Seed = seed });
                var data = TraceData.Load(g.Path);
                long need = Enumerable.Range(0, hosts).Max(h => data.Vms.Where(v => v.Host == h).Sum(v => (long)v.Settings.StartupMb));
                long largest = data.Vms.Max(v => v.Settings.MaximumMb);
                double mb = Math.Max(need * 1.5, largest) + 2048;
                long expected = (long)Math.Ceiling(mb / 1024) * 1024;
                roundingMattered |= mb % 1024 != 0;
                largestMattered |= largest > need * 1.5;
                Assert.Equal(expected, g.HostMb);
                Assert.All(data.Hosts, h => Assert.Equal((expected, 2048), (h.TotalMb, h.ReserveMb!.Value)));
                Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), data.Header.Metadata["gen.host_mb_used"]);
            }
        }

        Assert.True(roundingMattered && largestMattered, $"rounding mattered {roundingMattered}, largest Maximum mattered {largestMattered}");
    }

    /// <summary>
    /// docs/generate.md, Demand: within 32 MB .. 1.25 × Maximum. With a diurnal amplitude of the whole Maximum (the
    /// option's largest share) the wave takes many VMs' base + wave below 32 MB: they are held at exactly 32.
    /// </summary>
    [Fact]
    public void Demand_IsHeldAtTheDocumented32MbFloor()
    {
        using var dir = new TempDir();
        var options = new TraceGeneratorOptions { Vms = 60, Hosts = 0, Ticks = 288, TickSeconds = 300, Seed = 5, DiurnalAmplitude = 1, Noise = 0, BurstsPerDay = 0, ChurnFraction = 0 };
        var data = TraceData.Load(TraceGenerator.Generate(dir.File("f.dmt"), options).Path);
        int atFloor = 0;
        for (int v = 0; v < data.Vms.Count; v++)
        {
            int[] s = data.Series(v);
            Assert.All(s, x => Assert.InRange(x, 32, data.Vms[v].Settings.MaximumMb * 1.25));
            atFloor += s.Count(x => x == 32);
        }

        Assert.True(atFloor > 100, $"{atFloor} VM-ticks at the 32 MB floor");
    }

    /// <summary>
    /// docs/generate.md, Demand: the trace holds a demand rounded to the nearest MB, halves up, not truncated (truncating
    /// would lower every VM's demand by half a MB on average: a shift no sample fleet shows, so it is checked here on the
    /// rounding itself, at the 32 MB floor, below and above a half, and at a 64 GB VM's 80 GB cap).
    /// </summary>
    [Theory]
    [InlineData(32f, 32)]
    [InlineData(32.49f, 32)]
    [InlineData(32.5f, 33)]
    [InlineData(100.51f, 101)]
    [InlineData(1023.999f, 1024)]
    [InlineData(81_919.6f, 81_920)]
    [InlineData(81_920f, 81_920)]
    public void Demand_IsRoundedToTheNearestMb_HalvesUp(float demandMb, int stored) =>
        Assert.Equal(stored, TraceGenerator.WholeMb(demandMb));

    /// <summary>
    /// docs/generate.md: a churning VM alternates on and off periods of 1 + ⌊u × 2 × mean ÷ tick⌋ ticks. At 3 600-s ticks
    /// with means of 6 h and 2 h: on periods of 1..12 ticks (mean 6.5), off periods of 1..4 (mean 2.5). Only periods with
    /// both ends inside the trace are counted; the means within ±5 standard errors of the uniform lengths.
    /// </summary>
    [Fact]
    public void ChurnPeriods_Last1PlusFloorOfUTimesTwiceTheMeanTicks()
    {
        using var dir = new TempDir();
        var options = new TraceGeneratorOptions { Vms = 50, Hosts = 0, Ticks = 2000, TickSeconds = 3600, Seed = 9, ChurnFraction = 1, BurstsPerDay = 0 };
        var data = TraceData.Load(TraceGenerator.Generate(dir.File("c.dmt"), options).Path);
        var on = new List<int>();
        var off = new List<int>();
        for (int v = 0; v < data.Vms.Count; v++)
        {
            int[] s = data.Series(v);
            int start = -1;
            for (int t = 1; t < s.Length; t++)
            {
                if ((s[t] < 0) == (s[t - 1] < 0))
                    continue;
                if (start >= 0)
                    (s[t - 1] < 0 ? off : on).Add(t - start);
                start = t;
            }
        }

        foreach ((List<int> runs, int most) in ((List<int>, int)[])[(on, 12), (off, 4)])
        {
            Assert.True(runs.Count > 1000, $"{runs.Count} periods");
            Assert.Equal((1, most), (runs.Min(), runs.Max()));
            double mean = (1 + most) / 2.0, sd = Math.Sqrt(((most * most) - 1) / 12.0), se = sd / Math.Sqrt(runs.Count);
            Assert.InRange(runs.Average(), mean - (5 * se), mean + (5 * se));
        }
    }

    /// <summary>The VM-ticks of one VM's series that are in a burst: with no noise and no wave its demand is its base, or base + burst.</summary>
    private static bool[] InBurst(int[] series, int maximumMb)
    {
        int floor = series.Where(x => x >= 0).DefaultIfEmpty(0).Min();
        return [.. series.Select(x => x >= 0 && x > floor + (maximumMb / 20))];
    }

    /// <summary>
    /// docs/generate.md, Bursts: each on tick starts one with probability BurstsPerDay × tick ÷ 86 400 (not during another).
    /// Defaults (4 a day) at 300-s ticks: 1/72 per tick outside a burst; the count of starts within ±5 σ of the binomial.
    /// </summary>
    [Fact]
    public void BurstStarts_HaveTheDocumentedProbabilityPerTick()
    {
        using var dir = new TempDir();
        var options = new TraceGeneratorOptions { Vms = 200, Hosts = 0, Ticks = 2000, TickSeconds = 300, Seed = 13, ChurnFraction = 0, Noise = 0, DiurnalAmplitude = 0 };
        var data = TraceData.Load(TraceGenerator.Generate(dir.File("b.dmt"), options).Path);
        long eligible = 0, starts = 0;
        for (int v = 0; v < data.Vms.Count; v++)
        {
            bool[] burst = InBurst(data.Series(v), data.Vms[v].Settings.MaximumMb);
            for (int t = 1; t < burst.Length; t++)
            {
                if (burst[t - 1])
                    continue;
                eligible++;
                starts += burst[t] ? 1 : 0;
            }
        }

        double p = 4.0 * 300 / 86_400, sd = Math.Sqrt(eligible * p * (1 - p));
        Assert.InRange(starts, (eligible * p) - (5 * sd), (eligible * p) + (5 * sd));
    }

    /// <summary>
    /// docs/generate.md: a burst starts on an on tick with probability p (not during another). A VM that comes back on
    /// therefore starts in a burst with probability p, whatever it was doing when it went off: bursts of 1..20 ticks
    /// (MeanBurstSeconds 10 ticks) started with p = 0.1 keep about half the on-time in a burst, but a VM's first tick
    /// after an off period is in one only 10 % of the time (±5 σ).
    /// </summary>
    [Fact]
    public void Burst_DoesNotOutliveAnOffPeriod()
    {
        using var dir = new TempDir();
        var options = new TraceGeneratorOptions
        {
            Vms = 50,
            Hosts = 0,
            Ticks = 2000,
            TickSeconds = 3600,
            Seed = 17,
            ChurnFraction = 1,
            Noise = 0,
            DiurnalAmplitude = 0,
            BurstsPerDay = 2.4,
            MeanBurstSeconds = 36_000,
        };
        var data = TraceData.Load(TraceGenerator.Generate(dir.File("r.dmt"), options).Path);
        int arrivals = 0, inBurst = 0;
        for (int v = 0; v < data.Vms.Count; v++)
        {
            int[] s = data.Series(v);
            bool[] burst = InBurst(s, data.Vms[v].Settings.MaximumMb);
            for (int t = 1; t < s.Length; t++)
            {
                if (s[t - 1] < 0 && s[t] >= 0)
                {
                    arrivals++;
                    inBurst += burst[t] ? 1 : 0;
                }
            }
        }

        const double p = 0.1;
        double sd = Math.Sqrt(arrivals * p * (1 - p));
        Assert.True(arrivals > 1000, $"{arrivals} arrivals");
        Assert.InRange(inBurst, (arrivals * p) - (5 * sd), (arrivals * p) + (5 * sd));
    }

    /// <summary>
    /// VdiFleetOptions: each desktop's own level is uniform within the mean ± LevelSpreadMb. Without noise a desktop's
    /// values are its level rounded: 20 000 desktops span 520..640 around a mean of 580 (±5 standard errors of a uniform
    /// of variance 120² ÷ 12), half of them below the mean.
    /// </summary>
    [Fact]
    public void Vdi_LevelsAreUniformWithinTheMeanPlusOrMinusTheSpread()
    {
        const int n = 20_000;
        (_, int[] values) = VdiFleet.Build(new VdiFleetOptions { Desktops = n, Ticks = 1, Hosts = 0, NoiseMb = 0 });
        Assert.All(values, x => Assert.InRange(x, 520, 640));
        Assert.True(values.Min() <= 522 && values.Max() >= 638, $"levels {values.Min()}..{values.Max()}");
        double se = Math.Sqrt(120.0 * 120 / 12 / n);
        Assert.InRange(values.Average(), 580 - (5 * se), 580 + (5 * se));
        double below = values.Count(x => x < 580) / (double)n, seShare = Math.Sqrt(0.25 / n);
        Assert.InRange(below, 0.5 - (5 * seShare), 0.5 + (5 * seShare));
    }

    /// <summary>
    /// VdiFleetOptions: per-sample noise of standard deviation NoiseMb, an Irwin–Hall sum of four uniforms centred on the
    /// desktop's level (so within ±2√3 × NoiseMb of it), committed values in whole MB rounded to nearest: with no level
    /// spread, 10⁶ samples of 580 + noise have mean 580 (±0.2, 5 standard errors of 40 ÷ 1000) and standard deviation
    /// 40 (±1 %).
    /// </summary>
    [Fact]
    public void Vdi_NoiseIsCentredOnTheLevel_WithTheDocumentedDeviation_RoundedToNearest()
    {
        (_, int[] values) = VdiFleet.Build(new VdiFleetOptions { Desktops = 1000, Ticks = 1000, Hosts = 0, LevelSpreadMb = 0, NoiseMb = 40 });
        double half = 2 * Math.Sqrt(3) * 40;
        Assert.All(values, x => Assert.InRange(x, Math.Floor(580 - half), Math.Ceiling(580 + half)));
        double mean = values.Average();
        Assert.InRange(mean, 579.8, 580.2);
        double sd = Math.Sqrt(values.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(sd, 39.6, 40.4);
    }

    /// <summary>VdiFleetOptions: a host must hold its reserve and one desktop's Startup; a smaller one is refused naming HostMb.</summary>
    [Fact]
    public void Vdi_HostSmallerThanReservePlusOneDesktop_IsRefused()
    {
        new VdiFleetOptions { HostMb = 2048 + 1024 }.Validate();
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new VdiFleetOptions { HostMb = 2048 + 1024 - 2 }.Validate());
        Assert.Equal("HostMb", e.ParamName);
        Assert.Contains("at least 3072 MB", e.Message, StringComparison.Ordinal);
    }
}
