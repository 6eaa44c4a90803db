using CsCheck;
using KernelRules = DmKernel.Kernel.Rules;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// The binary64 forms in <see cref="DmKernel.Kernel.Rules"/> (the scalar reference) and the vector paths' forms (binary32
/// estimates with exact corrections, the Linux floor from the leading-zero count) equal exact integer arithmetic over the
/// whole input range: R9's ceiling, R10's rounded quotient, R8's floor and R18's window mean.
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

    /// <summary>
    /// R11's tie test and share at every lane position: the tests above read lane 0 of a broadcast, but the 256- and
    /// 512-bit forms take their lanes in two binary64 halves, so each lane of each width carries in turn an exact tie
    /// (<c>cap × W = level × w</c>: satisfied), a near miss and an exact share among neutral lanes, and every lane is
    /// checked against exact arithmetic.
    /// </summary>
    [Fact]
    public void FitsUnderLevel_AndShareOfPool_AtEveryLanePosition_OnEveryWidth()
    {
        AssertEveryLane<DmKernel.Kernel.V128>();
        AssertEveryLane<DmKernel.Kernel.V256>();
        AssertEveryLane<DmKernel.Kernel.V512>();
    }

    private static void AssertEveryLane<TV>()
        where TV : struct, DmKernel.Kernel.IVec<TV>
    {
        int n = TV.Count;
        int[] cap = new int[n], w = new int[n], result = new int[n];
        (int Cap, int W, long Weights, long Level)[] cases =
        [
            (202, 2, 4, 404),                                     // the tie of WaterFillingOracleTests
            (204, 2, 4, 404),                                     // one granule above it
            (16_777_214, 9_999, 655_359_999, 1_099_511_562),      // near the top of the range
            (1_000, 5_000, 355_000, 71_000),                      // cap × W = level × w at larger values
        ];
        foreach ((int c, int weight, long weights, long level) in cases)
        {
            for (int pos = 0; pos < n; pos++)
            {
                for (int j = 0; j < n; j++)
                    (cap[j], w[j]) = j == pos ? (c, weight) : (1_000_000, 1); // neutral lanes: far above the level
                TV.Store(TV.FitsUnderLevel(TV.Load(ref cap[0], 0), TV.Load(ref w[0], 0), weights, level), ref result[0], 0);
                for (int j = 0; j < n; j++)
                {
                    bool exact = (System.Numerics.BigInteger)cap[j] * weights <= (System.Numerics.BigInteger)level * w[j];
                    if ((result[j] != 0) != exact)
                        Assert.Fail($"{typeof(TV).Name} lane {j}: FitsUnderLevel(cap {cap[j]}, w {w[j]}, W {weights}, level {level}) = {result[j] != 0}, exact {exact}");
                }

                // The share floor(pool × w / W) with pool = level: exact where the division is exact.
                TV.Store(TV.ShareOfPool(TV.Load(ref w[0], 0), level, weights), ref result[0], 0);
                for (int j = 0; j < n; j++)
                {
                    long share = level * w[j] / weights;
                    if (result[j] != share)
                        Assert.Fail($"{typeof(TV).Name} lane {j}: ShareOfPool(w {w[j]}, pool {level}, W {weights}) = {result[j]}, exact {share}");
                }
            }
        }
    }

    /// <summary>The largest Demand the model admits: committed 16 TB plus the Linux floor of a 16 TB Assigned.</summary>
    private const int MaxDemand = Fleet.MaxCommittedMb + 488 + (ModelParameters.MaxCeilingLimitMb >> 5);

    /// <summary>
    /// R9 on the vector paths (a binary32 estimate and an exact correction modulo 2^32) equals the exact integer target on
    /// every width: every demand near the multiples of 100 that make P / 100 an integer, near the clamp at Maximum, and at
    /// random over the whole range of Demand, Buffer, Minimum and Maximum.
    /// </summary>
    [Fact]
    public void Target_Vector_EqualsExactInteger_OnEveryWidth()
    {
        var cases = new List<(int D, int B, int Min, int Max)>();
        foreach (int b in (int[])[5, 6, 20, 25, 50, 99, 100, 101, 1999, 2000])
        {
            foreach (int d in (int[])[0, 1, 2, 3, 99, 100, 101, 1000, 9_999, 10_000, 10_001, 8_388_607, 8_388_608, Fleet.MaxCommittedMb, MaxDemand])
            {
                cases.Add((d, b, 32, ModelParameters.MaxCeilingLimitMb));
                cases.Add((d, b, 512, 4096));
            }

            // Around the clamp: P / 100 just above and below Maximum, for the largest Maximum.
            long atMax = (long)ModelParameters.MaxCeilingLimitMb * 100 / (100 + b);
            for (long d = atMax - 3; d <= atMax + 3; d++)
                cases.Add(((int)d, b, 32, ModelParameters.MaxCeilingLimitMb));
        }

        var random = new Random(9);
        for (int k = 0; k < 200_000; k++)
        {
            int b = random.Next(5, 2001);
            int min = 2 * random.Next(16, 1 << 20), max = Math.Min(ModelParameters.MaxCeilingLimitMb, min + (2 * random.Next(0, 1 << 23)));
            int d = k % 4 == 0
                ? (int)Math.Min(MaxDemand, (long)random.Next(0, 1 << 24) / (100 + b) * 100)  // P a multiple of 100 often
                : random.Next(0, MaxDemand + 1);
            cases.Add((d, b, min, max));
        }

        AssertTargets<DmKernel.Kernel.V128>(cases);
        AssertTargets<DmKernel.Kernel.V256>(cases);
        AssertTargets<DmKernel.Kernel.V512>(cases);
    }

    /// <summary>
    /// R10 on the vector paths (a binary32 estimate and an exact correction modulo 2^32) equals the exact rounded quotient
    /// on every width: exact halves, the saturation boundary, Assigned 0 and 2^24, and at random.
    /// </summary>
    [Fact]
    public void Pressure_Vector_EqualsExactInteger_OnEveryWidth()
    {
        var cases = new List<(int D, int A)>
        {
            (1000, 1200), (1005, 1200), (1, 2), (500, 0), (0, 0), (0, 1), (MaxDemand, 2), (MaxDemand, 1),
            (MaxDemand, ModelParameters.MaxCeilingLimitMb), (1000, 1), (1000, 999), (999, 1000),
        };

        // The saturation boundary: 100 000 % = 1000 × Assigned, ± a little.
        foreach (int a in (int[])[1, 2, 3, 1000, 16_383, 16_777])
        {
            for (int d = (1000 * a) - 3; d <= (1000 * a) + 3; d++)
                cases.Add((d, a));
        }

        // Exact halves and near-halves: 200 D + A = (2q + 1) A.
        var random = new Random(10);
        for (int k = 0; k < 200_000; k++)
        {
            int a = k % 3 == 0 ? random.Next(1, 1 << 12) : random.Next(0, ModelParameters.MaxCeilingLimitMb + 1);
            int d = k % 5 == 0 && a > 0
                ? (int)Math.Min(MaxDemand, (long)(2 * random.Next(0, 2000) + 1) * a / 200 + random.Next(-1, 2))
                : random.Next(0, MaxDemand + 1);
            cases.Add((Math.Max(0, d), a));
        }

        AssertPressures<DmKernel.Kernel.V128>(cases);
        AssertPressures<DmKernel.Kernel.V256>(cases);
        AssertPressures<DmKernel.Kernel.V512>(cases);
    }

    /// <summary>R18's window mean on the vector paths equals the exact rounded mean on every width (halves, the largest sums, random).</summary>
    [Fact]
    public void WindowAverage_Vector_EqualsExactInteger_OnEveryWidth()
    {
        var cases = new List<(int Sum, int Count)> { (5, 2), (7, 3), (8, 3), (0, 1), (100_000, 1), (100_000 * 20_000, 20_000), (100_000 * 20_000 - 1, 20_000) };
        var random = new Random(12);
        for (int k = 0; k < 200_000; k++)
        {
            int n = k % 2 == 0 ? random.Next(1, 61) : random.Next(1, 20_001);
            int sum = k % 3 == 0 ? (int)Math.Min(100_000L * n, ((2L * random.Next(0, 100_001)) + 1) * n / 2) : random.Next(0, (int)Math.Min(int.MaxValue, 100_000L * n) + 1);
            cases.Add((sum, n));
        }

        AssertWindowAverages<DmKernel.Kernel.V128>(cases);
        AssertWindowAverages<DmKernel.Kernel.V256>(cases);
        AssertWindowAverages<DmKernel.Kernel.V512>(cases);
    }

    private static void AssertWindowAverages<TV>(List<(int Sum, int Count)> cases)
        where TV : struct, DmKernel.Kernel.IVec<TV>
    {
        int n = TV.Count;
        int[] sum = new int[n], count = new int[n], result = new int[n];
        for (int i = 0; i < cases.Count; i += n)
        {
            for (int j = 0; j < n; j++)
                (sum[j], count[j]) = cases[Math.Min(i + j, cases.Count - 1)];
            TV.Store(TV.WindowAverage(TV.Load(ref sum[0], 0), TV.Load(ref count[0], 0)), ref result[0], 0);
            for (int j = 0; j < n; j++)
            {
                if (result[j] != KernelRules.WindowAverage(sum[j], count[j]))
                    Assert.Fail($"{typeof(TV).Name}: WindowAverage({sum[j]}, {count[j]}) = {result[j]}, exact {KernelRules.WindowAverage(sum[j], count[j])}");
            }
        }
    }

    /// <summary>
    /// The formula behind V512's leading-zero-count Linux floor (<c>s = clamp((28 − lzcnt(t)) / 2, 1, 5)</c>,
    /// <c>floor = 2^(s+4) − 24 + (t &gt;&gt; s)</c>), lane by lane in scalar code, equals R8's breakpoints for every Assigned
    /// up to 2^20 and at random up to the ceiling: checked on every CPU, also where AVX-512 CD is missing and the
    /// intrinsic form (next test) cannot run.
    /// </summary>
    [Fact]
    public void LinuxFloor_LeadingZeroCountFormula_EqualsTheBreakpoints()
    {
        static int Formula(int t)
        {
            int s = Math.Clamp((28 - System.Numerics.BitOperations.LeadingZeroCount((uint)t)) >> 1, 1, 5);
            return (int)((16u << s) + ((uint)t >> s)) - 24;
        }

        var random = new Random(11);
        for (int t = 0; t <= 1 << 20; t++)
            Assert.Equal(KernelRules.LinuxFloor(t), Formula(t));
        for (int k = 0; k < 100_000; k++)
        {
            int t = random.Next(0, ModelParameters.MaxCeilingLimitMb + 1);
            Assert.Equal(KernelRules.LinuxFloor(t), Formula(t));
        }
    }

    /// <summary>R8's Linux floor as each vector width computes it on this CPU (the leading-zero count where
    /// Vector512 has AVX-512 CD, the chain of selects elsewhere and on the narrower widths) equals the scalar rule for
    /// every Assigned up to 2^20 and at random. Nothing is skipped on a CPU without AVX-512 CD (CI's AVX-off pass):
    /// the form that CPU takes is the one checked; the leading-zero form itself has its own row where the CPU has it.</summary>
    [Fact]
    public void LinuxFloor_Vector_EqualsScalar_OnEveryWidth()
    {
        var values = new List<int>();
        for (int t = 0; t <= 1 << 20; t++)
            values.Add(t);
        var random = new Random(11);
        for (int k = 0; k < 100_000; k++)
            values.Add(random.Next(0, ModelParameters.MaxCeilingLimitMb + 1));
        AssertLinuxFloor<DmKernel.Kernel.V128>(values, DmKernel.Kernel.VectorKernel<DmKernel.Kernel.V128>.LinuxFloor);
        AssertLinuxFloor<DmKernel.Kernel.V256>(values, DmKernel.Kernel.VectorKernel<DmKernel.Kernel.V256>.LinuxFloor);
        AssertLinuxFloor<DmKernel.Kernel.V512>(values, DmKernel.Kernel.VectorKernel<DmKernel.Kernel.V512>.LinuxFloor);
        if (DmKernel.Kernel.V512.HasFastLinuxFloor)
            AssertLinuxFloor<DmKernel.Kernel.V512>(values, DmKernel.Kernel.V512.FastLinuxFloor);
    }

    private static void AssertLinuxFloor<TV>(List<int> values, Func<TV, TV> floor)
        where TV : struct, DmKernel.Kernel.IVec<TV>
    {
        int n = TV.Count;
        var lanes = new int[n];
        var result = new int[n];
        for (int i = 0; i < values.Count; i += n)
        {
            for (int j = 0; j < n; j++)
                lanes[j] = values[Math.Min(i + j, values.Count - 1)];
            TV.Store(floor(TV.Load(ref lanes[0], 0)), ref result[0], 0);
            for (int j = 0; j < n; j++)
                Assert.Equal(KernelRules.LinuxFloor(lanes[j]), result[j]);
        }
    }

    private static void AssertTargets<TV>(List<(int D, int B, int Min, int Max)> cases)
        where TV : struct, DmKernel.Kernel.IVec<TV>
    {
        int n = TV.Count;
        int[] d = new int[n], min = new int[n], max = new int[n], result = new int[n];
        ushort[] b = new ushort[n];
        for (int i = 0; i < cases.Count; i += n)
        {
            for (int j = 0; j < n; j++)
                (d[j], b[j], min[j], max[j]) = ((int, ushort, int, int))cases[Math.Min(i + j, cases.Count - 1)];
            TV t = TV.Target(TV.Load(ref d[0], 0), TV.LoadU16(ref b[0], 0), TV.Load(ref min[0], 0), TV.Load(ref max[0], 0), 1);
            TV.Store(t, ref result[0], 0);
            for (int j = 0; j < n; j++)
            {
                if (result[j] != ExactTarget(d[j], b[j], min[j], max[j], 2))
                    Assert.Fail($"{typeof(TV).Name}: Target(D {d[j]}, B {b[j]}, Min {min[j]}, Max {max[j]}) = {result[j]}, exact {ExactTarget(d[j], b[j], min[j], max[j], 2)}");
            }
        }
    }

    private static void AssertPressures<TV>(List<(int D, int A)> cases)
        where TV : struct, DmKernel.Kernel.IVec<TV>
    {
        int n = TV.Count;
        int[] d = new int[n], a = new int[n], result = new int[n];
        for (int i = 0; i < cases.Count; i += n)
        {
            for (int j = 0; j < n; j++)
                (d[j], a[j]) = cases[Math.Min(i + j, cases.Count - 1)];
            TV.Store(TV.Pressure(TV.Load(ref d[0], 0), TV.Load(ref a[0], 0)), ref result[0], 0);
            for (int j = 0; j < n; j++)
            {
                if (result[j] != ExactPressure(d[j], a[j]))
                    Assert.Fail($"{typeof(TV).Name}: Pressure(D {d[j]}, A {a[j]}) = {result[j]}, exact {ExactPressure(d[j], a[j])}");
            }
        }
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
