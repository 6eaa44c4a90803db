using System.Text;
using DmKernel.Traces;

using static DmKernel.Tests.Traces.BitbrainsText;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The per-sample notes of the Bitbrains import (<c>off_samples</c>, <c>usage_zero_samples</c>, <c>usage_zero_held</c>,
/// <c>usage_above_capacity</c>) and the <c>vms_mostly_usage_zero</c> warning's shares count the samples the trace keeps,
/// after a duplicate timestamp's last row wins, on the fast and the general read path (a review at stop 61: they counted
/// every row read, so a row that a later row of the same time replaces changed them though the trace was the same: a
/// losing usage-0 row before each capacity-0 row of the committed month took usage_zero_samples from 15 517 to 25 059 and
/// the warning from 2 VMs to 3). Under --usage-zero hold a replaced row's usage was carried over the zeros after it.
/// </summary>
public sealed class BitbrainsDuplicateCountTests
{
    private const long Start = 1_375_308_000;
    private const long Capacity = 4_194_304;

    /// <summary>One row of a VM: off (capacity 0), usage 0 or a measured usage.</summary>
    private enum Kind
    {
        Off,
        Zero,
        Used,
    }

    /// <summary>
    /// A file of <paramref name="kinds"/>' rows, 5 minutes apart; with <paramref name="duplicate"/>, each row has before it a row
    /// of the same time that it replaces, as <paramref name="duplicate"/> gives for the row's kind (capacity, usage).
    /// </summary>
    private static string Vm(Kind[] kinds, Func<Kind, (long CapacityKb, long UsageKb)>? duplicate = null)
    {
        var text = new StringBuilder(Header);
        for (int i = 0; i < kinds.Length; i++)
        {
            long time = Start + (i * 300L);
            if (duplicate is not null)
            {
                var (c, u) = duplicate(kinds[i]);
                text.Append(Row(time, c, u));
            }

            text.Append(kinds[i] switch
            {
                Kind.Off => Row(time, 0, 0),
                Kind.Zero => Row(time, Capacity, 0),
                _ => Row(time, Capacity, 1_048_576 + (i * 10_240)),
            });
        }

        return text.ToString();
    }

    private static Kind[] Kinds(params (Kind Kind, int Count)[] runs) => [.. runs.SelectMany(r => Enumerable.Repeat(r.Kind, r.Count))];

    // VM 1: 30 samples of usage 0, then 6 measured, then 4 off: usage 0 in 30 of its 36 on-samples (83 %), warned about.
    private static readonly Kind[] Vm1 = Kinds((Kind.Zero, 30), (Kind.Used, 6), (Kind.Off, 4));

    // VM 2: 8 of usage 0, 18 measured, 4 of usage 0 (held under hold), 10 off: usage 0 in 12 of its 30 on-samples (40 %).
    private static readonly Kind[] Vm2 = Kinds((Kind.Zero, 8), (Kind.Used, 18), (Kind.Zero, 4), (Kind.Off, 10));

    /// <summary>
    /// VM 1's losing rows: a usage above capacity before each usage 0, a usage 0 before each measured one, a measured one
    /// before each off one; VM 2's: a usage 0 before each usage 0, an off row before each measured one and each off one.
    /// Counted row by row, VM 1 had usage 0 in 36 of 76 "on" rows (no warning) and VM 2 in 24 of 42 (warned).
    /// </summary>
    private static void WriteFolders(TempDir dir)
    {
        dir.Write("plain/1.csv", Vm(Vm1));
        dir.Write("plain/2.csv", Vm(Vm2));
        dir.Write("dup/1.csv", Vm(Vm1, k => k switch
        {
            Kind.Zero => (Capacity, 5_000_000),
            Kind.Used => (Capacity, 0),
            _ => (Capacity, 2_000_000),
        }));
        dir.Write("dup/2.csv", Vm(Vm2, k => k == Kind.Zero ? (Capacity, 0) : (0, 0)));
    }

    public static TheoryData<string, BitbrainsUsageZero> Paths() => new()
    {
        { "fast, parallel", BitbrainsUsageZero.Base },
        { "fast, one thread", BitbrainsUsageZero.Base },
        { "general", BitbrainsUsageZero.Base },
        { "fast, parallel", BitbrainsUsageZero.HoldLast },
        { "fast, one thread", BitbrainsUsageZero.HoldLast },
        { "general", BitbrainsUsageZero.HoldLast },
    };

    private static BitbrainsImportOptions Options(string path, BitbrainsUsageZero usageZero) => path switch
    {
        "fast, parallel" => new() { ReadThreads = 2, UsageZero = usageZero },
        "fast, one thread" => new() { ReadThreads = 1, UsageZero = usageZero },
        _ => new() { GeneralPathOnly = true, UsageZero = usageZero },
    };

    private static Dictionary<string, long> NotesBut(ImportReport report, params string[] left)
        => report.Notes.Where(kv => !left.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Theory]
    [MemberData(nameof(Paths))]
    public void LosingDuplicateRows_ChangeNoSampleNote_NorTheUsageZeroWarning(string path, BitbrainsUsageZero usageZero)
    {
        using var dir = new TempDir();
        WriteFolders(dir);
        var options = Options(path, usageZero);
        ImportReport plain = BitbrainsImporter.Import(dir.File("plain"), dir.File("plain.dmt"), options);
        ImportReport dup = BitbrainsImporter.Import(dir.File("dup"), dir.File("dup.dmt"), options);

        // Rows are rows: each duplicate is a row read, and counted as a duplicate.
        Assert.Equal(80, plain.RowsRead);
        Assert.Equal(160, dup.RowsRead);
        Assert.Equal(0, plain.NoteOf("duplicate_timestamps"));
        Assert.Equal(80, dup.NoteOf("duplicate_timestamps"));

        // The trace is the same, and so is every note of its samples and every warning.
        TraceData a = TraceData.Load(dir.File("plain.dmt")), b = TraceData.Load(dir.File("dup.dmt"));
        for (int v = 0; v < 2; v++)
            Assert.Equal(a.Series(v), b.Series(v));
        Assert.Equal(NotesBut(plain, "duplicate_timestamps"), NotesBut(dup, "duplicate_timestamps"));
        Assert.Equal(plain.Warnings, dup.Warnings);

        // The samples kept: 14 off, 42 of usage 0 (4 held under hold), none above capacity; VM 1 warned about at 83.3 %.
        Assert.Equal(14, dup.NoteOf("off_samples"));
        Assert.Equal(42, dup.NoteOf("usage_zero_samples"));
        Assert.Equal(usageZero == BitbrainsUsageZero.HoldLast ? 4 : 0, dup.NoteOf("usage_zero_held"));
        Assert.Equal(0, dup.NoteOf("usage_above_capacity"));
        Assert.Equal(1, dup.NoteOf("vms_mostly_usage_zero"));
        string warning = Assert.Single(dup.Warnings, w => w.Contains("usage of 0", StringComparison.Ordinal));
        Assert.Contains("'1.csv', 83.3 %", warning, StringComparison.Ordinal);
        if (usageZero == BitbrainsUsageZero.Base)
            Assert.Contains("in 63.6 % of all the trace's samples where a VM is on", warning, StringComparison.Ordinal); // 42 of 66
    }

    [Fact]
    public void TheFastAndTheGeneralPath_CountTheSameSamples_WhenRowsAreReplaced()
    {
        using var dir = new TempDir();
        WriteFolders(dir);
        ImportReport fast = BitbrainsImporter.Import(dir.File("dup"), dir.File("fast.dmt"), new BitbrainsImportOptions { ReadThreads = 1, UsageZero = BitbrainsUsageZero.HoldLast });
        ImportReport general = BitbrainsImporter.Import(dir.File("dup"), dir.File("general.dmt"), new BitbrainsImportOptions { GeneralPathOnly = true, UsageZero = BitbrainsUsageZero.HoldLast });
        Assert.Equal(NotesBut(general), NotesBut(fast));
        Assert.Equal(general.RowsRead, fast.RowsRead);
        Assert.Equal(general.Warnings, fast.Warnings);
    }

    [Fact]
    public void UsageZeroHold_CarriesTheLastKeptUsage_NotThatOfARowReplaced()
    {
        // A measured usage replaced by a usage 0 of the same time is not the VM's last measured usage: the zero after it
        // carries the one before (2 GiB), as the file without the replaced row gives.
        using var dir = new TempDir();
        dir.Write("plain/1.csv", Header + Row(Start, Capacity, 2_097_152) + Row(Start + 300, Capacity, 0) + Row(Start + 600, Capacity, 0));
        dir.Write("dup/1.csv", Header + Row(Start, Capacity, 2_097_152) + Row(Start + 300, Capacity, 3_145_728) + Row(Start + 300, Capacity, 0) + Row(Start + 600, Capacity, 0));
        foreach (bool general in new[] { false, true })
        {
            var options = new BitbrainsImportOptions { GeneralPathOnly = general, UsageZero = BitbrainsUsageZero.HoldLast };
            ImportReport plain = BitbrainsImporter.Import(dir.File("plain"), dir.File("plain.dmt"), options);
            ImportReport dup = BitbrainsImporter.Import(dir.File("dup"), dir.File("dup.dmt"), options);
            Assert.Equal(TraceData.Load(dir.File("plain.dmt")).Series(0), TraceData.Load(dir.File("dup.dmt")).Series(0));
            Assert.Equal(2, dup.NoteOf("usage_zero_held"));
            Assert.Equal(NotesBut(plain, "duplicate_timestamps"), NotesBut(dup, "duplicate_timestamps"));
        }
    }
}
