using System.Runtime.CompilerServices;

namespace DmKernel.Kernel;

/// <summary>
/// R18's tumbling pressure windows at their end: one pass shared by every kernel path, on the ticks that close a window
/// (<see cref="TickContext.WindowEnd"/>), after the tick's sample is in. The sample count is not stored: every VM that
/// is not Off samples every tick and a stop clears the window, so it is the ticks since the later of the window's
/// first tick and the VM's start (<see cref="FleetColumns.WinCountOf"/>).
/// </summary>
internal static class PressureWindows
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Close(in HostColumns host, in TickContext ctx)
    {
        Span<int> flags = host.Flags, sum = host.WinSum, min = host.WinMin, max = host.WinMax;
        Span<int> lastAvg = host.LastAvg, lastMin = host.LastMin, lastMax = host.LastMax;
        Span<long> onSince = host.OnSince;
        long t = ctx.TickIndex, windowStart = t - (t % host.Columns.WindowTicks);
        for (int k = 0; k < flags.Length; k++)
        {
            if ((flags[k] & VmFlags.StateMask) == 0)
                continue;

            // The samples: this tick's and those since the later of the window's first tick and the VM's start.
            int count = (int)(t + 1 - Math.Max(windowStart, onSince[k]));
            lastAvg[k] = Rules.WindowAverage(sum[k], count);
            lastMin[k] = min[k];
            lastMax[k] = max[k];
            sum[k] = 0;
            min[k] = int.MaxValue;
            max[k] = 0;
        }
    }
}
