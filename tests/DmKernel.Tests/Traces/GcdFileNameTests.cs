using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>GCD day files renamed by other tools (an extension, a copy's suffix, upper case): said by name, not only counted.</summary>
public sealed class GcdFileNameTests
{
    private static string Copy(TempDir dir)
    {
        string folder = dir.File("GCD_VMs");
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.EnumerateFiles(RealTraces.Path("google-2011-gcd-vms/GCD_VMs")))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    [Fact]
    public void Gcd_RenamedDayFiles_AreWarnedAboutByName()
    {
        using var dir = new TempDir();
        string folder = Copy(dir);
        File.Move(Path.Combine(folder, "vm_3418442_5"), Path.Combine(folder, "vm_3418442_5.csv"));
        File.Move(Path.Combine(folder, "vm_3418442_4"), Path.Combine(folder, "vm_3418442_4.txt"));
        File.Move(Path.Combine(folder, "vm_3418442_3"), Path.Combine(folder, "VM_3418442_3"));
        File.Copy(Path.Combine(folder, "vm_3418442_2"), Path.Combine(folder, "vm_3418442_2 (1)"));
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a day");
        var report = GoogleGcdImporter.Import(folder, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096 });
        Assert.Equal(17, report.Files);
        string warning = Assert.Single(report.Warnings, w => w.Contains("vm_<job>_<day>", StringComparison.Ordinal));
        Assert.Contains("4 file(s)", warning, StringComparison.Ordinal);
        Assert.Contains("'VM_3418442_3', 'vm_3418442_2 (1)', 'vm_3418442_4.txt' and 1 more", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("notes.txt", warning, StringComparison.Ordinal);
        Assert.Equal(4, report.NoteOf("trace_like_files_not_read"));
        Assert.Equal(5, report.NoteOf("ignored_files"));
    }

    [Fact]
    public void Gcd_CleanSample_HasNoFileNameWarning()
    {
        using var dir = new TempDir();
        var report = GoogleGcdImporter.Import(Copy(dir), dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096 });
        Assert.DoesNotContain(report.Warnings, w => w.Contains("vm_<job>_<day>", StringComparison.Ordinal));
        Assert.Equal(0, report.NoteOf("trace_like_files_not_read"));
    }

    [Fact]
    public void Gcd_OnlyNearNames_NoInputNamesThem()
    {
        using var dir = new TempDir();
        dir.Write("vm_7_1.csv", "1 2\n");
        dir.Write("vm_7_2 - Copy", "1 2\n");
        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096 }));
        Assert.Equal(ImportErrorKind.NoInput, e.Kind);
        Assert.Contains("'vm_7_1.csv', 'vm_7_2 - Copy'", e.Message, StringComparison.Ordinal);
    }
}
