using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DmKernel.Cli.Output;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Cli.Commands;

/// <summary>
/// <c>dmkernel import bitbrains|alibaba|gcd INPUT -o FILE</c>: a real trace to the native format, with the demand
/// model and settings rule as options (all recorded in the trace header) and a report of what was skipped.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var command = new Command("import", "Import a real trace (Bitbrains GWA-T-12, Alibaba 2018 machine_usage, Google 2011 GCD) into the native format.");
        command.Subcommands.Add(Source("bitbrains", "a folder of Bitbrains GWA-T-12 per-VM CSV files (searched recursively)", "Bitbrains"));
        command.Subcommands.Add(Source("alibaba", "Alibaba cluster-trace-v2018 machine_usage.csv (each machine: one host with one aggregate VM; needs --host-mb)", "Alibaba"));
        command.Subcommands.Add(Source("gcd", "a folder of Google 2011 GCD per-job files vm_<job>_<day> (needs --vm-mb)", "Gcd"));
        return command;
    }

    private static Command Source(string name, string what, string kind)
    {
        // The defaults help shows are the importer's own (its options record), so help and behaviour cannot drift apart.
        ImportOptions defaults = kind switch
        {
            "Bitbrains" => new BitbrainsImportOptions(),
            "Alibaba" => new AlibabaImportOptions { HostMb = 2 },
            _ => new GoogleGcdImportOptions { VmSizeMb = 32 },
        };
        var input = new Argument<string>("INPUT") { Description = $"Input: {what}." };
        var output = new Option<string>("--output", "-o") { Description = "Output trace file (.dmt); written as FILE.tmp and renamed when complete.", HelpName = "FILE", Required = true };
        var lenient = new Option<bool>("--lenient") { Description = "Skip malformed rows and report them by kind, instead of stopping at the first. [default: off]" };
        var tick = new Option<double?>("--tick-seconds") { Description = "Tick length of the native trace, seconds: 0.003 to 3600, the ticks replay and compare run (the default is the period the source documents, not one measured from the files: samples coarser than it are warned about).", HelpName = "SECONDS", DefaultValueFactory = _ => defaults.TickSeconds };
        var k = new Option<double?>("--demand-k") { Description = "Demand model: committed = used × k + os-base; k is a factor.", HelpName = "FACTOR", DefaultValueFactory = _ => defaults.Demand.K };
        var osBase = new Option<double?>("--os-base-mb") { Description = "Demand model: the OS base added to used memory, MB.", HelpName = "MB", DefaultValueFactory = _ => defaults.Demand.OsBaseMb };
        var osBaseCap = new Option<double?>("--os-base-cap-percent") { Description = "Demand model: the OS base is at most this share of the VM's provisioned memory, percent (100 = no cap).", HelpName = "PERCENT", DefaultValueFactory = _ => defaults.Demand.OsBaseCapPercent };
        var downsample = new Option<string>("--downsample") { Description = "With --tick-seconds longer than the sample period: each tick takes the last sample within it, or the peak (the largest; conservative for capacity).", HelpName = "last|peak", DefaultValueFactory = _ => defaults.Downsample == DownsampleRule.Peak ? "peak" : "last" };
        // Not AcceptOnlyFromAmong: the parser's message for it ("Argument 'max' not recognized") does not name the option.
        downsample.Validators.Add(r =>
        {
            foreach (System.CommandLine.Parsing.Token token in r.Tokens)
            {
                if (token.Value is not ("last" or "peak"))
                    r.AddError($"--downsample: '{token.Value}' is not a downsample rule: expected last or peak.");
            }
        });
        var hold = new Option<double?>("--max-hold-seconds") { Description = "Hold the last value across gaps up to this long; longer gaps are off, seconds.", HelpName = "SECONDS", DefaultValueFactory = _ => defaults.MaxHoldSeconds };
        var holdGaps = new Option<bool>("--hold-gaps") { Description = "Hold each VM's last value over every gap between two of its samples, however long (a gap is missing data, not a stop); off only before its first sample, after its last one plus --max-hold-seconds, and where a sample says so. [default: off: a gap past --max-hold-seconds is a stop]" };
        var buffer = new Option<int?>("--buffer") { Description = "Settings rule: Buffer of every VM (R1: 5..2000), percent.", HelpName = "PERCENT", DefaultValueFactory = _ => defaults.Settings.BufferPercent };
        var minDivisor = new Option<int?>("--minimum-divisor") { Description = "Settings rule: Minimum = Startup / divisor (1..1024).", HelpName = "N", DefaultValueFactory = _ => defaults.Settings.MinimumDivisor };
        var staticVms = new Option<bool>("--static") { Description = "Settings rule: static VMs (no Dynamic Memory). [default: off]" };
        var placeOn = new Option<int?>("--place-on-host-mb") { Description = "Place VMs first-fit by Startup on hosts of this size, MB (Bitbrains, GCD). [default: no placement; replay places on --host-mb]", HelpName = "MB" };
        var usageZero = new Option<string>("--usage-zero") { Description = "Bitbrains: a usage of 0 while the VM is on is a measured 0 (base: demand = the OS base) or not measured (hold: the VM's last measured usage carried over).", HelpName = "base|hold", DefaultValueFactory = _ => "base" };
        var hostMb = new Option<int?>("--host-mb") { Description = "RAM of each machine, what mem_util 100 % stands for, MB (the trace has percentages only). [required]", HelpName = "MB" };
        var vmMb = new Option<int?>("--vm-mb") { Description = "The VM size that memory 100 % stands for, MB. [required]", HelpName = "MB" };
        // A whole number beyond its type is answered as the importer's own check (Validate) answers any other value out of
        // the option's range, in the same words.
        var ic = CultureInfo.InvariantCulture;
        OptionValues.OwnRange(buffer, v => string.Create(ic, $"--buffer: {v}: expected {VmSettings.MinBuffer}..{VmSettings.MaxBuffer}."));
        OptionValues.OwnRange(minDivisor, v => $"--minimum-divisor: {v}: expected 1..1024.");
        OptionValues.OwnRange(placeOn, v => string.Create(ic, $"--place-on-host-mb: {v}: expected a positive multiple of 2 MB up to {TraceValues.MaxCommittedMb} MB (16 TB), as replay's and compare's hosts."));
        long alibabaUpper = defaults is AlibabaImportOptions a ? Math.Min(TraceValues.MaxCommittedMb, (long)a.Settings.MaxCeilingMb + a.HostReserveMb) : 0; // as its Validate
        OptionValues.OwnRange(hostMb, v => string.Create(ic, $"--host-mb: {v}: expected a positive multiple of 2 MB up to {alibabaUpper}."));
        OptionValues.OwnRange(vmMb, v => string.Create(ic, $"--vm-mb: {v}: expected {VmSettings.MinMinimumMb}..{defaults.Settings.MaxCeilingMb} MB (the size memory 100 % stands for, and the VM's Maximum: at most R1's MaxCeiling)."));
        var command = new Command(name, $"Import {what}.") { input, output, lenient, tick, downsample, k, osBase, osBaseCap, hold, holdGaps, buffer, minDivisor, staticVms };
        if (kind != "Alibaba")
            command.Options.Add(placeOn);
        if (kind == "Bitbrains")
            command.Options.Add(usageZero);
        if (kind == "Alibaba")
            command.Options.Add(hostMb);
        if (kind == "Gcd")
            command.Options.Add(vmMb);
        command.SetAction((r, cancel) => Task.FromResult(Cli.Run(() =>
        {
            string source = r.GetValue(input)!, target = r.GetValue(output)!;
            if (kind != "Alibaba" && File.Exists(source))
            {
                // The public traces are downloaded as archives (Bitbrains' rnd.zip, the GCD derivation's GCD_VMs.tar.gz).
                string unpack = InputFile.Compression(source) is not var (what, how) ? ""
                    : ImportSession.IsSpreadsheet(source) ? $": it is a spreadsheet workbook; save it as CSV from the spreadsheet (not unpacked: the archive holds XML, not the rows) into a folder and give that folder"
                    : $": it is {what}; unpack it first ({how}) and give the folder it makes";
                throw new CliError($"'{source}' is a file, expected a folder of {(kind == "Bitbrains" ? "per-VM CSV files" : "GCD day files vm_<job>_<day>")} (searched recursively){unpack}.", 1);
            }
            if (kind != "Alibaba" && !Directory.Exists(source))
                throw new CliError($"input folder '{source}' does not exist.", 1);
            if (kind == "Alibaba" && Directory.Exists(source))
                throw new CliError($"'{source}' is a folder, expected the machine_usage.csv file.", 1);
            if (kind == "Alibaba" && !File.Exists(source))
                throw new CliError($"input file '{source}' does not exist.", 1);

            T Common<T>(T o)
                where T : ImportOptions
            {
                o = o with { Lenient = r.GetValue(lenient) };
                if (r.GetValue(tick) is double t)
                    o = o with { TickSeconds = t };
                if (r.GetValue(downsample) == "peak")
                    o = o with { Downsample = DownsampleRule.Peak };
                if (r.GetValue(hold) is double h)
                    o = o with { MaxHoldSeconds = h };
                if (r.GetValue(holdGaps))
                    o = o with { HoldGaps = true };
                if (r.GetValue(k) is double kk)
                    o = o with { Demand = o.Demand with { K = kk } };
                if (r.GetValue(osBase) is double ob)
                    o = o with { Demand = o.Demand with { OsBaseMb = ob } };
                if (r.GetValue(osBaseCap) is double oc)
                    o = o with { Demand = o.Demand with { OsBaseCapPercent = oc } };
                if (r.GetValue(buffer) is int b)
                    o = o with { Settings = o.Settings with { BufferPercent = b } };
                if (r.GetValue(minDivisor) is int md)
                    o = o with { Settings = o.Settings with { MinimumDivisor = md } };
                if (r.GetValue(staticVms))
                    o = o with { Settings = o.Settings with { DynamicMemory = false } };
                return o;
            }

            ImportOptions options = kind switch
            {
                "Bitbrains" => Common(new BitbrainsImportOptions()) with
                {
                    PlaceOnHostMb = r.GetValue(placeOn),
                    UsageZero = r.GetValue(usageZero) switch
                    {
                        "base" => BitbrainsUsageZero.Base,
                        "hold" => BitbrainsUsageZero.HoldLast,
                        var other => throw new CliError($"--usage-zero: '{other}' is not base or hold."),
                    },
                },
                "Alibaba" => Common(new AlibabaImportOptions { HostMb = Required(r.GetValue(hostMb), "--host-mb") }),
                _ => Common(new GoogleGcdImportOptions { VmSizeMb = Required(r.GetValue(vmMb), "--vm-mb") }) with { PlaceOnHostMb = r.GetValue(placeOn) },
            };
            Validate(options);

            using CreatedFolders folders = Cli.EnsureParentDirectory(target); // removed again unless the trace is written
            var clock = Stopwatch.StartNew();
            var progress = new ReadProgress(new ProgressLine("import"));
            ImportReport report;
            try
            {
                report = options switch
                {
                    BitbrainsImportOptions b => Cli.Guard(() => Named(() => BitbrainsImporter.Import(source, target, b, progress, cancel), b)),
                    AlibabaImportOptions a => Cli.Guard(() => Named(() => AlibabaImporter.Import(source, target, a, progress, cancel), a)),
                    _ => Cli.Guard(() => Named(() => GoogleGcdImporter.Import(source, target, (GoogleGcdImportOptions)options, progress, cancel), options)),
                };
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                Console.Error.WriteLine($"Interrupted; nothing was written ('{target}' is as it was).");
                return 130;
            }

            folders.Keep();
            Print(report, clock.Elapsed);
            return 0;
        })));
        return command;
    }

    /// <summary>An importer's progress as the tool's progress line: "import: 1234 of 5678 MB read (21.7 %)".</summary>
    internal sealed class ReadProgress(ProgressLine line) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => line.Report(Text(value));

        internal static string Text(ImportProgress value)
            => string.Create(CultureInfo.InvariantCulture, $"{value.BytesRead / 1e6:F0} of {value.TotalBytes / 1e6:F0} MB read ({value.Fraction * 100:F1} %)");
    }

    /// <summary>A bad option value is a bad argument (exit code 2): the error names the command-line option.</summary>
    private static void Validate(ImportOptions options)
    {
        Cli.CheckTickSeconds(options.TickSeconds);
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw OptionError(ex, options);
        }
    }

    /// <summary>An import whose options turn out too much for the input (a tick that makes more ticks than a trace holds): named as an option.</summary>
    private static ImportReport Named(Func<ImportReport> import, ImportOptions options)
    {
        try
        {
            return import();
        }
        catch (ArgumentOutOfRangeException ex) when (ex.ParamName == nameof(ImportOptions.TickSeconds))
        {
            throw OptionError(ex, options);
        }
        catch (TraceImportException ex) when (ex.Message.Contains(ImportPlacement.HostSizeWords, StringComparison.Ordinal))
        {
            // A VM larger than the placement's hosts: the host size named as the user typed it, not as the library's property.
            throw new CliError(ex.Message.Replace(ImportPlacement.HostSizeWords, "a --place-on-host-mb of at least", StringComparison.Ordinal), 1);
        }
    }

    /// <summary>An option the importer refused, named as the user typed it (exit code 2).</summary>
    private static CliError OptionError(ArgumentException ex, ImportOptions options)
    {
        {
            string option = ex.ParamName switch
            {
                "TickSeconds" or "JitterToleranceSeconds" => "--tick-seconds",
                "MaxHoldSeconds" => "--max-hold-seconds",
                "Demand.K" => "--demand-k",
                "Demand.OsBaseMb" => "--os-base-mb",
                "Demand.OsBaseCapPercent" => "--os-base-cap-percent",
                "Settings.BufferPercent" => "--buffer",
                "Settings.MinimumDivisor" => "--minimum-divisor",
                "PlaceOnHostMb" or "PlacementReserveMb" => "--place-on-host-mb",
                "HostMb" or "HostReserveMb" => "--host-mb",
                "VmSizeMb" => "--vm-mb",
                _ => ex.ParamName ?? "an option",
            };
            string message = Cli.LibraryMessage(ex);
            if (ex.ParamName is "PlacementReserveMb" or "HostReserveMb")
            {
                // The reserve is not an option of import: the host size given is what is too small for it.
                int reserve = ex is ArgumentOutOfRangeException { ActualValue: int r } ? r : 2048;
                int? given = options switch
                {
                    AlibabaImportOptions a => a.HostMb,
                    BitbrainsImportOptions b => b.PlaceOnHostMb,
                    GoogleGcdImportOptions g => g.PlaceOnHostMb,
                    _ => null,
                };
                string value = given is int v ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{v}: ") : "";
                message = ex.ParamName == "HostReserveMb"
                    ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value}expected at least the host reserve of {reserve} MB plus {VmSettings.MinMinimumMb} MB for the machine's VM.")
                    : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value}expected more than the host reserve of {reserve} MB.");
            }
            else if (ex.ParamName == "JitterToleranceSeconds")
            {
                // Not an option of import: the tick given is what is too short for the source's tolerance of late samples.
                message = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{options.TickSeconds} s is not longer than this source's {options.JitterToleranceSeconds} s tolerance for samples that arrive late: expected more than {options.JitterToleranceSeconds} s.");
            }

            return new CliError($"{option}: {message}");
        }
    }

    private static int Required(int? value, string option)
        => value ?? throw new CliError($"{option} is required for this source: the trace has percentages, not sizes.");

    /// <summary>
    /// The import's read rate as the summary line prints it: whole MB/s from 10 MB/s, else with two significant digits,
    /// so that a small input (0.2 MB in 0.36 s) reads 0.56 MB/s rather than 0 MB/s.
    /// </summary>
    internal static string Rate(long bytes, double seconds)
    {
        double rate = bytes / 1e6 / Math.Max(seconds, 1e-9);
        string format = rate >= 10 ? "F0" : rate >= 1 ? "F1" : "F2";
        return rate.ToString(format, CultureInfo.InvariantCulture) + " MB/s";
    }

    private static void Print(ImportReport report, TimeSpan elapsed)
    {
        var ic = CultureInfo.InvariantCulture;
        long bytes = report.InputBytes; // the files read: not the folder's other files (notes, a 446.csv.txt not read)
        var sb = new StringBuilder();
        sb.AppendLine(ic, $"Imported {report.Format}: {report.Files} file(s), {report.RowsRead} rows ({bytes / 1e6:F1} MB in {elapsed.TotalSeconds:F2} s, {Rate(bytes, elapsed.TotalSeconds)})");
        sb.AppendLine(ic, $"  -> {report.OutputPath}: {report.Vms} VMs, {report.Hosts} hosts, {report.Ticks} ticks");
        if (report.SkippedTotal > 0)
        {
            sb.Append(ic, $"  skipped {report.SkippedTotal} rows or files (--lenient):");
            foreach (KeyValuePair<ImportErrorKind, long> kv in report.Skipped.OrderBy(kv => kv.Key))
                sb.Append(ic, $" {kv.Key} {kv.Value};");
            sb.AppendLine();
            var files = report.SkippedFiles;
            if (files.Count > 0)
            {
                string named = string.Join(", ", files.Take(3).Select(f => $"'{ImportSession.Clip(f.File)}' ({f.Kind})"));
                sb.AppendLine(ic, $"  files skipped (--lenient): {named}{(files.Count > 3 ? $" and {files.Count - 3} more" : "")}");
            }

            var machines = report.SkippedMachines; // Alibaba's one file: what --lenient skips whole is a machine
            if (machines.Count > 0)
            {
                string named = string.Join(", ", machines.Take(3).Select(m => $"'{ImportSession.Clip(m.Machine)}' ({m.Kind})"));
                sb.AppendLine(ic, $"  machines with every row skipped (--lenient): {named}{(machines.Count > 3 ? $" and {machines.Count - 3} more" : "")}");
            }
        }

        if (report.Notes.Count > 0)
        {
            sb.Append("  quirks handled:");
            foreach (KeyValuePair<string, long> kv in report.Notes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                sb.Append(ic, $" {kv.Key} {kv.Value};");
            sb.AppendLine();
        }

        if (report.SystemFilesSkipped.Count > 0)
            sb.AppendLine(ic, $"  note: {report.SystemFilesSkipped.Count} file(s) that editors and copies leave beside the data were skipped, not read as traces (Office lock files ~$*, macOS ._* and __MACOSX/): {ImportSession.NameList(report.SystemFilesSkipped)}");

        foreach (string warning in report.Warnings)
            sb.AppendLine(ic, $"  warning: {warning}");

        if (report.NoteOf("compressed_files_ignored") is long packed and > 0)
        {
            sb.AppendLine(ic, $"  warning: {packed} compressed file(s) or archive(s) in the folder were not read (the first: '{report.FirstCompressedIgnored}'); the VMs they hold are not in the trace: unpack them and import again to include them.");
        }

        IReadOnlyList<DemandAboveProvisioned> above = report.DemandAboveProvisioned;
        if (above.Count > 0)
        {
            sb.AppendLine(ic, $"  warning: {above.Count} VM(s) ({100.0 * above.Count / Math.Max(1, report.Vms):F1} % of the fleet) demand more than their provisioned memory for most of their on-time; they page under any packing (check the demand model: --demand-k, --os-base-mb, --os-base-cap-percent). Worst:");
            foreach (DemandAboveProvisioned vm in above.Take(10))
                sb.AppendLine(ic, $"    {vm.Id}: provisioned {vm.ProvisionedMb} MB, median usage {vm.MedianUsedMb:F0} MB, median demand {vm.MedianDemandMb} MB, above for {ShareText.Percent(vm.ShareAbove, 0)} of its on-time");
        }

        Console.Write(sb.ToString());
    }
}
