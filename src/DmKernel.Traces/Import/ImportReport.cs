namespace DmKernel.Traces;

/// <summary>What an import read, skipped (lenient mode) and wrote.</summary>
public sealed class ImportReport
{
    private readonly Dictionary<ImportErrorKind, long> _skipped = [];
    private readonly SortedDictionary<string, long> _notes = new(StringComparer.Ordinal);

    internal ImportReport(string format) => Format = format;

    /// <summary>The importer ("bitbrains-gwa-t-12", "alibaba-2018-machine-usage", "google-2011-gcd").</summary>
    public string Format { get; }

    /// <summary>The native trace written.</summary>
    public string OutputPath { get; internal set; } = "";

    /// <summary>Input files read (including skipped ones).</summary>
    public int Files { get; internal set; }

    /// <summary>Data rows read (header lines not counted), including skipped ones.</summary>
    public long RowsRead { get; internal set; }

    /// <summary>VMs in the trace.</summary>
    public int Vms { get; internal set; }

    /// <summary>Hosts in the trace (0 = no placement).</summary>
    public int Hosts { get; internal set; }

    /// <summary>Ticks in the trace.</summary>
    public long Ticks { get; internal set; }

    /// <summary>Rows (or files, for file-level kinds) skipped in lenient mode, per kind; kinds never seen are absent.</summary>
    public IReadOnlyDictionary<ImportErrorKind, long> Skipped => _skipped;

    /// <summary>All skipped rows and files.</summary>
    public long SkippedTotal
    {
        get
        {
            long sum = 0;
            foreach (var kv in _skipped)
                sum += kv.Value;
            return sum;
        }
    }

    /// <summary>
    /// Counts of quirks handled (not errors): "duplicate_timestamps", "off_samples", "usage_above_capacity",
    /// "usage_zero_samples", "ticks_held" (VM-ticks holding a value over a missing sample; docs/importers.md),
    /// "ticks_off_in_gaps", "settings_clamped" (raised to 32 MB), ...
    /// </summary>
    public IReadOnlyDictionary<string, long> Notes => _notes;

    /// <summary>
    /// The VMs whose demand is above their provisioned memory in more than half of their on-samples (they page under any
    /// packing: a demand model that does not fit them, or VMs that were really short), worst first: by that share, then
    /// by median demand over provisioned size.
    /// </summary>
    public IReadOnlyList<DemandAboveProvisioned> DemandAboveProvisioned { get; internal set; } = [];

    /// <summary>
    /// Warnings about the input as a whole that change what the trace means (not errors: the import goes on), e.g. a
    /// Bitbrains folder whose sub-folders cover time spans that do not overlap (one month each): their VMs are never on
    /// together, yet each is a VM of the trace. Empty when none.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; internal set; } = [];

    /// <summary>
    /// The files skipped as files that editors and copies leave beside the data, not traces (an Office lock file
    /// "~$126.csv", a macOS resource fork "._126.csv", anything under "__MACOSX/"), by relative path in ordinal order
    /// (<c>system_files_skipped</c>).
    /// </summary>
    internal IReadOnlyList<string> SystemFilesSkipped { get; set; } = [];

    /// <summary>
    /// The files <see cref="ImportOptions.Lenient"/> skipped whole (relative path, and the kind of their problem): Bitbrains
    /// in file order (those it cannot read first), GCD in ordinal order of the path. A file none of whose rows was taken
    /// is one, with the kind of its last skipped row.
    /// </summary>
    internal IReadOnlyList<(string File, ImportErrorKind Kind)> SkippedFiles { get; set; } = [];

    /// <summary>
    /// Alibaba: the machines <see cref="ImportOptions.Lenient"/> skipped every row of (machine id, and the kind of its last
    /// skipped row), in the order the file first names them. Only rows whose machine id was read count (9 fields, an id of
    /// plain text): a row of the wrong field count names no machine.
    /// </summary>
    internal IReadOnlyList<(string Machine, ImportErrorKind Kind)> SkippedMachines { get; set; } = [];

    /// <summary>The size of the input files the import reads, in bytes (the files it skips or ignores are not counted).</summary>
    internal long InputBytes { get; set; }

    /// <summary>The first (by name) of the compressed files the import did not read (<c>compressed_files_ignored</c>), else null.</summary>
    internal string? FirstCompressedIgnored { get; set; }

    /// <summary>Skipped count of one kind (0 when none).</summary>
    public long SkippedOf(ImportErrorKind kind) => _skipped.TryGetValue(kind, out long n) ? n : 0;

    /// <summary>A note's count (0 when absent).</summary>
    public long NoteOf(string name) => _notes.TryGetValue(name, out long n) ? n : 0;

    internal void Skip(ImportErrorKind kind) => _skipped[kind] = SkippedOf(kind) + 1;

    internal void Note(string name, long count = 1)
    {
        if (count != 0)
            _notes[name] = NoteOf(name) + count;
    }

    internal void Record(TraceMetadata m)
    {
        m.Set("report.files", Files).Set("report.rows_read", RowsRead);
        foreach (var kv in _skipped)
            m.Set($"report.skipped.{kv.Key}", kv.Value);
        foreach (var kv in _notes)
            m.Set($"report.note.{kv.Key}", kv.Value);
    }
}

/// <summary>A VM whose demand exceeds its provisioned memory for most of its on-time.</summary>
/// <param name="Id">The VM id.</param>
/// <param name="ProvisionedMb">Its provisioned memory (the trace's Maximum).</param>
/// <param name="MedianUsedMb">Median of what the source measured (MB) over its on-samples.</param>
/// <param name="MedianDemandMb">Median committed demand after the demand model.</param>
/// <param name="ShareAbove">Share of its on-samples with demand above what it can be served.</param>
public sealed record DemandAboveProvisioned(string Id, int ProvisionedMb, double MedianUsedMb, int MedianDemandMb, double ShareAbove);
