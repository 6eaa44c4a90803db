using System.Globalization;

namespace DmKernel.Traces;

/// <summary>One import run: the options' strictness, the report, and field parsing that names file, line and column.</summary>
internal sealed class ImportSession(ImportOptions options, string format, IProgress<ImportProgress>? progress = null, CancellationToken cancel = default)
{
    private long _bytesRead, _totalBytes;

    /// <summary>The input's size, before anything is read (and reported as 0 read).</summary>
    public void InputBytes(long total)
    {
        _totalBytes = total;
        Report.InputBytes = total;
        progress?.Report(new ImportProgress(0, total));
    }

    /// <summary><paramref name="bytes"/> more of the input read (any thread).</summary>
    public void Read(long bytes)
    {
        long read = Interlocked.Add(ref _bytesRead, bytes);
        progress?.Report(new ImportProgress(read, _totalBytes));
    }

    /// <summary>The input read up to <paramref name="position"/> (one file read in order).</summary>
    public void ReadTo(long position)
    {
        Volatile.Write(ref _bytesRead, position);
        progress?.Report(new ImportProgress(position, _totalBytes));
    }

    /// <summary>Stops the import (an <see cref="OperationCanceledException"/>, nothing written) when the caller cancels.</summary>
    public CancellationToken Cancel { get; } = cancel;

    public ImportReport Report { get; } = new(format);

    public ImportOptions Options { get; } = options;

    /// <summary>Strict: throws <see cref="TraceImportException"/>. Lenient: counts the skip; the caller skips the row (or file).</summary>
    public void Problem(ImportErrorKind kind, string file, int line, int column, string? columnName, string found, string expected)
    {
        if (!Options.Lenient)
            throw new TraceImportException(kind, file, line, column, columnName, found, expected);
        Report.Skip(kind);
        LastSkipped = new Skipped(kind, file, line, column, columnName, found, expected);
        if (FirstSkipped is null)
            Interlocked.CompareExchange(ref _firstSkipped, new Skipped(kind, file, line, column, columnName, found, expected), null);
    }

    /// <summary>The first problem <see cref="ImportOptions.Lenient"/> skipped (where it was and what), or null.</summary>
    public Skipped? FirstSkipped => Volatile.Read(ref _firstSkipped);

    private Skipped? _firstSkipped;

    /// <summary>The last problem <see cref="ImportOptions.Lenient"/> skipped, or null (set by the thread that reads in file order).</summary>
    public Skipped? LastSkipped { get; private set; }

    /// <summary>
    /// Blank lines of one file not yet known to be at its end: held while they come (<see cref="Hold"/>), reported as lines
    /// of the wrong field count when a row follows them (<see cref="Release"/>), and accepted at the end of the file
    /// (<see cref="AtEnd"/>, the importers' <c>trailing_blank_lines</c>).
    /// </summary>
    internal struct PendingBlankLines
    {
        private int _first, _count;

        /// <summary>Blank lines held at the end of the file (none where a row followed the last of them).</summary>
        public readonly int AtEnd => _count;

        /// <summary>Whether <paramref name="row"/> (line <paramref name="line"/>) is blank once trimmed: then it is held.</summary>
        public bool Hold(ReadOnlySpan<char> row, int line)
        {
            if (!row.Trim().IsEmpty)
                return false;
            if (_count++ == 0)
                _first = line;
            return true;
        }

        /// <summary>A row follows: the lines held were not at the end, and are reported (<see cref="BlankLines"/>). Returns how many.</summary>
        public int Release(ImportSession session, int expected, string file, string format)
        {
            int n = _count;
            if (n > 0)
                session.BlankLines(_first, n, expected, file, format);
            _count = 0;
            return n;
        }
    }

    /// <summary>
    /// Reports <paramref name="count"/> blank lines from <paramref name="firstLine"/> on that turned out not to be at the end
    /// of the file (a row followed them): each is a row read and a <see cref="ImportErrorKind.WrongColumnCount"/> ("the line
    /// is empty"). Blank lines at the end are not reported: the caller counts them as <c>trailing_blank_lines</c>.
    /// </summary>
    public void BlankLines(int firstLine, int count, int expected, string file, string format)
    {
        for (int i = 0; i < count; i++)
        {
            Report.RowsRead++;
            CheckColumns(1, expected, file, firstLine + i, format, blank: true, null);
        }
    }

    internal sealed record Skipped(ImportErrorKind Kind, string File, int Line, int Column, string? ColumnName, string Found, string Expected);

    /// <summary>
    /// Where --lenient skipped every row or file, the import has nothing left: that is an error (naming the first problem
    /// skipped and the counts) rather than a trace of 0 VMs written over the output.
    /// </summary>
    public void RefuseNothingLeft(int vms)
    {
        if (vms > 0 || FirstSkipped is not { } first)
            return;
        string counts = string.Join(", ", Report.Skipped.OrderBy(kv => kv.Key).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value}")));
        throw new TraceImportException(first.Kind, first.File, first.Line, first.Column, first.ColumnName,
            $"{first.Found} (the first of the problems --lenient skipped: {counts}; nothing was left to import)", first.Expected);
    }

    /// <summary>Parses a finite number (whitespace, including tabs, trimmed); reports EmptyField, NotANumber, NotFinite (NaN,
    /// Infinity), OutOfRange (digits beyond binary64's range), NegativeValue.</summary>
    public bool TryDouble(ReadOnlySpan<char> text, string file, int line, int column, string name, string unit, out double value)
    {
        var s = text.Trim();
        if (s.IsEmpty)
        {
            Problem(ImportErrorKind.EmptyField, file, line, column, name, "the field is empty", $"a number ({unit})");
            value = 0;
            return false;
        }

        if (s.Contains('\0') || !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) // .NET's parsers accept trailing NULs
        {
            value = 0;
            Problem(ImportErrorKind.NotANumber, file, line, column, name, $"'{Clip(s)}' is not a number{NotANumberHint(s)}", $"a decimal number ({unit})");
            return false;
        }

        if (double.IsInfinity(value) && s.IndexOfAnyInRange('0', '9') >= 0)
        {
            // Written with digits but beyond binary64 (1e400, a number of 400 digits): out of range, not NaN or Infinity.
            Problem(ImportErrorKind.OutOfRange, file, line, column, name, $"'{Clip(s)}' is too large to hold (beyond about 1.8e308)", $"a finite number ({unit})");
            value = 0;
            return false;
        }

        if (!double.IsFinite(value))
        {
            Problem(ImportErrorKind.NotFinite, file, line, column, name, $"'{Clip(s)}' is not finite", $"a finite number ({unit})");
            return false;
        }

        if (value < 0)
        {
            Problem(ImportErrorKind.NegativeValue, file, line, column, name, $"{Clip(s)} is negative", $"a value >= 0 ({unit})");
            return false;
        }

        return true;
    }

    /// <summary>
    /// Every file in <paramref name="folder"/> and below, as <c>Directory.EnumerateFiles(folder, "*",
    /// SearchOption.AllDirectories)</c> gives them (links followed, hidden files included, an unreadable folder an error),
    /// except that a folder reached again through a link (<c>ln -s . loop</c>, or two links to one folder) is not walked
    /// again: before stop 59 a link to the folder itself was walked until the system's link limit, each file read 41
    /// times. Folders are told apart by <see cref="OutputFile.Identity"/> (device and inode; where it has none, by path).
    /// </summary>
    internal static IEnumerable<string> EnumerateFilesOnce(string folder)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal) { FolderKey(folder) };
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 };
        return new System.IO.Enumeration.FileSystemEnumerable<string>(folder, (ref System.IO.Enumeration.FileSystemEntry e) => e.ToSpecifiedFullPath(), options)
        {
            ShouldIncludePredicate = (ref System.IO.Enumeration.FileSystemEntry e) => !e.IsDirectory,
            ShouldRecursePredicate = (ref System.IO.Enumeration.FileSystemEntry e) => visited.Add(FolderKey(e.ToFullPath())),
        };

        static string FolderKey(string path) => OutputFile.Identity(path) is byte[] id ? Convert.ToHexString(id.AsSpan(24)) : "path:" + Path.GetFullPath(path);
    }

    /// <summary>The significant digits an E-notation number's mantissa shows (1.3753082E+09: 8), or -1 without an exponent.</summary>
    internal static int MantissaDigits(ReadOnlySpan<char> s)
    {
        int e = s.IndexOfAny('e', 'E');
        if (e < 0)
            return -1;
        int digits = 0;
        bool leading = true;
        foreach (char c in s[..e])
        {
            if (c is < '0' or > '9' || (leading && c == '0'))
                continue;
            leading = false;
            digits++;
        }

        return digits;
    }

    /// <summary>
    /// Parses a whole number of seconds from 0 to <paramref name="max"/>; with <paramref name="wholeDecimals"/>, also a
    /// decimal whose value is a whole number ("386640.0", "3.8664E5": a column a schema declares double, re-exported).
    /// With <paramref name="refuseRoundedENotation"/> (Bitbrains, whose Unix seconds have ten digits and no pattern of
    /// trailing zeros), E-notation that shows fewer significant digits than the whole number has is refused as rounded.
    /// </summary>
    public bool TryTimestamp(ReadOnlySpan<char> text, string file, int line, int column, string name, long max, string unit, out long value, bool wholeDecimals = false, bool refuseRoundedENotation = false)
    {
        var s = text.Trim();
        value = 0;
        if (s.IsEmpty)
        {
            Problem(ImportErrorKind.EmptyField, file, line, column, name, "the field is empty", $"a timestamp ({unit})");
            return false;
        }

        if (wholeDecimals && !s.Contains('\0') && !long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            && double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double d)
            && double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 9e15)
        {
            // E-notation with fewer significant digits than the whole number has is a spreadsheet's rounding
            // (1375308176 shown as 1.3753082E+09 is 1375308200): refused, as reading it would move the sample in silence.
            int shown = MantissaDigits(s), whole = ((long)Math.Abs(d)).ToString(CultureInfo.InvariantCulture).Length;
            if (refuseRoundedENotation && shown >= 0 && shown < whole)
            {
                Problem(ImportErrorKind.NotANumber, file, line, column, name,
                    string.Create(CultureInfo.InvariantCulture, $"'{Clip(s)}' shows {shown} significant digit{(shown == 1 ? "" : "s")} of a {whole}-digit timestamp: rounded, as a spreadsheet's number format saves what it shows (format the column as a whole number and save again)"),
                    $"a timestamp in whole {unit}");
                return false;
            }

            s = ((long)d).ToString(CultureInfo.InvariantCulture).AsSpan(); // then range-checked as the whole number it is
        }

        if (s.Contains('\0') || !long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)) // .NET's parsers accept trailing NULs
        {
            value = 0;
            if (IsWholeNumber(s))
            {
                // Digits that overflow 64 bits: a value out of range, not garbage.
                bool negative = s[0] == '-';
                Problem(negative ? ImportErrorKind.NegativeValue : ImportErrorKind.OutOfRange, file, line, column, name,
                    $"{Clip(s)} is {(negative ? "negative" : "too large")}", string.Create(CultureInfo.InvariantCulture, $"a timestamp from 0 to {max} ({unit})"));
                return false;
            }

            Problem(ImportErrorKind.NotANumber, file, line, column, name, $"'{Clip(s)}' is not a whole number{NotANumberHint(s)}", $"a timestamp in whole {unit}");
            return false;
        }

        if (value < 0)
        {
            Problem(ImportErrorKind.NegativeValue, file, line, column, name, string.Create(CultureInfo.InvariantCulture, $"{value} is negative"), $"a timestamp >= 0 ({unit})");
            return false;
        }

        if (value > max)
        {
            Problem(ImportErrorKind.OutOfRange, file, line, column, name, string.Create(CultureInfo.InvariantCulture, $"{value} is too large"), string.Create(CultureInfo.InvariantCulture, $"a timestamp from 0 to {max} ({unit})"));
            return false;
        }

        return true;
    }

    /// <summary>
    /// The measured part of a row's demand by <paramref name="demand"/> (<see cref="DemandModel.Measured"/>; the VM's OS base
    /// is added when the trace is written). A demand that could pass <see cref="TraceValues.MaxCommittedMb"/> (what a trace
    /// and the kernel hold: 16 TB) with the largest base a VM can have (<see cref="DemandModel.LargestBaseMb"/>) is
    /// <see cref="ImportErrorKind.OutOfRange"/> at the measured column.
    /// </summary>
    public bool TryMeasured(DemandModel demand, double usedMb, string file, int line, int column, string name, ReadOnlySpan<char> text, out int value)
    {
        value = demand.Measured(usedMb, out bool tooLarge);
        if (!tooLarge)
            return true;
        double measured = Math.Round(usedMb * demand.K, MidpointRounding.AwayFromZero);
        string gives = demand.LargestBaseMb == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Clip(text.Trim())} gives a committed demand of {measured:G6} MB")
            : string.Create(CultureInfo.InvariantCulture, $"{Clip(text.Trim())} gives a measured demand of {measured:G6} MB, up to {measured + demand.LargestBaseMb:G6} MB with the OS base");
        Problem(ImportErrorKind.OutOfRange, file, line, column, name, gives,
            string.Create(CultureInfo.InvariantCulture, $"a demand of at most {TraceValues.MaxCommittedMb} MB (16 TB) after the demand model (used MB × {demand.K} + {demand.OsBaseMb})"));
        return false;
    }

    /// <summary>Checks that a row has <paramref name="expected"/> fields; reports WrongColumnCount at the first missing or extra column.</summary>
    public bool CheckColumns(int count, int expected, string file, int line, string format)
        => CheckColumns(count, expected, file, line, format, blank: false, null);

    /// <summary>
    /// <see cref="CheckColumns(int, int, string, int, string)"/> that says "the line is empty" for a blank line (whitespace
    /// only: before stop 55 "1 fields") and names the table a field count points to (<paramref name="otherTables"/>: field
    /// count → what a file of that many fields is).
    /// </summary>
    public bool CheckColumns(int count, int expected, string file, int line, string format, bool blank, IReadOnlyDictionary<int, string>? otherTables)
    {
        if (count == expected)
            return true;
        if (blank)
        {
            Problem(ImportErrorKind.WrongColumnCount, file, line, 1, null, "the line is empty",
                string.Create(CultureInfo.InvariantCulture, $"{expected} fields ({format}); a blank line is not data (--lenient skips and counts it)"));
            return false;
        }

        string found = otherTables is not null && otherTables.TryGetValue(count, out string? table)
            ? string.Create(CultureInfo.InvariantCulture, $"{count} fields, as in {table}")
            : string.Create(CultureInfo.InvariantCulture, $"{count} fields");
        Problem(ImportErrorKind.WrongColumnCount, file, line, Math.Min(count, expected) + 1, null,
            found, string.Create(CultureInfo.InvariantCulture, $"{expected} fields ({format})"));
        return false;
    }

    /// <summary>What a file that cannot be read is expected to be (<see cref="ImportErrorKind.UnreadableFile"/>).</summary>
    public const string ReadableExpected = "a regular file that this user may read";

    /// <summary>What a compressed input file is expected to be (<see cref="ImportErrorKind.CompressedFile"/>), before the command that unpacks it.</summary>
    public const string CompressedExpected = "uncompressed text";

    /// <summary>
    /// Whether the input file <paramref name="path"/> can be read (<see cref="InputFile.WhyUnreadable"/>) as text; if not,
    /// reports <see cref="ImportErrorKind.UnreadableFile"/> naming it and why, or <see cref="ImportErrorKind.CompressedFile"/>
    /// naming its format and what unpacks it (strict: throws; lenient: the caller skips the file).
    /// </summary>
    public bool Readable(string path)
    {
        if (InputFile.WhyUnreadable(path) is string why)
        {
            Problem(ImportErrorKind.UnreadableFile, path, 0, 0, null, why, ReadableExpected);
            return false;
        }

        if (InputFile.Compression(path) is not var (what, unpack))
            return true;
        if (IsSpreadsheet(path))
        {
            Problem(ImportErrorKind.CompressedFile, path, 0, 0, null, SpreadsheetFound, SpreadsheetExpected);
            return false;
        }

        Problem(ImportErrorKind.CompressedFile, path, 0, 0, null, $"it is {what}, not text", $"{CompressedExpected}: unpack it first ({unpack}) and import what it holds");
        return false;
    }

    /// <summary>
    /// When <paramref name="path"/> does not end with a line break, the 1-based number of its last line (cut off);
    /// otherwise 0. Line breaks are counted as the CSV reader (Sep) splits rows: a line feed, a carriage return + line
    /// feed, or a carriage return alone, so the number is the reader's row number of the cut line, and a file whose lines
    /// end with carriage returns is not cut at all (before, only line feeds were counted: such a file was cut "at line 1",
    /// and a lone carriage return earlier in a file moved the cut line onto the row before the real one).
    /// Reports <see cref="ImportErrorKind.EmptyFile"/> for a file of 0 bytes (returns -1).
    /// </summary>
    public int TruncatedLastLine(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (f.Length == 0)
        {
            Problem(ImportErrorKind.EmptyFile, path, 0, 0, null, "the file is empty (0 bytes)", "at least one row");
            return -1;
        }

        f.Position = f.Length - 1;
        int lastByte = f.ReadByte();
        if (lastByte is '\n' or '\r')
            return 0;
        f.Position = 0;
        int lines = 1;
        bool afterCr = false; // the previous byte (perhaps in the previous block) was a carriage return
        var buffer = new byte[1 << 16];
        int n;
        while ((n = f.Read(buffer)) > 0)
        {
            var block = buffer.AsSpan(0, n);
            lines += block.Count((byte)'\n') + block.Count((byte)'\r');
            if (afterCr && block[0] == '\n')
                lines--; // a CR + LF split over two blocks: one break
            for (int i = block.IndexOf("\r\n"u8); i >= 0; i = block.IndexOf("\r\n"u8))
            {
                lines--; // CR + LF: one break, counted twice above
                block = block[(i + 2)..];
            }

            afterCr = buffer[n - 1] == '\r';
        }

        return lines;
    }

    /// <summary>
    /// Throws <see cref="TraceImportException"/> (<see cref="ImportErrorKind.NoInput"/>) naming the first file or folder under
    /// <paramref name="folder"/> that cannot be opened by the name .NET reads for it: on Unix a name whose bytes are not
    /// UTF-8 is read with U+FFFD in their place, which names no file. Such a file failed with "Could not find file" (naming
    /// a file that is there), and such a folder was passed over in silence by the recursive search, its VMs left out.
    /// </summary>
    public static void RefuseUnreadableNames(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 };
        foreach (FileSystemInfo entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", options))
        {
            if (entry.Name.Contains('\uFFFD', StringComparison.Ordinal) && !entry.Exists)
            {
                throw new TraceImportException(ImportErrorKind.NoInput, entry.FullName, 0, 0, null,
                    $"the {(entry is DirectoryInfo ? "folder" : "file")} name '{Clip(entry.Name)}' is not UTF-8 text (its other bytes are shown as \uFFFD), so it cannot be opened by that name",
                    "file and folder names of UTF-8 text under the input folder (rename it)");
            }
        }
    }

    /// <summary>
    /// Counts the compressed files and archives in <paramref name="folder"/> or below that the import does not read
    /// (<paramref name="isInput"/> false), in the report's <c>compressed_files_ignored</c> with the first by name: a folder
    /// unpacked in part (126.csv.gz beside 27.csv) would otherwise lose the VMs they hold without a word. Only files that
    /// are not inputs are opened (262 bytes each; a named pipe or a link to one is not).
    /// </summary>
    public static void NoteCompressedOthers(ImportReport report, string folder, Func<string, bool> isInput)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        string? first = null;
        long count = 0;
        foreach (string file in Directory.EnumerateFiles(folder, "*", options))
        {
            if (isInput(file) || IsSpreadsheet(file) || InputFile.TypeOfTarget(file) is not null || InputFile.Compression(file) is null)
                continue; // a workbook is not an archive to unpack
            count++;
            string rel = Path.GetRelativePath(folder, file);
            if (first is null || string.CompareOrdinal(rel, first) < 0)
                first = rel;
        }

        report.Note("compressed_files_ignored", count);
        if (first is not null)
            report.FirstCompressedIgnored = Clip(first);
    }

    /// <summary>
    /// For a folder in which an importer found no input files: "; it holds N compressed files or archives (the first:
    /// 'x.csv.gz', gzip-compressed ...): unpack them first (gunzip, ...)" when the folder (or one below it) holds files
    /// that are compressed or archives, as a download unpacked one level only leaves them (Bitbrains' *.csv.gz, the GCD
    /// derivation's GCD_VMs.tar.gz); otherwise "". The first 10 000 files are looked at.
    /// </summary>
    /// <remarks>
    /// Spreadsheet workbooks (.xlsx and .ods are zip archives) are not among them: with <paramref name="workbooks"/>, "; it
    /// holds N spreadsheet workbook(s) (the first: 'x.xlsx'): save them as text from the spreadsheet" is added for them
    /// (before 2026-12-07 they were told to be unpacked), else they are left to the caller.
    /// </remarks>
    public static string CompressedHint(string folder, bool workbooks = true)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        string? first = null, firstWorkbook = null;
        (string What, string Unpack) format = default;
        int count = 0, workbookCount = 0;
        foreach (string file in Directory.EnumerateFiles(folder, "*", options).Order(StringComparer.Ordinal).Take(10_000))
        {
            if (InputFile.TypeOfTarget(file) is not null || InputFile.Compression(file) is not var (what, unpack))
                continue; // a named pipe is not opened to look inside
            if (IsSpreadsheet(file))
            {
                if (workbookCount++ == 0)
                    firstWorkbook = Path.GetRelativePath(folder, file);
                continue;
            }

            count++;
            if (first is null)
                (first, format) = (Path.GetRelativePath(folder, file), (what, unpack));
        }

        string sheets = !workbooks || firstWorkbook is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $"; it holds {workbookCount} spreadsheet workbook(s) (the first: '{Clip(firstWorkbook)}'): save {(workbookCount == 1 ? "it" : "them")} as text from the spreadsheet (not unpacked: the archive holds XML, not the rows)");
        return sheets + (first is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $"; it holds {count} compressed file{(count == 1 ? "" : "s")} or archive{(count == 1 ? "" : "s")} (the first: '{Clip(first)}', {format.What}): unpack {(count == 1 ? "it" : "them")} first ({format.Unpack})"));
    }

    /// <summary>The first three of <paramref name="names"/> quoted (clipped), then "and N more" for the rest.</summary>
    public static string NameList(IReadOnlyList<string> names)
    {
        string shown = string.Join(", ", names.Take(3).Select(n => $"'{Clip(n)}'"));
        return names.Count <= 3 ? shown : string.Create(CultureInfo.InvariantCulture, $"{shown} and {names.Count - 3} more");
    }

    /// <summary>
    /// Why a field that is not a number may be so, as a spreadsheet or another tool re-saves a trace: ": quotes are not
    /// expected around a value" ("386640" quoted), ": a comma as the decimal separator (a spreadsheet's locale?)"
    /// (2097152,0, a number with '.' in its place); otherwise "".
    /// </summary>
    internal static string NotANumberHint(ReadOnlySpan<char> s)
    {
        if (s.Length >= 2 && (s[0] is '"' or '\'') && s[^1] == s[0])
            return ": quotes are not expected around a value (the trace writes none)";
        if (s.Contains(',') && !s.Contains('.') && s.Count(',') == 1 && double.TryParse(s.ToString().Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v))
            return ": a comma as the decimal separator (a spreadsheet's locale?); the trace writes '.'";
        return "";
    }

    /// <summary>Whether <paramref name="path"/> is named as a spreadsheet workbook (.xlsx, .xlsm, .xls, .ods): .xlsx and .ods are zip archives, to be saved as CSV, not unpacked.</summary>
    internal static bool IsSpreadsheet(string path)
        => path.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".xlsm", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith(".xls", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ods", StringComparison.OrdinalIgnoreCase);

    /// <summary>What a spreadsheet workbook given as an input is (<see cref="ImportErrorKind.CompressedFile"/>).</summary>
    internal const string SpreadsheetFound = "it is a spreadsheet workbook (a zip archive of XML), not text";

    /// <summary>What a spreadsheet workbook given as an input is expected to be instead.</summary>
    internal const string SpreadsheetExpected = "CSV text: save it as CSV from the spreadsheet (not unpacked: the archive holds XML, not the rows) and import that";

    /// <summary>
    /// Whether <paramref name="relative"/> (a path under the input folder, '/'-separated) is a file that editors and copies
    /// leave beside the data, not a trace: an Office lock file ("~$126.csv"), a macOS resource fork ("._126.csv"), anything
    /// in a "__MACOSX" folder (what macOS's zip adds).
    /// </summary>
    internal static bool IsSystemFile(string relative)
    {
        string name = relative[(relative.LastIndexOf('/') + 1)..];
        return name.StartsWith("~$", StringComparison.Ordinal) || name.StartsWith("._", StringComparison.Ordinal)
            || ("/" + relative).Contains("/__MACOSX/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An optional sign and at least one digit, nothing else.</summary>
    private static bool IsWholeNumber(ReadOnlySpan<char> s)
    {
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
            s = s[1..];
        return !s.IsEmpty && !s.ContainsAnyExceptInRange('0', '9');
    }

    public static string Clip(ReadOnlySpan<char> s)
    {
        // Characters that show as nothing or as a plain space, or act on the terminal (a NUL of a zero-filled block, a DOS
        // end-of-file Ctrl-Z, an escape, a non-breaking space a spreadsheet writes between thousands, a byte order mark)
        // shown escaped: "\u0000", "\u001A", "\u00A0" (before 2026-12-07 control characters were U+FFFD, the others raw).
        string text = s.Length <= 40 ? s.ToString() : string.Concat(s[..40], "…");
        int first = 0;
        while (first < text.Length && !IsInvisible(text[first]))
            first++;
        if (first == text.Length)
            return text;
        var escaped = new System.Text.StringBuilder(text.Length + 12);
        foreach (char c in text)
        {
            if (IsInvisible(c))
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else
                escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>A character <see cref="Clip"/> escapes: a control character but tab, or one of Unicode's spaces but ' ', format characters (zero-width, BOM) and line or paragraph separators.</summary>
    private static bool IsInvisible(char c) => c != '\t' && c != ' ' && char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.SpaceSeparator
        or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
