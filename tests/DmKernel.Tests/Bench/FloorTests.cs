using System.Runtime.Intrinsics;
using DmKernel.Benchmarks;
using DmKernel.Benchmarks.Floor;

namespace DmKernel.Tests.Bench;

/// <summary>
/// The two floors TickBench divides by: the minimal-bytes floor (<see cref="MinimalFloor"/>) and the same-columns floor
/// (<see cref="StreamingFloor"/>) move the bytes their B/VM-tick column declares, for every slot (no lane or tail left
/// out), and what they write depends on what they read (a key of all ones at run time makes every input reach an output,
/// so no read is dead work the JIT could drop).
/// </summary>
public class FloorTests
{
    /// <summary>
    /// One host of three VMs (16 slots: 13 free): a Windows DM VM, a Linux DM VM and a static VM, Running, with demands
    /// 700, 1500 and 1024 MB.
    /// </summary>
    private static Fleet ThreeVms()
    {
        var fleet = new Fleet(Workload.Model, [new HostSpec(100_000, 3, ReserveMb: 0)]);
        fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 2048, bufferPercent: 20));
        fleet.AddVm(0, VmSettings.Dynamic(2048, 1024, 4096, bufferPercent: 50, guest: GuestKind.Linux));
        fleet.AddVm(0, VmSettings.Static(1024));
        var committed = new int[fleet.SlotCount];
        (committed[0], committed[1], committed[2]) = (700, 1500, 1024);
        for (int vm = 0; vm < 3; vm++)
            fleet.RequestStart(vm);
        fleet.SetCommitted(committed);
        using var balancer = new Balancer(fleet, KernelPath.Scalar);
        for (int t = 0; t < 4; t++)
            balancer.Tick();
        return fleet;
    }

    /// <summary>
    /// The floor's 36 B per VM-tick, counted from what a run does, not read off the constant: with the key of all ones,
    /// each of its eight columns is changed in turn (every used slot's value flipped in bit 12) and the outputs compared
    /// with an unchanged run; a column that changes an output is read, and a column the run changes is written. Six are
    /// read (Committed, Assigned, Minimum, Maximum, Buffer, Flags) and three written (Assigned, Target, Pressure).
    /// </summary>
    [Fact]
    public void MinimalFloor_Declares36Bytes_SixIntsReadAndThreeWritten()
    {
        static ReadOnlySpan<int> Column(MinimalFloor f, int c) => c switch
        {
            0 => f.Committed,
            1 => f.Assigned,
            2 => f.Minimum,
            3 => f.Maximum,
            4 => f.Buffer,
            5 => f.Flags,
            6 => f.Target,
            _ => f.Pressure,
        };
        static int[][] Columns(MinimalFloor f) => [.. Enumerable.Range(0, 8).Select(c => Column(f, c)[..3].ToArray())];
        static int[][] Outputs(MinimalFloor f)
        {
            f.Run<FloorVec128>();
            return Columns(f);
        }

        int[][] before = Columns(new MinimalFloor(ThreeVms(), key: -1));
        int[][] plain = Outputs(new MinimalFloor(ThreeVms(), key: -1));
        int written = Enumerable.Range(0, 8).Count(c => !before[c].SequenceEqual(plain[c]));
        int read = 0;
        for (int column = 0; column < 8; column++)
        {
            var floor = new MinimalFloor(ThreeVms(), key: -1);
            ReadOnlySpan<int> view = Column(floor, column);
            Span<int> values = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(view), view.Length);
            for (int i = 0; i < 3; i++)
                values[i] ^= 1 << 12;
            int[][] changed = Outputs(floor);

            // The column is read when an output (Assigned, Target, Pressure) differs from the plain run; where the changed
            // column is that output itself, by more than the flip (Target and Pressure are overwritten: no difference).
            bool reaches = false;
            foreach (int o in (int[])[1, 6, 7])
                reaches |= !(o == column ? changed[o].Select(v => v ^ (1 << 12)).SequenceEqual(plain[o]) || changed[o].SequenceEqual(plain[o]) : changed[o].SequenceEqual(plain[o]));
            read += reaches ? 1 : 0;
        }

        Assert.Equal((6, 3), (read, written));
        Assert.Equal(MinimalFloor.BytesPerVmTick, (read + written) * sizeof(int));
    }

    [Fact]
    public void MinimalFloor_CopiesEachVmsMinimumMaximumBufferAndFlags_FreeSlotsZero()
    {
        Fleet fleet = ThreeVms();
        var floor = new MinimalFloor(fleet);

        Assert.Equal(16, floor.Minimum.Length);
        Assert.Equal([512, 1024, 1024], floor.Minimum[..3].ToArray());
        Assert.Equal([2048, 4096, 1024], floor.Maximum[..3].ToArray());
        Assert.Equal([20, 50, 20], floor.Buffer[..3].ToArray());

        // Running (2), | 4 for Dynamic Memory, | 8 for a Linux guest.
        Assert.Equal([6, 14, 2], floor.Flags[..3].ToArray());
        Assert.Equal([700, 1500, 1024], floor.Committed[..3].ToArray());
        Assert.Equal(fleet.Assigned.ToArray(), floor.Assigned.ToArray());
        foreach (int[] column in new[] { floor.Minimum.ToArray(), floor.Maximum.ToArray(), floor.Buffer.ToArray(), floor.Flags.ToArray(), floor.Committed.ToArray() })
            Assert.All(column[3..], v => Assert.Equal(0, v));
    }

    [Fact]
    public void MinimalFloor_WithAKeyOfAllOnes_EveryInputReachesAnOutput_ByHand()
    {
        Fleet fleet = ThreeVms();
        int[] assigned = fleet.Assigned.ToArray();
        var floor = new MinimalFloor(fleet, key: -1);
        floor.Run<FloorVec128>();

        // Target = Minimum | Maximum | Buffer | Flags: 512 | 2048 | 20 | 6 = 2582; 1024 | 4096 | 50 | 14 = 5182;
        // 1024 | 1024 | 20 | 2 = 1046.
        Assert.Equal([2582, 5182, 1046], floor.Target[..3].ToArray());

        // Assigned ^= Committed and Pressure = Committed ^ the Assigned read.
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(assigned[i] ^ fleet.Committed[i], floor.Assigned[i]);
            Assert.Equal(fleet.Committed[i] ^ assigned[i], floor.Pressure[i]);
        }
    }

    public static TheoryData<int, int> WidthsAndKeys() => new() { { 128, -1 }, { 256, -1 }, { 512, -1 }, { 128, 0 }, { 256, 0 }, { 512, 0 } };

    /// <summary>
    /// 1 000 VMs on 16 hosts of 62 or 63 (64 slots each, so every host has a padded tail): every slot, the last of each
    /// host and the free ones included, gets the outputs its inputs give at every width; with the key that is zero at
    /// run time, Assigned stays, Target is Minimum and Pressure is Committed.
    /// </summary>
    [Theory]
    [MemberData(nameof(WidthsAndKeys))]
    public void MinimalFloor_Run_WritesEverySlot_FromItsOwnInputs(int width, int key)
    {
        Fleet fleet = Workload.Build(1000, 25);
        var floor = new MinimalFloor(fleet, key);
        int[] c = floor.Committed.ToArray(), a = floor.Assigned.ToArray(), min = floor.Minimum.ToArray(), max = floor.Maximum.ToArray();
        int[] buffer = floor.Buffer.ToArray(), flags = floor.Flags.ToArray();
        Run(floor, width, null);

        Assert.Equal(16 * 64, fleet.SlotCount);
        for (int i = 0; i < fleet.SlotCount; i++)
        {
            Assert.Equal(a[i] ^ (c[i] & key), floor.Assigned[i]);
            Assert.Equal(min[i] | ((max[i] | buffer[i] | flags[i]) & key), floor.Target[i]);
            Assert.Equal(c[i] ^ (a[i] & key), floor.Pressure[i]);
        }

        Assert.Equal(c, floor.Committed.ToArray());
    }

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void MinimalFloor_Run_ReadsCommittedFromTheFeedsColumn_WhenGivenOne(int width)
    {
        Fleet fleet = Workload.Build(1000, 0);
        var floor = new MinimalFloor(fleet, key: -1);
        int[] a = floor.Assigned.ToArray(), own = floor.Committed.ToArray();
        int[] feed = new CommittedFeed(fleet).Next();
        int[] feedBefore = (int[])feed.Clone();
        Run(floor, width, feed);

        for (int i = 0; i < fleet.SlotCount; i++)
            Assert.Equal(feed[i] ^ a[i], floor.Pressure[i]);
        Assert.Equal(own, floor.Committed.ToArray());
        Assert.Equal(feedBefore, feed);
    }

    private static void Run(MinimalFloor floor, int width, int[]? committed)
    {
        switch (width)
        {
            case 128:
                floor.Run<FloorVec128>(committed);
                break;
            case 256:
                floor.Run<FloorVec256>(committed);
                break;
            default:
                floor.Run<FloorVec512>(committed);
                break;
        }
    }

    /// <summary>
    /// The kernel's state schema's hot columns, worked out from FleetSchema by hand: Minimum 4 (read), Buffer 2 (read,
    /// 16-bit), TargetLimit 4, Flags 4 + 4 (read and written), Committed 4, Demand 4 (written), Target 4, Pressure 4,
    /// Assigned 4, WinSum 4 + 4, WinMin 4, WinMax 4: 54 B.
    /// </summary>
    [Fact]
    public void StreamingFloor_Declares54Bytes_TheSchemasHotColumns()
    {
        Assert.Equal(54, StreamingFloor.BytesPerVmTick);
        Assert.Equal(FleetSchema.HotBytesPerVmTick, StreamingFloor.BytesPerVmTick);
    }

    [Fact]
    public void StreamingFloor_CopiesExactlyTheHotColumns_AndMovesTheBytesItDeclares()
    {
        Fleet fleet = Workload.Build(1000, 25);
        var floor = new StreamingFloor(fleet);

        HotUse r = HotUse.Read, w = HotUse.Write, rw = HotUse.ReadWrite;
        Assert.Equal([r, r, r, rw, r, w, w, w, r, rw, r, r], floor.Uses);
        Assert.Equal(12, floor.Columns.Count);
        int bytes = 0;
        for (int c = 0; c < floor.Columns.Count; c++)
        {
            Array column = floor.Columns[c];
            Assert.Equal(fleet.SlotCount, column.Length);
            int perWay = FleetColumns.Bytes(column).Length / fleet.SlotCount;
            bytes += perWay * (((floor.Uses[c] & HotUse.Read) != 0 ? 1 : 0) + ((floor.Uses[c] & HotUse.Write) != 0 ? 1 : 0));
        }

        Assert.Equal(StreamingFloor.BytesPerVmTick, bytes);

        // The copies are the fleet's columns (the schema's hot ones, in its order): Minimum first, Committed fifth.
        Assert.Equal((int[])fleet.Cols.Arrays[(int)ColumnId.Minimum], (int[])floor.Columns[0]);
        Assert.Equal(fleet.Committed.ToArray(), (int[])floor.Columns[4]);
        Assert.Equal(fleet.Assigned.ToArray(), (int[])floor.Columns[8]);
    }

    /// <summary>With a key of 0x5A: each written column holds the key in every byte, each read-and-written one its bytes
    /// XOR the key, each read one is unchanged (the feed's column is read, not the copy of Committed).</summary>
    [Fact]
    public void StreamingFloor_Run_WritesEveryByteOfItsWrittenColumns_AndReadsTheFeed()
    {
        Fleet fleet = Workload.Build(1000, 25);
        var floor = new StreamingFloor(fleet, key: 0x5A);
        byte[][] before = floor.Columns.Select(c => FleetColumns.Bytes(c).ToArray()).ToArray();
        int[] feed = new CommittedFeed(fleet).Next();
        int[] feedBefore = (int[])feed.Clone();
        floor.Run(feed);

        for (int c = 0; c < floor.Columns.Count; c++)
        {
            byte[] after = FleetColumns.Bytes(floor.Columns[c]).ToArray();
            byte[] expected = floor.Uses[c] switch
            {
                HotUse.Write => Enumerable.Repeat((byte)0x5A, after.Length).ToArray(),
                HotUse.ReadWrite => before[c].Select(b => (byte)(b ^ 0x5A)).ToArray(),
                _ => before[c],
            };
            Assert.Equal(expected, after);
        }

        Assert.Equal(feedBefore, feed);
        Assert.True(floor.Sink);
    }

    /// <summary>
    /// What a read-only column's stream returns depends on every byte it reads: one non-zero byte anywhere in 16 to 256
    /// bytes (whole 64-byte vectors and 16-byte tails) makes it non-zero, so no load is dead work.
    /// </summary>
    [Fact]
    public void StreamingFloor_Stream_OfAReadColumn_DependsOnEveryByte()
    {
        foreach (int n in new[] { 16, 32, 48, 64, 80, 112, 128, 208, 256 })
        {
            for (int p = 0; p < n; p++)
            {
                var bytes = new byte[n];
                bytes[p] = 0x80;
                Assert.True(StreamingFloor.Stream(bytes, HotUse.Read, 0) != Vector128<byte>.Zero, $"{n} bytes: byte {p} read but not kept");
                Assert.Equal(0x80, bytes[p]);
            }
        }
    }

    [Fact]
    public void StreamingFloor_Stream_WritesAndRewritesEveryByte_TailsIncluded()
    {
        foreach (int n in new[] { 16, 48, 80, 208 })
        {
            byte[] written = Enumerable.Range(0, n).Select(i => (byte)i).ToArray();
            StreamingFloor.Stream(written, HotUse.Write, 0x33);
            Assert.All(written, b => Assert.Equal(0x33, b));

            byte[] both = Enumerable.Range(0, n).Select(i => (byte)i).ToArray();
            StreamingFloor.Stream(both, HotUse.ReadWrite, 0x33);
            Assert.Equal(Enumerable.Range(0, n).Select(i => (byte)(i ^ 0x33)), both);
        }
    }

    [Fact]
    public void TickBench_BytesPerVmTick_36ForTheMinimalFloor_54ForTheOthers_66ForTheRealisticKernel()
    {
        foreach (TickWorkload workload in Enum.GetValues<TickWorkload>())
        {
            Assert.Equal(36, TickBench.BytesPerVmTick(TickPath.MinFloor, workload));
            Assert.Equal(54, TickBench.BytesPerVmTick(TickPath.ColFloor, workload));
        }

        foreach (TickPath path in new[] { TickPath.Scalar, TickPath.V128, TickPath.V256, TickPath.V512 })
        {
            Assert.Equal(54, TickBench.BytesPerVmTick(path, TickWorkload.Steady));

            // SetCommitted reads the input column twice (range check, copy) and writes Committed: 3 × 4 B more.
            Assert.Equal(66, TickBench.BytesPerVmTick(path, TickWorkload.Realistic));
        }
    }

    /// <summary>
    /// Sink says whether any byte the floor read is non-zero: over an empty fleet's columns zeroed, false; one non-zero
    /// demand in the feed's column makes it true, and the feed replaces the floor's copy of Committed (a non-zero byte
    /// in the copy is not read when a feed is given).
    /// </summary>
    [Fact]
    public void StreamingFloor_Sink_DependsOnTheBytesRead_TheFeedInPlaceOfCommitted()
    {
        var fleet = new Fleet(Workload.Model, [new HostSpec(100_000, 40), new HostSpec(100_000, 20)]);
        var floor = new StreamingFloor(fleet);
        foreach (Array column in floor.Columns)
            Array.Clear(column);
        var feed = new int[fleet.SlotCount];

        floor.Run();
        Assert.False(floor.Sink);
        floor.Run(feed);
        Assert.False(floor.Sink);

        feed[fleet.SlotCount - 1] = 2;
        floor.Run(feed);
        Assert.True(floor.Sink);

        feed[fleet.SlotCount - 1] = 0;
        ((int[])floor.Columns[4])[17] = 2; // the floor's own copy of Committed
        floor.Run(feed);
        Assert.False(floor.Sink);
        floor.Run();
        Assert.True(floor.Sink);
    }
}
