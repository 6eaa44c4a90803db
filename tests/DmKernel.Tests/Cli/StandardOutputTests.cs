using DmKernel.Cli;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// Standard output that cannot be written (closed with <c>&gt;&amp;-</c>, a file on a full disk): the error line says
/// it was standard output (before stop 50: <c>error: permission denied: Access to the path is denied.</c>, read as an
/// output file failing, though the run's files were in place).
/// </summary>
public class StandardOutputTests
{
    private sealed class FailingWriter : StringWriter
    {
        public override void Write(string? value) => throw new IOException("No space left on device");

        public override void WriteLine(string? value) => throw new IOException("No space left on device");
    }

    [Fact]
    public void AFailedWrite_IsAnIOException_NamingStandardOutput()
    {
        var output = new StandardOutput(new FailingWriter());
        var e = Assert.Throws<IOException>(() => output.WriteLine("Replayed 2 VMs"));
        Assert.Equal("cannot write to standard output (closed, or its file cannot be written): No space left on device", e.Message);
        Assert.Throws<IOException>(() => output.Write("x"));

        // A writer that works is written through, line breaks as its own.
        using var text = new StringWriter();
        var through = new StandardOutput(text);
        through.Write('a');
        through.Write("bc");
        through.WriteLine("d");
        through.Write(['e', 'f'], 1, 1);
        Assert.Equal("abcd" + Environment.NewLine + "f", text.ToString());
    }

    [Fact]
    public void Replay_WithStdoutClosed_WritesItsOutputs_AndSaysStandardOutputFailed()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 100, Hosts = 2, Ticks = 50, Seed = 3, TickSeconds = 60 });
        string output = tmp.File("out");
        var (exit, err) = CliShell.Run("exec dotnet \"$@\" >&-", [], null, "replay", trace, "-o", output);
        Assert.True(exit == 1, $"exit {exit}: {err}");
        Assert.Contains("error: cannot write to standard output (closed, or its file cannot be written): ", err, StringComparison.Ordinal);
        Assert.DoesNotContain("error: permission denied", err, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "summary.json")), "the run's outputs are in place before its summary lines");
    }
}
