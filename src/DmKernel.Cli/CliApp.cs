using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Reflection;
using DmKernel.Cli.Commands;

namespace DmKernel.Cli;

/// <summary>The <c>dmkernel</c> command tree; <see cref="Run"/> is the whole program (tests call it in-process).</summary>
internal static partial class CliApp
{
    /// <summary>The name help shows in "Usage: dmkernel ..." (the .NET tool's command name), whatever the host process is called.</summary>
    public const string CommandName = "dmkernel";

    /// <summary>
    /// The command tree. The root is a plain <see cref="Command"/> named <see cref="CommandName"/> rather than a
    /// <see cref="RootCommand"/>, whose name is the host executable's ("DmKernel.Cli" under <c>dotnet DmKernel.Cli.dll</c>).
    /// </summary>
    public static Command Build()
    {
        var root = new Command(CommandName, "dmkernel: the Hyper-V Dynamic Memory balancer (DmKernel) from the command line.")
        {
            ReplayCommand.Create(),
            SplitCommand.Create(),
            MergeCommand.Create(),
            CompareCommand.Create(),
            ImportCommand.Create(),
            GenerateCommand.Create(),
            DemoCommand.Create(),
        };
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption { Action = new PrintVersion() });
        OptionValues.Apply(root);
        return root;
    }

    /// <summary>The version of this tool (the package version, and the commit it was built from when known), whatever process hosts it.</summary>
    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CliApp).Assembly.GetName().Version?.ToString() ?? "unknown";

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return 0;
        }
    }

    /// <summary>"dmkernel import bitbrains": the words that reach <paramref name="result"/>'s command.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
            names.Add(c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    public static int Run(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        var signals = new InterruptSignals(cancel, Console.Error);
        void OnCancel(object? sender, ConsoleCancelEventArgs e) => e.Cancel = signals.Graceful(); // the first: finish the current tick, write nothing half-done, exit 130

        Console.CancelKeyPress += OnCancel;
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => ctx.Cancel = signals.Graceful());
        // A file-size limit (ulimit -f, as batch schedulers set) ends a process writing past it with SIGXFSZ (25 on Linux
        // and macOS), leaving the file it was writing; with the signal's default cancelled, the write fails with EFBIG
        // instead: an I/O error ("File too large") that the commands report and clean up after, as a full disk.
        using var sigxfsz = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()
            ? System.Runtime.InteropServices.PosixSignalRegistration.Create((System.Runtime.InteropServices.PosixSignal)25, ctx => ctx.Cancel = true)
            : null;
        TextWriter stdout = Console.Out;
        Console.SetOut(new StandardOutput(stdout));
        try
        {
            ParseResult parsed = Build().Parse(args);
            if (parsed.Errors.Count > 0)
            {
                // A value that does not parse (not a number, too large for its type), an unknown option, a missing
                // argument: bad arguments, exit code 2, one line each on stderr.
                // The parser's own messages may list choices on lines of their own ("Must be one of:\n\t'a'\n\t'b'"):
                // joined with spaces; anything else not text (from a typed value) still shows as U+FFFD.
                foreach (ParseError error in parsed.Errors)
                    Console.Error.WriteLine($"error: {Commands.Cli.OneLine(ParserLineBreak().Replace(error.Message, " "))}");
                Console.Error.WriteLine($"({CommandPath(parsed.CommandResult)} --help shows the usage)");
                return 2;
            }

            return parsed.InvokeAsync(cancellationToken: cancel.Token).GetAwaiter().GetResult();
        }
        finally
        {
            Console.SetOut(stdout);
            Console.CancelKeyPress -= OnCancel;
        }
    }

    /// <summary>A line break followed by a tab: how the parser puts each allowed value on its own line.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\r?\n\t+")]
    private static partial System.Text.RegularExpressions.Regex ParserLineBreak();
}
