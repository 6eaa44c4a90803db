using System.CommandLine;
using System.Globalization;
using System.Text;

namespace DmKernel.Cli.Commands;

/// <summary>
/// <c>dmkernel demo</c>: a small built-in scenario, one host and six VMs, run through the kernel with per-tick
/// pressure and decisions printed: boot, growth under demand, a host that runs short (R11 water-filling), a
/// start that reclaims (R4), a restart with Smart Paging (R6), passive reclaim (R15) and a stop (R7).
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var ticks = new Option<int>("--ticks") { Description = "Ticks to run (1..100000), ticks of 1 s.", HelpName = "TICKS", DefaultValueFactory = _ => 90 };
        var path = new Option<string>("--path") { Description = "Kernel path: scalar, v128, v256, v512 or auto.", HelpName = "PATH", DefaultValueFactory = _ => "scalar" };
        var every = new Option<int>("--every") { Description = "Print every Nth tick (events are always printed), ticks (at least 1).", HelpName = "TICKS", DefaultValueFactory = _ => 1 };
        OptionValues.OwnRange(ticks, TicksOutOfRange); // beyond its type: as 0 is
        OptionValues.OwnRange(every, below: EveryOutOfRange, above: null);
        var command = new Command("demo", "Run the built-in scenario and print per-tick pressure and decisions.") { ticks, path, every };
        command.SetAction(result =>
        {
            int n = result.GetValue(ticks);
            int step = result.GetValue(every);
            if (n is < 1 or > 100_000)
                return Fail(TicksOutOfRange(n.ToString(CultureInfo.InvariantCulture)));
            if (step < 1)
                return Fail(EveryOutOfRange(step.ToString(CultureInfo.InvariantCulture)));
            KernelPath kernelPath;
            try
            {
                kernelPath = KernelPaths.Parse(result.GetValue(path) ?? "scalar", "--path");
            }
            catch (ArgumentException ex)
            {
                return Fail(ex.Message);
            }

            Run(n, kernelPath, step, Console.Out);
            return 0;
        });
        return command;
    }

    private static string TicksOutOfRange(string value) => $"--ticks {value} is out of range: expected 1..100000.";

    private static string EveryOutOfRange(string value) => $"--every {value} is out of range: expected at least 1.";

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }

    /// <summary>The scenario: what happens at which tick.</summary>
    public static void Run(int ticks, KernelPath path, int every, TextWriter output)
    {
        // Short periods so that a 90-tick run shows every phase: boot 5 s, reclaim every 30 s, 10 s windows.
        var model = new ModelParameters { BootGraceSeconds = 5, ReclaimPeriodSeconds = 30, PressureWindowSeconds = 10 };
        var fleet = new Fleet(model, [new HostSpec(TotalMb: 12_288, VmCapacity: 8, ReserveMb: 2048)]);
        string[] names = ["web", "db", "batch", "linux", "static", "late"];
        int web = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096, bufferPercent: 20, weight: 5000));
        int db = fleet.AddVm(0, VmSettings.Dynamic(2048, 1024, 8192, bufferPercent: 25, weight: 9000));
        int batch = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 6144, bufferPercent: 10, weight: 1000));
        int linux = fleet.AddVm(0, VmSettings.Dynamic(1024, 256, 4096, bufferPercent: 20, weight: 5000, guest: GuestKind.Linux));
        int fixedVm = fleet.AddVm(0, VmSettings.Static(1024));
        int late = fleet.AddVm(0, VmSettings.Dynamic(1536, 1024, 4096, bufferPercent: 20, weight: 8000));
        int[] vms = [web, db, batch, linux, fixedVm, late];
        int[] committed = [600, 1500, 700, 500, 800, 900];
        for (int i = 0; i < vms.Length - 1; i++)
            fleet.RequestStart(vms[i]);

        using var balancer = new Balancer(fleet, path);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DmKernel demo: 1 host of 12288 MB (reserve 2048), {vms.Length} VMs, {DmKernel.Cli.Output.Words.Count(ticks, "tick")} of {model.TickSeconds} s, path {KernelPaths.Describe(balancer.Path)}"));
        output.WriteLine("Columns per VM: pressure % / assigned MB / decision (+added, -removed). Host: available MB, S = short this tick.");
        var header = new StringBuilder("tick  avail  ");
        foreach (string name in names)
            header.Append(CultureInfo.InvariantCulture, $"| {name,-19}");
        output.WriteLine(header.ToString());

        for (int t = 0; t < ticks; t++)
        {
            string? note = null;
            switch (t)
            {
                case 15: committed[0] = 2600; committed[1] = 4200; note = "web and db load up"; break;
                case 25: committed[2] = 4500; note = "batch job starts: the host runs short, weights decide (R11)"; break;
                case 35: fleet.RequestStart(late); note = "late VM starts: memory reclaimed from lower weights (R4)"; break;
                case 45: committed[2] = 300; committed[0] = 500; note = "batch done, web quiet: surplus kept until the reclaim tick (R15)"; break;
                case 60: fleet.RequestRestart(db); note = "db restarts (R6)"; break;
                case 75: fleet.RequestStop(batch); note = "batch VM stops (R7)"; break;
            }

            for (int i = 0; i < vms.Length; i++)
                fleet.SetCommitted(vms[i], committed[i]);
            balancer.Tick();
            if (note is null && t % every != 0)
                continue;
            if (note is not null)
                output.WriteLine($"      >> {note}");
            var line = new StringBuilder();
            line.Append(CultureInfo.InvariantCulture, $"{t,4} {fleet.HostAvailable(0),6}{(fleet.HostWasShort(0) ? 'S' : ' ')} ");
            foreach (int vm in vms)
            {
                string cell = fleet.State(vm) switch
                {
                    VmState.Off => "off",
                    VmState.Booting => string.Create(CultureInfo.InvariantCulture, $"boot {fleet.Assigned[vm]}"),
                    _ => string.Create(CultureInfo.InvariantCulture, $"{fleet.Pressure[vm],3}% {fleet.Assigned[vm],5} {Decision(fleet, vm)}"),
                };
                line.Append(CultureInfo.InvariantCulture, $"| {cell,-19}");
            }

            output.WriteLine(line.ToString());
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Host: added {fleet.HostAddedMemory(0)} MB in {fleet.HostAddOperations(0)} operations, removed {fleet.HostRemovedMemory(0)} MB in {fleet.HostRemoveOperations(0)}, failed starts {fleet.HostFailedStarts(0)}."));
    }

    private static string Decision(Fleet fleet, int vm)
    {
        int added = fleet.UnballoonedThisTick[vm] + fleet.HotAddedThisTick[vm];
        int removed = fleet.RemovedThisTick[vm];
        if (added > 0)
            return string.Create(CultureInfo.InvariantCulture, $"+{added}");
        return removed > 0 ? string.Create(CultureInfo.InvariantCulture, $"-{removed}") : string.Empty;
    }
}
