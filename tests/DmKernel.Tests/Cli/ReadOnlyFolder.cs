using System.Diagnostics;
using System.Runtime.Versioning;

namespace DmKernel.Tests.Cli;

/// <summary>
/// A folder the current user cannot write to: chmod 555, and, for root (whom permissions do not stop), the
/// immutable attribute (<c>chattr +i</c>). Both are undone on dispose. The constructor fails the test when the
/// folder is still writable, so a test that needs one can never pass by writing into it.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class ReadOnlyFolder : IDisposable
{
    private readonly bool _immutable;

    public ReadOnlyFolder(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        if (IsWritable(path) && Chattr("+i", path))
            _immutable = true;
        Assert.False(IsWritable(path), $"could not make {path} read-only (chmod 555 and chattr +i had no effect)");
    }

    public string Path { get; }

    private static bool IsWritable(string path)
    {
        string probe = System.IO.Path.Combine(path, ".probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return true;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    private static bool Chattr(string flag, string path)
    {
        try
        {
            using Process? p = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true, UseShellExecute = false });
            if (p is null)
                return false;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no chattr on this system
        }
    }

    public void Dispose()
    {
        if (_immutable)
            Chattr("-i", Path);
        File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
