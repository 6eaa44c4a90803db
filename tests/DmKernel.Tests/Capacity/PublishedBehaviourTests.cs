using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// The capacity answer against published behaviour, on fleets built here (docs/compare.md, "Checks against published
/// behaviour").
/// </summary>
public class PublishedBehaviourTests
{
    private static readonly TraceHost Host96Gb = new(98_304, 2048);

    private static CapacityOptions Options(TraceHost host) => new()
    {
        Host = host,
        Threads = 2,
        Strategies = [MemoryStrategy.DynamicMemory, MemoryStrategy.StaticProvisioned, MemoryStrategy.Fixed(1024)],
    };

    [Fact]
    public void VdiFleet_DynamicMemoryFitsAboutFortyPercentMoreDesktopsThanStatic1Gb()
    {
        // Microsoft's Hyper-V R2 SP1 VDI test: 85 → 120 Windows 7 desktops on one 96 GB host with Dynamic Memory (+41 %).
        TraceSeries vdi = Fleets.Vdi();
        CapacityResult r = CapacityStudy.Run(vdi, Options(Host96Gb));

        // The range the model must land in, derived from the fleet itself. Static 1 GB: the host's capacity over 1 GB.
        int capacity = Host96Gb.TotalMb - Host96Gb.ReserveMb!.Value;
        int staticDesktops = capacity / 1024;
        Assert.Equal(staticDesktops, r.DensityOf(MemoryStrategy.StaticProvisioned).Median);
        Assert.Equal(staticDesktops, r.DensityOf(MemoryStrategy.Fixed(1024)).Median);

        // Dynamic Memory cannot fit more desktops than the host holds at their mean demand (beyond that half the time is
        // paging), and always fits those whose peak target (demand at its highest, plus the 20 % buffer) fits: then no VM
        // ever waits for memory.
        double meanDemand = 0, meanPeak = 0;
        for (int v = 0; v < vdi.Vms.Count; v++)
        {
            ReadOnlySpan<int> row = vdi.Of(v);
            double sum = 0;
            int peak = 0;
            foreach (int c in row)
            {
                sum += c;
                peak = Math.Max(peak, c);
            }

            meanDemand += sum / row.Length / vdi.Vms.Count;
            meanPeak += Math.Ceiling(peak * 1.2 / 2) * 2 / vdi.Vms.Count;
        }

        double low = Math.Floor(capacity / meanPeak) / staticDesktops, high = capacity / meanDemand / staticDesktops;
        DensityResult dm = r.DensityOf(MemoryStrategy.DynamicMemory);
        double ratio = (double)dm.Median / staticDesktops;
        Assert.InRange(ratio, low, high);

        // The published +41 % lies in that range, and the model lands on it within 10 %.
        Assert.InRange(120.0 / 85, low, high);
        Assert.InRange(ratio, 1.41 * 0.9, 1.41 * 1.1);
        Assert.True(r.Verdict.Yes);
        Assert.InRange(r.Verdict.Ratio.Median, 1.41 * 0.9, 1.41 * 1.1);
    }

    [Fact]
    public void FleetUsingExactlyItsProvisionedMemory_ShowsNoGain()
    {
        TraceSeries exact = Fleets.ExactlyProvisioned();
        CapacityResult r = CapacityStudy.Run(exact, Options(new TraceHost(65_536, 2048)));
        DensityResult dm = r.DensityOf(MemoryStrategy.DynamicMemory), st = r.DensityOf(MemoryStrategy.StaticProvisioned);
        for (int s = 0; s < dm.Seeds.Count; s++)
            Assert.InRange(dm.Seeds[s].VmsPerHost - st.Seeds[s].VmsPerHost, -1, 1); // the same draws: within one VM
        Assert.False(r.Verdict.Yes);
        Assert.Equal(0, r.UnservableShare);

        // Dynamic Memory holds exactly what static does: the target is the Maximum (R9), the pressure 100 (R10).
        ProbeOutcome at = dm.AtMedian!;
        Assert.Equal(at.MeanDemandPerVmMb, at.MeanHeldPerVmMb, 6);
        Assert.Equal(0, at.PagingVmTicks);
    }

    [Fact]
    public void VmsDemandingMoreThanTheirMaximum_AreUnservable_AndLeaveTheVerdictUnchanged()
    {
        TraceSeries vdi = Fleets.Vdi(desktops: 60);
        TraceSeries withBig = Fleets.WithUnservable(vdi, 6);
        CapacityResult a = CapacityStudy.Run(vdi, Options(Host96Gb));
        CapacityResult b = CapacityStudy.Run(withBig, Options(Host96Gb));

        // The six are listed, unservable for all of their on-time; nothing else is.
        Assert.Equal(0, a.UnservableShare);
        Assert.Equal(6, b.Unservable.Count);
        Assert.All(b.Unservable, u => Assert.StartsWith("too-big-", u.Id, StringComparison.Ordinal));
        Assert.All(b.Unservable, u => Assert.Equal(1.0, u.Share));
        Assert.Equal(6.0 / 66, b.UnservableShare, 9);

        // Their paging is never counted: they page all of their on-time (9 % of the draws), which would miss the 1 % level at
        // any density. Drawn, they hold their 1 GB Maximum instead of a desktop's ~700 MB, so a few % fewer VMs fit.
        int dmA = a.DensityOf(MemoryStrategy.DynamicMemory).Median, dmB = b.DensityOf(MemoryStrategy.DynamicMemory).Median;
        Assert.InRange(dmB, (int)(dmA * 0.85), dmA);
        Assert.Equal(a.DensityOf(MemoryStrategy.StaticProvisioned).Median, b.DensityOf(MemoryStrategy.StaticProvisioned).Median);
        Assert.True(a.Verdict.Yes);
        Assert.Equal(a.Verdict.Yes, b.Verdict.Yes);
        Assert.True(b.DensityOf(MemoryStrategy.DynamicMemory).AtMedian!.UnservableVmTicks > 0);
    }
}
