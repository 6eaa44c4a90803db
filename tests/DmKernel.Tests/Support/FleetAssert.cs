namespace DmKernel.Tests.Support;

/// <summary>
/// Compares two fleets column by column, every column of <see cref="FleetSchema"/> but its caches (per VM and per host),
/// so no column is forgotten: a column that is not in the schema is not in the state (SchemaTests).
/// </summary>
internal static class FleetAssert
{
    /// <summary>The number of columns compared.</summary>
    public static int ColumnCount => FleetSchema.Columns.Count(c => !c.Cache);

    public static void Equal(Fleet expected, Fleet actual, string context)
    {
        Assert.Equal(expected.TickIndex, actual.TickIndex);
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Cache)
                continue;
            Array e = Values(expected, c), a = Values(actual, c);
            Assert.Equal(e.Length, a.Length);
            if (FleetColumns.Bytes(e).SequenceEqual(FleetColumns.Bytes(a)))
                continue;
            for (int i = 0; i < e.Length; i++)
            {
                long ev = FleetColumns.GetElement(e, i), av = FleetColumns.GetElement(a, i);
                if (ev != av)
                    Assert.Fail($"{context}: column {c.Name}[{i}] expected {ev} but was {av}");
            }
        }
    }

    /// <summary>A column's array, or a derived column's values.</summary>
    private static Array Values(Fleet fleet, ColumnInfo c)
    {
        if (!c.Derived)
            return fleet.Cols.Arrays[(int)c.Id];
        var values = new int[fleet.SlotCount];
        fleet.Cols.Materialize(c.Id, values, fleet.TickIndex);
        return values;
    }
}
