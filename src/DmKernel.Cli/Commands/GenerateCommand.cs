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
        var profile = new Option<string>("--profile") { Description = "datacenter: heterogeneous VMs; vdi: desktops of 1 GB committing about 580 MB (its defaults: --vms 200 --hosts 2 --ticks 288 --tick-seconds 300 --host-mb 98304).", HelpName = "datacenter|vdi", DefaultValueFactory = _ => "datacenter" };
        var guests = new Option<string?>("--guests") { Description = "P10: shares of the VMs with a slow or stuck guest, recorded in the trace and applied by replay and compare under every policy, e.g. stuck=5%,rate:64=20%,intermittent:30/60=10% (rate in MB/s, spells in seconds). [default: all ideal]", HelpName = "RESPONSE=SHARE%,..." };
        var command = new Command("generate", "Generate a seeded workload: a datacenter (heterogeneous sizes, diurnal and bursty demand, arrivals and departures) or a VDI fleet.")
        {
            vms, hosts, ticks, seed, tick, hostMb, output, profile, guests,
        };
        command.SetAction(result => Cli.Run(() =>
        {
            string kind = result.GetValue(profile) ?? "datacenter";
            GuestMix mix = ParseGuests(result.GetValue(guests), "--guests");
            if (kind == "vdi")
            {
                T Given<T>(Option<T> o, T vdiDefault) => result.GetResult(o) is { Implicit: false } ? result.GetValue(o)! : vdiDefault;
                var vdi = new VdiFleetOptions
                {
                    Desktops = Given(vms, 200),
                    Hosts = Given(hosts, 2),
                    Ticks = Given(ticks, 288),
                    Seed = result.GetValue(seed),
                    TickSeconds = Given(tick, 300.0),
                    HostMb = result.GetValue(hostMb) ?? 98_304,
                    Guests = mix,
                };
                string target = result.GetValue(output)!;
                Cli.EnsureParentDirectory(target);
                GeneratedTrace g = Cli.Guard(() => VdiFleet.Write(target, vdi));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Generated a VDI fleet: {g.Vms} desktops of {vdi.ProvisionedMb} MB on {g.Hosts} hosts of {g.HostMb} MB, {g.Ticks} ticks of {vdi.TickSeconds} s: {g.Path} ({new FileInfo(g.Path).Length / 1e6:F1} MB)"));
                return 0;
            }

            if (kind != "datacenter")
                throw new CliError($"--profile: '{kind}' is not a profile: expected datacenter or vdi.");

            var options = new TraceGeneratorOptions
            {
                Vms = result.GetValue(vms),
                Hosts = result.GetValue(hosts),
                Ticks = result.GetValue(ticks),
                Seed = result.GetValue(seed),
                TickSeconds = result.GetValue(tick),
                HostMb = result.GetValue(hostMb),
                Guests = mix,
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

    /// <summary>A P10 mix (<see cref="GuestMix.Parse"/>), or all ideal when not given; a bad one names the option.</summary>
    internal static GuestMix ParseGuests(string? text, string option)
    {
        if (text is null)
            return GuestMix.Ideal;
        try
        {
            return GuestMix.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new CliError($"{option}: {ex.Message}");
        }
    }
}
