using System.Globalization;
using nietras.SeparatedValues;

namespace DmKernel.Traces;

/// <summary>
/// Imports Alibaba cluster-trace-v2018 machine_usage.csv (host-level utilisation) into a native trace.
/// <para>
/// Model: the trace measures whole machines, not VMs, so each machine becomes one host of HostMb MB carrying
/// one aggregate workload "VM" (id = machine_id, Startup = Maximum = HostMb − reserve by the settings rule)
/// whose demand is mem_util_percent / 100 × HostMb. Replaying it shows how Dynamic Memory would treat the
/// machine's load as one guest; the host table is never empty.
/// </para>
/// <para>
/// Quirks handled (traces/real/alibaba-2018-machine-usage/SOURCE.md): no header; time_stamp is seconds from
/// the trace start, irregular (resampled, gaps held up to the hold limit); empty fields (only mem_util must be
/// present: mem_gps, mkpi and the rest are never read); abnormal disk_io_percent values -1 and 101 (the column
/// is ignored); machines that start or stop mid-trace (off outside their samples); rows of several machines in
/// any order (each machine's own timestamps must not go backwards; equal ones keep the last row).
/// </para>
/// </summary>
public static class AlibabaImporter
{
    /// <summary>The format name recorded in the trace.</summary>
    public const string Format = "alibaba-2018-machine-usage";

    internal static readonly string[] Columns =
        ["machine_id", "time_stamp", "cpu_util_percent", "mem_util_percent", "mem_gps", "mkpi", "net_in", "net_out", "disk_io_percent"];

    /// <summary>
    /// The latest time_stamp accepted: one year from the trace start (the 2018 trace spans 8 days). A larger value is a
    /// malformed row, not a reason to write millions of empty ticks.
    /// </summary>
    private const long MaxTimeSeconds = 365L * 24 * 3600;

    private const int ColMachine = 0, ColTime = 1, ColMem = 3;

    /// <summary>
    /// The share of a machine's rows, in percent, that duplicate timestamps may take before the import warns: the trace
    /// has none (the committed sample: 0 of 100 002 rows), timestamps rounded by a spreadsheet (3.87E+05) make 80–90 %.
    /// </summary>
    internal const int DuplicateWarnPercent = 10;

    /// <summary>
    /// The fewest rows a machine needs for <see cref="DuplicateWarnPercent"/> to apply: one repeated time among three rows
    /// is no sign of rounding (a review at stop 59 saw such a machine warned about). A day of 10-s samples is 8 640 rows.
    /// </summary>
    internal const int DuplicateWarnMinRows = 20;

    /// <summary>The other tables of cluster-trace-v2018 by their field count (schema.md), named when a file has that many.</summary>
    private static readonly Dictionary<int, string> OtherTables = new()
    {
        [7] = "the 2018 trace's machine_meta.csv (machine_id, time_stamp, failure domains, cpu_num, mem_size, status), not machine_usage.csv",
        [8] = "the 2018 trace's container_meta.csv, not machine_usage.csv",
        [11] = "the 2018 trace's container_usage.csv (per container, not per machine), not machine_usage.csv",
        [14] = "the 2018 trace's batch_instance.csv, not machine_usage.csv",
    };

    private const string Separated = "Alibaba machine_usage: 9 comma-separated fields, no header";

    /// <summary>The separators other than ',' that a re-saved line may have, as the error names them.</summary>
    private static readonly (char Separator, string Name, string Plural)[] OtherSeparators = [(';', "semicolon", "';'"), ('\t', "tab", "tabs")];

    /// <summary>
    /// What a row of the wrong field count looks like when a tool re-saved the file, or null: a line of 9 fields split
    /// at ';' (a spreadsheet in a locale with a decimal comma saves CSV so) or at tabs (copied from a spreadsheet or
    /// saved as "text, tab-delimited"), either perhaps with trailing empty fields, or extra fields that are all empty
    /// (trailing commas, which a field count of 11 would otherwise name as container_usage.csv).
    /// <paramref name="column"/> is the column the error points at: for a line separated otherwise the field (split at
    /// ',') that holds its first separator, field 1 unless a ',' comes before it; otherwise the first missing or extra field.
    /// </summary>
    private static string? OtherLayout(SepReader.Row row, out int column)
    {
        var text = row.Span;
        column = Math.Min(row.ColCount, Columns.Length) + 1;
        foreach (var (separator, name, plural) in OtherSeparators)
        {
            int count = text.Count(separator);
            if (count < Columns.Length - 1)
                continue;
            if (count > Columns.Length - 1)
            {
                // The fields past the ninth must all be empty (trailing separators); ten values are some other file.
                int ninth = 0;
                for (int i = 0; i < Columns.Length - 1; i++)
                    ninth += text[ninth..].IndexOf(separator) + 1;
                if (text[(ninth + text[ninth..].IndexOf(separator))..].ContainsAnyExcept(separator, ' ', '\t'))
                    continue;
            }

            // Before, the column was the first missing one of the line read at ',' (2 for a line with no comma, 4 for one
            // with two decimal commas): a field of a layout the line is not in.
            column = text[..text.IndexOf(separator)].Count(',') + 1;
            string then = count == Columns.Length - 1 ? "" : string.Create(CultureInfo.InvariantCulture, $", then {count - (Columns.Length - 1)} empty");
            return string.Create(CultureInfo.InvariantCulture,
                $"{row.ColCount} fields; the line seems to be {name}-separated ({Columns.Length} fields split at {plural}{then}), {(separator == ';' ? "as a spreadsheet in a locale with a decimal comma saves CSV" : "as a spreadsheet copies or saves text")}");
        }

        if (row.ColCount <= Columns.Length)
            return null;
        for (int col = Columns.Length; col < row.ColCount; col++)
        {
            if (!row[col].Span.Trim().IsEmpty)
                return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{row.ColCount} fields, the last {row.ColCount - Columns.Length} empty (trailing separators)");
    }

    /// <summary>Imports <paramref name="machineUsageCsv"/> into <paramref name="outputPath"/>.</summary>
    public static ImportReport Import(string machineUsageCsv, string outputPath, AlibabaImportOptions options)
        => Import(machineUsageCsv, outputPath, options, CancellationToken.None);

    /// <summary>
    /// <see cref="Import(string, string, AlibabaImportOptions)"/> that stops with <see cref="OperationCanceledException"/>,
    /// writing nothing, when <paramref name="cancel"/> is cancelled (checked every 65 536 rows and between ticks).
    /// </summary>
    public static ImportReport Import(string machineUsageCsv, string outputPath, AlibabaImportOptions options, CancellationToken cancel)
        => Import(machineUsageCsv, outputPath, options, null, cancel);

    /// <summary>
    /// <see cref="Import(string, string, AlibabaImportOptions, CancellationToken)"/> that reports how far it has read the
    /// file to <paramref name="progress"/> (every 65 536 rows: see <see cref="ImportProgress"/>).
    /// </summary>
    public static ImportReport Import(string machineUsageCsv, string outputPath, AlibabaImportOptions options, IProgress<ImportProgress>? progress, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(machineUsageCsv);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var session = new ImportSession(options, Format, progress, cancel);
        var report = session.Report;
        if (!File.Exists(machineUsageCsv) && !Directory.Exists(machineUsageCsv) && new FileInfo(machineUsageCsv).LinkTarget is null)
            throw new TraceImportException(ImportErrorKind.NoInput, machineUsageCsv, 0, 0, null, "the file does not exist", "Alibaba 2018 machine_usage.csv");
        if (InputFile.WhyUnreadable(machineUsageCsv) is string why) // the one input: --lenient has nothing to skip it for
            throw new TraceImportException(ImportErrorKind.UnreadableFile, machineUsageCsv, 0, 0, null, why, ImportSession.ReadableExpected);
        if (ImportSession.IsSpreadsheet(machineUsageCsv) && InputFile.Compression(machineUsageCsv) is not null) // machine_usage.xlsx: saved as CSV, not unpacked
            throw new TraceImportException(ImportErrorKind.CompressedFile, machineUsageCsv, 0, 0, null, ImportSession.SpreadsheetFound, ImportSession.SpreadsheetExpected);
        if (InputFile.Compression(machineUsageCsv) is var (what, unpack)) // Alibaba's download is machine_usage.tar.gz
            throw new TraceImportException(ImportErrorKind.CompressedFile, machineUsageCsv, 0, 0, null, $"it is {what}, not text", $"{ImportSession.CompressedExpected}: unpack it first ({unpack}) and import what it holds");
        OutputFile.EnsureNotAnInput(outputPath, [machineUsageCsv]);

        report.Files = 1;
        using var spill = SampleSpill.Create(outputPath);
        var series = new List<SampleSeries>();
        var byMachine = new Dictionary<string, int>(StringComparer.Ordinal); // index in series
        var rowsOf = new List<(long Rows, long Duplicates)>(); // per machine, the rows taken and those a later row of the same time replaced
        long eNotation = 0; // timestamps written in E-notation (3.87E+05): a spreadsheet's number format
        string? firstENotation = null;
        var byMachineSpan = byMachine.GetAlternateLookup<ReadOnlySpan<char>>(); // no string per row

        // --lenient: the machines a row of which was skipped after its id was read (machine id → index in rowSkipped, with
        // the kind of its last skipped row); those with no sample taken are named in the report, as Bitbrains names files.
        var rowSkippedIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var rowSkippedSpan = rowSkippedIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        var rowSkipped = new List<(string Machine, ImportErrorKind Kind)>();
        void RowSkipped(ReadOnlySpan<char> machine)
        {
            var kind = session.LastSkipped!.Kind; // lenient: strict has thrown
            if (rowSkippedSpan.TryGetValue(machine, out int i))
            {
                rowSkipped[i] = (rowSkipped[i].Machine, kind);
                return;
            }

            string key = machine.ToString();
            rowSkippedIndex.Add(key, rowSkipped.Count);
            rowSkipped.Add((key, kind));
        }

        string path = machineUsageCsv;
        int truncatedLine = session.TruncatedLastLine(path);
        long size = new FileInfo(path).Length;
        session.InputBytes(size);
        if (truncatedLine >= 0)
        {
            // The file's stream is ours (Sep reads it and closes it), so its position tells the progress how far it has read.
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var reader = Sep.New(',').Reader(o => o with { HasHeader = false, DisableColCountCheck = true, DisableQuotesParsing = true }).From(file);
            SampleSeries? last = null;
            int lastIndex = -1;
            var blanks = default(ImportSession.PendingBlankLines); // accepted at the end of the file: trailing_blank_lines
            foreach (var row in reader)
            {
                int line = row.RowIndex + 1; // quotes are off, so one row = one line (Sep 0.17 reports LineNumberFrom = 2 for the first row)
                if (blanks.Hold(row.Span, line))
                    continue;
                blanks.Release(session, Columns.Length, path, Separated);

                report.RowsRead++;
                if ((report.RowsRead & 0xFFFF) == 0)
                {
                    cancel.ThrowIfCancellationRequested();
                    session.ReadTo(Math.Min(file.Position, size));
                }
                if (line == truncatedLine)
                {
                    session.Problem(ImportErrorKind.TruncatedLastLine, path, line, row.ColCount, row.ColCount <= Columns.Length ? Columns[Math.Max(0, row.ColCount - 1)] : null,
                        "the file ends in the middle of this line (no line break)", "every line to end with a line break (LF, CR LF or CR)");
                    continue;
                }

                // A header line (the trace has none; a re-export may add one): said as such, not as "'time_stamp' is not a number".
                if (line == 1 && row.ColCount > ColTime && row[ColMachine].Span.Trim().Equals("machine_id", StringComparison.OrdinalIgnoreCase))
                {
                    session.Problem(ImportErrorKind.BadHeader, path, line, 1, Columns[ColMachine], $"line 1 is a header ('{ImportSession.Clip(row.Span)}')",
                        "data only: Alibaba's machine_usage.csv has no header (remove the line; --lenient skips it)");
                    continue;
                }

                if (row.ColCount != Columns.Length && OtherLayout(row, out int layoutColumn) is string layout)
                {
                    session.Problem(ImportErrorKind.WrongColumnCount, path, line, layoutColumn, null, layout,
                        string.Create(CultureInfo.InvariantCulture, $"{Columns.Length} fields ({Separated})"));
                    continue;
                }

                if (!session.CheckColumns(row.ColCount, Columns.Length, path, line, Separated, blank: false, OtherTables))
                    continue;
                var id = row[ColMachine].Span.Trim();
                if (id.IsEmpty)
                {
                    session.Problem(ImportErrorKind.EmptyField, path, line, ColMachine + 1, Columns[ColMachine], "the field is empty", "a machine id such as m_1932");
                    continue;
                }

                // Sep decodes bytes that are not UTF-8 as U+FFFD, and quotes are not parsed: such an id, a damaged copy of a
                // machine's, would otherwise become a machine (a host and a VM) of its own.
                if (id.ContainsAny('\uFFFD', '"') || id.ContainsAnyInRange('\0', '\u001f'))
                {
                    session.Problem(ImportErrorKind.InvalidText, path, line, ColMachine + 1, Columns[ColMachine],
                        $"'{ImportSession.Clip(id)}' holds bytes that are not UTF-8 text (shown as \uFFFD), a control character or a quote",
                        "a machine id of plain text such as m_1932, unquoted");
                    continue;
                }

                if (!session.TryTimestamp(row[ColTime].Span, path, line, ColTime + 1, Columns[ColTime], MaxTimeSeconds, "seconds from the trace start, at most one year (31,536,000)", out long time, wholeDecimals: true)
                    || !session.TryDouble(row[ColMem].Span, path, line, ColMem + 1, Columns[ColMem], "percent of the machine", out double pct))
                {
                    RowSkipped(id);
                    continue;
                }

                if (pct > 100)
                {
                    session.Problem(ImportErrorKind.OutOfRange, path, line, ColMem + 1, Columns[ColMem], string.Create(CultureInfo.InvariantCulture, $"{pct} % is over 100"), "a percentage from 0 to 100 of the machine's memory");
                    RowSkipped(id);
                    continue;
                }

                if (last is null || !id.SequenceEqual(last.Id))
                {
                    if (!byMachineSpan.TryGetValue(id, out lastIndex))
                    {
                        string key = id.ToString();
                        lastIndex = series.Count;
                        byMachine.Add(key, lastIndex);
                        series.Add(new SampleSeries(key, spill));
                        rowsOf.Add((0, 0));
                    }

                    last = series[lastIndex];
                }

                if (last.IsBackwards(time))
                {
                    session.Problem(ImportErrorKind.TimestampBackwards, path, line, ColTime + 1, Columns[ColTime],
                        string.Create(CultureInfo.InvariantCulture, $"{time} is earlier than {last.LastTime}, the previous row of {last.Id}"), "non-decreasing timestamps per machine (equal ones: the last row wins)");
                    RowSkipped(id);
                    continue;
                }

                if (!session.TryMeasured(options.Demand, pct / 100 * options.HostMb, path, line, ColMem + 1, Columns[ColMem], row[ColMem].Span, out int value))
                {
                    RowSkipped(id);
                    continue;
                }

                bool duplicate = last.Add(time, value, options.HostMb - options.HostReserveMb);
                if (duplicate)
                    report.Note("duplicate_timestamps");
                rowsOf[lastIndex] = (rowsOf[lastIndex].Rows + 1, rowsOf[lastIndex].Duplicates + (duplicate ? 1 : 0));
                if (row[ColTime].Span.ContainsAny('e', 'E') && eNotation++ == 0)
                    firstENotation = row[ColTime].Span.Trim().ToString();
            }

            report.Note("trailing_blank_lines", blanks.AtEnd);
            if (report.RowsRead == 0)
                session.Problem(ImportErrorKind.EmptyFile, path, 0, 0, null, "the file has no rows", "machine_usage rows");
        }

        session.ReadTo(size);

        foreach (SampleSeries s in series)
            s.Complete();

        // A machine every row of which was skipped is not in the trace (or, when only its demand was refused, a VM never on):
        // named, not only counted among the rows.
        var skippedMachines = rowSkipped.FindAll(m => !byMachine.TryGetValue(m.Machine, out int i) || series[i].Count == 0);
        report.SkippedMachines = skippedMachines;
        report.Note("machines_without_valid_rows", skippedMachines.Count);

        var vms = new TraceVm[series.Count];
        var hosts = new TraceHost[series.Count];
        var settings = options.Settings.FromProvisionedMb(options.HostMb - options.HostReserveMb, out bool settingsClamped);
        for (int i = 0; i < series.Count; i++)
        {
            vms[i] = new TraceVm(series[i].Id, settings, i);
            hosts[i] = new TraceHost(options.HostMb, options.HostReserveMb);
        }

        if (settingsClamped)
            report.Note("settings_clamped", series.Count);

        // The trace's timestamps are distinct per machine (the committed sample: no duplicate in 100 002 rows); a machine
        // whose rows are mostly duplicates has had its timestamps rounded (a spreadsheet's number format: 386640 saved as
        // 3.87E+05 puts 100 rows on one time), and the last row of each time is all that is left of them.
        var mostlyDuplicates = Enumerable.Range(0, series.Count).Where(i => rowsOf[i].Rows >= DuplicateWarnMinRows && rowsOf[i].Duplicates * 100 > rowsOf[i].Rows * DuplicateWarnPercent)
            .OrderByDescending(i => (double)rowsOf[i].Duplicates / rowsOf[i].Rows).ThenBy(i => i).ToList();
        if (mostlyDuplicates.Count > 0)
        {
            var (worstRows, worstDuplicates) = rowsOf[mostlyDuplicates[0]];
            string written = eNotation == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
                $"; {eNotation} of the timestamps are written in E-notation (the first: '{ImportSession.Clip(firstENotation)}'), as a spreadsheet's number format saves them, rounded to the digits it shows");
            report.Warnings = [.. report.Warnings, string.Create(CultureInfo.InvariantCulture,
                $"{mostlyDuplicates.Count} machine(s) have a duplicate timestamp in more than {DuplicateWarnPercent} % of their rows (the most: '{ImportSession.Clip(series[mostlyDuplicates[0]].Id)}', {100.0 * worstDuplicates / worstRows:F1} % of {worstRows} rows), of which only the last row of each time is kept: the timestamps look rounded{written}. The trace has none (the committed sample: 0 in 100 002 rows): export time_stamp as whole numbers and import again.")];
            report.Note("machines_mostly_duplicate_timestamps", mostlyDuplicates.Count);
        }

        // batch_task.csv has 9 fields too, and would read as machines named after tasks: Alibaba's machine ids are m_<n>.
        if (series.Count > 0 && !series.Any(x => x.Id.StartsWith("m_", StringComparison.Ordinal)))
        {
            report.Warnings = [.. report.Warnings, string.Create(CultureInfo.InvariantCulture,
                $"none of the {series.Count} machine ids looks like Alibaba's (m_1932; the first here is '{ImportSession.Clip(series[0].Id)}'): is the file machine_usage.csv? The 2018 trace's batch_task.csv also has 9 fields, and its columns read as these would be something else.")];
            report.Note("machine_ids_unlike_alibaba");
        }
        // Tick 0: the earliest sample's time, as Bitbrains' (before stop 61 always 0 s, and days 2..8 cut with awk began with two
        // days of every machine off, which compare counted as their off time: 11 -> 13 VMs per host). Not rounded down to the
        // tick grid of the trace's clock: a review found that a first sample more than a sample period after that grid point
        // left tick 0 empty, every machine booting at tick 1, and the window then differed from the window rebased.
        double start = options.StartSeconds ?? ImportPipeline.FirstTime(series);
        var meta = new TraceMetadata();
        meta.Set("import.format", Format).Set("import.input", Path.GetFileName(path));
        meta.Set("import.clock", "seconds from the trace start");
        options.Demand.Record(meta, "mem_util_percent / 100 * alibaba.host_mb");
        options.Record(meta, start);
        report.Record(meta);
        var description = new TraceDescription(options.TickSeconds, "Alibaba cluster-trace-v2018 machine_usage.csv (one host + one aggregate workload per machine), imported by DmKernel.Traces", meta);
        ImportPipeline.Write(session, outputPath, description, vms, hosts, series, start, AlibabaImportOptions.NominalPeriodSeconds);
        return report;
    }
}
