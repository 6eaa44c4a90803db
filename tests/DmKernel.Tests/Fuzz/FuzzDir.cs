namespace DmKernel.Tests.Fuzz;

/// <summary>
/// A temporary folder for one fuzz test, in /dev/shm when it exists (memory-backed: thousands of small files per
/// test cost far less there than on disk), else in the system temp folder; deleted on dispose.
/// </summary>
internal sealed class FuzzDir : IDisposable
{
    public FuzzDir()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        Path = System.IO.Path.Combine(root, "dmkernel-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
