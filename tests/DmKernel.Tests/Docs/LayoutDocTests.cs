using System.Globalization;
using System.Text;

namespace DmKernel.Tests.Docs;

/// <summary>docs/architecture.md shows the state's layout as the schema declares it: the table is rendered from
/// <see cref="FleetSchema"/> and must appear in the document verbatim, so the two cannot drift.</summary>
public class LayoutDocTests
{
    /// <summary>The layout table of docs/architecture.md, rendered from the schema.</summary>
    public static string RenderLayoutTable()
    {
        var sb = new StringBuilder();
        sb.Append("| column | element | per | role | common tick | B/VM-tick | R7 (stop) | state hash |\n");
        sb.Append("|---|---|---|---|---|---|---|---|\n");
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            string element = c.Derived ? "(derived)" : c.Storage.Name switch
            {
                "Int32" => "int",
                "Int64" => "long",
                "UInt16" => "ushort",
                "Byte" => "byte",
                _ => c.Storage.Name,
            };
            string hot = c.Hot switch
            {
                HotUse.Read => "read",
                HotUse.Write => "write",
                HotUse.ReadWrite => "read, write",
                _ => "–",
            };
            string stop = c.Scope != ColumnScope.Vm || c.Derived ? "–" : c.Stop switch
            {
                OnStop.Reset => "reset",
                OnStop.KeepSettingBits => "settings kept",
                _ => "kept",
            };
            string hash = c.HashOrder >= 0
                ? (c.HashAs != c.Storage || c.HashMask != 0 || c.Derived ? string.Create(CultureInfo.InvariantCulture, $"#{c.HashOrder} (as int)") : string.Create(CultureInfo.InvariantCulture, $"#{c.HashOrder}"))
                : c.Cache ? "cache" : "no";
            sb.Append(CultureInfo.InvariantCulture, $"| {c.Name} | {element} | {c.Scope switch { ColumnScope.Vm => "VM", ColumnScope.Host => "host", _ => string.Create(CultureInfo.InvariantCulture, $"host × {FleetSchema.HostRingLength}") }} | {c.Role.ToString().ToLowerInvariant()} | {hot} | {(c.HotBytesPerVm == 0 ? "" : c.HotBytesPerVm.ToString(CultureInfo.InvariantCulture))} | {stop} | {hash} |\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"| **total** | | | | | **{FleetSchema.HotBytesPerVmTick}** | | |\n");
        return sb.ToString();
    }

    [Fact]
    public void ArchitectureDoc_ShowsTheSchemasLayout()
    {
        string doc = File.ReadAllText(Path.Combine(ReadmeExampleTests.RepoRoot(), "docs", "architecture.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        string table = RenderLayoutTable();
        Assert.True(doc.Contains(table, StringComparison.Ordinal), "docs/architecture.md does not show the schema's layout; expected this table:\n" + table);
    }
}
