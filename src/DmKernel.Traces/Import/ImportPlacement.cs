using System.Globalization;

namespace DmKernel.Traces;

/// <summary>An importer's optional placement: first-fit by Startup, with a VM too large for the hosts reported as an import error.</summary>
internal static class ImportPlacement
{
    /// <summary>How the refusal below names the host size: the option's library name, which the CLI replaces with its flag.</summary>
    internal const string HostSizeWords = "a PlaceOnHostMb of at least";

    public static PlacementResult Place(IReadOnlyList<TraceVm> vms, int hostMb, int reserveMb, string input)
    {
        int capacity = hostMb - reserveMb;
        for (int v = 0; v < vms.Count; v++)
        {
            int startup = vms[v].Settings.StartupMb;
            if (startup > capacity)
            {
                throw new TraceImportException(ImportErrorKind.OutOfRange, input, 0, 0, null,
                    string.Create(CultureInfo.InvariantCulture, $"VM {v} ('{vms[v].Id}') needs Startup {startup} MB, more than a host of {hostMb} MB with a {reserveMb} MB reserve holds ({capacity} MB)"),
                    string.Create(CultureInfo.InvariantCulture, $"hosts large enough for every VM's Startup: {HostSizeWords} {startup + reserveMb} MB"));
            }
        }

        return TracePlacement.FirstFitByStartup(vms, hostMb, reserveMb);
    }
}
