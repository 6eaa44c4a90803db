namespace DmKernel.Cli.Output;

/// <summary>
/// The folders a command created for its output file (generate's and import's FILE), deepest first: removed again where
/// empty on <see cref="Dispose"/> unless the command completed (<see cref="Keep"/>), so a failed or interrupted run leaves
/// no empty folder behind (as <see cref="StagedOutput"/> does for an output folder).
/// </summary>
internal sealed class CreatedFolders(IReadOnlyList<string> folders) : IDisposable
{
    private bool _kept;

    /// <summary>The command completed: its folders stay.</summary>
    public void Keep() => _kept = true;

    public void Dispose()
    {
        if (_kept)
            return;
        foreach (string dir in folders)
        {
            try
            {
                if (!Directory.Exists(dir))
                    continue;
                if (Directory.EnumerateFileSystemEntries(dir).Any())
                    return; // a parent of a folder that stays is not empty either
                Directory.Delete(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return; // best effort: the run's own error is the one to report
            }
        }
    }
}
