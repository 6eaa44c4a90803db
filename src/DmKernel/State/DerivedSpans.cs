using System.Runtime.InteropServices;

namespace DmKernel;

/// <summary>R18's window figures of every slot, as <see cref="DerivedSpans.WindowPressures"/> computes them.</summary>
internal readonly ref struct WindowSpans
{
    public WindowSpans(ReadOnlySpan<int> average, ReadOnlySpan<int> minimum, ReadOnlySpan<int> maximum)
    {
        Average = average;
        Minimum = minimum;
        Maximum = maximum;
    }

    public ReadOnlySpan<int> Average { get; }

    public ReadOnlySpan<int> Minimum { get; }

    public ReadOnlySpan<int> Maximum { get; }
}

/// <summary>The settings packed in Flags, one element per slot, as <see cref="DerivedSpans.Settings"/> computes them.</summary>
internal readonly ref struct SettingSpans
{
    public SettingSpans(ReadOnlySpan<bool> isUsed, ReadOnlySpan<bool> dynamic, ReadOnlySpan<GuestKind> guest)
    {
        IsUsed = isUsed;
        Dynamic = dynamic;
        Guest = guest;
    }

    public ReadOnlySpan<bool> IsUsed { get; }

    public ReadOnlySpan<bool> Dynamic { get; }

    public ReadOnlySpan<GuestKind> Guest { get; }
}

/// <summary>
/// The per-VM outputs that the state does not store as such (they are packed in Flags, or follow from other columns),
/// computed for every slot on the first read after the fleet changed (<see cref="Fleet.Version"/>) into buffers
/// allocated on the first read and kept: reading them again, or between ticks, allocates nothing. Each span records the
/// version it read before its pass, so that a change made during the pass (on another thread: the caller's error) leaves
/// the span to be computed again at the next read, not stale until the next change.
/// </summary>
internal sealed class DerivedSpans(Fleet fleet)
{
    private int[]? _guestVisible, _average, _minimum, _maximum;
    private byte[]? _status, _reclaiming, _used, _dynamic, _guest;
    private int _guestVisibleAt = -1, _statusAt = -1, _reclaimingAt = -1, _windowsAt = -1, _settingsAt = -1;

    /// <summary>
    /// Tests only: called at the end of each pass, after its loop and before it records the version it read, so that a
    /// test can change the fleet during a pass (as a call on another thread could) and check that the next read computes
    /// the span again.
    /// </summary>
    internal Action? WhilePassing;

    public ReadOnlySpan<int> GuestVisible()
    {
        FleetColumns c = fleet.Cols;
        int[] values = _guestVisible ??= new int[fleet.SlotCount];
        int version = fleet.Version;
        if (_guestVisibleAt != version)
        {
            for (int i = 0; i < values.Length; i++)
                values[i] = c.Assigned[i] + c.Ballooned[i] + c.SmartPaging[i];
            WhilePassing?.Invoke();
            _guestVisibleAt = version;
        }

        return values;
    }

    public ReadOnlySpan<MemoryStatus> Status()
    {
        int[] flags = fleet.Cols.Flags;
        byte[] values = _status ??= new byte[fleet.SlotCount];
        int version = fleet.Version;
        if (_statusAt != version)
        {
            for (int i = 0; i < values.Length; i++)
                values[i] = (byte)((flags[i] & VmFlags.StatusMask) >> VmFlags.StatusShift);
            WhilePassing?.Invoke();
            _statusAt = version;
        }

        return MemoryMarshal.Cast<byte, MemoryStatus>(values);
    }

    public ReadOnlySpan<bool> IsReclaiming()
    {
        int[] flags = fleet.Cols.Flags;
        byte[] values = _reclaiming ??= new byte[fleet.SlotCount];
        int version = fleet.Version;
        if (_reclaimingAt != version)
        {
            for (int i = 0; i < values.Length; i++)
                values[i] = (byte)((flags[i] & VmFlags.Reclaiming) != 0 ? 1 : 0);
            WhilePassing?.Invoke();
            _reclaimingAt = version;
        }

        return MemoryMarshal.Cast<byte, bool>(values);
    }

    public WindowSpans WindowPressures()
    {
        int n = fleet.SlotCount;
        int[] average = _average ??= new int[n], minimum = _minimum ??= new int[n], maximum = _maximum ??= new int[n];
        int version = fleet.Version;
        if (_windowsAt != version)
        {
            // Host by host: inside a sharded tick, a host already ticked holds the tick's sample (Fleet.WindowTickIndex).
            FleetColumns c = fleet.Cols;
            for (int h = 0; h < fleet.HostCount; h++)
            {
                long tick = fleet.WindowTickIndex(h);
                for (int i = c.HostStart[h], end = i + c.HostCapacity[h]; i < end; i++)
                    (average[i], minimum[i], maximum[i]) = WindowOf(c, i, tick);
            }

            WhilePassing?.Invoke();
            _windowsAt = version;
        }

        return new WindowSpans(average, minimum, maximum);
    }

    public SettingSpans Settings()
    {
        int[] flags = fleet.Cols.Flags;
        int n = fleet.SlotCount;
        byte[] used = _used ??= new byte[n], dynamic = _dynamic ??= new byte[n], guest = _guest ??= new byte[n];
        int version = fleet.Version;
        if (_settingsAt != version)
        {
            for (int i = 0; i < n; i++)
            {
                int f = flags[i];
                used[i] = (byte)((f & VmFlags.Used) != 0 ? 1 : 0);
                dynamic[i] = (byte)((f & VmFlags.Dynamic) != 0 ? 1 : 0);
                guest[i] = (byte)((f & VmFlags.Linux) != 0 ? GuestKind.Linux : GuestKind.Windows);
            }

            WhilePassing?.Invoke();
            _settingsAt = version;
        }

        return new SettingSpans(MemoryMarshal.Cast<byte, bool>(used), MemoryMarshal.Cast<byte, bool>(dynamic), MemoryMarshal.Cast<byte, GuestKind>(guest));
    }

    /// <summary>
    /// R18: Average, Minimum and Maximum Pressure of slot <paramref name="i"/>'s last completed window, or of the current
    /// one until a window completes (average rounded half up; 0 for an empty window).
    /// </summary>
    public static (int Average, int Minimum, int Maximum) WindowOf(FleetColumns c, int i, long tickIndex)
    {
        if (c.LastAvg[i] >= 0)
            return (c.LastAvg[i], c.LastMin[i], c.LastMax[i]);
        int count = c.WinCountOf(i, tickIndex);
        return count == 0 ? (0, 0, c.WinMax[i]) : (Kernel.Rules.WindowAverage(c.WinSum[i], count), c.WinMin[i], c.WinMax[i]);
    }
}
