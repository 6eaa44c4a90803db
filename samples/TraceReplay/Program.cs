using DmKernel.Traces;
using DmKernel.Traces.Replay;

string trace = Path.GetTempFileName();
TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 1000, Hosts = 10, Ticks = 1440, Seed = 7 });
using (NativeTraceReader reader = NativeTraceReader.Open(trace))
using (var replay = new ReplayEngine(reader, new ReplayOptions()))
{
    while (replay.Step())
    {
    }

    Console.WriteLine($"{replay.TicksDone} ticks, {replay.Metrics.PagingVmTicks} of {replay.Metrics.OnVmTicks} VM-ticks paging");
}

File.Delete(trace);
