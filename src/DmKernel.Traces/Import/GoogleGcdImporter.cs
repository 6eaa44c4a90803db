using System.Globalization;
using nietras.SeparatedValues;

namespace DmKernel.Traces;

/// <summary>
/// Imports the Google cluster-data 2011 derived per-"VM" files (GCD_VMs/vm_&lt;job&gt;_&lt;day&gt;) into a
/// native trace. Quirks handled (traces/real/google-2011-gcd-vms/SOURCE.md): no header and no timestamps (row i
/// of day d is at (d − 1) × 86400 + i × 300 s); exactly 288 rows a day; two fields separated by one space
/// ("cpu% mem%") with float noise; memory percent above 100 (kept: demand above the VM size); the days of one
/// job concatenated in day order into one VM series (a missing day is off after the hold limit); no provisioned
/// memory (the user gives the size 100 % means).
/// </summary>
public static class GoogleGcdImporter
{
    /// <summary>The format name recorded in the trace.</summary>
    public const string Format = "google-2011-gcd";

    internal static readonly string[] Columns = ["cpu %", "memory %"];

    private const int ColCpu = 0, ColMem = 1, MaxDay = 100_000;

    private const string Separated = "GCD: \"cpu% mem%\" separated by one space";

    /// <summary>
    /// Imports every file named vm_&lt;job&gt;_&lt;day&gt; under <paramref name="inputFolder"/> (recursively; other
    /// files are ignored) into <paramref name="outputPath"/>. VM id = "vm_&lt;job&gt;"; VMs in numeric job order.
    /// </summary>
    public static ImportReport Import(string inputFolder, string outputPath, GoogleGcdImportOptions options)
        => Import(inputFolder, outputPath, options, CancellationToken.None);

    /// <summary>
    /// <see cref="Import(string, string, GoogleGcdImportOptions)"/> that stops with <see cref="OperationCanceledException"/>,
    /// writing nothing, when <paramref name="cancel"/> is cancelled (checked between files and between ticks).
    /// </summary>
    public static ImportReport Import(string inputFolder, string outputPath, GoogleGcdImportOptions options, CancellationToken cancel)
        => Import(inputFolder, outputPath, options, null, cancel);

    /// <summary>
    /// <see cref="Import(string, string, GoogleGcdImportOptions, CancellationToken)"/> that reports how far it has read its
    /// files to <paramref name="progress"/> (after each file: see <see cref="ImportProgress"/>).
    /// </summary>
    public static ImportReport Import(string inputFolder, string outputPath, GoogleGcdImportOptions options, IProgress<ImportProgress>? progress, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputFolder);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var session = new ImportSession(options, Format, progress, cancel);
        var report = session.Report;
        if (!Directory.Exists(inputFolder))
            throw new TraceImportException(ImportErrorKind.NoInput, inputFolder, 0, 0, null, "the folder does not exist", "a folder of GCD vm_<job>_<day> files");

        ImportSession.RefuseUnreadableNames(inputFolder);
        var jobs = new SortedDictionary<string, SortedDictionary<int, string>>(JobOrder.Instance);
        var nearNames = new List<string>(); // vm_3418442_5.csv, VM_3418442_5, "vm_3418442_5 (1)": a day file renamed, not read
        var skippedFiles = new List<(string File, ImportErrorKind Kind)>(); // --lenient: the day files skipped whole, named in the report
        string Rel(string path) => Path.GetRelativePath(inputFolder, path).Replace(Path.DirectorySeparatorChar, '/');
        void SkippedWhole(string path, ImportErrorKind? kind = null) => skippedFiles.Add((Rel(path), kind ?? session.LastSkipped!.Kind)); // lenient: strict has thrown

        // A folder's own files before its subfolders' (as the walk gave them before: a copy in 'backup/' is the duplicate,
        // not the file beside it), then in ordinal order of the path, so that which of two files of one job and day is
        // the DuplicateInput (and the first problem strict mode stops at) does not depend on the order the file system
        // lists them in.
        IEnumerable<string> files = ImportSession.EnumerateFilesOnce(inputFolder)
            .OrderBy(p => Rel(p).Count(c => c == '/'))
            .ThenBy(p => p, StringComparer.Ordinal);
        foreach (string path in files) // every other file is counted as ignored
        {
            string name = Path.GetFileName(path);
            if (!TryParseName(name, out string job, out int day))
            {
                if (HasGcdForm(name)) // TryParseName refused it: its day is out of range
                {
                    session.Problem(ImportErrorKind.OutOfRange, path, 0, 0, null, $"the day in the file name '{ImportSession.Clip(name)}' is out of range",
                        string.Create(CultureInfo.InvariantCulture, $"vm_<job>_<day> with a day from 1 to {MaxDay}"));
                    SkippedWhole(path);
                    continue;
                }

                report.Note("ignored_files");
                if (IsNearName(name))
                    nearNames.Add(Rel(path));
                continue;
            }

            if (!jobs.TryGetValue(job, out var days))
                jobs.Add(job, days = []);
            if (days.TryGetValue(day, out string? other))
            {
                session.Problem(ImportErrorKind.DuplicateInput, path, 0, 0, null, string.Create(CultureInfo.InvariantCulture, $"job {job} day {day} is also in '{other}'"), "one file per job and day");
                SkippedWhole(path);
                continue;
            }

            days.Add(day, path);
        }

        nearNames.Sort(string.CompareOrdinal);
        if (jobs.Count == 0)
        {
            throw new TraceImportException(ImportErrorKind.NoInput, inputFolder, 0, 0, null, "no file named vm_<job>_<day> in the folder or below"
                + (nearNames.Count > 0 ? $"; it holds {nearNames.Count} file(s) named like day files but not exactly so ({ImportSession.NameList(nearNames)}): rename them to vm_<job>_<day> (lower case, no extension)" : "")
                + ImportSession.CompressedHint(inputFolder), "GCD per-job-day files");
        }

        // A day file renamed (an extension, a copy's suffix, upper case) is not read: said by name, as its day is missing
        // from its VM (off after the hold) or, a copy beside the original, could be a newer version of it.
        if (nearNames.Count > 0)
        {
            report.Warnings = [string.Create(CultureInfo.InvariantCulture,
                $"{nearNames.Count} file(s) are named like GCD day files but not exactly vm_<job>_<day>, so they were not read ({ImportSession.NameList(nearNames)}); the days they hold are not in the trace: rename them to vm_<job>_<day> (lower case, no extension) and import again, or move them out.")];
            report.Note("trace_like_files_not_read", nearNames.Count);
        }

        ImportSession.NoteCompressedOthers(report, inputFolder, path => TryParseName(Path.GetFileName(path), out _, out _));

        // A day file that cannot be read (a named pipe, whose open would wait for ever; a broken link; no permission) is
        // UnreadableFile, in job and day order; lenient skips it (counted among the files; a job left with no day is dropped below).
        foreach (var days in jobs.Values)
        {
            foreach (var (day, path) in days.Where(kv => !session.Readable(kv.Value)).ToList())
            {
                SkippedWhole(path);
                days.Remove(day);
                report.Files++;
            }
        }

        // Only the day files the import reads are its inputs: a vm_* file it ignores (not of the vm_<job>_<day> form) or
        // skips (a day out of range, a duplicate, under --lenient) may be named as the output, as any other existing file.
        OutputFile.EnsureNotAnInput(outputPath, jobs.Values.SelectMany(days => days.Values));

        // The trace starts at midnight of the earliest day any file holds (day 1 for the whole derivation) unless StartSeconds
        // moves it: before stop 57 it was always day 1, so a folder of days 6..10 was off for five days at every VM's start,
        // which compare's draws spread as off time among the hosts (a reviewer's 2-VM import: static "fitting" 42 VMs of 8 GB
        // where 31 fit when on). A trace spans at most a year from its start (ImportPipeline.MaxSpanSeconds): a day file
        // whose samples reach beyond (a typo in its name) is refused here, naming the file, rather than by the pipeline
        // naming only the job.
        int earliestDay = jobs.Values.Where(d => d.Count > 0).Select(d => d.Keys.Min()).DefaultIfEmpty(1).Min();
        double traceStart = options.StartSeconds ?? ((earliestDay - 1) * 86_400.0);
        foreach (var (job, days) in jobs)
        {
            foreach (int day in days.Keys.Where(d => LastSampleSeconds(d) - traceStart > ImportPipeline.MaxSpanSeconds).ToList())
            {
                session.Problem(ImportErrorKind.OutOfRange, days[day], 0, 0, null,
                    string.Create(CultureInfo.InvariantCulture, $"day {day} in the file name: its samples end {(LastSampleSeconds(day) - traceStart) / 86_400:F0} days after the trace starts at {traceStart} s"),
                    string.Create(CultureInfo.InvariantCulture, $"day files within {ImportPipeline.MaxSpanSeconds / 86_400} days of the trace start (a trace spans at most a year; is the day in the name wrong?)"));
                SkippedWhole(days[day]);
                days.Remove(day);
            }
        }

        foreach (string job in jobs.Where(kv => kv.Value.Count == 0).Select(kv => kv.Key).ToList())
            jobs.Remove(job);

        session.InputBytes(jobs.Values.SelectMany(d => d.Values).Sum(p => new FileInfo(p).Length));
        using var spill = SampleSpill.Create(outputPath);
        var series = new List<SampleSeries>(jobs.Count);
        foreach (var (job, days) in jobs)
        {
            var s = new SampleSeries("vm_" + job, spill);
            foreach (var (day, path) in days)
            {
                cancel.ThrowIfCancellationRequested();
                report.Files++;
                long skippedBefore = report.SkippedTotal;
                if (ReadDay(session, path, day, s, options, out ImportErrorKind? lastRowSkipped) == 0 && report.SkippedTotal > skippedBefore)
                    SkippedWhole(path, lastRowSkipped); // empty, or every row skipped (named by its last row's kind): nothing of the day is in the trace
                session.Read(new FileInfo(path).Length);
            }

            s.Complete();
            if (s.Count > 0)
                series.Add(s);
            else
                report.Note("vms_without_valid_rows");
        }

        skippedFiles.Sort((a, b) => string.CompareOrdinal(a.File, b.File));
        report.SkippedFiles = skippedFiles;
        var settings = options.Settings.FromProvisionedMb(options.VmSizeMb, out bool settingsClamped);
        if (settingsClamped)
            report.Note("settings_clamped", series.Count);
        var vms = new TraceVm[series.Count];
        for (int i = 0; i < vms.Length; i++)
            vms[i] = new TraceVm(series[i].Id, settings);
        IReadOnlyList<TraceVm> table = vms;
        IReadOnlyList<TraceHost> hosts = [];
        if (options.PlaceOnHostMb is int hostMb)
        {
            var placed = ImportPlacement.Place(vms, hostMb, options.PlacementReserveMb, inputFolder);
            table = placed.Vms;
            hosts = placed.Hosts;
        }

        double start = traceStart;
        var meta = new TraceMetadata();
        meta.Set("import.format", Format).Set("import.input", Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(inputFolder))));
        meta.Set("import.clock", "seconds from midnight of day 1: row i of day d at (d - 1) * 86400 + i * 300");
        options.Demand.Record(meta, "memory % / 100 * gcd.vm_size_mb (may exceed the VM size: mem% > 100 is kept)");
        options.Record(meta, start);
        report.Record(meta);
        var description = new TraceDescription(options.TickSeconds, string.Create(CultureInfo.InvariantCulture, $"Google cluster-data 2011 GCD_VMs ({report.Files} job-day files), imported by DmKernel.Traces"), meta);
        ImportPipeline.Write(session, outputPath, description, table, hosts, series, start, GoogleGcdImportOptions.NominalPeriodSeconds);
        return report;
    }

    /// <summary>Reads one day file into <paramref name="series"/>; returns the samples it took (0: lenient skipped the file, or every row of it).</summary>
    private static int ReadDay(ImportSession session, string path, int day, SampleSeries series, GoogleGcdImportOptions options, out ImportErrorKind? lastRowSkipped)
    {
        lastRowSkipped = null;
        var report = session.Report;
        int truncatedLine = session.TruncatedLastLine(path);
        if (truncatedLine < 0)
            return 0;
        int taken = 0;
        using var reader = Sep.New(' ').Reader(o => o with { HasHeader = false, DisableColCountCheck = true, DisableQuotesParsing = true }).FromFile(path);
        long dayStart = (day - 1) * 86_400L;
        int rows = 0;
        var blanks = default(ImportSession.PendingBlankLines); // accepted at the end of the file: trailing_blank_lines
        foreach (var row in reader)
        {
            int line = row.RowIndex + 1; // quotes are off, so one row = one line (Sep 0.17 reports LineNumberFrom = 2 for the first row)
            var text = row.Span.Trim(); // spaces and tabs at either end, as Bitbrains and Alibaba trim their fields (a trailing space was "3 fields")
            if (blanks.Hold(text, line))
                continue;
            rows += blanks.Release(session, Columns.Length, path, Separated);

            rows++;
            report.RowsRead++;
            if (line == truncatedLine)
            {
                session.Problem(ImportErrorKind.TruncatedLastLine, path, line, row.ColCount, row.ColCount <= Columns.Length ? Columns[Math.Max(0, row.ColCount - 1)] : null,
                    "the file ends in the middle of this line (no line break)", "every line to end with a line break (LF, CR LF or CR)");
                continue;
            }

            if (line > GoogleGcdImportOptions.RowsPerDay)
            {
                session.Problem(ImportErrorKind.RowCount, path, line, 0, null, "a row after the day's last 5-min slot",
                    string.Create(CultureInfo.InvariantCulture, $"exactly {GoogleGcdImportOptions.RowsPerDay} rows per day file"));
                continue;
            }

            // The two fields of the trimmed line when it has exactly one space (" 10.5 20.25 ": 4 fields split at ' ', 2 here).
            int space = text.IndexOf(' ');
            bool trimmed = row.ColCount != Columns.Length && space > 0 && !text[(space + 1)..].Contains(' ');
            if (!trimmed && !session.CheckColumns(row.ColCount, Columns.Length, path, line, Separated, blank: false, null))
                continue;
            var cpuText = trimmed ? text[..space] : row[ColCpu].Span;
            var memText = trimmed ? text[(space + 1)..] : row[ColMem].Span;
            if (!session.TryDouble(cpuText, path, line, ColCpu + 1, Columns[ColCpu], "percent", out _)
                || !session.TryDouble(memText, path, line, ColMem + 1, Columns[ColMem], "percent of the VM size", out double pct))
                continue;
            if (!session.TryMeasured(options.Demand, pct / 100 * options.VmSizeMb, path, line, ColMem + 1, Columns[ColMem], memText, out int value))
                continue;
            if (pct > 100)
                report.Note("memory_above_100_percent");
            series.Add(dayStart + (line - 1) * (long)GoogleGcdImportOptions.NominalPeriodSeconds, value, options.VmSizeMb);
            taken++;
        }

        report.Note("trailing_blank_lines", blanks.AtEnd);
        lastRowSkipped = rows > 0 && taken == 0 ? session.LastSkipped?.Kind : null; // before the file's own RowCount below
        if (rows == 0)
            session.Problem(ImportErrorKind.EmptyFile, path, 0, 0, null, "the file has no rows", string.Create(CultureInfo.InvariantCulture, $"{GoogleGcdImportOptions.RowsPerDay} rows"));
        else if (rows < GoogleGcdImportOptions.RowsPerDay)
            session.Problem(ImportErrorKind.RowCount, path, rows + 1, 0, null, string.Create(CultureInfo.InvariantCulture, $"the file ends after {rows} rows"),
                string.Create(CultureInfo.InvariantCulture, $"exactly {GoogleGcdImportOptions.RowsPerDay} rows per day file (lenient: the missing slots are a gap)"));
        return taken;
    }

    /// <summary>The time of day <paramref name="day"/>'s last 5-min slot, seconds from midnight of day 1.</summary>
    private static double LastSampleSeconds(int day) => (day - 1) * 86_400.0 + (GoogleGcdImportOptions.RowsPerDay - 1) * 300.0;

    private static bool TryParseName(string name, out string job, out int day)
    {
        job = "";
        day = 0;
        if (!name.StartsWith("vm_", StringComparison.Ordinal))
            return false;
        int sep = name.LastIndexOf('_');
        if (sep <= 3 || sep == name.Length - 1)
            return false;
        var jobPart = name.AsSpan(3, sep - 3);
        var dayPart = name.AsSpan(sep + 1);
        foreach (char c in jobPart)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }

        foreach (char c in dayPart)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }

        if (!int.TryParse(dayPart, NumberStyles.None, CultureInfo.InvariantCulture, out day) || day < 1 || day > MaxDay)
            return false;
        job = jobPart.ToString();
        return true;
    }

    /// <summary>
    /// A name that starts, in any case, with vm_&lt;digits&gt;_&lt;digits&gt; but is not of that form (a day file renamed:
    /// "vm_7_1.csv", "VM_7_1", "vm_7_1 (1)", "vm_7_1 - Copy").
    /// </summary>
    private static bool IsNearName(string name)
    {
        if (!name.StartsWith("vm_", StringComparison.OrdinalIgnoreCase) || HasGcdForm(name))
            return false;
        int i = 3, jobStart = i;
        while (i < name.Length && char.IsAsciiDigit(name[i]))
            i++;
        if (i == jobStart || i == name.Length || name[i] != '_')
            return false;
        int dayStart = ++i;
        while (i < name.Length && char.IsAsciiDigit(name[i]))
            i++;
        return i > dayStart;
    }

    /// <summary>A name of the form vm_&lt;digits&gt;_&lt;digits&gt;, whatever the day.</summary>
    private static bool HasGcdForm(string name)
    {
        if (!name.StartsWith("vm_", StringComparison.Ordinal))
            return false;
        int sep = name.LastIndexOf('_');
        if (sep <= 3 || sep == name.Length - 1)
            return false;
        var jobPart = name.AsSpan(3, sep - 3);
        var dayPart = name.AsSpan(sep + 1);
        return !jobPart.ContainsAnyExceptInRange('0', '9') && !dayPart.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>Numeric order of digit strings (shorter after stripping leading zeros = smaller), then ordinal.</summary>
    private sealed class JobOrder : IComparer<string>
    {
        public static readonly JobOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? "").AsSpan().TrimStart('0');
            var b = (y ?? "").AsSpan().TrimStart('0');
            int c = a.Length.CompareTo(b.Length);
            if (c == 0)
                c = a.SequenceCompareTo(b);
            return c != 0 ? c : string.CompareOrdinal(x, y);
        }
    }
}
