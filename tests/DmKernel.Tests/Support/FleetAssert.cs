using System.Reflection;

namespace DmKernel.Tests.Support;

/// <summary>Compares two fleets column by column: every per-VM and per-host array, by reflection, so no column is forgotten.</summary>
internal static class FleetAssert
{
    private static readonly FieldInfo[] Columns = typeof(Fleet)
        .GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
        .Where(f => f.FieldType.IsArray)
        .OrderBy(f => f.Name, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The number of array columns compared (guards against the reflection silently finding none).</summary>
    public static int ColumnCount => Columns.Length;

    public static void Equal(Fleet expected, Fleet actual, string context)
    {
        Assert.Equal(expected.TickIndex, actual.TickIndex);
        foreach (FieldInfo field in Columns)
        {
            var e = (Array)field.GetValue(expected)!;
            var a = (Array)field.GetValue(actual)!;
            Assert.Equal(e.Length, a.Length);
            for (int i = 0; i < e.Length; i++)
            {
                object ev = e.GetValue(i)!, av = a.GetValue(i)!;
                if (!ev.Equals(av))
                    Assert.Fail($"{context}: column {field.Name}[{i}] expected {ev} but was {av}");
            }
        }
    }
}
