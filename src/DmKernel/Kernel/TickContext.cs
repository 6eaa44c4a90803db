namespace DmKernel.Kernel;

/// <summary>What every host needs to know about the tick being run: derived once per tick, read-only.</summary>
internal readonly struct TickContext
{
    public TickContext(ModelParameters model, long tickIndex)
    {
        TickIndex = tickIndex;
        GMask = model.GranularityMb - 1;
        RemoveCap = model.RemoveCapPerTickMb;
        BootTicks = model.BootGraceTicks;
        SmartPaging = model.SmartPaging;
        // R15: reclaim ticks close each ReclaimPeriod (the first one at the end of the first period).
        ReclaimTick = (tickIndex + 1) % model.ReclaimPeriodTicks == 0;
        // R18: tumbling windows close every PressureWindow ticks.
        WindowTicks = model.PressureWindowTicks;
        WindowTick = (int)(tickIndex % WindowTicks);
        WindowEnd = WindowTick + 1 == WindowTicks;
    }

    public long TickIndex { get; }

    /// <summary>G − 1, for rounding with masks.</summary>
    public int GMask { get; }

    public int G => GMask + 1;

    /// <summary>R12: balloon cap per VM per tick (also R16's drain step).</summary>
    public int RemoveCap { get; }

    /// <summary>R5 grace in ticks.</summary>
    public int BootTicks { get; }

    public bool SmartPaging { get; }

    public bool ReclaimTick { get; }

    public bool WindowEnd { get; }

    /// <summary>R18: the pressure window's length in ticks.</summary>
    public int WindowTicks { get; }

    /// <summary>R18: this tick's position in its pressure window (0 for a window's first tick).</summary>
    public int WindowTick { get; }
}
