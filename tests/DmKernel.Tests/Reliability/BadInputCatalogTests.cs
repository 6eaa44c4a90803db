using System.Buffers.Binary;
using System.Globalization;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Reliability;

/// <summary>
/// The bad-input catalog (docs/bad-input.md): for settings, every importer and the native format, each case of bad
/// input that no other test covers, tried and answered with an error that names the place (file, line and column; or
/// VM and setting; or section, chunk, tick and VM) and what was expected. Tests elsewhere cover the other cells; the
/// document lists them.
/// </summary>
public class BadInputCatalogTests
{
    private const string BitbrainsHeader =
        "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    private static string Bb(string time, string capacityKb = "2097152.0", string usageKb = "1048576.0") =>
        $"{time};\t2;\t5199.99;\t57.19;\t1.1;\t{capacityKb};\t{usageKb};\t0.0;\t2.46;\t0.06;\t0.06\n";

    private static string Bb(long time, string capacityKb = "2097152.0", string usageKb = "1048576.0") =>
        Bb(time.ToString(CultureInfo.InvariantCulture), capacityKb, usageKb);

    private const string GoodAlibabaRow = "m_1,0,41,50,,,1,1,1\n";

    private static string GcdDay(string row = "10.5 20.25\n") => string.Concat(Enumerable.Repeat(row, GoogleGcdImportOptions.RowsPerDay));

    /// <summary>The exception names the kind, the file, the line and column (in its properties and its message) and what was expected.</summary>
    private static void AssertPlace(TraceImportException e, ImportErrorKind kind, string file, int line, int column, string expected)
    {
        Assert.Equal(kind, e.Kind);
        Assert.Equal((file, line, column), (e.File, e.Line, e.Column));
        string place = line == 0 ? file : column == 0 ? $"{file}:{line}" : $"{file}:{line}:{column}";
        Assert.StartsWith($"{place}: {kind}: ", e.Message, StringComparison.Ordinal);
        if (line > 0)
            Assert.Contains($"line {line}", e.Message, StringComparison.Ordinal);
        if (column > 0)
            Assert.Contains($"column {column}", e.Message, StringComparison.Ordinal);
        Assert.Contains("; expected ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message[e.Message.IndexOf("; expected ", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    private static TraceImportException ImportBitbrains(string text, out string file, BitbrainsImportOptions? options = null)
    {
        using var dir = new TempDir();
        file = dir.Write("2013-8/1.csv", text);
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.Path, dir.File("out.dmt"), options));
        Assert.False(File.Exists(dir.File("out.dmt")));
        return e;
    }

    private static TraceImportException ImportAlibaba(string text, out string file, AlibabaImportOptions? options = null)
    {
        using var dir = new TempDir();
        file = dir.Write("machine_usage.csv", text);
        string f = file;
        var e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(f, dir.File("out.dmt"), options ?? new AlibabaImportOptions { HostMb = 4096 }));
        Assert.False(File.Exists(dir.File("out.dmt")));
        return e;
    }

    private static TraceImportException ImportGcd(string text, out string file, GoogleGcdImportOptions? options = null, string name = "vm_7_1")
    {
        using var dir = new TempDir();
        file = dir.Write(name, text);
        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("out.dmt"), options ?? new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        Assert.False(File.Exists(dir.File("out.dmt")));
        return e;
    }

    // ---------------------------------------------------------------- settings: Fleet.AddVm / Configure (R1)

    [Theory]
    [InlineData("negative Startup", -2, 32, 1024, "Startup", "at least Minimum (32 MB)")]
    [InlineData("negative Minimum", 512, -512, 1024, "Minimum", "at least 32 MB")]
    [InlineData("negative Maximum", 512, 512, -1024, "Maximum", "at least Startup (512 MB)")]
    [InlineData("zero sizes", 0, 0, 0, "Minimum", "at least 32 MB")]
    [InlineData("zero Maximum", 512, 512, 0, "Maximum", "at least Startup (512 MB)")]
    [InlineData("int.MaxValue Startup", int.MaxValue, 512, 1024, "Startup", "a multiple of 2 MB")]
    [InlineData("int.MaxValue - 1 Maximum", 512, 512, int.MaxValue - 1, "Maximum", "at most MaxCeiling (1048576 MB)")]
    [InlineData("int.MinValue Minimum", 512, int.MinValue, 1024, "Minimum", "at least 32 MB")]
    public void Settings_NegativeZeroOrExtremeSize_IsRefusedNamingVmAndSetting(string scenario, int startup, int minimum, int maximum, string setting, string expected)
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(16384, 4, 0)]);
        Assert.Equal(0, fleet.AddVm(0, VmSettings.Default));
        var bad = new VmSettings(startup, minimum, maximum);

        var added = Assert.Throws<SettingRejectedException>(() => fleet.AddVm(0, bad));
        var configured = Assert.Throws<SettingRejectedException>(() => fleet.Configure(0, bad));

        foreach (var (e, vm) in new[] { (added, 1), (configured, 0) })
        {
            Assert.True((vm, setting, "R1") == (e.Vm, e.Setting, e.Rule), scenario);
            Assert.StartsWith($"VM {vm}: {setting} = ", e.Message, StringComparison.Ordinal);
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        }

        Assert.False(fleet.IsUsed(1));
        Assert.Equal(VmSettings.Default, fleet.GetSettings(0));
    }

    [Fact]
    public void Settings_UnknownGuestKind_IsRefusedNamingVmAndSetting()
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(16384, 4, 0)]);
        var e = Assert.Throws<SettingRejectedException>(() => fleet.AddVm(0, VmSettings.Default with { Guest = (GuestKind)7 }));
        Assert.Equal((0, "Guest", 7L, "R1"), (e.Vm, e.Setting, e.Value, e.Rule));
        Assert.Contains("Windows or Linux", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(int.MaxValue)]
    public void Settings_VmOnAHostThatDoesNotExist_IsRefusedNamingTheHost(int host)
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(16384, 4, 0)]);
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => fleet.AddVm(host, VmSettings.Default));
        Assert.Equal("host", e.ParamName);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Host {host} does not exist; the fleet has hosts 0..0"), e.Message, StringComparison.Ordinal);
        Assert.False(fleet.IsUsed(0));
    }

    // ---------------------------------------------------------------- settings: importer options

    /// <summary>Options with one value changed; the others valid.</summary>
    private static ImportOptions OptionsWith(string option, double value) => option switch
    {
        "HostMb" => new AlibabaImportOptions { HostMb = checked((int)value) },
        "HostReserveMb" => new AlibabaImportOptions { HostMb = 65_536, HostReserveMb = checked((int)value) },
        "VmSizeMb" => new GoogleGcdImportOptions { VmSizeMb = checked((int)value) },
        "VmSizeMb over a lowered MaxCeiling" => new GoogleGcdImportOptions { VmSizeMb = checked((int)value), Settings = new VmSettingsRule { MaxCeilingMb = 65_536 } },
        "PlaceOnHostMb" => new BitbrainsImportOptions { PlaceOnHostMb = checked((int)value) },
        "PlacementReserveMb" => new GoogleGcdImportOptions { VmSizeMb = 1024, PlaceOnHostMb = 65_536, PlacementReserveMb = checked((int)value) },
        "TickSeconds" => new BitbrainsImportOptions { TickSeconds = value },
        "StartSeconds" => new BitbrainsImportOptions { StartSeconds = value },
        "Demand.K" => new BitbrainsImportOptions { Demand = new DemandModel { K = value } },
        "Demand.OsBaseMb" => new BitbrainsImportOptions { Demand = new DemandModel { OsBaseMb = value } },
        "Settings.BufferPercent" => new BitbrainsImportOptions { Settings = new VmSettingsRule { BufferPercent = checked((int)value) } },
        "Settings.MinimumDivisor" => new BitbrainsImportOptions { Settings = new VmSettingsRule { MinimumDivisor = checked((int)value) } },
        "Settings.MaxCeilingMb" => new BitbrainsImportOptions { Settings = new VmSettingsRule { MaxCeilingMb = checked((int)value) } },
        _ => throw new ArgumentOutOfRangeException(nameof(option), option, "no such row"),
    };

    [Theory]
    [InlineData("negative", "HostMb", -4096d)]
    [InlineData("negative", "HostReserveMb", -2d)]
    [InlineData("negative", "VmSizeMb", -1024d)]
    [InlineData("negative", "PlaceOnHostMb", -65536d)]
    [InlineData("negative", "PlacementReserveMb", -2d)]
    [InlineData("zero", "PlaceOnHostMb", 0d)]
    [InlineData("zero", "Settings.MaxCeilingMb", 0d)]
    [InlineData("odd", "HostMb", 4097d)]
    [InlineData("odd", "HostReserveMb", 2047d)]
    [InlineData("odd", "PlacementReserveMb", 2047d)]
    [InlineData("odd", "Settings.MaxCeilingMb", 65535d)]
    [InlineData("out of range", "TickSeconds", 2e9)]
    [InlineData("out of range", "Settings.BufferPercent", 2001d)]
    [InlineData("out of range", "Settings.MinimumDivisor", 0d)]
    [InlineData("out of range", "Demand.K", 1001d)]
    [InlineData("NaN", "TickSeconds", double.NaN)]
    [InlineData("NaN", "Demand.K", double.NaN)]
    [InlineData("Infinity", "TickSeconds", double.PositiveInfinity)]
    [InlineData("Infinity", "StartSeconds", double.NegativeInfinity)]
    [InlineData("Infinity", "Demand.OsBaseMb", double.PositiveInfinity)]
    [InlineData("over 16 TB", "HostMb", 2147483646d)]
    [InlineData("over 16 TB", "VmSizeMb", 2147483647d)]
    [InlineData("over 16 TB", "Settings.MaxCeilingMb", 2147483646d)]
    [InlineData("over MaxCeiling", "HostMb", 2097152d)]
    [InlineData("over MaxCeiling", "VmSizeMb", 2097152d)]
    [InlineData("over MaxCeiling", "VmSizeMb over a lowered MaxCeiling", 65538d)]
    public void ImportOptions_BadValue_IsRefusedNamingTheOptionAndWhatWasExpected(string scenario, string option, double value)
    {
        var options = OptionsWith(option, value);
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(options.Validate);
        string name = option.Split(' ')[0];
        Assert.True(name == e.ParamName, $"{scenario}: expected option {name}, got {e.ParamName}: {e.Message}");
        Assert.StartsWith($"{name} = {value.ToString(CultureInfo.InvariantCulture)}: expected ", e.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- Bitbrains

    [Fact]
    public void Bitbrains_ZeroUsage_IsKept_DemandIsTheOsBase()
    {
        using var dir = new TempDir();
        dir.Write("v.csv", BitbrainsHeader + Bb(0, usageKb: "0") + Bb(300, usageKb: "0.0"));
        string output = dir.File("o.dmt");
        var report = BitbrainsImporter.Import(dir.Path, output);
        Assert.Equal([512, 512], TraceData.Load(output).Series(0)); // usage 0 is "not measured": demand = OS base
        Assert.Equal(2, report.NoteOf("usage_zero_samples"));
    }

    [Fact]
    public void Bitbrains_OddProvisionedSize_RoundsUpToAMultipleOf2()
    {
        using var dir = new TempDir();
        dir.Write("v.csv", BitbrainsHeader + Bb(0, capacityKb: "1049600.0", usageKb: "1000.5")); // 1025 MB provisioned
        string output = dir.File("o.dmt");
        BitbrainsImporter.Import(dir.Path, output);
        var data = TraceData.Load(output);
        Assert.Equal(VmSettings.Dynamic(1026, 258, 1026), data.Vms[0].Settings); // Minimum = roundUp2(1026 / 4)
        // round(1000.5 KB / 1024) = 1, plus the OS base round(min(512, 25 % × 1026)) = round(256.5) = 257.
        Assert.Equal([258], data.Series(0));
    }

    [Fact]
    public void Bitbrains_CommaSeparatedRow_IsWrongColumnCount()
    {
        string row = Bb(300).Replace(";\t", ",", StringComparison.Ordinal);
        var e = ImportBitbrains(BitbrainsHeader + Bb(0) + row, out string file);
        AssertPlace(e, ImportErrorKind.WrongColumnCount, file, 3, 2, "11 fields (Bitbrains: ';'-separated)");
        Assert.Contains("1 fields", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bitbrains_CommaSeparatedFile_IsBadHeader()
    {
        string text = (BitbrainsHeader + Bb(0)).Replace(";\t", ",", StringComparison.Ordinal);
        var e = ImportBitbrains(text, out string file);
        AssertPlace(e, ImportErrorKind.BadHeader, file, 1, 1, "11 ';'-separated fields");
    }

    /// <summary>
    /// --lenient that skips every row or file leaves nothing to import: an error naming the first problem skipped and the
    /// counts, and the earlier output untouched (before: a trace of 0 VMs replaced it, exit 0).
    /// </summary>
    [Fact]
    public void Lenient_SkippingEverything_IsAnError_NamingTheFirstProblem_TheEarlierOutputKept()
    {
        using var dir = new TempDir();
        string output = dir.Write("out.dmt", "an earlier trace");
        dir.Write("bb/2013-8/1.csv", BitbrainsHeader.Replace(";\t", ",", StringComparison.Ordinal) + Bb(0));
        dir.Write("bb/2013-8/2.csv", "");
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("bb"), output, new BitbrainsImportOptions { Lenient = true }));
        Assert.Equal(ImportErrorKind.BadHeader, e.Kind);
        Assert.EndsWith("1.csv", e.File, StringComparison.Ordinal);
        Assert.Contains("(the first of the problems --lenient skipped: EmptyFile 1, BadHeader 1; nothing was left to import)", e.Message, StringComparison.Ordinal);

        string alibaba = dir.Write("machine_usage.csv", "m_1,10,41,abc,,,1,1,1\nm_1,20,41,150,,,1,1,1\n");
        e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(alibaba, output, new AlibabaImportOptions { HostMb = 4096, Lenient = true }));
        Assert.Equal((alibaba, 1), (e.File, e.Line));
        Assert.Contains("nothing was left to import", e.Message, StringComparison.Ordinal);
        Assert.Equal("an earlier trace", File.ReadAllText(output));
        Assert.Equal(["bb", "machine_usage.csv", "out.dmt"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());
    }

    /// <summary>
    /// The importer reads the time, capacity and usage columns by position: a header whose field there names another
    /// column or unit (usage in MB, capacity and usage swapped) is refused at that field, on the general path and on the
    /// parallel fast path alike (before: only the field count and "Timestamp" were checked, and MB were read as KB).
    /// </summary>
    [Theory]
    [InlineData("Memory usage [KB]", "Memory usage [MB]", 7, true)]
    [InlineData("Memory usage [KB]", "Memory usage [MB]", 7, false)]
    [InlineData("Memory capacity provisioned [KB]", "Memory usage [KB]", 6, true)]
    [InlineData("Memory capacity provisioned [KB]", "Memory usage [KB]", 6, false)]
    [InlineData("Timestamp [ms]", "Timestamp [s] (local)", 1, false)]
    public void Bitbrains_HeaderNamingAnotherColumnOrUnit_WhereAColumnIsRead_IsBadHeader(string column, string instead, int field, bool generalPath)
    {
        using var dir = new TempDir();
        dir.Write("2013-8/1.csv", BitbrainsHeader + Bb(0) + Bb(300));
        string file = dir.Write("2013-8/2.csv", BitbrainsHeader.Replace(column + ";", instead + ";", StringComparison.Ordinal) + Bb(0) + Bb(300));
        var options = new BitbrainsImportOptions { ReadThreads = 2, GeneralPathOnly = generalPath };
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.Path, dir.File("out.dmt"), options));
        AssertPlace(e, ImportErrorKind.BadHeader, file, 1, field, $"\"{column}\" (field {field} of the Bitbrains header");
        Assert.Contains($"'{instead}'", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("out.dmt")));

        // Other columns are not read: their names are not checked (the count is).
        File.WriteAllText(file, BitbrainsHeader.Replace("CPU usage [MHZ]", "CPU usage [GHz]", StringComparison.Ordinal) + Bb(0) + Bb(300));
        Assert.Equal(2, BitbrainsImporter.Import(dir.Path, dir.File("out.dmt"), options).Vms);
    }

    [Theory]
    [InlineData("capacity over MaxCeiling", "0", "2147483648.0", "1048576.0", 6, "2147483648.0 KB (2097152 MB) is more than MaxCeiling", "a provisioned size of at most 1073741824 KB (R1's MaxCeiling, 1048576 MB)")]
    [InlineData("capacity over 32 bits of MB", "0", "1e13", "1048576.0", 6, "1e13 KB (9765625000 MB) is more than MaxCeiling", "a provisioned size of at most 1073741824 KB")]
    [InlineData("capacity of 300 digits", "0", "1e300", "1048576.0", 6, "1e300 KB (9.7656E+296 MB) is more than MaxCeiling", "a provisioned size of at most 1073741824 KB")]
    [InlineData("usage over 16 TB where the clamp cannot take it (capacity 0)", "0", "0", "1e13", 7, "1e13 KB is more than 16 TB", "a usage of at most 17179869184 KB (16 TB)")]
    [InlineData("timestamp over 64 bits", "99999999999999999999", "2097152.0", "1048576.0", 1, "99999999999999999999 is too large", "a timestamp from 0 to 9999999999 (Unix seconds)")]
    public void Bitbrains_SizeOverMaxCeilingOrOverflowing_IsOutOfRange(string scenario, string time, string capacityKb, string usageKb, int column, string found, string expected)
    {
        var e = ImportBitbrains(BitbrainsHeader + Bb(300) + Bb(time, capacityKb, usageKb), out string file);
        AssertPlace(e, ImportErrorKind.OutOfRange, file, 3, column, expected);
        Assert.True(e.Message.Contains($"({BitbrainsImporter.Columns[column - 1]}): {found}; expected", StringComparison.Ordinal), $"{scenario}: {e.Message}");
    }

    [Fact]
    public void Bitbrains_CapacityOverMaxCeiling_IsAcceptedUnderARaisedCeiling_AndSkippedWhenLenient()
    {
        using var dir = new TempDir();
        dir.Write("v.csv", BitbrainsHeader + Bb(0) + Bb(300, capacityKb: "2147483648.0"));
        string output = dir.File("o.dmt");
        var raised = BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { Settings = new VmSettingsRule { MaxCeilingMb = 4_194_304 } });
        Assert.Equal(2_097_152, TraceData.Load(output).Vms[0].Settings.MaximumMb);
        Assert.Equal(0, raised.SkippedTotal);

        var lenient = BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { Lenient = true });
        Assert.Equal(1, lenient.SkippedOf(ImportErrorKind.OutOfRange));
        Assert.Equal(2048, TraceData.Load(output).Vms[0].Settings.MaximumMb);
        Assert.Equal("1", TraceData.Load(output).Header.Metadata["import.skipped.OutOfRange"]);
    }

    [Fact]
    public void Bitbrains_DemandOver16TbAfterTheDemandModel_IsOutOfRange()
    {
        // 1 TB of usage × k = 1000 is 1 000 TB of committed memory: more than a trace or the kernel holds.
        var options = new BitbrainsImportOptions { Demand = new DemandModel { K = 1000 } };
        var e = ImportBitbrains(BitbrainsHeader + Bb(0, capacityKb: "1073741824.0", usageKb: "1073741824.0"), out string file, options);
        AssertPlace(e, ImportErrorKind.OutOfRange, file, 2, 7, "a demand of at most 16777216 MB (16 TB) after the demand model");
        Assert.Contains("gives a committed demand of 1.04858E+09 MB", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// One row dated years before the others starts the trace there: the span error names that file too, not only a
    /// file whose samples are right (it named only the other VM).
    /// </summary>
    [Fact]
    public void Bitbrains_OneRowYearsEarly_TheSpanErrorNamesTheFileThatStartsTheTrace()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", BitbrainsHeader + Bb(1_375_308_176) + Bb(1_375_308_476));
        dir.Write("b.csv", BitbrainsHeader + Bb(1_000_000_000) + Bb(1_375_308_176));
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.Path, dir.File("o.dmt")));
        Assert.Equal(ImportErrorKind.OutOfRange, e.Kind);
        Assert.Contains("after the trace starts at 1000000000 s, the earliest sample, in 'b.csv'", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The 16 TB check counts the largest base a VM can have (the base capped at its percentage of 16 TB), not the
    /// uncapped option: --os-base-mb 16777216 with the 25 % cap gives a 4 GB VM a 1 GB base, a demand of 2 GB (it was
    /// refused as "a committed demand of 1.67782E+07 MB", a demand the model never produces).
    /// </summary>
    [Fact]
    public void Bitbrains_HugeOsBaseUnderItsCap_IsNotOutOfRange()
    {
        var options = new BitbrainsImportOptions { Demand = new DemandModel { OsBaseMb = 16_777_216, OsBaseCapPercent = 25 } };
        using var dir = new TempDir();
        dir.Write("a.csv", BitbrainsHeader + Bb(0, capacityKb: "4194304.0", usageKb: "1048576.0"));
        string output = dir.File("o.dmt");
        BitbrainsImporter.Import(dir.Path, output, options);
        TraceData t = TraceData.Load(output);
        Assert.Equal(4096, t.Vms[0].Settings.MaximumMb);
        Assert.Equal([1024 + 1024], t.Series(0));
    }

    /// <summary>
    /// The provisioned size is kept in binary64 until roundUp2: 2 097 152.1 KB (2048.0001 MB) is 2050 MB, not the
    /// 2048 a binary32 rounding gave (the fast and the general reader alike).
    /// </summary>
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Bitbrains_ProvisionedSizeJustAboveAnEvenMb_RoundsUp(string newline)
    {
        using var dir = new TempDir();
        dir.Write("a.csv", (BitbrainsHeader + Bb(0, capacityKb: "2097152.1", usageKb: "1048576.0")).Replace("\n", newline, StringComparison.Ordinal));
        string output = dir.File("o.dmt");
        BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { Demand = new DemandModel { OsBaseMb = 0 } });
        Assert.Equal(2050, TraceData.Load(output).Vms[0].Settings.MaximumMb);
    }

    [Fact]
    public void Bitbrains_VmLargerThanThePlacementHosts_IsOutOfRangeNamingTheVm()
    {
        // No host column: the importer places VMs. A VM that fits no host is named, with the host size it needs.
        using var dir = new TempDir();
        dir.Write("a.csv", BitbrainsHeader + Bb(0, capacityKb: "8388608.0"));
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.Path, dir.File("o.dmt"), new BitbrainsImportOptions { PlaceOnHostMb = 8192 }));
        AssertPlace(e, ImportErrorKind.OutOfRange, dir.Path, 0, 0, "a PlaceOnHostMb of at least 10240 MB");
        Assert.Contains("VM 0 ('a.csv') needs Startup 8192 MB", e.Message, StringComparison.Ordinal);
    }

    [UnixFact]
    public void Bitbrains_BackslashInAFileName_GivesItsOwnVmId()
    {
        // VM ids are relative paths with '/': on Unix a '\' is part of a file name, not a separator, so "x\1.csv" and
        // "x/1.csv" are two VMs (they used to get the same id "x/1.csv", which the writer refused as a duplicate).
        using var dir = new TempDir();
        dir.Write("x\\1.csv", BitbrainsHeader + Bb(0));
        dir.Write("x/1.csv", BitbrainsHeader + Bb(0));
        string output = dir.File("o.dmt");
        BitbrainsImporter.Import(dir.Path, output);
        Assert.Equal(["x/1.csv", "x\\1.csv"], TraceData.Load(output).Vms.Select(v => v.Id));
    }

    /// <summary>
    /// A file or folder under the input folder whose name is not UTF-8 (Linux allows any bytes; .NET reads them as U+FFFD,
    /// which names no file) is refused naming it: the folder was passed over in silence by the recursive search, its VMs left
    /// out of the trace, and the file failed with "Could not find file", naming a file that is there.
    /// </summary>
    [UnixFact]
    public void InputNameThatIsNotUtf8_IsRefusedNamingIt_NotLeftOut()
    {
        if (!OperatingSystem.IsLinux())
            return; // other Unix file systems may refuse such names
        using var dir = new TempDir();
        dir.Write("bb/a/1.csv", BitbrainsHeader + Bb(0));
        dir.Write("gcd/vm_7_1", GcdDay());
        void Shell(string script)
        {
            using var sh = System.Diagnostics.Process.Start("sh", ["-c", script, "sh", dir.Path])!;
            sh.WaitForExit();
            Assert.Equal(0, sh.ExitCode);
        }

        try
        {
            NotUtf8Names(dir, Shell);
        }
        finally
        {
            Shell("rm -rf \"$1/bb\" \"$1/gcd\""); // names .NET cannot delete by
        }
    }

    private static void NotUtf8Names(TempDir dir, Action<string> shell)
    {
        // A folder "x\xff" holding a good VM file, beside the good "a": the import took "a" alone.
        shell("mkdir \"$1/bb/x$(printf '\\377')\" && cp \"$1/bb/a/1.csv\" \"$1/bb/x$(printf '\\377')/2.csv\"");
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("bb"), dir.File("o.dmt")));
        Assert.Equal(ImportErrorKind.NoInput, e.Kind);
        Assert.Contains("the folder name 'x\uFFFD' is not UTF-8 text", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("o.dmt")));

        shell("rm -r \"$1/bb/x$(printf '\\377')\" && cp \"$1/bb/a/1.csv\" \"$1/bb/a/y$(printf '\\376').csv\"");
        e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("bb"), dir.File("o.dmt"), new BitbrainsImportOptions { Lenient = true }));
        Assert.Equal(ImportErrorKind.NoInput, e.Kind);
        Assert.Contains("the file name 'y\uFFFD.csv' is not UTF-8 text", e.Message, StringComparison.Ordinal);

        shell("mkdir \"$1/gcd/x$(printf '\\377')\" && cp \"$1/gcd/vm_7_1\" \"$1/gcd/x$(printf '\\377')/vm_8_1\"");
        e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.File("gcd"), dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        Assert.Equal(ImportErrorKind.NoInput, e.Kind);
        Assert.Contains("the folder name 'x\uFFFD' is not UTF-8 text", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("o.dmt")));
    }

    // ---------------------------------------------------------------- Alibaba

    [Theory]
    [InlineData("negative mem_util", "m_1,60,41,-5,,,1,1,1", ImportErrorKind.NegativeValue, 4, "a value >= 0 (percent of the machine)")]
    [InlineData("negative time_stamp", "m_1,-60,41,50,,,1,1,1", ImportErrorKind.NegativeValue, 2, "a timestamp >= 0")]
    [InlineData("time_stamp over a year", "m_1,31536001,41,50,,,1,1,1", ImportErrorKind.OutOfRange, 2, "a timestamp from 0 to 31536000")]
    [InlineData("time_stamp over 64 bits", "m_1,99999999999999999999,41,50,,,1,1,1", ImportErrorKind.OutOfRange, 2, "a timestamp from 0 to 31536000")]
    [InlineData("NaN mem_util", "m_1,60,41,NaN,,,1,1,1", ImportErrorKind.NotFinite, 4, "a finite number (percent of the machine)")]
    [InlineData("Infinity mem_util", "m_1,60,41,Infinity,,,1,1,1", ImportErrorKind.NotFinite, 4, "a finite number (percent of the machine)")]
    [InlineData("mem_util beyond binary64", "m_1,60,41,1e400,,,1,1,1", ImportErrorKind.OutOfRange, 4, "a finite number (percent of the machine)")]
    [InlineData("non-numeric mem_util", "m_1,60,41,high,,,1,1,1", ImportErrorKind.NotANumber, 4, "a decimal number (percent of the machine)")]
    [InlineData("non-numeric time_stamp", "m_1,00:01:00,41,50,,,1,1,1", ImportErrorKind.NotANumber, 2, "a timestamp in whole seconds")]
    [InlineData("semicolon separator", "m_1;60;41;50;;;1;1;1", ImportErrorKind.WrongColumnCount, 1, "9 fields (Alibaba machine_usage: 9 comma-separated fields, no header)")]
    [InlineData("tab separator", "m_1\t60\t41\t50\t\t\t1\t1\t1", ImportErrorKind.WrongColumnCount, 1, "9 fields (Alibaba machine_usage: 9 comma-separated fields, no header)")]
    [InlineData("empty machine_id", " ,60,41,50,,,1,1,1", ImportErrorKind.EmptyField, 1, "a machine id")]
    [InlineData("quoted machine_id", "\"m_1\",60,41,50,,,1,1,1", ImportErrorKind.InvalidText, 1, "a machine id of plain text such as m_1932, unquoted")]
    [InlineData("control character in machine_id", "m_\u00071,60,41,50,,,1,1,1", ImportErrorKind.InvalidText, 1, "a machine id of plain text")]
    public void Alibaba_BadRow_IsRefusedAtItsColumn(string scenario, string row, ImportErrorKind kind, int column, string expected)
    {
        var e = ImportAlibaba(GoodAlibabaRow + row + "\n", out string file);
        AssertPlace(e, kind, file, 2, column, expected);
        if (kind != ImportErrorKind.WrongColumnCount)
            Assert.True(e.Message.Contains($"({AlibabaImporter.Columns[column - 1]})", StringComparison.Ordinal), $"{scenario}: {e.Message}");
    }

    /// <summary>
    /// A machine id with bytes that are not UTF-8 (a damaged copy of m_1's) is refused at its column, or skipped and counted
    /// when lenient; it used to become a machine of its own: a second host and VM in the trace, from one damaged row.
    /// </summary>
    [Fact]
    public void Alibaba_MachineIdThatIsNotUtf8_IsInvalidText_NotAMachineOfItsOwn()
    {
        using var dir = new TempDir();
        string file = dir.File("machine_usage.csv");
        File.WriteAllBytes(file, [.. "m_1,0,41,50,,,1,1,1\nm_"u8, 0xFF, .. "1,60,41,50,,,1,1,1\nm_1,120,41,50,,,1,1,1\n"u8]);
        var e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(file, dir.File("out.dmt"), new AlibabaImportOptions { HostMb = 4096 }));
        AssertPlace(e, ImportErrorKind.InvalidText, file, 2, 1, "a machine id of plain text");
        Assert.Contains("'m_\uFFFD1' holds bytes that are not UTF-8 text", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("out.dmt")));

        var report = AlibabaImporter.Import(file, dir.File("out.dmt"), new AlibabaImportOptions { HostMb = 4096, Lenient = true });
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.InvalidText));
        Assert.Equal((1, 1), (report.Vms, report.Hosts));
        Assert.Equal(["m_1"], TraceData.Load(dir.File("out.dmt")).Vms.Select(v => v.Id));
    }

    [Fact]
    public void Alibaba_DemandOver16TbAfterTheDemandModel_IsOutOfRange()
    {
        var options = new AlibabaImportOptions { HostMb = 16_777_216, HostReserveMb = 0, Settings = new VmSettingsRule { MaxCeilingMb = 16_777_216 }, Demand = new DemandModel { K = 2 } };
        var e = ImportAlibaba(GoodAlibabaRow + "m_1,60,41,75,,,1,1,1\n", out string file, options);
        AssertPlace(e, ImportErrorKind.OutOfRange, file, 2, 4, "a demand of at most 16777216 MB (16 TB) after the demand model");
        Assert.Contains("75 gives a committed demand of 2.51658E+07 MB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alibaba_ZeroMemUtil_IsKept_AsZeroDemand()
    {
        using var dir = new TempDir();
        string file = dir.Write("machine_usage.csv", "m_1,0,41,0,,,1,1,1\nm_1,60,41,0.0,,,1,1,1\n");
        string output = dir.File("o.dmt");
        AlibabaImporter.Import(file, output, new AlibabaImportOptions { HostMb = 4096 });
        Assert.Equal([0, 0], TraceData.Load(output).Series(0));
    }

    [Fact]
    public void Alibaba_EmptyFile_IsRefused()
    {
        var e = ImportAlibaba("", out string file);
        AssertPlace(e, ImportErrorKind.EmptyFile, file, 0, 0, "at least one row");
    }

    [Fact]
    public void Alibaba_TruncatedLastLine_IsRefused()
    {
        var e = ImportAlibaba(GoodAlibabaRow + "m_1,60,41,5", out string file);
        AssertPlace(e, ImportErrorKind.TruncatedLastLine, file, 2, 4, "every line to end with a line break (LF, CR LF or CR)");
    }

    // ---------------------------------------------------------------- Google GCD

    /// <summary>400 zeros: after a 1, a number written with digits that binary64 cannot hold.</summary>
    private const string Zeros400 = Zeros100 + Zeros100 + Zeros100 + Zeros100;

    private const string Zeros100 = "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";

    [Theory]
    [InlineData("negative cpu", "-3 20.25", ImportErrorKind.NegativeValue, 1, "a value >= 0 (percent)")]
    [InlineData("negative memory", "10.5 -20.25", ImportErrorKind.NegativeValue, 2, "a value >= 0 (percent of the VM size)")]
    [InlineData("NaN cpu", "NaN 20.25", ImportErrorKind.NotFinite, 1, "a finite number (percent)")]
    [InlineData("Infinity memory", "10.5 Infinity", ImportErrorKind.NotFinite, 2, "a finite number (percent of the VM size)")]
    [InlineData("memory of 400 digits", "10.5 1" + Zeros400, ImportErrorKind.OutOfRange, 2, "a finite number (percent of the VM size)")]
    [InlineData("negative cpu beyond binary64", "-1e999 20.25", ImportErrorKind.OutOfRange, 1, "a finite number (percent)")]
    [InlineData("comma separator", "10.5,20.25", ImportErrorKind.WrongColumnCount, 2, "2 fields (GCD: \"cpu% mem%\" separated by one space)")]
    [InlineData("tab separator", "10.5\t20.25", ImportErrorKind.WrongColumnCount, 2, "2 fields (GCD: \"cpu% mem%\" separated by one space)")]
    [InlineData("empty memory", "10.5 ", ImportErrorKind.EmptyField, 2, "a number (percent of the VM size)")]
    [InlineData("memory over 16 TB of demand", "10.5 1e12", ImportErrorKind.OutOfRange, 2, "a demand of at most 16777216 MB (16 TB) after the demand model")]
    public void Gcd_BadRow_IsRefusedAtItsColumn(string scenario, string row, ImportErrorKind kind, int column, string expected)
    {
        var e = ImportGcd("10.5 20.25\n" + row + "\n" + string.Concat(Enumerable.Repeat("10.5 20.25\n", 286)), out string file);
        AssertPlace(e, kind, file, 2, column, expected);
        if (kind != ImportErrorKind.WrongColumnCount)
            Assert.True(e.Message.Contains($"({GoogleGcdImporter.Columns[column - 1]})", StringComparison.Ordinal), $"{scenario}: {e.Message}");
    }

    [Fact]
    public void Gcd_ZeroMemory_IsKept_AsZeroDemand()
    {
        using var dir = new TempDir();
        dir.Write("vm_7_1", GcdDay("0 0\n"));
        string output = dir.File("o.dmt");
        GoogleGcdImporter.Import(dir.Path, output, new GoogleGcdImportOptions { VmSizeMb = 1000 });
        Assert.All(TraceData.Load(output).Series(0), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Gcd_OddVmSize_RoundsUpToAMultipleOf2()
    {
        using var dir = new TempDir();
        dir.Write("vm_7_1", GcdDay("1 50\n"));
        string output = dir.File("o.dmt");
        GoogleGcdImporter.Import(dir.Path, output, new GoogleGcdImportOptions { VmSizeMb = 1001 });
        var data = TraceData.Load(output);
        Assert.Equal(VmSettings.Dynamic(1002, 252, 1002), data.Vms[0].Settings);
        Assert.Equal(501, data.Ticks[0][0]); // round(50 % of 1001 MB), half away from zero
    }

    [Fact]
    public void Gcd_EmptyFile_IsRefused()
    {
        var e = ImportGcd("", out string file);
        AssertPlace(e, ImportErrorKind.EmptyFile, file, 0, 0, "at least one row");
    }

    [Fact]
    public void Gcd_TruncatedLastLine_IsRefused()
    {
        var e = ImportGcd(string.Concat(Enumerable.Repeat("10.5 20.25\n", 287)) + "10.5 20", out string file);
        AssertPlace(e, ImportErrorKind.TruncatedLastLine, file, 288, 2, "every line to end with a line break (LF, CR LF or CR)");
    }

    [Theory]
    [InlineData("vm_7_0")]
    [InlineData("vm_7_100001")]
    [InlineData("vm_7_2147483648")]
    public void Gcd_DayOutOfRangeInTheFileName_IsOutOfRange_AndSkippedWhenLenient(string name)
    {
        var e = ImportGcd(GcdDay(), out string file, name: name);
        AssertPlace(e, ImportErrorKind.OutOfRange, file, 0, 0, "vm_<job>_<day> with a day from 1 to 100000");
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);

        using var dir = new TempDir();
        dir.Write("vm_7_1", GcdDay());
        dir.Write(name, GcdDay());
        var report = GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000, Lenient = true });
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.OutOfRange));
        Assert.Equal(1, report.Files);
    }

    /// <summary>
    /// A day file whose samples end more than a year after the trace start (a typo in its name) is refused naming that file
    /// (before: the pipeline named only the job, "vm_7"); with --lenient it is skipped and the rest imported.
    /// </summary>
    [Fact]
    public void Gcd_DayFileAYearAfterTheTraceStart_IsOutOfRange_NamingTheFile()
    {
        using var dir = new TempDir();
        dir.Write("vm_7_1", GcdDay());
        dir.Write("vm_8_2", GcdDay());
        string far = dir.Write("vm_7_367", GcdDay());
        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        AssertPlace(e, ImportErrorKind.OutOfRange, far, 0, 0, "day files within 366 days of the trace start");
        Assert.Contains("day 367 in the file name: its samples end 367 days after the trace starts at 0 s", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("o.dmt")));

        var report = GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000, Lenient = true });
        Assert.Equal((1, 2, 2 * GoogleGcdImportOptions.RowsPerDay), (report.SkippedOf(ImportErrorKind.OutOfRange), report.Vms, report.Ticks));

        File.Move(far, dir.File("vm_7_366")); // 365 days after day 1: within a year
        Assert.Equal(366L * GoogleGcdImportOptions.RowsPerDay, GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }).Ticks);

        // The span counts from the trace start, since stop 57 midnight of the earliest day any file holds (before, always day
        // 1): days 200 and 400 alone import (201 days from day 200's midnight); days 200 and 567 do not, naming the file.
        using var two = new TempDir();
        two.Write("vm_1_200", GcdDay());
        two.Write("vm_1_400", GcdDay());
        Assert.Equal(201L * GoogleGcdImportOptions.RowsPerDay, GoogleGcdImporter.Import(two.Path, two.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }).Ticks);
        string day567 = two.Write("vm_2_567", GcdDay());
        e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(two.Path, two.File("o2.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        AssertPlace(e, ImportErrorKind.OutOfRange, day567, 0, 0, "day files within 366 days of the trace start");
        Assert.Contains("day 567 in the file name: its samples end 368 days after the trace starts at 17193600 s", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The bound is inclusive, as the pipeline's own span check (ImportPipeline.MaxSpanSeconds, 366 days): day 367's last
    /// five-minute sample is at 366 × 86 400 + 287 × 300 = 31 708 500 s, so a trace starting at 86 100 s reaches it exactly
    /// 366 days on and imports it (its ticks from the start to that sample: 31 622 400 / 300 + 1); one starting a second
    /// earlier does not, and names the file.
    /// </summary>
    [Fact]
    public void Gcd_DayFileEndingExactly366DaysAfterTheTraceStart_IsImported_OneSecondMoreIsOutOfRange()
    {
        using var dir = new TempDir();
        string day367 = dir.Write("vm_7_367", GcdDay());
        var report = GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000, StartSeconds = 86_100 });
        Assert.Equal((1, (31_622_400L / 300) + 1), (report.Vms, report.Ticks));

        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("p.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000, StartSeconds = 86_099 }));
        AssertPlace(e, ImportErrorKind.OutOfRange, day367, 0, 0, "day files within 366 days of the trace start");
        Assert.False(File.Exists(dir.File("p.dmt")));
    }

    [Theory]
    [InlineData("a/vm_7_1", "b/vm_7_1")]
    [InlineData("vm_7_01", "vm_7_1")]
    public void Gcd_SameJobDayTwice_IsDuplicateInput(string first, string second)
    {
        using var dir = new TempDir();
        dir.Write(first, GcdDay());
        dir.Write(second, GcdDay());
        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        Assert.Equal(ImportErrorKind.DuplicateInput, e.Kind);
        Assert.Contains("job 7 day 1 is also in", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected one file per job and day", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(e.File), new[] { Path.GetFileName(first), Path.GetFileName(second) });
        Assert.False(File.Exists(dir.File("o.dmt")));

        var report = GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000, Lenient = true });
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.DuplicateInput));
        Assert.Equal(1, report.Vms);
    }

    [Fact]
    public void Gcd_VmLargerThanThePlacementHosts_IsOutOfRangeNamingTheVm()
    {
        using var dir = new TempDir();
        dir.Write("vm_7_1", GcdDay());
        var options = new GoogleGcdImportOptions { VmSizeMb = 8192, PlaceOnHostMb = 8192, PlacementReserveMb = 2048 };
        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), options));
        AssertPlace(e, ImportErrorKind.OutOfRange, dir.Path, 0, 0, "a PlaceOnHostMb of at least 10240 MB");
        Assert.Contains("VM 0 ('vm_7') needs Startup 8192 MB", e.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- native format: the reader, behind valid checksums

    private static TraceFormatException ReadExpectingError(string path)
    {
        var e = Assert.Throws<TraceFormatException>(() => TraceData.Load(path));
        Assert.Equal(path, e.Path);
        Assert.StartsWith($"Trace file '{path}', {e.Where}: ", e.Message, StringComparison.Ordinal);
        return e;
    }

    [Theory]
    [InlineData("negative Minimum", 1024, -512, 4096, 20, 5000, 0, "expected 32 <= Minimum (-512) <= Startup (1024)")]
    [InlineData("zero sizes", 0, 0, 0, 20, 5000, 0, "expected 32 <= Minimum (0)")]
    [InlineData("odd Startup", 1025, 512, 4096, 20, 5000, 0, "sizes must be multiples of 2 MB (Startup 1025")]
    [InlineData("Buffer out of range", 1024, 512, 4096, 4, 5000, 0, "Buffer 4 %, expected 5..2000")]
    [InlineData("Weight out of range", 1024, 512, 4096, 20, 10_001, 0, "Weight 10001, expected 0..10000")]
    [InlineData("Maximum over 32 bits of the format's limit", 1024, 512, int.MaxValue - 1, 20, 5000, 0, "expected 32 <= Minimum (512) <= Startup (1024) <= Maximum (2147483646) <= 16777216")]
    [InlineData("Maximum over the format's MaxCeiling limit", 1024, 512, 16_777_218, 20, 5000, 0, "expected 32 <= Minimum (512) <= Startup (1024) <= Maximum (16777218) <= 16777216")]
    [InlineData("host that does not exist", 1024, 512, 4096, 20, 5000, 2, "host index 2, expected -1 (no placement) or 0..1")]
    [InlineData("negative host", 1024, 512, 4096, 20, 5000, -2, "host index -2, expected -1 (no placement) or 0..1")]
    [InlineData("no host in a trace with hosts", 1024, 512, 4096, 20, 5000, -1, "host index -1, but the trace has a host table: every VM needs a host")]
    public void Native_BadVmEntry_IsRefusedNamingSectionVmAndWhatWasExpected(string scenario, int startup, int minimum, int maximum, int buffer, int weight, int host, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        TraceVm[] vms = [new("good", VmSettings.Dynamic(1024, 512, 4096), 0), new("bad", new VmSettings(startup, minimum, maximum, buffer, weight), host)];
        ResealedTrace.Create(path, vms, [new TraceHost(8192), new TraceHost(8192)], [[1000, 1000]]).Save(path);
        var e = ReadExpectingError(path);
        Assert.Equal("VMS section for VMs from 0", e.Where);
        Assert.True(e.Message.Contains("VM 1 ('bad'): " + expected, StringComparison.Ordinal), $"{scenario}: {e.Message}");
    }

    [Theory]
    [InlineData("negative TotalMb", -8192, 0, "TotalMb -8192, expected a positive multiple of 2")]
    [InlineData("zero TotalMb", 0, 0, "TotalMb 0, expected a positive multiple of 2")]
    [InlineData("odd TotalMb", 8193, 0, "TotalMb 8193, expected a positive multiple of 2")]
    [InlineData("negative ReserveMb", 8192, -2, "ReserveMb -2, expected a multiple of 2 from 0 to TotalMb (8192)")]
    [InlineData("ReserveMb over TotalMb", 8192, 8194, "ReserveMb 8194, expected a multiple of 2 from 0 to TotalMb (8192)")]
    public void Native_BadHostEntry_IsRefusedNamingSectionHostAndWhatWasExpected(string scenario, int totalMb, int reserveMb, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Dynamic(1024, 512, 4096), 0)], [new TraceHost(8192), new TraceHost(totalMb, reserveMb)], [[1000]]).Save(path);
        var e = ReadExpectingError(path);
        Assert.Equal("HOST section for hosts from 0", e.Where);
        Assert.True(e.Message.Contains("host 1: " + expected, StringComparison.Ordinal), $"{scenario}: {e.Message}");
    }

    [Fact]
    public void Native_VmEntryWithAnUnknownFlagBit_IsRefusedNamingTheVmAndTheBits()
    {
        // docs/trace-format.md: a VM entry's flags are 0x01 (dynamic) and 0x02 (Linux); other bits are not a later version's to use.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var trace = ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Dynamic(1024, 512, 4096))], [], [[1000]]);
        const int flags = 1 + 1 + 16; // id length, id "a", then Startup, Minimum, Maximum, Buffer, Weight
        Assert.Equal(TableCodec.VmFlagDynamic, trace.Vms.Payload[flags]);
        trace.Vms.Payload[flags] |= 0x04;
        trace.Save(path);
        var e = ReadExpectingError(path);
        Assert.Equal("VMS section for VMs from 0", e.Where);
        Assert.Contains("VM 'a' has unknown flag bits 0x05, expected only 0x01 (dynamic) and 0x02 (Linux)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_DuplicateVmIds_AreRefusedNamingTheVm()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default), new TraceVm("a", VmSettings.Default)], [], [[1, 2]]).Save(path);
        var e = ReadExpectingError(path);
        Assert.Equal("VMS section for VMs from 0", e.Where);
        Assert.Contains("VM 1: id 'a' repeats an earlier VM's, expected unique ids", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("negative", -2, "tick 1, VM 1: value -2, expected -1 (off) or 0..16777216 MB")]
    [InlineData("int.MinValue", int.MinValue, "tick 1: the payload is malformed at VM 1 (a varint longer than 4 bytes")]
    [InlineData("int.MaxValue", int.MaxValue, "tick 1: the payload is malformed at VM 1 (a varint longer than 4 bytes")]
    public void Native_BadTickValue_IsRefusedNamingChunkTickAndVm(string scenario, int value, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default), new TraceVm("b", VmSettings.Default)], [], [[1, 2], [3, value]]).Save(path);
        var e = ReadExpectingError(path);
        Assert.Equal("chunk 1 (ticks 1..1)", e.Where);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{scenario}: {e.Message}");
    }

    [Fact]
    public void Native_TickWithTooFewOrTooManyValues_IsRefusedNamingChunkAndTick()
    {
        // The format's "wrong column count": a tick payload that ends inside the tick, or has bytes after its last tick.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        TraceVm[] vms = [new("a", VmSettings.Default), new("b", VmSettings.Default)];
        var trace = ResealedTrace.Create(path, vms, [], [[1, 2]]);
        trace.Chunks[0].Payload = ResealedTrace.EncodeTick([1000]); // one 2-byte varint for two VMs
        trace.Save(path);
        var e = ReadExpectingError(path);
        Assert.Equal("chunk 0 (ticks 0..0)", e.Where);
        Assert.Contains("tick 0: the payload is malformed at VM 1 (a varint longer than 4 bytes, or the payload ends before the tick)", e.Message, StringComparison.Ordinal);

        trace.Chunks[0].Payload = [.. ResealedTrace.EncodeTick([1, 2]), 0];
        trace.Save(path);
        e = ReadExpectingError(path);
        Assert.Equal("chunk 0 (ticks 0..0)", e.Where);
        Assert.Contains("1 bytes left after its last tick, expected none", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(0.0)]
    [InlineData(-60.0)]
    public void Native_TickSecondsNotFiniteOrNotPositive_IsRefusedNamingTheHeaderField(double tickSeconds)
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var trace = ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default)], [], [[1]]);
        BinaryPrimitives.WriteDoubleLittleEndian(trace.Header.AsSpan(NativeFormat.HdrTickSeconds), tickSeconds);
        trace.Save(path);
        var e = ReadExpectingError(path);
        Assert.Equal("header field TickSeconds", e.Where);
        Assert.Contains($"{tickSeconds.ToString(CultureInfo.InvariantCulture)}, expected a finite number in (0, 1e9]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_ChunkGoingBackInTime_IsRefusedNamingTheChunk()
    {
        // The format's "timestamps going backwards": chunk 2 claims to start at tick 1 again.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var trace = ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default)], [], [[1], [2], [3]]);
        BinaryPrimitives.WriteInt64LittleEndian(trace.Chunks[2].Frame.AsSpan(NativeFormat.FrFirstTick), 1);
        trace.Save(path);
        var e = ReadExpectingError(path);
        Assert.Equal("chunk 2 (expected to start at tick 2)", e.Where);
        Assert.Contains("frame says it starts at tick 1, expected 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_FirstChunkNotAKeyframe_IsRefusedNamingTheChunk()
    {
        // docs/trace-format.md: the first chunk is a keyframe (its deltas start from 0; there is no chunk before it).
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var trace = ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default)], [], [[1], [2]]);
        trace.Chunks[0].Frame[NativeFormat.FrFlags] = 0;
        trace.Save(path);
        var e = ReadExpectingError(path);
        Assert.Equal("chunk 0 (ticks 0..0)", e.Where);
        Assert.Contains("the first chunk is not a keyframe, expected flag 0x01", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_ChunkClaimingTicksPastTheTraceEnd_IsRefusedNamingTheChunk()
    {
        // Two ticks, up to two per chunk: chunk 1 starts at tick 1 and says it holds 2 ticks (its payload holds two), one
        // more than the header's TickCount leaves. Read up to TickCount, its second tick would be dropped without a word.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var trace = ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default)], [], [[1], [2]]);
        BinaryPrimitives.WriteInt32LittleEndian(trace.Header.AsSpan(NativeFormat.HdrTicksPerChunk), 2);
        BinaryPrimitives.WriteInt32LittleEndian(trace.Chunks[1].Frame.AsSpan(NativeFormat.FrCount), 2);
        trace.Chunks[1].Payload = [.. ResealedTrace.EncodeTick([2]), .. ResealedTrace.EncodeTick([3])];
        trace.Save(path);
        var e = ReadExpectingError(path);
        Assert.Equal("chunk 1 (expected to start at tick 1)", e.Where);
        Assert.Contains("frame says 2 ticks, expected 1..1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_MaximumOverTheModelsMaxCeiling_IsRefusedByTheReplayNamingVmAndSetting()
    {
        // 2 TB is within the format's limit (16 TB), so the writer and the reader accept it; the model's MaxCeiling
        // (1 TB by default) does not, and the replay says which VM and setting.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        using (var w = new NativeTraceWriter(path, new TraceDescription(60, "x"), [new TraceVm("big", VmSettings.Dynamic(1024, 512, 2_097_152), 0)], [new TraceHost(4_194_304)]))
        {
            w.WriteTick([1000]);
            w.Complete();
        }

        using var reader = NativeTraceReader.Open(path);
        var e = Assert.Throws<TraceFormatException>(() => new ReplayEngine(reader, new ReplayOptions { Path = KernelPath.Scalar }).Dispose());
        Assert.Equal("VM 0 ('big')", e.Where);
        Assert.Contains("Maximum = 2097152 refused by R1: at most MaxCeiling (1048576 MB)", e.Message, StringComparison.Ordinal);
        using var reader2 = NativeTraceReader.Open(path);
        new ReplayEngine(reader2, new ReplayOptions { Path = KernelPath.Scalar, Model = ModelParameters.Default with { MaxCeilingMb = 2_097_152 } }).Dispose();
    }

    // ---------------------------------------------------------------- native format: the writer refuses bad tables and values up front

    [Theory]
    [InlineData("negative Minimum", 1024, -512, 4096, 20, 0, 8192, "VM 0 ('a'): expected 32 <= Minimum (-512)")]
    [InlineData("zero sizes", 0, 0, 0, 20, 0, 8192, "VM 0 ('a'): expected 32 <= Minimum (0)")]
    [InlineData("odd Startup", 1025, 512, 4096, 20, 0, 8192, "VM 0 ('a'): sizes must be multiples of 2 MB (Startup 1025")]
    [InlineData("Buffer out of range", 1024, 512, 4096, 2001, 0, 8192, "VM 0 ('a'): Buffer 2001 %, expected 5..2000")]
    [InlineData("Maximum over 32 bits of the format's limit", 1024, 512, int.MaxValue - 1, 20, 0, 8192, "VM 0 ('a'): expected 32 <= Minimum (512) <= Startup (1024) <= Maximum (2147483646) <= 16777216")]
    [InlineData("Maximum over the format's MaxCeiling limit", 1024, 512, 16_777_218, 20, 0, 8192, "<= Maximum (16777218) <= 16777216")]
    [InlineData("host that does not exist", 1024, 512, 4096, 20, 1, 8192, "VM 0 ('a'): host index 1, expected -1 (no placement) or 0..0")]
    [InlineData("zero host", 1024, 512, 4096, 20, 0, 0, "Host 0: TotalMb 0, expected a positive multiple of 2")]
    [InlineData("odd host", 1024, 512, 4096, 20, 0, 8191, "Host 0: TotalMb 8191, expected a positive multiple of 2")]
    public void Writer_BadTable_IsRefusedUpFront_NamingVmOrHost(string scenario, int startup, int minimum, int maximum, int buffer, int host, int hostMb, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        TraceVm[] vms = [new("a", new VmSettings(startup, minimum, maximum, buffer), host)];
        var e = Assert.Throws<ArgumentException>(() => new NativeTraceWriter(path, new TraceDescription(60, "x"), vms, [new TraceHost(hostMb)]));
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{scenario}: {e.Message}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void Writer_TickSecondsNotFiniteOrNotPositive_IsRefusedUpFront(double tickSeconds)
    {
        using var dir = new TempDir();
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new NativeTraceWriter(dir.File("t.dmt"), new TraceDescription(tickSeconds, "x"), [new TraceVm("a", VmSettings.Default)], []));
        Assert.StartsWith("TickSeconds: expected a finite number of seconds in (0, 1e9]", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void Writer_TickValueAt32BitExtremes_IsRefusedNamingTickAndVm(int value)
    {
        using var dir = new TempDir();
        using var w = new NativeTraceWriter(dir.File("t.dmt"), new TraceDescription(60, "x"), [new TraceVm("a", VmSettings.Default), new TraceVm("b", VmSettings.Default)], []);
        w.WriteTick([1, 2]);
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => w.WriteTick([3, value]));
        Assert.StartsWith("Tick 1, VM 1: expected -1 (off) or 0..16777216 MB.", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, w.TicksWritten);
    }

    /// <summary>
    /// An import whose tick is so short that the tick count passes long's range (1e-18 s over 900 s of samples) is refused
    /// as too many ticks, naming TickSeconds (before stop 53 the count wrapped to long.MinValue, passed the check, and an
    /// empty trace was written without an error; the CLI's --tick-seconds stops at 0.003 s, the library took any).
    /// </summary>
    [Fact]
    public void Import_OfATickTooShortForLong_IsRefusedAsTooManyTicks_NothingWritten()
    {
        using var dir = new TempDir();
        dir.Write("bb/1.csv", UnreadableInputTests.BitbrainsFile());
        string output = dir.File("out.dmt");
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => BitbrainsImporter.Import(dir.File("bb"), output, new BitbrainsImportOptions { TickSeconds = 1e-18, JitterToleranceSeconds = 0 }));
        Assert.Equal(nameof(ImportOptions.TickSeconds), e.ParamName);
        Assert.Contains("makes 9223372036854775807 ticks", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    /// <summary>The generator's mean on and off spells are at most 1e9 s (before stop 53 a mean of 1e308 s made the on-share NaN and churning VMs stayed off).</summary>
    [Theory]
    [InlineData(1e308, 7200)]
    [InlineData(21600, 1.1e9)]
    public void Generator_MeanSpellsAboveAGigasecond_AreRefusedByName(double on, double off)
    {
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new TraceGeneratorOptions { MeanOnSeconds = on, MeanOffSeconds = off }.Validate());
        Assert.Equal(on > 1e9 ? nameof(TraceGeneratorOptions.MeanOnSeconds) : nameof(TraceGeneratorOptions.MeanOffSeconds), e.ParamName);
        Assert.Contains("at most 1e9 s", e.Message, StringComparison.Ordinal);
        new TraceGeneratorOptions { MeanOnSeconds = 1e9, MeanOffSeconds = 1e9 }.Validate();
    }
}
