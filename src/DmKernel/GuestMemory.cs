using DmKernel.Kernel;

namespace DmKernel;

/// <summary>What a guest can be given and how it reports demand, for code outside the kernel (reports, planners).</summary>
public static class GuestMemory
{
    /// <summary>R8: the Linux guest's balloon floor for <paramref name="assignedMb"/> (added to its committed demand).</summary>
    public static int LinuxFloor(int assignedMb)
    {
        InvariantOutOfRangeException.ThrowIfNegative(assignedMb);
        return Rules.LinuxFloor(assignedMb);
    }

    /// <summary>
    /// The largest committed demand a VM with <paramref name="settings"/> can have served without paging: its Maximum for a
    /// Windows guest; for a Linux guest the committed c with c + floor(Maximum) ≤ Maximum (R8: a Linux guest reports
    /// committed + floor(Assigned), and Assigned never exceeds Maximum). A VM whose committed demand is above this pages
    /// whatever the host does: that demand is unservable. Static VMs use their size (Startup = Maximum).
    /// </summary>
    public static int MaxServableCommittedMb(in VmSettings settings)
    {
        // Settings that no fleet accepts (R1) have no answer: refused by name rather than answered with a negative size.
        int size = settings.DynamicMemory ? settings.MaximumMb : settings.StartupMb;
        if (size < VmSettings.MinMinimumMb)
        {
            throw new InvariantOutOfRangeException(settings.DynamicMemory ? "settings.MaximumMb" : "settings.StartupMb", size,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"a VM's size: expected at least {VmSettings.MinMinimumMb} MB (R1)."));
        }

        if (settings.Guest is not (GuestKind.Windows or GuestKind.Linux))
            throw new InvariantOutOfRangeException("settings.Guest", settings.Guest, "expected Windows or Linux (R1).");
        return MaxServableCommittedOfSize(size, settings.Guest == GuestKind.Linux);
    }

    /// <summary><see cref="MaxServableCommittedMb(in VmSettings)"/> of a VM whose memory can reach <paramref name="sizeMb"/>.</summary>
    internal static int MaxServableCommittedOfSize(int sizeMb, bool linux)
        => linux ? Math.Max(0, sizeMb - Rules.LinuxFloor(sizeMb)) : sizeMb;
}
