using System.Globalization;
using System.Reflection;
using System.Text;
using BenchmarkDotNet.Attributes;
using DmKernel.Benchmarks;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Bench;

/// <summary>
/// ReplayBench's operation and its per-tick figure (<see cref="ReplayBench"/>: one operation is 24 measured ticks after 4 in
/// the setup, reported per tick, with 3 more in the trace for the read-ahead); the synthetic Bitbrains folder
/// (<see cref="BitbrainsSynth"/>) is what its summary says and imports; the bench's fleet-size list (<see cref="BenchSizes"/>).
/// </summary>
public class ReplayAndSynthTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReplayBench_AnOperationReplaysTicksTicks_AfterFourInTheSetup_WithThreeLeftForTheReadAhead(bool readAhead)
    {
        // ns/VM (NsPerVmColumn) is the mean of an operation over Vms: per tick only if BenchmarkDotNet divides by the 24 ticks.
        MethodInfo replay = typeof(ReplayBench).GetMethod(nameof(ReplayBench.Replay))!;
        Assert.Equal(24, replay.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke);
        Assert.Equal(24, ReplayBench.Ticks);

        var bench = new ReplayBench { Vms = 1_000, ReadAhead = readAhead };
        bench.Setup();
        try
        {
            using (NativeTraceReader reader = NativeTraceReader.Open(bench.TraceForTests))
            {
                Assert.Equal(4 + 24 + 3, reader.Header.TickCount);
                Assert.Equal(1_000, reader.Vms.Count);
                Assert.Equal(10, reader.Hosts.Count); // 100 VMs per host
            }

            bench.Open();
            ReplayEngine engine = bench.EngineForTests!;
            Assert.Equal(4, engine.TicksDone);

            // The engine reads ahead only with a core to spare beside the ticking thread (ReplayEngine: ProcessorCount >
            // the tick's threads), so on a one-CPU machine (DOTNET_PROCESSOR_COUNT=1: this test failed) the bench's
            // ReadAhead = true runs without, as a replay there does.
            bool readsAhead = readAhead && Environment.ProcessorCount > 1;
            Assert.Equal(readsAhead, engine.UsesReadAhead);
            Assert.Equal(3, ReplayBench.ReadAheadDepth);
            Assert.Equal(readsAhead ? 3 : 0, engine.ReadAheadTicksReady); // the setup waited for a full read-ahead
            bench.Replay();
            Assert.Equal(4 + 24, engine.TicksDone);
            Assert.Equal(31, engine.TotalTicks);
            bench.Close();
        }
        finally
        {
            bench.Cleanup();
        }

        Assert.False(File.Exists(bench.TraceForTests));
    }

    [Fact]
    public void ReplayBench_TheSetupLeavesAFullReadAhead_WithItsReadingThreadBehindTheReplay()
    {
        // The test above passed without the setup's wait for the read-ahead (a mutant): at 1 000 VMs the reading thread
        // decodes a tick in microseconds, so the read-ahead was full when the setup ended either way. Here the reading
        // thread starts with one buffer of its three (TickReadAhead.HeldBackForTests; the wait gives the other two back),
        // so without the wait the setup would end with one tick ready at most, whatever the timing: as at 1 000 000 VMs,
        // where a tick's decode takes milliseconds and the warm ticks leave the read-ahead behind.
        var bench = new ReplayBench { Vms = 1_000, ReadAhead = true };
        bench.Setup();
        try
        {
            TickReadAhead.HeldBackForTests = ReplayBench.ReadAheadDepth - 1;
            try
            {
                bench.Open();
            }
            finally
            {
                TickReadAhead.HeldBackForTests = 0;
            }

            ReplayEngine engine = bench.EngineForTests!;
            Assert.Equal(4, engine.TicksDone);

            // No read-ahead on one CPU (the test above), and so nothing to wait for.
            Assert.Equal(Environment.ProcessorCount > 1, engine.UsesReadAhead);
            Assert.Equal(engine.UsesReadAhead ? 3 : 0, engine.ReadAheadTicksReady);
            bench.Replay();
            Assert.Equal(4 + 24, engine.TicksDone);
            bench.Close();
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private const string Header = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]";

    [Fact]
    public void BitbrainsSynth_WritesThePerVmFormat_WithTheIrregularitiesItsSummaryLists()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"dmkernel-synth-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            const int Vms = 40, Rows = 400;
            long bytes = BitbrainsSynth.Write(folder, Vms, Rows, seed: 5);
            string month = Path.Combine(folder, "2013-8");
            string[] files = [.. Enumerable.Range(1, Vms).Select(i => Path.Combine(month, $"{i}.csv"))];
            Assert.All(files, f => Assert.True(File.Exists(f), f));
            Assert.Equal(Vms, Directory.GetFiles(month).Length);
            Assert.Equal(bytes, files.Sum(f => new FileInfo(f).Length));

            int lateStarts = 0, earlyStops = 0, offVms = 0, changingVms = 0, duplicates = 0, jitters = 0, gaps = 0, dataRows = 0;
            bool manyDigits = false, wholeWithPointZero = false;
            foreach (string file in files)
            {
                string text = File.ReadAllText(file, Encoding.ASCII);
                Assert.DoesNotContain('\r', text);
                Assert.EndsWith("\n", text, StringComparison.Ordinal);
                string[] lines = text[..^1].Split('\n');
                Assert.Equal(Header, lines[0]);
                var capacities = new HashSet<string>(StringComparer.Ordinal);
                bool off = false;
                long previous = -1;
                for (int l = 1; l < lines.Length; l++)
                {
                    string[] fields = lines[l].Split(";\t");
                    Assert.Equal(11, fields.Length);
                    long time = long.Parse(fields[0], CultureInfo.InvariantCulture);
                    Assert.InRange(time, 1_375_308_176L, 1_375_308_176L + 120 + (1_800L * Rows));
                    for (int f = 1; f < 11; f++)
                    {
                        Assert.True(double.TryParse(fields[f], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0, lines[l]);
                        if (f > 1)
                            Assert.True(fields[f].Contains('.', StringComparison.Ordinal) || fields[f].Contains('E', StringComparison.Ordinal), fields[f]);
                        manyDigits |= fields[f].Contains('.', StringComparison.Ordinal) && fields[f].Split('.')[1].Length >= 10;
                        wholeWithPointZero |= fields[f].EndsWith(".0", StringComparison.Ordinal) && fields[f] != "0.0";
                    }

                    if (previous >= 0)
                    {
                        long step = time - previous;
                        Assert.True(step == 0 || step >= 300, $"{file}: {step} s between rows");
                        duplicates += step == 0 ? 1 : 0;
                        jitters += step == 301 ? 1 : 0;
                        gaps += step >= 600 ? 1 : 0;
                    }

                    previous = time;
                    off |= fields[1] == "0" && fields[5] == "0.0";
                    if (fields[1] != "0")
                        capacities.Add(fields[5]);
                }

                dataRows += lines.Length - 1;
                Assert.InRange(lines.Length - 1, 1, Rows);
                lateStarts += long.Parse(lines[1].Split(";\t")[0], CultureInfo.InvariantCulture) >= 1_375_308_176L + 300 ? 1 : 0;
                earlyStops += lines.Length - 1 < Rows / 2 ? 1 : 0;
                offVms += off ? 1 : 0;
                changingVms += capacities.Count > 1 ? 1 : 0;
            }

            // Each irregularity the summary names is in the folder (seeded: these counts are this seed's).
            Assert.True(lateStarts > 0, "a VM that starts late");
            Assert.True(earlyStops > 0 || lateStarts > 0, "a VM with fewer rows");
            Assert.True(offVms > 0, "a VM that is off for a while");
            Assert.True(changingVms > 0, "a VM whose capacity changes");
            Assert.True(duplicates > 0, "a duplicate timestamp");
            Assert.True(jitters > 0, "a 301 s step");
            Assert.True(gaps > 0, "a longer gap");
            Assert.True(manyDigits, "a fraction printed round-trip");
            Assert.True(wholeWithPointZero, "a whole number printed with .0");

            // And the importer reads it: every row.
            string output = Path.Combine(folder, "out.dmt");
            ImportReport report = BitbrainsImporter.Import(folder, output, new BitbrainsImportOptions { PlaceOnHostMb = 1_048_576 });
            Assert.Equal(dataRows, report.RowsRead);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void BitbrainsSynth_IsSeeded_AndRefusesBadArguments()
    {
        string a = Path.Combine(Path.GetTempPath(), $"dmkernel-synth-a-{Guid.NewGuid():N}"), b = Path.Combine(Path.GetTempPath(), $"dmkernel-synth-b-{Guid.NewGuid():N}");
        try
        {
            Assert.Equal(0, BitbrainsSynth.Run([BitbrainsSynth.Flag, a, "3", "50", "9"]));
            BitbrainsSynth.Write(b, 3, 50, 9);
            for (int i = 1; i <= 3; i++)
                Assert.Equal(File.ReadAllBytes(Path.Combine(a, "2013-8", $"{i}.csv")), File.ReadAllBytes(Path.Combine(b, "2013-8", $"{i}.csv")));
            Assert.Equal(2, BitbrainsSynth.Run([BitbrainsSynth.Flag, a, "0", "50", "9"]));
            Assert.Equal(2, BitbrainsSynth.Run([BitbrainsSynth.Flag, a, "3", "1", "9"]));
            Assert.Equal(2, BitbrainsSynth.Run([BitbrainsSynth.Flag, a, "3", "50"]));
        }
        finally
        {
            foreach (string d in (string[])[a, b])
            {
                if (Directory.Exists(d))
                    Directory.Delete(d, recursive: true);
            }
        }
    }

    [Fact]
    public void BenchSizes_ParsesTheEnvironmentList_AndRefusesANonPositiveCount()
    {
        Assert.Equal([10_000, 50_000], BenchSizes.Parse(" 10_000 , 50000,"));
        Assert.Throws<FormatException>(() => BenchSizes.Parse("0"));
        Assert.Throws<FormatException>(() => BenchSizes.Parse("10k"));
    }
}
