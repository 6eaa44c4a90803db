using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// The buffer a pressure limit's miss names (<see cref="CapacityStudy.BufferFor"/>, in <see cref="CapacityStudy.SetPoint"/>):
/// the least whole buffer whose set-point, 100 ÷ (1 + buffer), is at or below the limit. The other tests check it only at
/// limits where 10 000 ÷ limit is whole (80 %: 25 %; 4 % and 5 %), where rounding down gives the same buffer (a mutation
/// round at stop 58).
/// </summary>
public class PressureLimitHintTests
{
    [Fact]
    public void BufferFor_IsTheLeastBufferWhoseSetPointIsAtOrBelowTheLimit_AtEveryLimit()
    {
        for (int limit = 1; limit <= 100; limit++)
        {
            int buffer = CapacityStudy.BufferFor(limit);
            Assert.True(10_000.0 / (100 + buffer) <= limit, $"limit {limit} %: a buffer of {buffer} % aims at {10_000.0 / (100 + buffer):F3} %");
            Assert.True(buffer == 0 || 10_000.0 / (100 + buffer - 1) > limit, $"limit {limit} %: {buffer - 1} % would do");
        }

        // 100 ÷ 1.11 = 90.09 % is above 90: a 90 % limit needs 12 % (100 ÷ 1.12 = 89.3 %).
        Assert.Contains("a limit of 90 % needs a buffer of at least 12 %", CapacityStudy.SetPoint(90), StringComparison.Ordinal);
        Assert.Contains("a limit of 3 % would need a buffer of 3234 %, above the 2000 % R1 allows", CapacityStudy.SetPoint(3), StringComparison.Ordinal);
    }

    /// <summary>
    /// Where static provisioned is above the limit at one VM per host, the miss names static's own pressure, the VMs' demand
    /// over their Maximum: 2048 of 4096 MB, 50 %, over a 40 % limit. Dynamic Memory's is its set-point, 100 ÷ 1.2 = 83 %, the
    /// figure a test of VMs near their Maximum (both at 95 %) cannot tell apart.
    /// </summary>
    [Fact]
    public void PressureLimit_StaticAboveItToo_TheMissNamesStaticsPressure_NotDynamicMemorys()
    {
        int[] half = [.. Enumerable.Repeat(2048, 8)];
        TraceSeries s = CapacityStudyTests.Series(8, [.. Enumerable.Range(0, 10).Select(_ => (VmSettings.Dynamic(1024, 512, 4096), half))]);
        CapacityResult r = CapacityStudy.Run(s, new CapacityOptions
        {
            Host = new TraceHost(65_536, 2048),
            Threads = 1,
            Seeds = 1,
            Level = new ServiceLevel { MaxPressure = 40 },
            Strategies = [MemoryStrategy.DynamicMemory, MemoryStrategy.StaticProvisioned],
        });
        DensityResult dm = r.DensityOf(MemoryStrategy.DynamicMemory), fixedSize = r.DensityOf(MemoryStrategy.StaticProvisioned);
        Assert.True(fixedSize.NeverMeets);
        Assert.Equal(50, fixedSize.Seeds[0].FirstMiss!.PressurePercentile);
        Assert.True(dm.Seeds[0].FirstMiss!.PressurePercentile > 80); // its set-point: the figure the miss must not give
        Assert.EndsWith(" (static provisioned, which holds every VM at its Maximum, is above the limit too, p95 pressure 50 % with one VM per host: the VMs' demand over their Maximum is above the limit, so no buffer brings Dynamic Memory below it)", dm.CannotMeet, StringComparison.Ordinal);
    }
}
