using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// <see cref="AlignedArrays"/>: the fleet's columns and the kernels' scratch on 64-byte boundaries where the heap allows.
/// Alignment may change speed only: arrays come zeroed and of the asked length, and a fleet ticks to the same state
/// whichever way its arrays were placed.
/// </summary>
[Collection(AlignmentSwitch.Name)]
public class AlignedArraysTests
{
    [Fact]
    public void Allocate_AfterGarbageWasFreed_ReturnsZeroedArraysOfTheAskedLength()
    {
        // Attempts are allocated uninitialized: memory freed by garbage full of ones must come back as zeros.
        for (int round = 0; round < 3; round++)
        {
            for (int k = 0; k < 20; k++)
                GC.AllocateUninitializedArray<int>(1024 + (k * 4000), pinned: true).AsSpan().Fill(-1);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            foreach (int length in new[] { 1, 63, 1024, 1025, 50_048, 262_144 })
            {
                int[] ints = AlignedArrays.Allocate<int>(length);
                long[] longs = AlignedArrays.Allocate<long>(length);
                ushort[] shorts = AlignedArrays.Allocate<ushort>(length);
                byte[] bytes = AlignedArrays.Allocate<byte>(length, minBytes: 256);
                Assert.Equal(length, ints.Length);
                Assert.Equal(length, longs.Length);
                Assert.Equal(length, shorts.Length);
                Assert.Equal(length, bytes.Length);
                Assert.True(ints.AsSpan().IndexOfAnyExcept(0) < 0, $"int[{length}] not zeroed");
                Assert.True(longs.AsSpan().IndexOfAnyExcept(0L) < 0, $"long[{length}] not zeroed");
                Assert.True(shorts.AsSpan().IndexOfAnyExcept((ushort)0) < 0, $"ushort[{length}] not zeroed");
                Assert.True(bytes.AsSpan().IndexOfAnyExcept((byte)0) < 0, $"byte[{length}] not zeroed");
            }
        }
    }

    [Fact]
    public void Allocate_LargeArrays_MostStartOnA64ByteBoundary()
    {
        // Best effort by design (a heap full of gaps can defeat it), but with the workstation GC (the default, and CI's)
        // most land on the boundary: plain arrays do one time in eight. Kept alive together, as a fleet's columns are.
        // The server GC balances pinned allocations over per-core heaps, so a spacer and the array after it can land in
        // different heaps: there about a third land aligned (12-17 of 40 measured), and only "better than plain" is asked.
        var arrays = new List<int[]>();
        for (int k = 0; k < 40; k++)
            arrays.Add(AlignedArrays.Allocate<int>(50_048));
        int aligned = arrays.Count(AlignedArrays.IsAligned);
        int atLeast = System.Runtime.GCSettings.IsServerGC ? 8 : arrays.Count / 2;
        Assert.True(aligned >= atLeast, $"{aligned} of {arrays.Count} aligned (at least {atLeast} expected)");
    }

    [Theory]
    [InlineData(typeof(int), 4)]
    [InlineData(typeof(long), 8)]
    [InlineData(typeof(ushort), 2)]
    [InlineData(typeof(byte), 1)]
    public void Allocate_ByType_MakesEverySchemaStorageTypeZeroed(Type type, int elementSize)
    {
        // Every storage type FleetSchema uses comes back as an array of that type, zeroed, of the asked length.
        Assert.Contains(FleetSchema.Columns, c => !c.Derived && c.Storage == type);
        Array a = AlignedArrays.Allocate(type, 1000);
        Assert.Equal(type, a.GetType().GetElementType());
        Assert.Equal(1000, a.Length);
        Assert.Equal(elementSize, FleetSchema.Columns.First(c => !c.Derived && c.Storage == type).ElementSize);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
            ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(a), 1000 * elementSize).IndexOfAnyExcept((byte)0) < 0);
    }

    [Theory]
    [InlineData(typeof(float))]
    [InlineData(typeof(double))]
    [InlineData(typeof(short))]
    [InlineData(typeof(string))]
    public void Allocate_ByType_RefusesATypeNoColumnIsStoredAs(Type type)
    {
        // No reflection fallback (Array.CreateInstance needs dynamic code under native AOT, and the schema's save, load
        // and hash walk only these four sizes): another type is refused by name.
        Assert.DoesNotContain(FleetSchema.Columns, c => c.Storage == type);
        var ex = Assert.Throws<ArgumentException>(() => AlignedArrays.Allocate(type, 16));
        Assert.Equal("elementType", ex.ParamName);
        Assert.Contains(type.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KernelPath.Vector512)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Scalar)]
    public void Fleet_AlignedOrNot_TicksToTheSameState(KernelPath path)
    {
        // Columns of 4 KiB and more are placed (1 000-odd slots).
        int[] hosts = RandomFleet.MixedHosts;
        Fleet aligned = Build(hosts, align: true);
        Fleet plain = Build(hosts, align: false);
        Assert.True(aligned.SlotCount * sizeof(int) >= 4096);
        Assert.Contains(aligned.Cols.Arrays, c => c is int[] a && AlignedArrays.IsAligned(a));
        using var a = new Balancer(aligned, path);
        using var b = new Balancer(plain, path);
        for (int t = 0; t < 40; t++)
        {
            int[] committed = RandomFleet.SweptCommitted(aligned.SlotCount, t);
            a.Tick(committed);
            b.Tick(committed);
            Assert.Equal(plain.ComputeStateHash(), aligned.ComputeStateHash());
        }

        FleetAssert.Equal(plain, aligned, path.ToString());
    }

    private static Fleet Build(int[] hosts, bool align)
    {
        bool was = AlignedArrays.Enabled;
        AlignedArrays.Enabled = align;
        try
        {
            return RandomFleet.Started(hosts);
        }
        finally
        {
            AlignedArrays.Enabled = was;
        }
    }
}

/// <summary>
/// Tests that switch <see cref="AlignedArrays.Enabled"/> run one at a time, and apart from every other test (the switch is
/// process-wide: while one test turns it off, fleets built by tests of other classes would be unaligned).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AlignmentSwitch
{
    public const string Name = "AlignedArrays.Enabled";
}
