using System.CommandLine;
using System.Globalization;
using DmKernel.Traces;

namespace DmKernel.Cli.Commands;

/// <summary>Options shared by replay and compare: kernel path, threads, model parameters, placement.</summary>
internal sealed class CommonOptions
{
    // Help shows each option as "--name <UNIT>  what it does [default: value]"; OptionValues turns a value that is not a
    // number into "--name: 'x' is not a number of <unit>". Defaults shown are the model's own (ModelParameters.Default).
    public Option<string> Path { get; } = new("--path") { Description = "Kernel path: auto (DMKERNEL_PATH, else the widest SIMD path), scalar, v128, v256 or v512; results are identical on every path.", HelpName = "PATH", DefaultValueFactory = _ => "auto" };

    public Option<int> Threads { get; } = new("--threads") { Description = "Threads ticking hosts (1..1024); results do not depend on it.", HelpName = "N", DefaultValueFactory = _ => 1 };

    public Option<double?> BootGrace { get; } = new("--boot-grace") { Description = "R5 boot grace: a started VM keeps Startup this long before it is balanced, seconds (0 to 1e9).", HelpName = "SECONDS", DefaultValueFactory = _ => ModelParameters.Default.BootGraceSeconds };

    public Option<double?> ReclaimPeriod { get; } = new("--reclaim-period") { Description = "R15 passive reclaim period, seconds (0 to 1e9).", HelpName = "SECONDS", DefaultValueFactory = _ => ModelParameters.Default.ReclaimPeriodSeconds };

    public Option<int?> MaxRemove { get; } = new("--max-remove") { Description = "R12 balloon cap per VM, MB per second (at least 1).", HelpName = "MB/S", DefaultValueFactory = _ => ModelParameters.Default.MaxRemovePerSecondMb };

    public Option<int?> Reserve { get; } = new("--reserve") { Description = "R3 management-OS reserve of every host without one of its own (the replay's own placement, compare's hosts), MB: a multiple of 2, below the host size.", HelpName = "MB", DefaultValueFactory = _ => ModelParameters.Default.HostReserveMb };

    public Option<bool> NoSmartPaging { get; } = new("--no-smart-paging") { Description = "R6: restarts that find too little memory fail instead of using Smart Paging. [default: off (Smart Paging on)]" };

    public Option<int> HostMb { get; } = new("--host-mb") { Description = "Host RAM for the replay's own placement when the trace has no hosts, MB: a multiple of 2, above --reserve.", HelpName = "MB", DefaultValueFactory = _ => 262_144 };

    public Option<long?> MaxTicks { get; } = new("--max-ticks") { Description = "Replay at most this many ticks. [default: the whole trace]", HelpName = "TICKS" };

    public Option<long> HashEvery { get; } = new("--hash-every") { Description = "Write the state hash every N ticks into summary.json (0: only the final one), ticks.", HelpName = "TICKS", DefaultValueFactory = _ => 0 };

    public CommonOptions()
    {
        // A whole number beyond its type (--threads 99999999999) is answered as any other value out of the option's range,
        // in the words below or of the model's own checks (ToReplayOptions), not by the type's limit.
        OptionValues.OwnRange(Threads, ThreadsOutOfRange);
        OptionValues.OwnRange(MaxRemove, below: v => $"--max-remove: {v} is out of range: expected a positive number of MB per second.", above: null);
        OptionValues.OwnRange(Reserve, below: v => $"--reserve: {v} is out of range: expected a non-negative multiple of 2 MB.",
            above: v => string.Create(CultureInfo.InvariantCulture, $"--reserve {v}: expected less than the host size, at most {TraceValues.MaxCommittedMb} MB (16 TB): give a smaller --reserve."));
        OptionValues.OwnRange(HostMb, HostMbOutOfRange);
        OptionValues.OwnRange(MaxTicks, below: v => $"--max-ticks {v}: expected a non-negative number.", above: null);
        OptionValues.OwnRange(HashEvery, below: v => $"--hash-every {v}: expected 0 (off) or a positive number of ticks.", above: null);
    }

    /// <summary>--threads outside 1..1024, whatever the value typed.</summary>
    public static string ThreadsOutOfRange(string value) => $"--threads {value} is out of range: expected 1..1024.";

    private static string HostMbOutOfRange(string value)
        => string.Create(CultureInfo.InvariantCulture, $"--host-mb {value}: expected a positive multiple of 2 MB up to {TraceValues.MaxCommittedMb} MB (16 TB).");

    public void AddTo(Command command)
    {
        foreach (Option o in (Option[])[Path, Threads, BootGrace, ReclaimPeriod, MaxRemove, Reserve, NoSmartPaging, HostMb, MaxTicks, HashEvery])
            command.Options.Add(o);
    }

    public KernelPath ParsePath(ParseResult r)
    {
        try
        {
            return KernelPaths.Parse(r.GetValue(Path) ?? "auto", "--path");
        }
        catch (ArgumentException ex)
        {
            throw new CliError(ex.Message);
        }
    }

    /// <param name="r">The parsed command line.</param>
    /// <param name="hostFromTrace">compare: without --host-mb the hosts are the trace's own size, which the command checks
    /// --reserve against once the trace is open; the replay's placement host (--host-mb's default) is then not checked.</param>
    public Traces.Replay.ReplayOptions ToReplayOptions(ParseResult r, bool hostFromTrace = false)
    {
        int threads = r.GetValue(Threads);
        if (threads is < 1 or > 1024)
            throw new CliError(ThreadsOutOfRange(threads.ToString(CultureInfo.InvariantCulture)));
        var model = ModelParameters.Default;
        if (r.GetValue(BootGrace) is double bg)
            model = model with { BootGraceSeconds = bg };
        if (r.GetValue(ReclaimPeriod) is double rp)
            model = model with { ReclaimPeriodSeconds = rp };
        if (r.GetValue(MaxRemove) is int mr)
            model = model with { MaxRemovePerSecondMb = mr };
        if (r.GetValue(Reserve) is int res)
            model = model with { HostReserveMb = res };
        if (r.GetValue(NoSmartPaging))
            model = model with { SmartPaging = false };
        try
        {
            model.Validate();
        }
        catch (ModelParameterException ex)
        {
            // Named by the option that set it ("--boot-grace: -1 is out of range: ..."), not by the model's property.
            string? flag = ex.Parameter switch
            {
                nameof(ModelParameters.BootGraceSeconds) => "--boot-grace",
                nameof(ModelParameters.ReclaimPeriodSeconds) => "--reclaim-period",
                nameof(ModelParameters.MaxRemovePerSecondMb) => "--max-remove",
                nameof(ModelParameters.HostReserveMb) => "--reserve",
                _ => null,
            };
            throw new CliError(flag is null ? ex.Message : ex.Message.Replace($"Model parameter {ex.Parameter} = ", $"{flag}: ", StringComparison.Ordinal));
        }

        int hostMb = r.GetValue(HostMb);
        bool hostMbGiven = r.GetResult(HostMb) is { Implicit: false };
        long? maxTicks = r.GetValue(MaxTicks);
        var options = new Traces.Replay.ReplayOptions
        {
            Path = ParsePath(r),
            Threads = threads,
            Model = model,
            PlacementHostMb = hostMb,
            PlacementReserveMb = model.HostReserveMb,
            MaxTicks = maxTicks,
            HashEvery = r.GetValue(HashEvery),
        };
        try
        {
            (hostFromTrace && !hostMbGiven ? options with { PlacementReserveMb = 0 } : options).Validate();
        }
        catch (ArgumentOutOfRangeException ex) when (ex.ParamName == nameof(options.PlacementReserveMb) && hostMbGiven)
        {
            // The reserve passed the model's own check, so the host given is what is too small for it.
            throw new CliError(string.Create(CultureInfo.InvariantCulture,
                $"--host-mb {hostMb}: expected more than the management-OS reserve of {model.HostReserveMb} MB (--reserve)."));
        }
        catch (ArgumentOutOfRangeException ex) when (ex.ParamName == nameof(options.PlacementReserveMb))
        {
            // --host-mb was left out: the reserve given is what does not fit the default host (not a --host-mb nobody typed).
            throw new CliError(string.Create(CultureInfo.InvariantCulture,
                $"--reserve {model.HostReserveMb}: expected less than the host size, {hostMb} MB (--host-mb's default): give a smaller --reserve."));
        }
        catch (ArgumentOutOfRangeException ex)
        {
            // "--max-ticks -1: expected a non-negative number." (the options' own messages start with their name: "max ticks: ...").
            string flag = ex.ParamName switch { "PlacementHostMb" => "host-mb", "PlacementReserveMb" => "reserve", "MaxTicks" => "max-ticks", "HashEvery" => "hash-every", _ => ex.ParamName ?? "option" };
            string message = ex.Message.Split(" (Parameter", 2)[0].Split('\n', 2)[0].TrimEnd();
            int colon = message.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0)
                message = message[(colon + 2)..];
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--{flag} {ex.ActualValue}: {message}"));
        }

        return options;
    }

    /// <summary>Opens a native trace; a missing or corrupt file is a <see cref="CliError"/> with exit code 1.</summary>
    public static NativeTraceReader OpenTrace(string file)
    {
        if (Directory.Exists(file))
            throw new CliError($"'{file}' is a folder, expected a trace file (.dmt).", 1);
        if (!File.Exists(file))
            throw new CliError($"trace file '{file}' does not exist.", 1);
        try
        {
            return NativeTraceReader.Open(file);
        }
        catch (TraceFormatException ex)
        {
            throw new CliError(ex.Message, 1);
        }
    }
}
