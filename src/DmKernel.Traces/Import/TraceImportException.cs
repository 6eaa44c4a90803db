using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Malformed importer input. The message names the file, the line and column (1-based; 0 when not about one),
/// the column's name, what was found and what was expected.
/// </summary>
public sealed class TraceImportException : Exception
{
    /// <summary>A problem of <paramref name="kind"/> at <paramref name="file"/>:<paramref name="line"/>:<paramref name="column"/> (0: not about one): what was <paramref name="found"/> and what was <paramref name="expected"/>.</summary>
    public TraceImportException(ImportErrorKind kind, string file, int line, int column, string? columnName, string found, string expected)
        : base(Format(kind, file, line, column, columnName, found, expected))
    {
        Kind = kind;
        File = file;
        Line = line;
        Column = column;
        ColumnName = columnName;
    }

    /// <summary>What kind of problem this is.</summary>
    public ImportErrorKind Kind { get; }

    /// <summary>The input file (or folder for <see cref="ImportErrorKind.NoInput"/>).</summary>
    public string File { get; }

    /// <summary>1-based line number; 0 when the problem is about the whole file.</summary>
    public int Line { get; }

    /// <summary>1-based column (field) number; 0 when the problem is about the whole line or file.</summary>
    public int Column { get; }

    /// <summary>The name of the column, when it has one.</summary>
    public string? ColumnName { get; }

    private static string Format(ImportErrorKind kind, string file, int line, int column, string? columnName, string found, string expected)
    {
        var place = line > 0 ? string.Create(CultureInfo.InvariantCulture, $"{file}:{line}") : file;
        if (column > 0)
            place += string.Create(CultureInfo.InvariantCulture, $":{column}");
        string col = column > 0 ? string.Create(CultureInfo.InvariantCulture, $" column {column}{(columnName is null ? "" : $" ({columnName})")}") : "";
        string at = line > 0 ? string.Create(CultureInfo.InvariantCulture, $"line {line}{col}") : "file";
        return $"{place}: {kind}: {at}: {found}; expected {expected}.";
    }
}
