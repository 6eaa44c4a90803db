using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// The packing of a comparison's "hosts needed for the trace's own VMs" search (<c>CapacityStudy.HostsJob.Pack</c>):
/// each VM goes to the host with the least Startup so far, largest Startup first, and the probe lists the VMs host by
/// host in pool order. Checked against the rule written out directly, on pools of many sizes.
/// </summary>
public class HostsPackTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 3, 2)]
    [InlineData(500, 13, 3)]
    [InlineData(2000, 40, 4)]
    [InlineData(300, 400, 5)] // more hosts than VMs: some hosts stay empty
    public void Pack_ListsEachHostsVms_InPoolOrder_AsTheRuleSays(int vmCount, int hosts, int seed)
    {
        var random = new Random(seed);
        int[] sizes = [512, 1024, 2048, 4096, 8192];
        var settings = new VmSettings[vmCount + 50];
        for (int i = 0; i < settings.Length; i++)
        {
            int startup = sizes[random.Next(sizes.Length)];
            settings[i] = VmSettings.Dynamic(startup, startup / 2, startup * 4);
        }

        // The pool: trace VMs in some order, not all of them (as a comparison's pool leaves some out).
        int[] pool = [.. Enumerable.Range(0, settings.Length).OrderBy(_ => random.Next()).Take(vmCount)];
        VmSettings[] poolSettings = [.. pool.Select(v => settings[v])];

        (ProbeVm[] vms, int[] sources) = CapacityStudy.HostsJob.Pack(pool, poolSettings, CapacityStudy.HostsJob.PackOrder(poolSettings), hosts);

        // The rule, directly: largest Startup first (ties: pool order), each onto the least-loaded host (ties: lowest index).
        var load = new long[hosts];
        var hostOf = new int[vmCount];
        foreach (int i in Enumerable.Range(0, vmCount).OrderByDescending(i => poolSettings[i].StartupMb).ThenBy(i => i))
        {
            int best = 0;
            for (int h = 1; h < hosts; h++)
            {
                if (load[h] < load[best])
                    best = h;
            }

            hostOf[i] = best;
            load[best] += poolSettings[i].StartupMb;
        }

        ProbeVm[] expected = [.. Enumerable.Range(0, hosts).SelectMany(h => Enumerable.Range(0, vmCount).Where(i => hostOf[i] == h).Select(i => new ProbeVm(pool[i], 0, h)))];
        Assert.Equal(expected, vms);
        Assert.Equal(expected.Select(v => v.Source), sources);
    }
}
