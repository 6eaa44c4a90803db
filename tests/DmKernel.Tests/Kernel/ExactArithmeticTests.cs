using CsCheck;
using KernelRules = DmKernel.Kernel.Rules;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// The binary64 forms in <see cref="DmKernel.Kernel.Rules"/> (which the vector paths mirror) equal exact integer arithmetic over
/// the whole input range: R9's ceiling, R10's rounded quotient and R18's window mean.
/// </summary>
public class ExactArithmeticTests
{
    private static int ExactTarget(int demand, int buffer, int min, int max, int g)
    {
        long withBuffer = ((long)demand * (100 + buffer) + 99) / 100;        // exact ceil
        long rounded = (withBuffer + g - 1) / g * g;                           // roundUp
        return (int)Math.Clamp(rounded, min, max);
    }

    private static int ExactPressure(int demand, int assigned)
        => assigned == 0 ? 0 : (int)Math.Min((200L * demand + assigned) / (2L * assigned), KernelRules.PressureCap);

    [Fact]
    public void Target_Binary64_EqualsExactInteger_OnEdges()
    {
        int[] demands = [0, 1, 2, 99, 100, 101, 199, 1023, 1_000_000, 8_388_607, Fleet.MaxCommittedMb, Fleet.MaxCommittedMb + 8192];
        int[] buffers = [5, 6, 20, 33, 99, 100, 101, 1999, 2000];
        foreach (int d in demands)
        {
            foreach (int b in buffers)
            {
                Assert.Equal(ExactTarget(d, b, 32, 16_777_216, 2), KernelRules.Target(d, b, 32, 16_777_216, 1));
                Assert.Equal(ExactTarget(d, b, 512, 4096, 2), KernelRules.Target(d, b, 512, 4096, 1));
            }
        }
    }

    [Fact]
    public void Target_Binary64_EqualsExactInteger_Random()
    {
        Gen.Select(Gen.Int[0, Fleet.MaxCommittedMb + 600_000], Gen.Int[5, 2000], Gen.Int[16, 100_000], Gen.Int[0, 8_000_000])
            .Sample((d, b, minHalf, extraHalf) =>
            {
                int min = 2 * minHalf, max = Math.Min(ModelParameters.MaxCeilingLimitMb, min + 2 * extraHalf);
                Assert.Equal(ExactTarget(d, b, min, max, 2), KernelRules.Target(d, b, min, max, 1));
            }, iter: 20_000);
    }

    [Fact]
    public void Pressure_Binary64_EqualsExactInteger()
    {
        Assert.Equal(83, KernelRules.Pressure(1000, 1200));        // 83.33
        Assert.Equal(84, KernelRules.Pressure(1005, 1200));        // 83.75
        Assert.Equal(50, KernelRules.Pressure(1, 2));              // exactly 50
        Assert.Equal(0, KernelRules.Pressure(500, 0));
        Assert.Equal(KernelRules.PressureCap, KernelRules.Pressure(Fleet.MaxCommittedMb, 2));
        Gen.Select(Gen.Int[0, Fleet.MaxCommittedMb + 600_000], Gen.Int[0, 16_777_216])
            .Sample((d, a) => Assert.Equal(ExactPressure(d, a), KernelRules.Pressure(d, a)), iter: 20_000);
    }

    [Fact]
    public void WindowAverage_RoundsHalfUp()
    {
        Assert.Equal(3, KernelRules.WindowAverage(5, 2));          // 2.5 rounds half up to 3
        Assert.Equal(2, KernelRules.WindowAverage(7, 3));          // 2.33 rounds to 2
        Assert.Equal(3, KernelRules.WindowAverage(8, 3));          // 2.67 rounds to 3
        Assert.Equal(100_000, KernelRules.WindowAverage(100_000 * 20_000, 20_000));
    }

    [Fact]
    public void LinuxFloor_MatchesHvBalloonBreakpoints()
    {
        Assert.Equal(8, KernelRules.LinuxFloor(0));
        Assert.Equal(8 + 63, KernelRules.LinuxFloor(127));
        Assert.Equal(40 + 32, KernelRules.LinuxFloor(128));
        Assert.Equal(104 + 64, KernelRules.LinuxFloor(512));
        Assert.Equal(232 + 128, KernelRules.LinuxFloor(2048));
        Assert.Equal(488 + 256, KernelRules.LinuxFloor(8192));
    }

    /// <summary>
    /// R11's water-filling test on the vector paths, <c>cap × W ≤ level × w</c> in binary64, equals the
    /// exact comparison on every width, also where cap × W is above 2^53 (not exact as a binary64 product)
    /// and at exact ties.
    /// </summary>
    [Fact]
    public void FitsUnderLevel_EqualsExactComparison_OnEveryWidth()
    {
        const int MaxCap = ModelParameters.MaxCeilingLimitMb, MaxWeights = HostSpec.MaxVmCapacity * VmSettings.MaxWeight;
        (int Cap, int W, long Weights, long Level)[] edges =
        [
            (MaxCap, VmSettings.MaxWeight, MaxWeights, int.MaxValue - 1),
            (MaxCap - 2, 1, MaxWeights, int.MaxValue - 1),
            (202, 2, 4, 404), // the tie of WaterFillingOracleTests: satisfied
            (16_777_214, 9_999, 655_359_999, 1_099_511_562), (0, 0, 1, 0), (2, 0, 1, 1_000_000),
        ];
        foreach ((int cap, int w, long weights, long level) in edges)
            AssertFits(cap, w, weights, level);

        // Near-ties at the top of the range: level × w within a few units of cap × W.
        Gen.Select(Gen.Int[1, MaxCap], Gen.Int[1, VmSettings.MaxWeight], Gen.Long[1, MaxWeights], Gen.Int[-3, 3]).Sample((cap, w, weights, nudge) =>
        {
            long level = Math.Clamp((long)((System.Numerics.BigInteger)cap * weights / w) + nudge, 0, int.MaxValue - 1);
            AssertFits(cap, w, weights, level);
        }, iter: 20_000);
    }

    /// <summary>
    /// R11's share on the vector paths equals the scalar plan's floor(pool × w / W) on every width, for a member's
    /// weight w within the group's W (so the share is at most the pool, below 2^31).
    /// </summary>
    [Fact]
    public void ShareOfPool_EqualsExactQuotient_OnEveryWidth()
    {
        const long MaxWeights = HostSpec.MaxVmCapacity * (long)VmSettings.MaxWeight;
        Gen.Select(Gen.Int[0, VmSettings.MaxWeight], Gen.Long[0, MaxWeights - VmSettings.MaxWeight], Gen.Int[0, int.MaxValue - 1])
            .Sample((w, others, pool) =>
            {
                long weights = Math.Max(1, w) + others;
                long exact = (long)pool * w / weights;
                var lane = DmKernel.Kernel.V128.Create(w);
                Assert.Equal(exact, Lane0(DmKernel.Kernel.V128.ShareOfPool(lane, pool, weights)));
                Assert.Equal(exact, Lane0(DmKernel.Kernel.V256.ShareOfPool(DmKernel.Kernel.V256.Create(w), pool, weights)));
                Assert.Equal(exact, Lane0(DmKernel.Kernel.V512.ShareOfPool(DmKernel.Kernel.V512.Create(w), pool, weights)));
            }, iter: 20_000);
    }

    private static void AssertFits(int cap, int w, long weights, long level)
    {
        bool exact = (System.Numerics.BigInteger)cap * weights <= (System.Numerics.BigInteger)level * w;
        Assert.Equal(exact, Lane0(DmKernel.Kernel.V128.FitsUnderLevel(DmKernel.Kernel.V128.Create(cap), DmKernel.Kernel.V128.Create(w), weights, level)) != 0);
        Assert.Equal(exact, Lane0(DmKernel.Kernel.V256.FitsUnderLevel(DmKernel.Kernel.V256.Create(cap), DmKernel.Kernel.V256.Create(w), weights, level)) != 0);
        Assert.Equal(exact, Lane0(DmKernel.Kernel.V512.FitsUnderLevel(DmKernel.Kernel.V512.Create(cap), DmKernel.Kernel.V512.Create(w), weights, level)) != 0);
    }

    private static int Lane0<TV>(TV v)
        where TV : struct, DmKernel.Kernel.IVec<TV>
    {
        var lanes = new int[TV.Count];
        TV.Store(v, ref lanes[0], 0);
        return lanes[0];
    }
}
