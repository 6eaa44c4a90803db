using DmKernel;

var fleet = new Fleet(ModelParameters.Default, [new HostSpec(TotalMb: 65_536, VmCapacity: 64)]);
int web = fleet.AddVm(host: 0, VmSettings.Dynamic(startupMb: 1024, minimumMb: 512, maximumMb: 8192));
int db = fleet.AddVm(host: 0, VmSettings.Dynamic(2048, 1024, 16_384, bufferPercent: 25, weight: 8000));
fleet.RequestStart(web);
fleet.RequestStart(db);

using var balancer = new Balancer(fleet);          // widest SIMD path; DMKERNEL_PATH overrides
int[] committed = new int[fleet.SlotCount];        // one value per slot, from your simulator
for (int tick = 0; tick < 120; tick++)
{
    committed[web] = 3000;
    committed[db] = 6000;
    fleet.SetCommitted(committed);                 // spans in
    balancer.Tick();                               // allocation-free
}

ReadOnlySpan<int> assigned = fleet.Assigned;       // spans out
Console.WriteLine($"web {assigned[web]} MB at {fleet.Pressure[web]} %, db {assigned[db]} MB at {fleet.Pressure[db]} %");
