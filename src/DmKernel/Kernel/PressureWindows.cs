namespace DmKernel.Kernel;

/// <summary>
/// R18's tumbling pressure windows at their end, on the ticks that close one (<see cref="TickContext.WindowEnd"/>), after
/// the tick's sample is in. The sample count is not stored: every VM that is not Off samples every tick and a stop clears
/// the window, so it is the window's ticks (this one included) less the ones before the VM's first sample in it
/// (<see cref="FleetColumns.WinFirst"/>, set at a start, 0 after a window's end).
/// </summary>
internal static class PressureWindows
{
    /// <summary>
    /// The scalar reference: each VM that is not Off reports its window's figures and starts a new window. (The vector
    /// paths do the same vector by vector while the columns are in the cache: <c>VectorKernel.CloseWindows</c>.)
    /// </summary>
    public static void Close(in HostColumns host, in TickContext ctx)
    {
        Span<int> flags = host.Flags, sum = host.WinSum, min = host.WinMin, max = host.WinMax, first = host.WinFirst;
        Span<int> lastAvg = host.LastAvg, lastMin = host.LastMin, lastMax = host.LastMax;
        for (int k = 0; k < flags.Length; k++)
        {
            if ((flags[k] & VmFlags.StateMask) == 0)
                continue;

            int count = ctx.WindowTick + 1 - first[k];
            lastAvg[k] = Rules.WindowAverage(sum[k], count);
            lastMin[k] = min[k];
            lastMax[k] = max[k];
            sum[k] = 0;
            min[k] = int.MaxValue;
            max[k] = 0;
            first[k] = 0;
        }
    }
}
