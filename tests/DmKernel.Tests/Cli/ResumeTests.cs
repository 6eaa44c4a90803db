using System.Diagnostics;
using DmKernel.Cli;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// A long replay killed mid-run (a real CLI process, SIGKILL) and resumed with --resume ends with exactly the
/// outputs of an uninterrupted run: the same summary.json (all but "run") and the same hosts.csv and fleet.csv, byte for byte.
/// </summary>
[Collection(nameof(CliTests))]
public class ResumeTests
{
    [Fact]
    public void Replay_KilledMidRun_ResumesToTheUninterruptedResult()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("long.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 3000, Hosts = 30, Ticks = 4000, Seed = 8, TickSeconds = 60 });

        // The reference: one uninterrupted run.
        string full = tmp.File("full");
        Assert.Equal(0, CliApp.Run(["replay", trace, "-o", full]));

        // A real process with checkpoints, killed once its second checkpoint exists. It holds after tick 740 (its per-host
        // series flushed past the checkpoint at 600, as a kill mid-run leaves it), so it cannot finish before the kill.
        string resumed = tmp.File("resumed");
        string cli = Path.Combine(AppContext.BaseDirectory, "DmKernel.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        start.Environment["DMKERNEL_TEST_HOLD_AT_TICK"] = "740";
        foreach (string arg in new[] { cli, "replay", trace, "-o", resumed, "--checkpoint-every", "300" })
            start.ArgumentList.Add(arg);
        using (Process process = Process.Start(start)!)
        {
            string state = Path.Combine(resumed, ".checkpoint", "state.bin");
            var clock = Stopwatch.StartNew();
            while (!PastTheCheckpoint(resumed) && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
                Thread.Sleep(10);
            Assert.True(File.Exists(state), "no checkpoint appeared");
            Assert.True(PastTheCheckpoint(resumed), "no per-host lines after the checkpoint"); // the resume cuts them
            bool summaryAtDetection = File.Exists(Path.Combine(resumed, "summary.json"));
            Assert.False(process.HasExited, $"the replay exited ({(process.HasExited ? process.ExitCode : 0)}) before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.False(File.Exists(Path.Combine(resumed, "summary.json")),
                $"a killed run must not leave outputs (checkpoint seen after {clock.ElapsedMilliseconds} ms; summary already there then: {summaryAtDetection}; exit {process.ExitCode})");
        }

        // Copies of the checkpoint with its per-host series truncated, or with a NUL byte in it, are refused on resume
        // (before, a truncated part was extended with NUL bytes and continued: a hosts.csv with a hole, exit 0).
        string Damaged(string name, Action<FileStream> damage)
        {
            string dir = tmp.File(name);
            Directory.CreateDirectory(Path.Combine(dir, ".checkpoint"));
            foreach (string f in Directory.EnumerateFiles(Path.Combine(resumed, ".checkpoint")))
                File.Copy(f, Path.Combine(dir, ".checkpoint", Path.GetFileName(f)));
            using (var part = new FileStream(Path.Combine(dir, ".checkpoint", "hosts.csv.part"), FileMode.Open, FileAccess.ReadWrite))
                damage(part);
            return dir;
        }

        string truncated = Damaged("truncated", part => part.SetLength(10));
        string zeroed = Damaged("zeroed", part =>
        {
            part.Position = 40;
            part.WriteByte(0);
        });

        // One digit changed in the middle: the length, line ends and bytes stay plausible; the recorded checksum does not
        // match (before, it was copied into the final hosts.csv, exit 0). A checkpoint without its checksums (written by an
        // older dmkernel) resumes with a warning.
        long changedAt = -1;
        string changed = Damaged("changed", part =>
        {
            for (long at = part.Length / 2; at < part.Length; at++)
            {
                part.Position = at;
                int b = part.ReadByte();
                if (b is >= '0' and <= '8')
                {
                    part.Position = at;
                    part.WriteByte((byte)(b + 1));
                    changedAt = at;
                    return;
                }
            }
        });
        Assert.True(changedAt > 0, "no digit to change in the per-host series");
        string unchecked_ = Damaged("unchecked", _ => { });
        File.Delete(Path.Combine(unchecked_, ".checkpoint", "hosts.csv.part.xxh64"));
        // The checksum file itself damaged (NULs over its hashes): named as the damaged file, its bytes not echoed raw
        // (before: hosts.csv.part was blamed, and the NULs printed).
        string badSum = Damaged("badsum", _ => { });
        string sums = Path.Combine(badSum, ".checkpoint", "hosts.csv.part.xxh64");
        File.WriteAllLines(sums, File.ReadAllLines(sums).Select(l => l[..(l.IndexOf(' ') + 1)] + new string('\0', 16)));

        // Without its checksums, the series' line end at the recorded length is still checked: a changed last byte is refused.
        string[] recorded = File.ReadAllLines(Path.Combine(resumed, ".checkpoint", "hosts.csv.part.xxh64"));
        Assert.Equal(2, recorded.Length); // the checkpoint at 600 and the one before it
        long LengthAt(int line) => long.Parse(recorded[line][..recorded[line].IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture);
        string noLineEnd = Damaged("nolineend", part =>
        {
            part.Position = LengthAt(1) - 1;
            part.WriteByte((byte)'x');
        });
        File.Delete(Path.Combine(noLineEnd, ".checkpoint", "hosts.csv.part.xxh64"));

        // Killed after the checksums of the checkpoint at 600 were saved and before its state replaced that of 300: the
        // state of 300 resumes, by the checksum recorded for it (its line is kept beside the new one for this).
        string between = Damaged("between", _ => { });
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        {
            var options = new DmKernel.Traces.Replay.ReplayOptions();
            using var engine = new DmKernel.Traces.Replay.ReplayEngine(reader, options);
            for (int t = 0; t < 300; t++)
                Assert.True(engine.Step());
            using FileStream f = File.Create(Path.Combine(between, ".checkpoint", "state.bin"));
            engine.SaveCheckpoint(f, DmKernel.Cli.Commands.ReplayCommand.Fingerprint(trace, engine, options, null).ToString(), LengthAt(0));
        }

        TextWriter oldErr = Console.Error, oldOut = Console.Out;
        var err = new StringWriter();
        string resumedHeadline = "";
        Console.SetError(err);
        Console.SetOut(new StringWriter());
        int exit, exitNoLineEnd, exitBetween, exitTruncated, exitZeroed, exitChanged, exitUnchecked, exitBadSum;
        string errDamaged;
        try
        {
            exitTruncated = CliApp.Run(["replay", trace, "-o", truncated, "--checkpoint-every", "300", "--resume"]);
            exitZeroed = CliApp.Run(["replay", trace, "-o", zeroed, "--checkpoint-every", "300", "--resume"]);
            exitChanged = CliApp.Run(["replay", trace, "-o", changed, "--checkpoint-every", "300", "--resume"]);
            exitUnchecked = CliApp.Run(["replay", trace, "-o", unchecked_, "--checkpoint-every", "300", "--resume"]);
            exitBadSum = CliApp.Run(["replay", trace, "-o", badSum, "--checkpoint-every", "300", "--resume"]);
            exitNoLineEnd = CliApp.Run(["replay", trace, "-o", noLineEnd, "--checkpoint-every", "300", "--resume"]);
            exitBetween = CliApp.Run(["replay", trace, "-o", between, "--checkpoint-every", "300", "--resume"]);
            errDamaged = err.ToString();
            err.GetStringBuilder().Clear();
            var resumedOut = new StringWriter();
            Console.SetOut(resumedOut);
            exit = CliApp.Run(["replay", trace, "-o", resumed, "--checkpoint-every", "300", "--resume"]);
            resumedHeadline = resumedOut.ToString();
        }
        finally
        {
            Console.SetError(oldErr);
            Console.SetOut(oldOut);
        }

        Assert.Equal(1, exitTruncated);
        Assert.Equal(1, exitZeroed);
        Assert.Contains("hosts.csv.part is 10 bytes, shorter than the", errDamaged, StringComparison.Ordinal);
        Assert.Contains("holds a NUL byte at offset 40", errDamaged, StringComparison.Ordinal);
        Assert.Equal(1, exitChanged);
        Assert.Equal(0, exitUnchecked);
        Assert.Contains("hosts.csv.part was changed after the checkpoint (checksum of its first", errDamaged, StringComparison.Ordinal);
        Assert.Contains("hosts.csv.part.xxh64 is missing (a checkpoint written by an older dmkernel)", errDamaged, StringComparison.Ordinal);
        Assert.Equal(1, exitBadSum);
        Assert.Contains("hosts.csv.part.xxh64 is damaged (its checksum for the first", errDamaged, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', errDamaged);
        Assert.Equal(1, exitNoLineEnd);
        Assert.Contains("hosts.csv.part does not end a line at the", errDamaged, StringComparison.Ordinal);
        Assert.True(exitBetween == 0, errDamaged);
        Assert.Contains("Resuming at tick 300 of 4000", errDamaged, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "hosts.csv")), File.ReadAllBytes(Path.Combine(between, "hosts.csv")));
        Assert.All((string[])[truncated, zeroed, changed], d => Assert.False(File.Exists(Path.Combine(d, "summary.json")), d));
        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "hosts.csv")), File.ReadAllBytes(Path.Combine(unchecked_, "hosts.csv")));
        Assert.True(exit == 0, err.ToString());
        Assert.Contains("Resuming at tick", err.ToString(), StringComparison.Ordinal);
        // The headline's time is the whole replay's, and says what the resumed run took of it (stop 54).
        Assert.Matches(@"ticks in [0-9.]+ s \([0-9.]+ s in this run, resumed at tick \d+\) \(", resumedHeadline);
        Assert.Equal(
            ReplayDeterminismTests.WithoutRun(File.ReadAllText(Path.Combine(full, "summary.json"))),
            ReplayDeterminismTests.WithoutRun(File.ReadAllText(Path.Combine(resumed, "summary.json"))));
        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "hosts.csv")), File.ReadAllBytes(Path.Combine(resumed, "hosts.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "fleet.csv")), File.ReadAllBytes(Path.Combine(resumed, "fleet.csv")));
        Assert.False(Directory.Exists(Path.Combine(resumed, ".checkpoint")), "the checkpoint is removed once the outputs are complete");
    }

    /// <summary>Whether the replay writing into <paramref name="dir"/> has saved its second checkpoint and per-host lines
    /// after it (its series is longer than the length the checkpoint recorded).</summary>
    private static bool PastTheCheckpoint(string dir)
    {
        string sums = Path.Combine(dir, ".checkpoint", "hosts.csv.part.xxh64"), part = Path.Combine(dir, ".checkpoint", "hosts.csv.part");
        if (!File.Exists(Path.Combine(dir, ".checkpoint", "state.bin")) || !File.Exists(sums))
            return false;
        string[] lines = File.ReadAllLines(sums);
        return lines.Length >= 2 && new FileInfo(part).Length > lines.Max(l => long.Parse(l[..l.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Resume_WithoutCheckpoint_OrAnotherReplaysCheckpoint_ExitsOne()
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("out");
        TextWriter oldErr = Console.Error, oldOut = Console.Out;
        var err = new StringWriter();
        Console.SetError(err);
        Console.SetOut(new StringWriter());
        try
        {
            Assert.Equal(1, CliApp.Run(["replay", ReplayDeterminismTests.SampleTrace, "-o", outDir, "--resume"]));
            Assert.Contains("nothing to resume", err.ToString(), StringComparison.Ordinal);

            // A checkpoint from one set of options does not resume another.
            Directory.CreateDirectory(Path.Combine(outDir, ".checkpoint"));
            using (NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace))
            using (var engine = new DmKernel.Traces.Replay.ReplayEngine(reader, new DmKernel.Traces.Replay.ReplayOptions()))
            using (FileStream f = File.Create(Path.Combine(outDir, ".checkpoint", "state.bin")))
                engine.SaveCheckpoint(f, "another replay", 0);
            File.WriteAllText(Path.Combine(outDir, ".checkpoint", "hosts.csv.part"), "");
            Assert.Equal(1, CliApp.Run(["replay", ReplayDeterminismTests.SampleTrace, "-o", outDir, "--resume"]));
            Assert.Contains("written by another replay", err.ToString(), StringComparison.Ordinal);

            // A checkpoint of the format before the pressure histogram kept its values above 1000 % (DMKREPLAY/1, its
            // checksum intact) is named as an older version's, not misread.
            string statePath = Path.Combine(outDir, ".checkpoint", "state.bin");
            byte[] bytes = File.ReadAllBytes(statePath);
            byte[] payload = bytes[..^8];
            Assert.Equal("DMKREPLAY/4", System.Text.Encoding.UTF8.GetString(payload, 1, 11));
            // DMKREPLAY/2, before the unservable paging was counted, likewise.
            foreach (char before in "12")
            {
                err.GetStringBuilder().Clear();
                payload[11] = (byte)before;
                File.WriteAllBytes(statePath, [.. payload, .. System.IO.Hashing.XxHash64.Hash(payload)]);
                Assert.Equal(1, CliApp.Run(["replay", ReplayDeterminismTests.SampleTrace, "-o", outDir, "--resume"]));
                Assert.Contains("written by an older dmkernel", err.ToString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            Console.SetError(oldErr);
            Console.SetOut(oldOut);
        }
    }
}
