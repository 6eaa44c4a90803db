using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using DmKernel.Cli.Output;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Cli.Commands;

/// <summary>
/// <c>dmkernel generate</c>: a seeded datacenter-scale workload as a native trace (same seed, same bytes): synthetic
/// (<c>--profile</c>), or drawn from a real trace (<c>--from</c>).
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var vms = new Option<int>("--vms") { Description = "VMs in the fleet.", HelpName = "N", DefaultValueFactory = _ => 1000 };
        var hosts = new Option<int>("--hosts") { Description = "Hosts the VMs are placed on (VM i on host i mod N).", HelpName = "N", DefaultValueFactory = _ => 10 };
        var ticks = new Option<int>("--ticks") { Description = "Length of the trace, ticks (with --from: the source trace's length unless given).", HelpName = "TICKS", DefaultValueFactory = _ => 1440 };
        var from = new Option<string>("--from") { Description = "Draw the VMs from this real trace (.dmt, e.g. an import): each VM plays a source VM's series from its own tick, wrapping around (docs/generate.md). [default: none: a synthetic fleet]", HelpName = "FILE" };
        var scaleMin = new Option<double>("--scale-min") { Description = "With --from: each VM's sizes and measured demand are scaled by a factor drawn in [scale-min, scale-max]; smallest factor.", HelpName = "FACTOR", DefaultValueFactory = _ => 1.0 };
        var scaleMax = new Option<double>("--scale-max") { Description = "With --from: largest scale factor.", HelpName = "FACTOR", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed and options give the same bytes.", HelpName = "N", DefaultValueFactory = _ => 1UL };
        var tick = new Option<double>("--tick-seconds") { Description = "Tick length, seconds: 0.003 to 3600, the ticks replay and compare run.", HelpName = "SECONDS", DefaultValueFactory = _ => 60 };
        var hostMb = new Option<int?>("--host-mb") { Description = "Host RAM, MB. [default: sized from the VMs with headroom]", HelpName = "MB" };
        var output = new Option<string>("--output", "-o") { Description = "Output trace file (.dmt); written as FILE.tmp and renamed when complete.", HelpName = "FILE", Required = true };
        var profile = new Option<string>("--profile") { Description = "datacenter: heterogeneous VMs; vdi: desktops of 1 GB committing about 580 MB (its defaults: --vms 200 --hosts 2 --ticks 288 --tick-seconds 300 --host-mb 98304).", HelpName = "datacenter|vdi", DefaultValueFactory = _ => "datacenter" };
        var guests = new Option<string?>("--guests") { Description = "P10: shares of the VMs with a slow or stuck guest, recorded in the trace and applied by replay and compare under every policy, e.g. stuck=5%,rate:64=20%,intermittent:30/60=10% (rate in MB/s, spells in seconds), or ideal. [default: all ideal; with --from, the source's mix if it records one]", HelpName = "RESPONSE=SHARE%,..." };
        var draw = new Option<string>("--draw") { Description = "With --from: compare (each VM a source VM drawn uniformly with replacement, compare's own draw) or balanced (each source VM floor(VMs / pool) times, the rest without replacement: a fleet about the source's size holds about the source's VMs).", HelpName = "compare|balanced", DefaultValueFactory = _ => "compare" };
        var alignStarts = new Option<string>("--align-starts") { Description = "With --from: start ticks drawn at any tick, or at whole days or weeks of the source, so every VM keeps the source's time of day (and day of the week) and the fleet its daily swing; or a number of seconds.", HelpName = "tick|day|week|SECONDS", DefaultValueFactory = _ => "tick" };
        BeyondTypeAsOutOfRange(vms, hosts, ticks, hostMb, from, profile);
        var command = new Command("generate", "Generate a seeded workload: a datacenter (heterogeneous sizes, diurnal and bursty demand, arrivals and departures), a VDI fleet, or VMs drawn from a real trace (--from).")
        {
            vms, hosts, ticks, seed, tick, hostMb, output, profile, from, scaleMin, scaleMax, guests, draw, alignStarts,
        };
        command.SetAction((result, cancel) => Task.FromResult(Cli.Run(() =>
        {
            bool Given(Option o) => result.GetResult(o) is { Implicit: false };

            // More hosts than VMs where --hosts was left out: the error says the number is the default (before: "--hosts: 10:
            // expected 0 (no placement) up to the VM count" for `generate --vms 1`, an option the user never gave).
            void DefaultHostsFit(int hostCount, int vmCount, string what)
            {
                if (!Given(hosts) && vmCount >= 1 && hostCount > vmCount) // (a --vms out of range is named first, by its own check)
                {
                    throw new CliError(string.Create(CultureInfo.InvariantCulture,
                        $"--hosts: {hostCount} (its default: --hosts was not given) is more than the {Words.Count(vmCount, what)} of --vms {vmCount}: give --hosts from 0 (no placement) to {vmCount}."));
                }
            }

            if (result.GetValue(from) is string source)
            {
                if (Given(profile))
                    throw new CliError("--profile: a trace drawn --from a real one has the source's profile; give one or the other.");
                if (Given(tick))
                    throw new CliError("--tick-seconds: a trace drawn --from a real one keeps the source's tick length.");
                var drawn = new DerivedTraceOptions
                {
                    Vms = result.GetValue(vms),
                    Hosts = result.GetValue(hosts),
                    Ticks = Given(ticks) ? result.GetValue(ticks) : null,
                    Seed = result.GetValue(seed),
                    ScaleMin = result.GetValue(scaleMin),
                    ScaleMax = result.GetValue(scaleMax),
                    HostMb = result.GetValue(hostMb),
                    Guests = Given(guests) ? ParseGuests(result.GetValue(guests), "--guests") : null,
                    Draw = result.GetValue(draw) switch
                    {
                        "compare" => DerivedDraw.Compare,
                        "balanced" => DerivedDraw.Balanced,
                        var other => throw new CliError($"--draw: '{other}' is not a draw: expected compare or balanced."),
                    },
                    AlignStartsSeconds = result.GetValue(alignStarts) switch
                    {
                        "tick" => 0,
                        "day" => 86_400,
                        "week" => 604_800,
                        string other when int.TryParse(other, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds > 0 => seconds,
                        var other => throw new CliError($"--align-starts: '{other}' is not tick, day, week or a positive whole number of seconds."),
                    },
                };
                RefuseHostMbWithoutHosts(Given(hostMb), drawn.Hosts);
                DefaultHostsFit(drawn.Hosts, drawn.Vms, "VM");
                return GenerateFrom(source, result.GetValue(output)!, drawn, cancel);
            }

            foreach (Option o in (Option[])[scaleMin, scaleMax, draw, alignStarts])
            {
                if (Given(o))
                    throw new CliError($"{o.Name} applies only with --from (a trace drawn from a real one).");
            }

            string kind = result.GetValue(profile) ?? "datacenter";
            GuestMix mix = ParseGuests(result.GetValue(guests), "--guests");
            if (kind is not ("vdi" or "datacenter"))
                throw new CliError($"--profile: '{kind}' is not a profile: expected datacenter or vdi.");
            string path = result.GetValue(output)!;
            if (kind == "vdi")
            {
                T Or<T>(Option<T> o, T vdiDefault) => Given(o) ? result.GetValue(o)! : vdiDefault;
                RefuseHostMbWithoutHosts(Given(hostMb), Or(hosts, 2));
                var vdi = new VdiFleetOptions
                {
                    Desktops = Or(vms, 200),
                    Hosts = Or(hosts, 2),
                    Ticks = Or(ticks, 288),
                    Seed = result.GetValue(seed),
                    TickSeconds = Or(tick, 300.0),
                    HostMb = result.GetValue(hostMb) ?? 98_304,
                    Guests = mix,
                };
                Cli.CheckTickSeconds(vdi.TickSeconds);
                DefaultHostsFit(vdi.Hosts, vdi.Desktops, "desktop");
                CheckOptions(vdi.Validate, vdi.HostReserveMb, vdi.HostMb);
                WarnSpells(mix, vdi.TickSeconds);
                return Write(path, "a VDI fleet", vdi.Ticks, (progress, cancel) => VdiFleet.Write(path, vdi, cancel), g => string.Create(CultureInfo.InvariantCulture,
                    $"Generated a VDI fleet: {g.Vms} desktops of {vdi.ProvisionedMb} MB {OnHosts(g)}, {Words.Count(g.Ticks, "tick")} of {vdi.TickSeconds} s"), cancel);
            }

            var options = new TraceGeneratorOptions
            {
                Vms = result.GetValue(vms),
                Hosts = result.GetValue(hosts),
                Ticks = result.GetValue(ticks),
                Seed = result.GetValue(seed),
                TickSeconds = result.GetValue(tick),
                HostMb = result.GetValue(hostMb),
                Guests = mix,
            };
            if (options.Vms < 1)
                throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--vms: {options.Vms}: expected at least 1 VM."));
            RefuseHostMbWithoutHosts(Given(hostMb), options.Hosts);
            DefaultHostsFit(options.Hosts, options.Vms, "VM");
            // The library writes a trace of 0 ticks (an empty series); asked for on the command line it is a slip.
            if (options.Ticks < 1)
                throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--ticks: {options.Ticks}: expected at least 1 tick."));
            Cli.CheckTickSeconds(options.TickSeconds);
            CheckOptions(options.Validate, options.HostReserveMb, options.HostMb);
            WarnSpells(mix, options.TickSeconds);
            return Write(path, "a datacenter", options.Ticks, (progress, cancel) =>
            {
                try
                {
                    return TraceGenerator.Generate(path, options, progress, cancel);
                }
                catch (ArgumentOutOfRangeException ex) when (ex.ParamName is nameof(TraceGeneratorOptions.Hosts))
                {
                    // Hosts sized from the VMs above 16 TB: found while drawing, before the file is written.
                    throw new CliError("--hosts: " + Cli.LibraryMessage(ex));
                }
            }, g => string.Create(CultureInfo.InvariantCulture,
                $"Generated {Words.Count(g.Vms, "VM")} {OnHosts(g)}, {Words.Count(g.Ticks, "tick")} of {options.TickSeconds} s"), cancel,
                warn: g =>
                {
                    if (options.HostMb is null)
                        WarnRoomyHosts(g, options.HostHeadroom, options.HostReserveMb);
                });
        })));
        return command;
    }

    /// <summary>
    /// A whole number beyond its type (--vms 99999999999) is answered as the generator answers any other value out of the
    /// option's range in the same mode (synthetic, --profile vdi, --from), in the same words (its Validate and this
    /// command's checks), not by int's limit. A side whose limit is int's own (--ticks above) keeps int's.
    /// </summary>
    private static void BeyondTypeAsOutOfRange(Option<int> vms, Option<int> hosts, Option<int> ticks, Option<int?> hostMb, Option<string> from, Option<string> profile)
    {
        var ic = CultureInfo.InvariantCulture;
        // Another option's value is read only where it parsed: a bad one (--vms abc, --profile given twice) throws from
        // GetValue, and its own error is reported beside this one (a review at stop 58 found the crash).
        static T? Parsed<T>(SymbolResult r, Option<T> option)
        {
            try
            {
                return r.GetValue(option);
            }
            catch (InvalidOperationException)
            {
                return default;
            }
        }

        // "(--vms N)" where --vms parsed (given or its default); nothing where it did not (its own error is reported).
        string VmsText(SymbolResult r)
        {
            try
            {
                return string.Create(ic, $" (--vms {r.GetValue(vms)})");
            }
            catch (InvalidOperationException)
            {
                return "";
            }
        }

        string Mode(SymbolResult r) => r.GetResult(from) is not null ? "from" : Parsed(r, profile) == "vdi" ? "vdi" : "datacenter";
        OptionValues.OwnRange(vms, (r, v, above) => Mode(r) switch
        {
            "vdi" => $"--vms: {v}: expected 1..1000000.",
            "datacenter" when !above => $"--vms: {v}: expected at least 1 VM.",
            _ => string.Create(ic, $"--vms: {v}: expected 1..{NativeFormat.MaxVmCount}."),
        });
        OptionValues.OwnRange(hosts, (r, v, _) => Mode(r) switch
        {
            "vdi" => $"--hosts: {v}: expected 0 (no placement) up to the desktop count.",
            "from" => string.Create(ic, $"--hosts: {v}: expected 0 (no placement) up to the VM count{VmsText(r)}."),
            _ => $"--hosts: {v}: expected 0 (no placement) up to the VM count.",
        });
        OptionValues.OwnRange(ticks, (r, v, above) => (Mode(r), above) switch
        {
            ("vdi", _) => $"--ticks: {v}: expected 1..10000000.",
            ("from", false) => $"--ticks: {v}: expected at least 1 (left out, the source's length).",
            ("datacenter", false) => $"--ticks: {v}: expected at least 1 tick.",
            _ => null, // no limit of the generator's own: int's
        });
        OptionValues.OwnRange(hostMb, (r, v, above) => (Mode(r), above) switch
        {
            ("from", _) => string.Create(ic, $"--host-mb: {v}: expected a positive multiple of 2 MB (left out, the hosts are sized from the VMs) up to {TraceValues.MaxCommittedMb}."),
            (_, true) => string.Create(ic, $"--host-mb: {v}: expected at most {TraceValues.MaxCommittedMb} MB (16 TB)."),
            ("vdi", false) => string.Create(ic, $"--host-mb: {v}: expected a multiple of 2 MB above the host reserve of {new VdiFleetOptions().HostReserveMb} MB."),
            _ => $"--host-mb: {v}: expected a positive multiple of 2 MB (left out, the hosts are sized from the VMs).",
        });
    }

    /// <summary>
    /// Validates a generator's options before anything is written; a bad one is a <see cref="CliError"/> (exit code 2) naming the
    /// command-line option the user gave (a host reserve above the host size names --host-mb: the reserve is not an option;
    /// the synthetic generator and the VDI fleet both call the host size HostMb).
    /// </summary>
    private static void CheckOptions(Action validate, int reserveMb, int? hostMb)
    {
        try
        {
            validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            string name = ex.ParamName ?? "";
            string message = Cli.LibraryMessage(ex);
            throw name switch
            {
                nameof(TraceGeneratorOptions.HostReserveMb) => new CliError(string.Create(CultureInfo.InvariantCulture, $"--host-mb: {hostMb}: expected at least the host reserve of {reserveMb} MB.")),
                nameof(TraceGeneratorOptions.HostMb) => new CliError("--host-mb: " + message
                    .Replace("the reserve", string.Create(CultureInfo.InvariantCulture, $"the host reserve of {reserveMb} MB"), StringComparison.Ordinal)
                    .Replace("null (auto) or a positive multiple of 2", "a positive multiple of 2 MB (left out, the hosts are sized from the VMs)", StringComparison.Ordinal)),
                // The library takes 0 VMs (an empty trace); the command refuses it first, so its range starts at 1.
                nameof(TraceGeneratorOptions.Vms) => new CliError("--vms: " + message.Replace("expected 0..", "expected 1..", StringComparison.Ordinal)),
                _ => new CliError($"{GeneratorOptionName(name)}: {message}"),
            };
        }
    }

    /// <summary>
    /// --host-mb sizes the trace's hosts; with --hosts 0 there are none (it was taken silently, recorded, and with --from
    /// it even left VMs out of the draw for hosts that do not exist).
    /// </summary>
    private static void RefuseHostMbWithoutHosts(bool hostMbGiven, int hosts)
    {
        if (hostMbGiven && hosts == 0)
            throw new CliError("--host-mb: --hosts 0 writes a trace without hosts, so there is no host to size; replay places such a trace on hosts of its own --host-mb. Leave one of the two out.");
    }

    /// <summary>
    /// P10's spells run in whole ticks (<see cref="ModelParameters.ToTicks"/>: rounded half up, at least one); says so when
    /// an intermittent guest's spells are not whole ticks of this trace, with the share of the time stuck it will have.
    /// </summary>
    internal static void WarnSpells(GuestMix mix, double tickSeconds)
    {
        ModelParameters model = ModelParameters.Default with { TickSeconds = tickSeconds };
        foreach ((GuestResponse r, _) in mix.Parts)
        {
            if (r.Kind != GuestResponseKind.IntermittentlyStuck)
                continue;
            int stuck = model.ToTicks(r.StuckSeconds), ideal = model.ToTicks(r.IdealSeconds);
            if (stuck * tickSeconds == r.StuckSeconds && ideal * tickSeconds == r.IdealSeconds)
                continue;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warning: --guests {r}: the spells run in whole ticks of {tickSeconds} s: stuck {Words.Count(stuck, "tick")}, then ideal {Words.Count(ideal, "tick")} ({100.0 * stuck / (stuck + ideal):0.#} % of the time stuck, against {100 * r.StuckSeconds / (r.StuckSeconds + r.IdealSeconds):0.#} % asked)."));
        }
    }

    /// <summary>The command-line option behind a generator option (the synthetic's and the VDI fleet's names).</summary>
    private static string GeneratorOptionName(string param) => param switch
    {
        nameof(TraceGeneratorOptions.Vms) or nameof(VdiFleetOptions.Desktops) => "--vms",
        nameof(TraceGeneratorOptions.Hosts) => "--hosts",
        nameof(TraceGeneratorOptions.Ticks) => "--ticks",
        nameof(TraceGeneratorOptions.TickSeconds) => "--tick-seconds",
        nameof(TraceGeneratorOptions.HostMb) => "--host-mb",
        _ => param,
    };

    /// <summary>
    /// Writes a generated trace with a progress line; Ctrl+C or a termination signal deletes the temporary file, leaves an
    /// earlier file at <paramref name="path"/> as it was and exits with 130.
    /// </summary>
    private static int Write(string path, string what, long ticks, Func<Action<long>, CancellationToken, GeneratedTrace> write,
        Func<GeneratedTrace, string> headline, CancellationToken cancel, Stopwatch? clock = null, Action<GeneratedTrace>? warn = null)
    {
        using CreatedFolders folders = Cli.EnsureParentDirectory(path); // removed again unless the trace is written
        clock ??= Stopwatch.StartNew();
        var progress = new ProgressLine("generate");
        GeneratedTrace generated;
        try
        {
            generated = Cli.Guard(() => write(t => progress.Report(string.Create(CultureInfo.InvariantCulture, $"{what}: {t} of {ticks} ticks")), cancel));
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"Interrupted; no trace was written ({path} is untouched).");
            return 130;
        }

        folders.Keep();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{headline(generated)}, in {clock.Elapsed.TotalSeconds:F1} s: {generated.Path} ({new FileInfo(generated.Path).Length / 1e6:F1} MB)"));
        warn?.Invoke(generated);
        if (generated.UnstartableVms > 0)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warning: {generated.UnstartableVms} of {generated.Vms} VMs need more Startup memory than their host holds after its reserve ({generated.HostMb} MB hosts): they can never start, and a replay counts their time as denied. Give a larger --host-mb, or leave it out to size the hosts from the VMs."));
        }

        return 0;
    }

    /// <summary>"on 10 hosts of 401408 MB", or for --hosts 0 what a trace without placement means to replay.</summary>
    private static string OnHosts(GeneratedTrace g) => g.Hosts == 0
        ? "with no placement (replay places them on hosts of its --host-mb)"
        : string.Create(CultureInfo.InvariantCulture, $"on {Words.Count(g.Hosts, "host")} of {g.HostMb} MB");

    /// <summary>A P10 mix (<see cref="GuestMix.Parse"/>), or all ideal when not given; a bad one names the option.</summary>
    internal static GuestMix ParseGuests(string? text, string option)
    {
        if (text is null)
            return GuestMix.Ideal;
        try
        {
            return GuestMix.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new CliError($"{option}: {ex.Message}");
        }
    }

    /// <summary>The options' names on the command line, for errors that name an option (exit code 2).</summary>
    private static string OptionName(string? param) => param switch
    {
        nameof(DerivedTraceOptions.Vms) => "--vms",
        nameof(DerivedTraceOptions.Hosts) => "--hosts",
        nameof(DerivedTraceOptions.Ticks) => "--ticks",
        nameof(DerivedTraceOptions.ScaleMin) => "--scale-min",
        nameof(DerivedTraceOptions.ScaleMax) => "--scale-max",
        nameof(DerivedTraceOptions.HostMb) or nameof(DerivedTraceOptions.HostReserveMb) => "--host-mb",
        nameof(DerivedTraceOptions.AlignStartsSeconds) => "--align-starts",
        _ => param ?? "an option",
    };

    /// <summary>
    /// A <see cref="DerivedTraceOptions"/> range error in the words of the command line: the option typed, its value, and
    /// the range with the other options named as typed (the library's message names its properties: "ScaleMin = NaN",
    /// "HostReserveMb = 2048: expected below HostMb").
    /// </summary>
    internal static CliError FromOptionError(ArgumentOutOfRangeException ex, DerivedTraceOptions options)
    {
        string name = ex.ParamName ?? "";
        if (name == nameof(DerivedTraceOptions.HostReserveMb))
            return new CliError(string.Create(CultureInfo.InvariantCulture, $"--host-mb: {options.HostMb}: expected more than the host reserve of {options.HostReserveMb} MB."));
        string message = Cli.LibraryMessage(ex)
            .Replace("null (auto) or a positive multiple of 2 up to", "a positive multiple of 2 MB (left out, the hosts are sized from the VMs) up to", StringComparison.Ordinal)
            .Replace("null (the source's length) or at least 1", "at least 1 (left out, the source's length)", StringComparison.Ordinal)
            .Replace("up to the VM count", string.Create(CultureInfo.InvariantCulture, $"up to the VM count (--vms {options.Vms})"), StringComparison.Ordinal)
            .Replace("ScaleMin (", "--scale-min (", StringComparison.Ordinal)
            .Replace("at ScaleMax", "at --scale-max", StringComparison.Ordinal)
            .Replace("AlignStartsSeconds = ", "", StringComparison.Ordinal);
        if (name == nameof(DerivedTraceOptions.AlignStartsSeconds) && options.AlignStartsSeconds is 86_400 or 604_800)
        {
            string word = options.AlignStartsSeconds == 86_400 ? "day" : "week";
            message = word + string.Create(CultureInfo.InvariantCulture, $" ({options.AlignStartsSeconds} s)") + message[options.AlignStartsSeconds.ToString(CultureInfo.InvariantCulture).Length..];
        }

        if (name == nameof(DerivedTraceOptions.ScaleMax) && options.ScaleMax == 1 && options.ScaleMin > 1)
            message = message.TrimEnd('.') + " (--scale-max is 1 unless given: give it too, at least --scale-min).";
        return new CliError($"{OptionName(name)}: {message}");
    }

    /// <summary><c>generate --from TRACE</c>: <see cref="TraceGenerator.GenerateFrom"/> with a progress line; Ctrl+C leaves no file.</summary>
    private static int GenerateFrom(string source, string path, DerivedTraceOptions options, CancellationToken cancel)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw FromOptionError(ex, options);
        }

        string full = Path.GetFullPath(path);
        StagedOutput.EnsureNotOverInput(Path.GetDirectoryName(full)!, [Path.GetFileName(full), Path.GetFileName(full) + ".tmp"], source);
        var clock = Stopwatch.StartNew();
        TraceSeries series;
        using (NativeTraceReader reader = CommonOptions.OpenTrace(source))
            series = Cli.Guard(() => TraceSeries.Load(reader));
        WarnSpells(options.Guests ?? GuestMix.FromMetadata(series.Metadata), series.TickSeconds);
        return Write(path, $"drawn from {series.Name}", options.Ticks ?? series.Ticks, (progress, cancel) =>
        {
            try
            {
                return TraceGenerator.GenerateFrom(series, path, options, progress, cancel);
            }
            catch (ArgumentOutOfRangeException ex) when (ex.ParamName is nameof(DerivedTraceOptions.HostMb) or nameof(DerivedTraceOptions.Hosts) or nameof(DerivedTraceOptions.AlignStartsSeconds))
            {
                throw FromOptionError(ex, options);
            }
        }, g => string.Create(CultureInfo.InvariantCulture,
            $"Generated {Words.Count(g.Vms, "VM")} drawn from {Words.Count(g.PoolVms, "VM")} of {series.Name} {OnHosts(g)}, {Words.Count(g.Ticks, "tick")} of {series.TickSeconds} s"), cancel, clock,
            g => WarnDraw(g, options, series.Ticks, series.TickSeconds));
    }

    /// <summary>
    /// What a drawn fleet is made of, and the warnings a planner needs before trusting it (a helper's review, stop 55):
    /// a draw whose total Maximum is far from the source's mean size (VMs drawn with replacement at a count near the
    /// pool's: the month's 512 GB VM 0, 3 or 4 times in 500, the answer moving about 2× either way), source VMs left out
    /// for --host-mb, and hosts sized for the fullest one.
    /// </summary>
    internal static void WarnDraw(GeneratedTrace g, DerivedTraceOptions options, int sourceTicks, double tickSeconds)
    {
        var ic = CultureInfo.InvariantCulture;
        double ratio = g.PoolMeanMaximumMb > 0 ? g.TotalMaximumMb / (g.Vms * g.PoolMeanMaximumMb) : 1;
        string align = options.AlignStartsSeconds switch
        {
            0 => "",
            86_400 => "; starts at whole days of the source",
            604_800 => "; starts at whole weeks of the source",
            int a => string.Create(ic, $"; starts at whole multiples of {a} s of the source"),
        };
        Console.WriteLine(string.Create(ic,
            $"  drawn {(options.Draw == DerivedDraw.Balanced ? "balanced" : "with replacement")}: {g.DistinctSourceVms} different source VM{(g.DistinctSourceVms == 1 ? "" : "s")} of the pool's {g.PoolVms}; total Maximum {g.TotalMaximumMb / 1024.0:F0} GB, {ratio:F2} × {g.Vms} VMs of the pool's mean size{align}"));

        // The source's edges with no pool VM on are not played (since stop 61): said, with the span played.
        if (g.SourceTicksLeftOutBefore + g.SourceTicksLeftOutAfter > 0)
        {
            int played = sourceTicks - g.SourceTicksLeftOutBefore - g.SourceTicksLeftOutAfter;
            Console.WriteLine(string.Create(ic,
                $"  the source's ticks {g.SourceTicksLeftOutBefore}..{g.SourceTicksLeftOutBefore + played - 1} played ({played} of {sourceTicks}): the {g.SourceTicksLeftOutBefore} before and {g.SourceTicksLeftOutAfter} after are not, as no pool VM is on in them{(options.AlignStartsSeconds > 0 ? " (with --align-starts, whole periods of such ticks only)" : "")}: played, they would be off time in every drawn VM"));
            sourceTicks = played;
        }

        // A series wraps around at the source's end: unless the source is a whole number of alignment periods, a VM's
        // time of day (or day of the week) shifts from there.
        long period = options.AlignStartsSeconds == 0 ? 1 : (long)Math.Round(options.AlignStartsSeconds / tickSeconds);
        long latestStart = (sourceTicks - 1) / period * period; // the latest aligned start tick
        if (options.AlignStartsSeconds > 0 && sourceTicks % period != 0 && latestStart + g.Ticks > sourceTicks)
        {
            double shift = sourceTicks % period * tickSeconds;
            Console.Error.WriteLine(string.Create(ic,
                $"warning: --align-starts: the source's {sourceTicks} ticks{(g.SourceTicksLeftOutBefore + g.SourceTicksLeftOutAfter > 0 ? " played" : "")} ({sourceTicks * tickSeconds / 3600:0.#} h) are not a whole number of {options.AlignStartsSeconds} s: where a VM's series wraps around at the source's end, its alignment shifts by {shift / 3600:0.##} h from there on (--ticks up to the source's length less the latest start keeps every VM aligned)."));
        }
        if (Math.Abs(ratio - 1) > 0.1)
        {
            Console.Error.WriteLine(string.Create(ic,
                $"warning: the drawn VMs' total Maximum is {ratio:F2} × what {g.Vms} VMs of the source pool's mean size ({g.PoolMeanMaximumMb / 1024:F1} GB) hold: a few large VMs drawn more or fewer times than their share move every answer on this trace (compare here differs from the source's). {(options.Draw == DerivedDraw.Balanced ? "Draw more VMs than the pool holds." : $"Give --draw balanced ({BalancedWords(g.Vms, g.PoolVms)}), or draw many more VMs than the pool holds.")}"));
        }

        if (g.ExcludedTooLarge > 0)
        {
            Console.Error.WriteLine(string.Create(ic,
                $"warning: {Words.Count(g.ExcludedTooLarge, "source VM")} larger than a host of --host-mb {options.HostMb} ({g.ExcludedTooLargeShare * 100:F1} % of the source's memory by Maximum) {(g.ExcludedTooLarge == 1 ? "is" : "are")} left out of the draw: the fleet has none of {(g.ExcludedTooLarge == 1 ? "it" : "them")}."));
        }

        if (options.HostMb is null)
            WarnRoomyHosts(g, options.HostHeadroom, options.HostReserveMb, drawn: true);
    }

    /// <summary>What --draw balanced does for these counts: "each of the 500 source VMs once", "each twice and 7 of them once more", ...</summary>
    internal static string BalancedWords(int vms, int pool)
    {
        int whole = vms / pool, rest = vms % pool;
        string times = whole switch { 0 => "", 1 => "once", 2 => "twice", _ => string.Create(CultureInfo.InvariantCulture, $"{whole} times") };
        return whole == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{vms} different source VM{(vms == 1 ? "" : "s")} of the {pool}, none twice")
            : string.Create(CultureInfo.InvariantCulture, $"each of the {pool} source VMs {times}{(rest > 0 ? $" and {rest} of them once more" : "")}");
    }

    /// <summary>Auto-sized hosts cover the fullest host's Startup with headroom: where the median host needs under half of that, say so.</summary>
    internal static void WarnRoomyHosts(GeneratedTrace g, double headroom, int reserveMb, bool drawn = false)
    {
        // Rounded up to 1 GB as the automatic size is, so that it can be given as --host-mb as it stands.
        long suggest = ((long)Math.Ceiling((g.MedianHostStartupMb * headroom) + reserveMb) + 1023) / 1024 * 1024;
        if (g.Hosts == 0 || g.MedianHostStartupMb <= 0 || (g.MedianHostStartupMb * headroom) + reserveMb >= g.HostMb / 2.0)
            return;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warning: the hosts are sized for the fullest one ({g.HostMb} MB each), but the median host's VMs sum to {g.MedianHostStartupMb} MB of Startup ({100.0 * g.MedianHostStartupMb / g.HostMb:F0} % of a host): most hosts run far emptier than real ones, so a replay's paging and pressure are optimistic. Give --host-mb (the median's need × {headroom:0.##} headroom + reserve, rounded up to 1 GB: {suggest}) to size them yourself; {(drawn ? "source VMs too large for such a host are then left out of the draw, and generate says how many" : "a VM larger than a host then never starts, and generate says how many")}."));
    }
}
