using System.Globalization;
using nietras.SeparatedValues;

namespace DmKernel.Traces;

/// <summary>
/// Imports the Bitbrains GWA-T-12 per-VM CSV files (fastStorage or Rnd) into a native trace. Quirks handled
/// (traces/real/bitbrains-gwa-t-12-rnd/SOURCE.md): the separator is ";\t" (split on ';', fields trimmed of
/// whitespace including the tab); "Timestamp [ms]" holds Unix <b>seconds</b>; memory is in KB (KiB) with
/// fractions; capacity 0 means the VM is off; duplicate timestamps keep the last row; 1–2 s jitter (tolerance)
/// and drift; gaps (held up to the hold limit, then off); provisioned memory that changes (settings use the
/// largest seen); VMs that start or stop mid-trace (off outside their samples).
/// </summary>
public static class BitbrainsImporter
{
    /// <summary>The format name recorded in the trace.</summary>
    public const string Format = "bitbrains-gwa-t-12";

    internal static readonly string[] Columns =
    [
        "Timestamp [ms]", "CPU cores", "CPU capacity provisioned [MHZ]", "CPU usage [MHZ]", "CPU usage [%]",
        "Memory capacity provisioned [KB]", "Memory usage [KB]", "Disk read throughput [KB/s]", "Disk write throughput [KB/s]",
        "Network received throughput [KB/s]", "Network transmitted throughput [KB/s]",
    ];

    internal const int ColTime = 0, ColCapacity = 5, ColUsage = 6;

    /// <summary>Latest accepted timestamp (Unix seconds, year 2286): larger ones are milliseconds or garbage.</summary>
    internal const long MaxUnixSeconds = 9_999_999_999;

    /// <summary>Largest memory usage accepted, in KB: 16 TB, the most committed memory a trace holds. More is garbage (and overflows 32-bit MB).</summary>
    internal const double MaxUsageKb = TraceValues.MaxCommittedMb * 1024.0;

    /// <summary>Whether a provisioned capacity of <paramref name="capacityKb"/> KB, rounded up to 2 MB, exceeds <paramref name="maxCeilingMb"/>.</summary>
    internal static bool ExceedsCeiling(double capacityKb, int maxCeilingMb) => Math.Ceiling(capacityKb / 1024 / 2) * 2 > maxCeilingMb;

    /// <summary>
    /// Imports every "*.csv" under <paramref name="inputFolder"/> (the extension in any case; recursively, in ordinal order
    /// of the relative path; VM id = that path with '/' separators, e.g. "2013-8/386.csv") into <paramref name="outputPath"/>.
    /// Office lock files, macOS resource forks and __MACOSX/ are skipped; other files that look like traces are warned about.
    /// </summary>
#pragma warning disable RS0027 // shipped with its optional options; the overload with a token takes every argument, so no call is ambiguous
    public static ImportReport Import(string inputFolder, string outputPath, BitbrainsImportOptions? options = null)
#pragma warning restore RS0027
        => Import(inputFolder, outputPath, options, CancellationToken.None);

    /// <summary>
    /// <see cref="Import(string, string, BitbrainsImportOptions?)"/> that stops with <see cref="OperationCanceledException"/>,
    /// writing nothing, when <paramref name="cancel"/> is cancelled (checked before each file, by every read thread, and between ticks).
    /// </summary>
    public static ImportReport Import(string inputFolder, string outputPath, BitbrainsImportOptions? options, CancellationToken cancel)
        => Import(inputFolder, outputPath, options, null, cancel);

    /// <summary>
    /// <see cref="Import(string, string, BitbrainsImportOptions?, CancellationToken)"/> that reports how far it has read
    /// its files to <paramref name="progress"/> (after each file, from the read threads too: see <see cref="ImportProgress"/>).
    /// </summary>
    public static ImportReport Import(string inputFolder, string outputPath, BitbrainsImportOptions? options, IProgress<ImportProgress>? progress, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputFolder);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        options ??= new BitbrainsImportOptions();
        options.Validate();
        var session = new ImportSession(options, Format, progress, cancel);
        var report = session.Report;

        if (!Directory.Exists(inputFolder))
            throw new TraceImportException(ImportErrorKind.NoInput, inputFolder, 0, 0, null, "the folder does not exist", "a folder of Bitbrains per-VM *.csv files");
        ImportSession.RefuseUnreadableNames(inputFolder);
        var files = new List<(string Rel, string Path)>();
        var system = new List<string>(); // lock files and resource forks: skipped by name
        var notRead = new List<string>(); // files named like a trace file that are not read (126.csv.txt, 126.txt)
        foreach (string path in ImportSession.EnumerateFilesOnce(inputFolder))
        {
            // ".csv" in any case: a folder copied through Windows or a spreadsheet holds 446.CSV, which a case-sensitive
            // pattern passed over in silence (its VM left out, the import exiting 0).
            string rel = Path.GetRelativePath(inputFolder, path).Replace(Path.DirectorySeparatorChar, '/'); // a '\\' in a Unix file name stays: ids stay unique
            if (ImportSession.IsSystemFile(rel))
            {
                if (IsInput(path) || NamedLikeTrace(Path.GetFileName(path)))
                    system.Add(rel); // ~$126.csv, ._126.csv, __MACOSX/...: failed the import with BadHeader on their bytes
            }
            else if (IsInput(path))
            {
                files.Add((rel, path));
            }
            else if (LooksLikeTrace(path))
            {
                notRead.Add(rel);
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Rel, b.Rel));

        // One file reached by two paths (a link to a folder above, `ln -s . loop`, walked until the system's link limit,
        // or two links to one file) is one VM: read once, at its first path in name order, and said. Before stop 59 such a
        // folder gave 41 VMs from one file with exit 0.
        var reachedAgain = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        files.RemoveAll(f =>
        {
            if (OutputFile.Identity(f.Path) is not byte[] id || seen.Add(Convert.ToHexString(id.AsSpan(24))))
                return false;
            reachedAgain.Add(f.Rel);
            return true;
        });
        notRead.Sort(string.CompareOrdinal);
        var workbooks = notRead.FindAll(ImportSession.IsSpreadsheet); // said apart: saved as CSV, not renamed
        notRead.RemoveAll(ImportSession.IsSpreadsheet);
        system.Sort(string.CompareOrdinal);
        report.SystemFilesSkipped = system;
        report.Note("system_files_skipped", system.Count);
        if (files.Count == 0)
            throw new TraceImportException(ImportErrorKind.NoInput, inputFolder, 0, 0, null, "no *.csv file in the folder or below" + (notRead.Count > 0 ? $"; it holds {notRead.Count} file(s) that look like trace files ({ImportSession.NameList(notRead)}): rename them to end in .csv" : "") + WorkbookHint(workbooks) + ImportSession.CompressedHint(inputFolder, workbooks: false), "Bitbrains per-VM *.csv files");
        ImportSession.NoteCompressedOthers(report, inputFolder, IsInput);

        // A file that cannot be read (a named pipe, whose open would wait for ever; a broken link; no permission) is
        // UnreadableFile, in file order; lenient skips it (counted among the files).
        var skippedFiles = new List<(string File, ImportErrorKind Kind)>(); // --lenient: the files skipped whole, named in the report
        files.RemoveAll(f =>
        {
            if (session.Readable(f.Path))
                return false;
            skippedFiles.Add((f.Rel, session.LastSkipped!.Kind)); // lenient: strict has thrown
            return true;
        });
        report.Files += skippedFiles.Count;
        OutputFile.EnsureNotAnInput(outputPath, files.Select(f => f.Path));

        // Clean files take the fast path (in parallel when allowed); the others, and every report entry, are then
        // taken in file order, so the trace, the report and the first error thrown do not depend on the threads.
        // Every file's samples go to the spill as they are parsed: memory does not grow with the rows.
        long[] sizes = [.. files.Select(f => new FileInfo(f.Path).Length)];
        session.InputBytes(sizes.Sum());
        using var spill = SampleSpill.Create(outputPath);
        var fast = ReadFast(files, sizes, options, session, spill, cancel);
        var series = new List<SampleSeries>(files.Count);
        byte[] buffer = [];
        var zeroByVm = new List<(string Id, long Zero, long On)>(); // usage-0 samples read as 0 (not held) and samples on, per file read (samples kept)
        for (int i = 0; i < files.Count; i++)
        {
            var (rel, path) = files[i];
            cancel.ThrowIfCancellationRequested();
            report.Files++;
            // Samples, not rows: the notes count the samples kept (a duplicate timestamp's last row), and so do these (since stop 61).
            long zeroBefore = report.NoteOf("usage_zero_samples") - report.NoteOf("usage_zero_held"), offBefore = report.NoteOf("off_samples");
            void CountZeros(SampleSeries s) => zeroByVm.Add((rel, report.NoteOf("usage_zero_samples") - report.NoteOf("usage_zero_held") - zeroBefore, s.Count - (report.NoteOf("off_samples") - offBefore)));
            var f = options.GeneralPathOnly ? null : fast is null ? BitbrainsFastReader.TryRead(path, rel, options, spill, ref buffer) : fast[i];
            if (f is not null)
            {
                f.AddTo(report);
                series.Add(f.Series);
                CountZeros(f.Series);
                if (fast is null)
                    session.Read(sizes[i]); // a read thread reported it otherwise
                continue;
            }

            long skippedBefore = report.SkippedTotal;
            var s = ReadFile(session, path, rel, options, spill);
            if (s is not null)
            {
                series.Add(s);
                CountZeros(s);
            }
            else if (report.SkippedTotal > skippedBefore && session.LastSkipped is { } last)
            {
                skippedFiles.Add((rel, last.Kind));
            }

            session.Read(sizes[i]);
        }

        List<string> warnings = FolderWarnings(series);
        if (warnings.Count > 0)
            report.Note("folders_apart_in_time"); // before the warnings below join the list: they are not this one

        if (reachedAgain.Count > 0)
        {
            warnings.Insert(0, string.Create(CultureInfo.InvariantCulture,
                $"{reachedAgain.Count} path(s) in the folder lead through links to a file already read ({ImportSession.NameList(reachedAgain)}): each file was read once, as one VM, at its first path in name order; check the folder's links (a link to a folder above walks the same files again)."));
            report.Note("files_reached_again", reachedAgain.Count);
        }

        if (notRead.Count > 0)
        {
            warnings.Insert(0, string.Create(CultureInfo.InvariantCulture,
                $"{notRead.Count} file(s) in the folder or below look like trace files (by name, or a first line starting \"Timestamp\") but were not read, as only names ending in .csv are ({ImportSession.NameList(notRead)}); the VMs they hold are not in the trace: rename them to end in .csv (or move them out) and import again."));
            report.Note("trace_like_files_not_read", notRead.Count);
        }

        if (workbooks.Count > 0)
        {
            warnings.Insert(0, string.Create(CultureInfo.InvariantCulture, $"the folder holds {workbooks.Count} spreadsheet workbook(s) ({ImportSession.NameList(workbooks)}), which were not read; the VMs they hold are not in the trace: save each as CSV from the spreadsheet (the Bitbrains layout: a header, fields separated by ';', '.' as the decimal separator), named *.csv, and import again."));
            report.Note("spreadsheets_not_read", workbooks.Count);
        }

        // Usage 0 "often means not measured" (the dataset's notes): read as a measured 0, a VM that mostly reports 0 has
        // its OS base for demand (the month's 512 GB VM: 8 162 of 8 627 rows). Said when it is a large share.
        long zero = zeroByVm.Sum(v => v.Zero), on = zeroByVm.Sum(v => v.On);
        var mostlyZero = zeroByVm.Where(v => v.On > 0 && v.Zero * 2 > v.On).OrderByDescending(v => (double)v.Zero / v.On).ThenBy(v => v.Id, StringComparer.Ordinal).ToList();
        if (mostlyZero.Count > 0)
        {
            var worst = mostlyZero[0];
            warnings.Add(options.UsageZero == BitbrainsUsageZero.Base
                ? string.Create(CultureInfo.InvariantCulture,
                    $"{mostlyZero.Count} VM(s) report a usage of 0 in more than half of the samples where they are on (the most: '{worst.Id}', {100.0 * worst.Zero / worst.On:F1} %; the usage is 0 in {100.0 * zero / on:F1} % of all the trace's samples where a VM is on), read as a measured 0, so their demand is the OS base of the demand model; the dataset's notes say 0 often means not measured: --usage-zero hold carries each VM's last measured usage over them instead (compare the two imports to see what the choice changes).")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{mostlyZero.Count} VM(s) report a usage of 0 before any measured usage in more than half of the samples where they are on (the most: '{worst.Id}', {100.0 * worst.Zero / worst.On:F1} %): --usage-zero hold has nothing to carry there, so those samples are read as 0 (demand = the OS base)."));
            report.Note("vms_mostly_usage_zero", mostlyZero.Count);
        }

        report.Warnings = warnings;
        report.SkippedFiles = skippedFiles;
        var vms = new List<TraceVm>(series.Count);
        foreach (var s in series)
        {
            var settings = options.Settings.FromProvisionedMb(s.MaxProvisionedMb(), out bool clamped);
            if (clamped)
                report.Note("settings_clamped");
            if (s.MaxProvisionedMb() <= 0)
                report.Note("vms_never_on");
            vms.Add(new TraceVm(s.Id, settings));
        }

        IReadOnlyList<TraceVm> table = vms;
        IReadOnlyList<TraceHost> hosts = [];
        if (options.PlaceOnHostMb is int hostMb)
        {
            var placed = ImportPlacement.Place(vms, hostMb, options.PlacementReserveMb, inputFolder);
            table = placed.Vms;
            hosts = placed.Hosts;
        }

        // The trace spans the samples that are on, from the first to the last of any VM (every sample when none is): capacity-0
        // rows before or after them, of a VM never on or of one on at other times, added ticks with no VM on (a review at stop
        // 61: one such row a day early, 288 empty ticks, replay's means over ticks 3.2 % lower, compare's densities raised).
        // Off rows outside are off, as inside.
        var everOn = series.Where(s => s.LastOnTime != long.MinValue).ToList();
        long? lastOn = everOn.Count > 0 ? everOn.Max(s => s.LastOnTime) : null;
        double start = options.StartSeconds ?? (everOn.Count > 0 ? everOn.Min(s => s.FirstOnTime) : ImportPipeline.FirstTime(series));
        if (lastOn < start)
            lastOn = null; // a start given after every sample that is on: the trace runs to the last row, as before (not 0 ticks)
        var meta = new TraceMetadata();
        meta.Set("import.format", Format).Set("import.input", Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(inputFolder))));
        meta.Set("import.clock", "Unix seconds (the header's \"Timestamp [ms]\" is seconds)");
        options.Demand.Record(meta, "Memory usage [KB] / 1024 (clamped to the sample's provisioned capacity when ClampUsageToCapacity); capacity 0 = off");
        options.Record(meta, start);
        report.Record(meta);
        var description = new TraceDescription(options.TickSeconds, string.Create(CultureInfo.InvariantCulture, $"Bitbrains GWA-T-12 per-VM CSV ({files.Count} files), imported by DmKernel.Traces"), meta);
        ImportPipeline.Write(session, outputPath, description, table, hosts, series, start, BitbrainsImportOptions.NominalPeriodSeconds, lastOn);
        return report;
    }

    /// <summary>"; it holds N spreadsheet workbook(s) ('126.xlsx'): save them as CSV ..." for a list that is not empty, else "".</summary>
    private static string WorkbookHint(List<string> workbooks) => workbooks.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
        $"; it holds {workbooks.Count} spreadsheet workbook(s) ({ImportSession.NameList(workbooks)}): save each as CSV from the spreadsheet (the Bitbrains layout: a header, fields separated by ';', '.' as the decimal separator), named *.csv");

    /// <summary>Whether <paramref name="path"/> is an input file: its name ends in ".csv", in any case.</summary>
    internal static bool IsInput(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a file name is that of a Bitbrains file renamed by other tools: ".csv" inside it ("126.csv.txt", "126.csv.bak"), a spreadsheet's "126.xlsx".</summary>
    internal static bool NamedLikeTrace(string name)
        => name.Contains(".csv", StringComparison.OrdinalIgnoreCase) || ImportSession.IsSpreadsheet(name);

    /// <summary>
    /// Whether a file that is not an input looks like a Bitbrains file saved or renamed by other tools, said in a warning:
    /// named so (<see cref="NamedLikeTrace"/>), or any other regular file whose first line starts with "Timestamp" ("126.txt",
    /// "126.tsv"; a readme.txt is not). Compressed files and archives are not (<c>compressed_files_ignored</c> says those).
    /// A named pipe or a device is not opened.
    /// </summary>
    internal static bool LooksLikeTrace(string path)
    {
        if (InputFile.TypeOfTarget(path) is not null)
            return false;
        if (ImportSession.IsSpreadsheet(path))
            return true; // a workbook (.xlsx is a zip archive): said as one to save as CSV, not to unpack
        if (InputFile.Compression(path) is not null)
            return false;
        if (NamedLikeTrace(Path.GetFileName(path)))
            return true;
        Span<byte> head = stackalloc byte[32];
        int n;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            n = RandomAccess.Read(handle, head, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var text = head[..n];
        if (text.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            text = text[3..]; // a UTF-8 byte order mark, as a spreadsheet writes it
        return text.TrimStart(" \t\r\n"u8).StartsWith("Timestamp"u8);
    }

    /// <summary>
    /// A warning when the input's top-level folders (files directly in the input folder count as one, ".") cover time
    /// spans that do not overlap: Bitbrains Rnd publishes each VM's three months as files of the same name in 2013-7,
    /// 2013-8 and 2013-9, and importing the whole trace made 1 500 VMs that are never on together, each placed (or drawn)
    /// beside the others, so hosts needed came out about three times too many with no word. Empty otherwise.
    /// </summary>
    internal static List<string> FolderWarnings(IReadOnlyList<SampleSeries> series)
    {
        var spans = new SortedDictionary<string, (long First, long Last)>(StringComparer.Ordinal);
        var folders = new Dictionary<string, List<string>>(StringComparer.Ordinal); // file name -> the folders holding it
        foreach (SampleSeries s in series)
        {
            int slash = s.Id.IndexOf('/', StringComparison.Ordinal);
            string folder = slash < 0 ? "." : s.Id[..slash];
            string name = s.Id[(s.Id.LastIndexOf('/') + 1)..];
            if (!folders.TryGetValue(name, out List<string>? holding))
                folders[name] = holding = [];
            holding.Add(s.Id);
            if (s.Count == 0)
                continue;
            spans[folder] = spans.TryGetValue(folder, out var span) ? (Math.Min(span.First, s.FirstTime), Math.Max(span.Last, s.LastTime)) : (s.FirstTime, s.LastTime);
        }

        if (spans.Count < 2)
            return [];
        var ordered = spans.OrderBy(kv => kv.Value.First).ToList();
        // The shortest span of a folder that has one (a folder of one sample has none, and would make the tolerance 0).
        long shortest = ordered.Select(kv => kv.Value.Last - kv.Value.First).Where(x => x > 0).DefaultIfEmpty(0).Min(), lastEnd = long.MinValue;
        foreach (var kv in ordered)
        {
            // Two folders that overlap in time are a fleet split by folder (by cluster, by rack), not by month; an overlap of
            // up to 1 % of the shortest folder's span (a month's file running some minutes into the next) still reads as apart.
            if (lastEnd != long.MinValue && kv.Value.First <= lastEnd - (shortest / 100))
                return [];
            lastEnd = Math.Max(lastEnd, kv.Value.Last);
        }

        var ic = CultureInfo.InvariantCulture;
        static string At(long unix) => DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unix, -62135596800, 253402300799)).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        int shared = folders.Values.Count(f => f.Count > 1);
        string same = folders.Values.FirstOrDefault(f => f.Count > 1) is not List<string> first ? "" : string.Create(ic,
            $"; {shared} file name(s) are in more than one folder (the first: '{first[0]}' and '{first[1]}'), as in Bitbrains Rnd, which publishes one VM's months as files of the same name in 2013-7, 2013-8 and 2013-9, so one VM may be here several times");
        return
        [
            string.Create(ic, $"the input's {spans.Count} folders cover time spans one after another ({string.Join("; ", ordered.Select(kv => $"'{kv.Key}': {At(kv.Value.First)} to {At(kv.Value.Last)} UTC"))}): their VMs are never on at the same time, yet each is a VM of the trace, which replay places on hosts (--place-on-host-mb reserves its room for the whole trace) and compare draws beside the others{same}. For a fleet at one time, import one folder (one month)."),
        ];
    }

    /// <summary>
    /// The fast path's results for every file, read in parallel; null when only one thread reads (then each file is read
    /// in the loop). Each thread checks <paramref name="cancel"/> before each file, so Ctrl+C stops the read within a file;
    /// an exception on any thread is thrown as itself after every thread has stopped (<see cref="ParallelWork"/>).
    /// </summary>
    private static BitbrainsFastReader.Result?[]? ReadFast(List<(string Rel, string Path)> files, long[] sizes, BitbrainsImportOptions options, ImportSession session, SampleSpill spill, CancellationToken cancel)
    {
        int threads = Math.Min(options.ReadThreads == 0 ? Environment.ProcessorCount : options.ReadThreads, files.Count);
        if (threads <= 1 || options.GeneralPathOnly)
            return null;
        // A failure on any thread (the spill's disk full) stops the others and is thrown as itself once all have stopped.
        return ParallelWork.Run<BitbrainsFastReader.Result?>(files.Count, threads, () =>
        {
            byte[] buffer = [];
            return i =>
            {
                var result = BitbrainsFastReader.TryRead(files[i].Path, files[i].Rel, options, spill, ref buffer);
                if (result is not null)
                    session.Read(sizes[i]); // else the general path reads it again, in file order, and reports it
                return result;
            };
        }, cancel);
    }

    private static SampleSeries? ReadFile(ImportSession session, string path, string id, BitbrainsImportOptions options, SampleSpill spill)
    {
        var report = session.Report;
        int truncatedLine = session.TruncatedLastLine(path);
        if (truncatedLine < 0)
            return null;
        using var reader = Sep.New(';').Reader(o => o with { HasHeader = false, DisableColCountCheck = true, DisableQuotesParsing = true }).FromFile(path);
        var series = new SampleSeries(id, spill);
        bool header = true;
        bool holdZero = options.UsageZero == BitbrainsUsageZero.HoldLast;
        var counts = default(BitbrainsSampleCounts); // the notes of the samples kept, and the last usage kept (UsageZero HoldLast)
        long rowsBefore = report.RowsRead;
        var blanks = default(ImportSession.PendingBlankLines); // accepted at the end of the file: trailing_blank_lines
        const string Separated = "Bitbrains: ';'-separated";
        foreach (var row in reader)
        {
            int line = row.RowIndex + 1; // quotes are off, so one row = one line (Sep 0.17 reports LineNumberFrom = 2 for the first row)
            if (!header && blanks.Hold(row.Span, line))
                continue;
            blanks.Release(session, Columns.Length, path, Separated);

            if (header)
            {
                header = false;
                if (row.ColCount != Columns.Length || !row[0].Span.Trim().StartsWith("Timestamp", StringComparison.Ordinal))
                {
                    session.Problem(ImportErrorKind.BadHeader, path, line, 1, Columns[0], $"'{ImportSession.Clip(row.Span)}'", string.Create(CultureInfo.InvariantCulture, $"the Bitbrains header of {Columns.Length} ';'-separated fields starting with \"Timestamp [ms]\""));
                    return null;
                }

                // The columns read are found by position: each must carry its name and unit (every file of the published
                // traces does), or a file with swapped columns or other units would be read as memory in KB.
                foreach (int col in (ReadOnlySpan<int>)[ColTime, ColCapacity, ColUsage])
                {
                    if (!row[col].Span.Trim().Equals(Columns[col], StringComparison.OrdinalIgnoreCase))
                    {
                        session.Problem(ImportErrorKind.BadHeader, path, line, col + 1, Columns[col], $"'{ImportSession.Clip(row[col].Span.Trim())}'",
                            string.Create(CultureInfo.InvariantCulture, $"\"{Columns[col]}\" (field {col + 1} of the Bitbrains header; the importer reads this column by position)"));
                        return null;
                    }
                }

                continue;
            }

            report.RowsRead++;
            if (line == truncatedLine)
            {
                session.Problem(ImportErrorKind.TruncatedLastLine, path, line, row.ColCount, row.ColCount <= Columns.Length ? Columns[Math.Max(0, row.ColCount - 1)] : null,
                    "the file ends in the middle of this line (no line break)", "every line to end with a line break (LF, CR LF or CR)");
                continue;
            }

            if (!session.CheckColumns(row.ColCount, Columns.Length, path, line, Separated, blank: false, null))
                continue;
            if (!session.TryTimestamp(row[ColTime].Span, path, line, ColTime + 1, Columns[ColTime], MaxUnixSeconds, "Unix seconds", out long time, wholeDecimals: true, refuseRoundedENotation: true)
                || !session.TryDouble(row[ColCapacity].Span, path, line, ColCapacity + 1, Columns[ColCapacity], "KB", out double capacityKb)
                || !session.TryDouble(row[ColUsage].Span, path, line, ColUsage + 1, Columns[ColUsage], "KB", out double usageKb))
                continue;
            int ceiling = options.Settings.MaxCeilingMb;
            if (ExceedsCeiling(capacityKb, ceiling))
            {
                session.Problem(ImportErrorKind.OutOfRange, path, line, ColCapacity + 1, Columns[ColCapacity],
                    string.Create(CultureInfo.InvariantCulture, $"{ImportSession.Clip(row[ColCapacity].Span.Trim())} KB ({(capacityKb / 1024).ToString(capacityKb < 1e18 ? "0.###" : "0.####E+0", CultureInfo.InvariantCulture)} MB) is more than MaxCeiling"),
                    string.Create(CultureInfo.InvariantCulture, $"a provisioned size of at most {ceiling * 1024L} KB (R1's MaxCeiling, {ceiling} MB)"));
                continue;
            }

            // With the clamp on, a usage above the sample's (valid) capacity becomes that capacity below, whatever its size:
            // the published data has absurd usages (126.csv: 12 GiB used of 6 144 KB), and one past 16 TB was refused
            // where a smaller absurd one was clamped (before stop 55).
            if (usageKb > MaxUsageKb && !(options.ClampUsageToCapacity && capacityKb > 0))
            {
                session.Problem(ImportErrorKind.OutOfRange, path, line, ColUsage + 1, Columns[ColUsage],
                    $"{ImportSession.Clip(row[ColUsage].Span.Trim())} KB is more than 16 TB",
                    string.Create(CultureInfo.InvariantCulture, $"a usage of at most {MaxUsageKb:F0} KB (16 TB)"));
                continue;
            }

            if (series.IsBackwards(time))
            {
                session.Problem(ImportErrorKind.TimestampBackwards, path, line, ColTime + 1, Columns[ColTime],
                    string.Create(CultureInfo.InvariantCulture, $"{time} is earlier than the previous row's {series.LastTime}"), "non-decreasing timestamps (equal ones are duplicates: the last row wins)");
                continue;
            }

            // The notes count the samples kept (a row replaced by a later one of its time counts for nothing, since stop 61),
            // and a usage 0 holds the last usage kept, not that of a row replaced.
            bool replaces = series.Replaces(time), above = false, zero = false, held = false;
            double measuredKb = 0;
            int value;
            if (capacityKb == 0)
            {
                value = TraceValues.Off;
            }
            else
            {
                if (usageKb > capacityKb)
                {
                    above = true;
                    if (options.ClampUsageToCapacity)
                        usageKb = capacityKb;
                }

                if (usageKb == 0)
                {
                    zero = true;
                    double lastUsageKb = counts.LastUsageKb(replaces);
                    if (holdZero && lastUsageKb > 0)
                    {
                        usageKb = options.ClampUsageToCapacity ? Math.Min(lastUsageKb, capacityKb) : lastUsageKb;
                        held = true;
                    }
                }
                else
                {
                    measuredKb = usageKb;
                }

                if (!session.TryMeasured(options.Demand, usageKb / 1024, path, line, ColUsage + 1, Columns[ColUsage], row[ColUsage].Span, out value))
                    continue;
            }

            if (series.Add(time, value, capacityKb / 1024))
                report.Note("duplicate_timestamps");
            counts.Add(replaces, off: capacityKb == 0, above, zero, held, measuredKb);
        }

        series.Complete();
        counts.Complete();
        counts.AddTo(report);
        report.Note("trailing_blank_lines", blanks.AtEnd);
        if (header)
        {
            session.Problem(ImportErrorKind.EmptyFile, path, 0, 0, null, "the file has no lines", "the Bitbrains header and data rows");
            return null;
        }

        if (report.RowsRead == rowsBefore)
        {
            session.Problem(ImportErrorKind.EmptyFile, path, 0, 0, null, "the file has a header but no data rows", "at least one data row");
            return null;
        }

        if (series.Count == 0)
        {
            report.Note("vms_without_valid_rows"); // lenient: every row was skipped
            return null;
        }

        return series;
    }
}
