using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>Fleets built in the tests for the capacity study: series of committed demand, seeded, in memory.</summary>
internal static class Fleets
{
    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>
    /// A VDI-like fleet: desktops provisioned with 1 GB (Dynamic Memory: Startup = Maximum = 1024, Minimum 512, Buffer 20 %),
    /// each committing about 580 MB (its own level within ±60 MB) with noise of σ = 40 MB per 5-minute sample, on all day.
    /// </summary>
    public static TraceSeries Vdi(int desktops = 100, int ticks = 288, int seed = 7)
    {
        var rng = new Random(seed);
        var values = new int[desktops * ticks];
        for (int v = 0; v < desktops; v++)
        {
            double level = 580 + ((rng.NextDouble() - 0.5) * 120);
            for (int t = 0; t < ticks; t++)
                values[(v * ticks) + t] = (int)Math.Clamp(level + (40 * Gauss(rng)), 200, 1024);
        }

        var table = Enumerable.Range(0, desktops).Select(v => new TraceVm($"desktop-{v}", VmSettings.Dynamic(1024, 512, 1024, 20))).ToArray();
        return TraceSeries.FromValues("vdi", 300, table, ticks, values);
    }

    /// <summary>VMs of 1, 2, 4 and 8 GB (Startup = Maximum, Minimum a quarter) that always commit exactly what they were provisioned with.</summary>
    public static TraceSeries ExactlyProvisioned(int vms = 40, int ticks = 96)
    {
        int[] sizes = [1024, 2048, 4096, 8192];
        var table = new TraceVm[vms];
        var values = new int[vms * ticks];
        for (int v = 0; v < vms; v++)
        {
            int size = sizes[v % sizes.Length];
            table[v] = new TraceVm($"vm-{v}", VmSettings.Dynamic(size, size / 4, size));
            values.AsSpan(v * ticks, ticks).Fill(size);
        }

        return TraceSeries.FromValues("exact", 300, table, ticks, values);
    }

    /// <summary><paramref name="fleet"/> with <paramref name="extra"/> more 1 GB VMs whose demand (1.5 GB) is always above their Maximum.</summary>
    public static TraceSeries WithUnservable(TraceSeries fleet, int extra)
    {
        var table = fleet.Vms.ToList();
        var values = new List<int>();
        for (int v = 0; v < fleet.Vms.Count; v++)
            values.AddRange(fleet.Of(v).ToArray());
        for (int i = 0; i < extra; i++)
        {
            table.Add(new TraceVm($"too-big-{i}", VmSettings.Dynamic(1024, 512, 1024, 20)));
            values.AddRange(Enumerable.Repeat(1536, fleet.Ticks));
        }

        return TraceSeries.FromValues(fleet.Name + "+unservable", fleet.TickSeconds, table, fleet.Ticks, values.ToArray());
    }
}
