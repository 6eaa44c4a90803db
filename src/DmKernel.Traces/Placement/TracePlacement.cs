using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Synthesizes hosts for a trace that has none (Bitbrains, Google GCD): deterministic first-fit decreasing by
/// Startup. VMs are taken by Startup descending (ties: VM table order) and each goes to the lowest-numbered
/// host whose free memory (TotalMb − ReserveMb − Σ Startup of its VMs) holds its Startup, so every VM can boot
/// at once (R4); a new host is opened when none fits. Hosts are identical. O(n log n) with a max segment tree.
/// </summary>
public static class TracePlacement
{
    /// <summary>
    /// Places <paramref name="vms"/> on hosts of <paramref name="hostMb"/> MB with <paramref name="reserveMb"/>
    /// for the management OS (recorded in each host) and at most <paramref name="maxVmsPerHost"/> VMs each.
    /// Throws <see cref="ArgumentException"/> naming a VM whose Startup cannot fit an empty host.
    /// </summary>
    public static PlacementResult FirstFitByStartup(IReadOnlyList<TraceVm> vms, int hostMb, int reserveMb = 2048, int maxVmsPerHost = HostSpec.MaxVmCapacity)
    {
        ArgumentNullException.ThrowIfNull(vms);
        if (hostMb <= 0 || hostMb % 2 != 0)
            throw new InvariantOutOfRangeException(nameof(hostMb), hostMb, "hostMb: expected a positive multiple of 2 MB.");
        if (reserveMb < 0 || reserveMb % 2 != 0 || reserveMb >= hostMb)
            throw new InvariantOutOfRangeException(nameof(reserveMb), reserveMb, "reserveMb: expected a multiple of 2 MB from 0 to below hostMb.");
        if (maxVmsPerHost < 1 || maxVmsPerHost > HostSpec.MaxVmCapacity)
            throw new InvariantOutOfRangeException(nameof(maxVmsPerHost), maxVmsPerHost, string.Create(CultureInfo.InvariantCulture, $"maxVmsPerHost: expected 1..{HostSpec.MaxVmCapacity}."));

        int n = vms.Count;
        int capacity = hostMb - reserveMb;
        var order = new int[n];
        var startup = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
            startup[i] = vms[i].Settings.StartupMb;
            if (startup[i] > capacity)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"VM {i} ('{vms[i].Id}') needs Startup {startup[i]} MB, more than a host of {hostMb} MB with a {reserveMb} MB reserve holds ({capacity} MB): place on hosts of at least {startup[i] + reserveMb} MB (--host-mb)."), nameof(vms));
        }

        Array.Sort(order, (a, b) => startup[a] != startup[b] ? startup[b].CompareTo(startup[a]) : a.CompareTo(b));

        // Max segment tree over host free memory; a full host (VM slots) is marked -1.
        int leaves = 1;
        while (leaves < Math.Max(1, n))
            leaves <<= 1;
        var tree = new long[2 * leaves];
        for (int i = 0; i < leaves; i++)
            tree[leaves + i] = capacity;
        for (int i = leaves - 1; i >= 1; i--)
            tree[i] = Math.Max(tree[2 * i], tree[2 * i + 1]);
        var count = new int[leaves];
        var hostOf = new int[n];
        int used = 0;
        foreach (int vm in order)
        {
            int need = startup[vm];
            int node = 1;
            while (node < leaves)
                node = tree[2 * node] >= need ? 2 * node : 2 * node + 1;
            int host = node - leaves;
            hostOf[vm] = host;
            used = Math.Max(used, host + 1);
            tree[node] = ++count[host] == maxVmsPerHost ? -1 : tree[node] - need;
            for (node >>= 1; node >= 1; node >>= 1)
                tree[node] = Math.Max(tree[2 * node], tree[2 * node + 1]);
        }

        var placed = new TraceVm[n];
        for (int i = 0; i < n; i++)
            placed[i] = vms[i] with { Host = hostOf[i] };
        var hosts = new TraceHost[used];
        Array.Fill(hosts, new TraceHost(hostMb, reserveMb));
        return new PlacementResult(placed, hosts);
    }
}
