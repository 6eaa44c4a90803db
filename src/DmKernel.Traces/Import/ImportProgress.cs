namespace DmKernel.Traces;

/// <summary>
/// How far an import has read its input: bytes of the input files read so far and their total, reported after each file
/// (Bitbrains, GCD) or every 65 536 rows (Alibaba's one file), and once more when every file is read (then
/// <see cref="BytesRead"/> = <see cref="TotalBytes"/>). Reports may come from the importer's read threads, so a
/// receiver must be thread-safe; one that takes long slows the import.
/// </summary>
/// <param name="BytesRead">Bytes of the input read so far.</param>
/// <param name="TotalBytes">Bytes of every input file the import reads.</param>
public readonly record struct ImportProgress(long BytesRead, long TotalBytes)
{
    /// <summary>The share read, 0..1 (1 for an empty input).</summary>
    public double Fraction => TotalBytes <= 0 ? 1 : Math.Clamp((double)BytesRead / TotalBytes, 0, 1);
}
