namespace DmKernel.Tests.Reliability;

/// <summary>A fact that runs only on Unix, where a file name may hold a backslash.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
            Skip = "Needs a file name with a backslash, which only Unix file systems allow.";
    }
}
