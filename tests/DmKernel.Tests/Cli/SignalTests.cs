using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DmKernel.Cli;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// SIGTERM (and Ctrl+C, the same handler) sent to a real <c>dmkernel replay</c> process: the first stops the run at its
/// next tick, writing nothing, exit 130; a second ends at once a run that does not reach a safe point (before: every
/// signal only asked, so a run stuck in a system call, as an import opening a named pipe was, could only be killed with
/// SIGKILL). The replay holds at a known tick (DMKERNEL_TEST_HOLD_AT_TICK; ":stuck" deaf to the first signal, as a
/// run in a blocking call), so the signal never races the run's end. Unix only (signals).
/// </summary>
[Collection(nameof(CliTests))] // CliApp.Run in this process writes to Console.Out, which CliTests.Run swaps: never beside a test that does
public class SignalTests
{
    private sealed class CliProcess : IDisposable
    {
        private readonly Process _process;
        private readonly BlockingCollection<string> _lines = [];
        private readonly List<string> _all = [];

        public CliProcess(string hold, params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            start.Environment["DMKERNEL_TEST_HOLD_AT_TICK"] = hold;
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DmKernel.Cli.dll"));
            foreach (string a in args)
                start.ArgumentList.Add(a);
            _process = Process.Start(start)!;
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                    _lines.Add(e.Data);
            };
            _process.OutputDataReceived += (_, _) => { };
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
        }

        public string Stderr => string.Join('\n', _all);

        /// <summary>Reads stderr until a line starting with <paramref name="prefix"/> (at most a minute); fails naming what came.</summary>
        public void WaitForLine(string prefix)
        {
            while (_lines.TryTake(out string? line, TimeSpan.FromSeconds(60)))
            {
                _all.Add(line);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                    return;
            }

            Assert.Fail($"no line '{prefix}…' on stderr within a minute (exited: {_process.HasExited}); stderr so far:\n{Stderr}");
        }

        public void Signal(string name)
        {
            // The shell's own kill (a machine with only the .NET SDK may lack /bin/kill, which procps installs).
            using var kill = Process.Start(new ProcessStartInfo("sh", ["-c", "kill -" + name + " \"$1\"", "sh", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }

        /// <summary>The exit code once the process has ended (at most a minute; else it is killed and the test fails).</summary>
        public int Exit()
        {
            if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                _process.Kill(entireProcessTree: true);
                Assert.Fail($"the process did not end within a minute of the signal; stderr:\n{Stderr}");
            }

            _process.WaitForExit(); // the stderr reader's last lines
            while (_lines.TryTake(out string? line))
                _all.Add(line);
            return _process.ExitCode;
        }

        public bool HasExited => _process.HasExited;

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }

    /// <summary>The replayed trace: 100 VMs on 2 hosts, 50 ticks.</summary>
    private static string Trace(TempDir tmp)
    {
        string trace = tmp.File("t.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 100, Hosts = 2, Ticks = 50, Seed = 3, TickSeconds = 60 });
        return trace;
    }

    [Fact]
    public void Sigterm_StopsAReplayAtItsNextTick_WritingNothing_Exit130()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var tmp = new TempDir();
        string trace = Trace(tmp);
        string output = tmp.File("out");

        using var run = new CliProcess("5", "replay", trace, "-o", output);
        run.WaitForLine("test: holding after tick 5");
        run.Signal("TERM");
        Assert.Equal(130, run.Exit());
        Assert.Contains("Stopping at the next safe point; nothing half-done is written. Press Ctrl+C again (or send SIGTERM again) to stop at once.", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Interrupted after 5 of 50 ticks; no output was written", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), "the folder the run created is removed");
    }

    [Fact]
    public void ASecondSigterm_EndsAStuckRunAtOnce_TheEarlierOutputsAsTheyWere_AndTheNextRunCleansUp()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var tmp = new TempDir();
        string trace = Trace(tmp);
        string output = tmp.File("out");
        Assert.Equal(0, CliApp.Run(["replay", trace, "-o", output]));
        byte[] earlier = File.ReadAllBytes(Path.Combine(output, "hosts.csv"));

        using (var run = new CliProcess("5:stuck", "replay", trace, "-o", output))
        {
            run.WaitForLine("test: holding after tick 5");
            run.Signal("TERM");
            run.WaitForLine("Stopping at the next safe point");
            Assert.False(run.HasExited, "the stuck run ignores the first signal, as a run in a blocking call does");
            run.Signal("TERM");
            Assert.Equal(128 + 15, run.Exit()); // ended by SIGTERM's default
            Assert.Contains("Stopped at once: outputs already in place are as they were", run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Interrupted after", run.Stderr, StringComparison.Ordinal); // it never reached the safe point
        }

        Assert.Equal(earlier, File.ReadAllBytes(Path.Combine(output, "hosts.csv")));
        Assert.Single(Directory.EnumerateDirectories(output, ".staging-*")); // the killed run's, which the next run removes
        Assert.Equal(0, CliApp.Run(["replay", trace, "-o", output]));
        Assert.Empty(Directory.EnumerateDirectories(output, ".staging-*"));
        Assert.Equal(earlier, File.ReadAllBytes(Path.Combine(output, "hosts.csv")));
    }

    /// <summary>
    /// Whether this process ignores SIGINT (started in the background by a shell without job control): its children
    /// inherit that, and .NET then leaves SIGINT ignored in them, so a Ctrl+C cannot be sent to them.
    /// </summary>
    private static bool SigintIgnored()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
            return false;
        string? line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << (2 - 1))) != 0;
    }

    /// <summary>
    /// Ctrl+C (SIGINT) is handled as SIGTERM is: the first stops the run at its next tick, exit 130, nothing written; after
    /// a SIGTERM that a stuck run ignores, a Ctrl+C is the second signal (of either kind) and ends the run at once.
    /// </summary>
    [Fact]
    public void Sigint_StopsAReplayAtItsNextTick_AndAsTheSecondSignalEndsAStuckRunAtOnce()
    {
        if (OperatingSystem.IsWindows() || SigintIgnored())
            return;
        using var tmp = new TempDir();
        string trace = Trace(tmp);
        string output = tmp.File("out");

        using (var run = new CliProcess("5", "replay", trace, "-o", output))
        {
            run.WaitForLine("test: holding after tick 5");
            run.Signal("INT");
            Assert.Equal(130, run.Exit());
            Assert.Contains("Stopping at the next safe point; nothing half-done is written.", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("Interrupted after 5 of 50 ticks; no output was written", run.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(output), "the folder the run created is removed");
        }

        using (var run = new CliProcess("5:stuck", "replay", trace, "-o", output))
        {
            run.WaitForLine("test: holding after tick 5");
            run.Signal("TERM");
            run.WaitForLine("Stopping at the next safe point");
            run.Signal("INT");
            Assert.Equal(128 + 2, run.Exit()); // ended by SIGINT's default
            Assert.Contains("Stopped at once: outputs already in place are as they were", run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Interrupted after", run.Stderr, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The handler's answer and words, signal by signal: the first cancels the token and says that the run stops at its
    /// next safe point, on a line of its own (it follows a progress line that does not end with a line break); the second
    /// and every later one say that the process ends now and let the signal end it.
    /// </summary>
    [Fact]
    public void InterruptSignals_TheFirstCancelsTheToken_OnALineOfItsOwn_TheNextOnesEndTheProcess()
    {
        using var cancel = new CancellationTokenSource();
        using var error = new StringWriter();
        var signals = new InterruptSignals(cancel, error);
        string stopping = Environment.NewLine + "Stopping at the next safe point; nothing half-done is written. Press Ctrl+C again (or send SIGTERM again) to stop at once." + Environment.NewLine;
        string stopped = "Stopped at once: outputs already in place are as they were; a temporary file or a hidden .staging-* folder may be left beside them (the next run into that folder removes the staging folder)." + Environment.NewLine;

        Assert.True(signals.Graceful());
        Assert.True(cancel.IsCancellationRequested);
        Assert.Equal(stopping, error.ToString());
        Assert.False(signals.Graceful());
        Assert.Equal(stopping + stopped, error.ToString());
        Assert.False(signals.Graceful());
        Assert.Equal(stopping + stopped + stopped, error.ToString());
    }
}
