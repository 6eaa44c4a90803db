using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DmKernel.Traces;

namespace DmKernel.Cli.Commands;

/// <summary><c>dmkernel generate</c>: a seeded datacenter-scale workload as a native trace (same seed, same bytes).</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var vms = new Option<int>("--vms") { Description = "VMs in the fleet.", HelpName = "N", DefaultValueFactory = _ => 1000 };
        var hosts = new Option<int>("--hosts") { Description = "Hosts the VMs are placed on.", HelpName = "N", DefaultValueFactory = _ => 10 };
        var ticks = new Option<int>("--ticks") { Description = "Length of the trace, ticks.", HelpName = "TICKS", DefaultValueFactory = _ => 1440 };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed and options give the same bytes.", HelpName = "N", DefaultValueFactory = _ => 1UL };
        var tick = new Option<double>("--tick-seconds") { Description = "Tick length, seconds.", HelpName = "SECONDS", DefaultValueFactory = _ => 60 };
        var hostMb = new Option<int?>("--host-mb") { Description = "Host RAM, MB. [default: sized from the VMs with headroom]", HelpName = "MB" };
        var output = new Option<string>("--output", "-o") { Description = "Output trace file (.dmt); written as FILE.tmp and renamed when complete.", HelpName = "FILE", Required = true };
        var command = new Command("generate", "Generate a seeded datacenter-scale workload: heterogeneous sizes, diurnal and bursty demand, arrivals and departures.")
        {
            vms, hosts, ticks, seed, tick, hostMb, output,
        };
        command.SetAction(result => Cli.Run(() =>
        {
            var options = new TraceGeneratorOptions
            {
                Vms = result.GetValue(vms),
                Hosts = result.GetValue(hosts),
                Ticks = result.GetValue(ticks),
                Seed = result.GetValue(seed),
                TickSeconds = result.GetValue(tick),
                HostMb = result.GetValue(hostMb),
            };
            string path = result.GetValue(output)!;
            Cli.EnsureParentDirectory(path);
            var clock = Stopwatch.StartNew();
            GeneratedTrace generated = Cli.Guard(() => TraceGenerator.Generate(path, options));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Generated {generated.Vms} VMs on {generated.Hosts} hosts of {generated.HostMb} MB, {generated.Ticks} ticks of {options.TickSeconds} s, in {clock.Elapsed.TotalSeconds:F1} s: {generated.Path} ({new FileInfo(generated.Path).Length / 1e6:F1} MB)"));
            return 0;
        }));
        return command;
    }
}
