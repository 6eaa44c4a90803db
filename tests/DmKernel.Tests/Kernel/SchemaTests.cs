using System.Reflection;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// The schema is the single list of the state's columns: every array the state holds is one of its columns, and every
/// operation that treats columns alike (allocation, R7's reset, removal, the state hash, checkpoints, the differential
/// comparison) sees each column. A column added anywhere else fails here.
/// </summary>
public class SchemaTests
{
    private static readonly BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    [Fact]
    public void Schema_ListsEveryColumnOnce_InColumnIdOrder()
    {
        Assert.Equal(Enum.GetValues<ColumnId>().Length, FleetSchema.Columns.Length);
        for (int i = 0; i < FleetSchema.Columns.Length; i++)
            Assert.Equal((ColumnId)i, FleetSchema.Columns[i].Id);
    }

    [Fact]
    public void EveryArrayOfTheState_IsAColumnOfTheSchema_AndEveryColumnHasItsTypedField()
    {
        var fleet = new RandomFleet(1).Build(RandomFleet.FastModel, [10, 3]);
        FleetColumns cols = fleet.Cols;
        var registered = new HashSet<Array>(cols.Arrays, ReferenceEqualityComparer.Instance);

        // Every array field of the store and of the fleet is a schema column (no column lives outside the schema).
        var named = new HashSet<Array>(ReferenceEqualityComparer.Instance);
        foreach (object owner in new object[] { cols, fleet })
        {
            foreach (FieldInfo field in owner.GetType().GetFields(Instance))
            {
                if (!field.FieldType.IsArray || field.Name.Contains("scratch", StringComparison.OrdinalIgnoreCase))
                    continue;
                var array = (Array?)field.GetValue(owner);
                if (array is null || field.Name == "<Arrays>k__BackingField")
                    continue;
                Assert.True(registered.Contains(array), $"{owner.GetType().Name}.{field.Name} is an array that is not a column of the schema");
                named.Add(array);
            }
        }

        // Every column has its typed field, of the schema's element type and length; a derived column has no array.
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            Array? a = cols.Arrays[(int)c.Id];
            if (c.Derived)
            {
                Assert.Null(a);
                Assert.False(string.IsNullOrWhiteSpace(c.DerivedFrom), $"derived column {c.Name} does not say what it is derived from");
                var values = new int[fleet.SlotCount];
                cols.Materialize(c.Id, values, fleet.TickIndex);
                continue;
            }

            Assert.NotNull(a);
            Assert.True(named.Contains(a), $"column {c.Name} has no typed field in FleetColumns");
            Assert.Equal(c.Storage, a.GetType().GetElementType());
            Assert.Equal(FleetSchema.Length(c, fleet.SlotCount, fleet.HostCount), a.Length);
        }
    }

    [Fact]
    public void EveryColumn_IsHashedOrSaysWhyNot_AndTheHashChainIsComplete()
    {
        var orders = new HashSet<int>();
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.HashOrder < 0)
                Assert.False(string.IsNullOrWhiteSpace(c.NotHashedBecause), $"column {c.Name} is not hashed and does not say why");
            else
                Assert.True(orders.Add(c.HashOrder), $"hash position {c.HashOrder} is used twice");
        }

        // The chain has no gaps: positions 0..n-1.
        Assert.Equal(Enumerable.Range(0, orders.Count), orders.Order());
    }

    [Fact]
    public void EveryColumn_ChangesTheHash_OrTheCheckpoint_AndIsCompared()
    {
        // Hashed columns change the state hash; every non-cache column changes the saved state and the comparison.
        var fleet = new RandomFleet(9).Build(RandomFleet.FastModel, [20, 5], 0.7);
        using (var balancer = new Balancer(fleet))
        {
            var ops = new RandomFleet(10);
            for (int t = 0; t < 20; t++)
            {
                ops.Step(fleet, [fleet], 0.1);
                balancer.Tick();
            }
        }

        var twin = new RandomFleet(9).Build(RandomFleet.FastModel, [20, 5], 0.7);
        ulong hash = fleet.ComputeStateHash();
        byte[] saved = Save(fleet);
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Derived)
                continue; // changes with the columns it is derived from (WinCount: WinFirstChanges_WinCountAndTheHash)
            Array a = fleet.Cols.Arrays[(int)c.Id];
            int i = a.Length - 1;
            byte[] bytes = FleetColumns.Bytes(a).ToArray();
            FleetColumns.Bytes(a)[i * c.ElementSize] ^= 1;
            if (c.HashOrder >= 0)
                Assert.True(hash != fleet.ComputeStateHash(), $"changing {c.Name} did not change the state hash");
            if (!c.Cache)
            {
                Assert.False(saved.AsSpan().SequenceEqual(Save(fleet)), $"changing {c.Name} did not change the saved state");
                twin.LoadState(new MemoryStream(saved));
                Assert.ThrowsAny<Exception>(() => FleetAssert.Equal(twin, fleet, c.Name));
            }

            bytes.CopyTo(FleetColumns.Bytes(a));
            Assert.Equal(hash, fleet.ComputeStateHash());
        }
    }

    [Fact]
    public void Reset_ClearRuntimeAndRemove_FollowTheSchema()
    {
        var fleet = new Fleet(RandomFleet.FastModel, [new HostSpec(65_536, 16)]);
        FleetColumns cols = fleet.Cols;
        int vm = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096, guest: GuestKind.Linux));

        // Every per-VM column of the slot gets a non-neutral value, then R7's reset and removal act column by column.
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Scope == ColumnScope.Vm && c.Id != ColumnId.Flags && !c.Cache && !c.Derived)
                FleetColumns.Bytes(cols.Arrays[(int)c.Id])[vm * c.ElementSize] = 7;
        }

        cols.ClearRuntime(vm);
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Scope != ColumnScope.Vm || c.Cache || c.Derived || c.Id == ColumnId.Flags)
                continue;
            long value = FleetColumns.GetElement(cols.Arrays[(int)c.Id], vm);
            if (c.Stop == OnStop.Reset)
                Assert.True(value == c.Neutral, $"{c.Name} was not reset by R7");
            else
                Assert.True(value != c.Neutral, $"{c.Name} was reset by R7 but the schema keeps it");
        }

        Assert.Equal(VmFlags.Dynamic | VmFlags.Linux | VmFlags.Used, cols.Flags[vm]);
        cols.ResetSlot(vm);
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Scope == ColumnScope.Vm && !c.Cache && !c.Derived)
                Assert.True(FleetColumns.GetElement(cols.Arrays[(int)c.Id], vm) == c.Neutral, $"{c.Name} was not reset by removal");
        }
    }

    [Fact]
    public void WinFirstChanges_WinCountAndTheHash()
    {
        // WinCount is derived from WinFirst: a VM started later in the window has fewer samples, and the hash sees it.
        var fleet = new Fleet(new ModelParameters { PressureWindowSeconds = 60 }, [new HostSpec(65_536, 16)]);
        int vm = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        fleet.RequestStart(vm);
        using var balancer = new Balancer(fleet);
        balancer.Tick(5);
        Assert.Equal(5, fleet.Cols.WinCountOf(vm, fleet.TickIndex));
        ulong hash = fleet.ComputeStateHash();
        fleet.Cols.WinFirst[vm] += 2;
        Assert.Equal(3, fleet.Cols.WinCountOf(vm, fleet.TickIndex));
        Assert.NotEqual(hash, fleet.ComputeStateHash());
    }

    [Fact]
    public void HotBytes_AreDeclaredByTheSchema()
    {
        int bytes = FleetSchema.Columns.Sum(c => c.HotBytesPerVm);
        Assert.Equal(bytes, FleetSchema.HotBytesPerVmTick);
        Assert.True(bytes >= 36, "the common tick must at least read and write what the minimal floor does");
    }

    private static byte[] Save(Fleet fleet)
    {
        using var ms = new MemoryStream();
        fleet.SaveState(ms);
        return ms.ToArray();
    }
}
