namespace DmKernel.Policies;

/// <summary>
/// The mechanisms every policy shares (P1), in one place: R12's balloon removal (its per-tick cap, Minimum, the Linux
/// limit, memory joining Available one tick later) and R13's addition (unballoon, then hot-add, limited by Available),
/// both limited by what the guest's driver does this tick (P10).
/// </summary>
internal static class Mechanisms
{
    /// <summary>P10: the MB VM <paramref name="k"/>'s driver can move in tick <paramref name="tickIndex"/>.</summary>
    public static int GuestLimit(in PolicyHost h, int k, long tickIndex)
        => Responsiveness.Limit(h.GuestKind[k], h.GuestRate[k], h.GuestStuck[k], h.GuestIdeal[k], k, tickIndex);

    /// <summary>
    /// R12: what the balloon would take from VM <paramref name="k"/> this tick toward <paramref name="want"/> MB: at most the
    /// per-tick cap; a Windows guest goes along down to Minimum; a Linux guest also keeps its floor
    /// (<c>max(0, Assigned − Demand)</c>); whole granules.
    /// </summary>
    public static int RemovalLimit(in PolicyHost h, int k, int want, int cap, int gMask)
    {
        int a = h.Assigned[k];
        int x = Math.Min(want, cap);
        x = Math.Min(x, Math.Max(0, a - h.Minimum[k]));
        if ((h.Flags[k] & VmFlags.Linux) != 0)
            x = Math.Min(x, Math.Max(0, a - h.Demand[k]));
        return x & ~gMask;
    }

    /// <summary>
    /// R12 with P10: balloons VM <paramref name="k"/> toward <paramref name="want"/> MB less: <c>Assigned −= x</c>,
    /// <c>Ballooned += x</c>, and x joins Available next tick. <paramref name="asked"/> is what R12 alone would take; the
    /// return value is what the guest gave (at most <paramref name="guestLimit"/>).
    /// </summary>
    public static int Remove(in PolicyHost h, int k, int want, int cap, int gMask, int guestLimit, out int asked)
    {
        asked = RemovalLimit(h, k, want, cap, gMask);
        int x = Math.Min(asked, guestLimit) & ~gMask;
        if (x > 0)
        {
            h.Assigned[k] -= x;
            h.Ballooned[k] += x;
            h.Removed[k] += x;
            h.PendingFreed += x;
        }

        return x;
    }

    /// <summary>
    /// R13 with P10: grows VM <paramref name="k"/> by up to <paramref name="amount"/> MB, as far as Available and the guest
    /// allow: ballooned memory first, then hot-add. Returns the MB granted.
    /// </summary>
    public static int Grant(in PolicyHost h, int k, int amount, int guestLimit)
    {
        int grant = Math.Min(Math.Min(amount, h.Available), guestLimit);
        if (grant <= 0)
            return 0;
        int unballoon = Math.Min(grant, h.Ballooned[k]);
        h.Ballooned[k] -= unballoon;
        h.Assigned[k] += grant;
        h.Unballooned[k] += unballoon;
        h.HotAdded[k] += grant - unballoon;
        h.Available -= grant;
        return grant;
    }
}
