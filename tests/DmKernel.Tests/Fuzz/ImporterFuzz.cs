using System.Text;
using DmKernel.Traces;

namespace DmKernel.Tests.Fuzz;

/// <summary>Case generation and execution shared by the importer fuzz tests.</summary>
internal static class ImporterFuzz
{
    /// <summary>
    /// A case from <paramref name="bases"/>: 1 in 16 cases replaces a file by random text or random bytes; the rest
    /// apply 1..4 mutations (<see cref="TextMutator"/>) to one file (1 in 4: to every file). Variant (0..7) picks the options.
    /// </summary>
    public static FuzzCase Make(Random r, IReadOnlyList<(string Name, byte[] Bytes)> bases, char[] separators)
    {
        var label = new StringBuilder();
        var files = bases.ToList();
        int kind = r.Next(16);
        int target = r.Next(files.Count);
        if (kind == 0)
        {
            label.Append("random-text ");
            files[target] = (files[target].Name, TextMutator.RandomText(r, separators));
        }
        else if (kind == 1)
        {
            label.Append("random-bytes ");
            files[target] = (files[target].Name, TextMutator.RandomBytes(r, 2048));
        }
        else
        {
            bool all = r.Next(4) == 0;
            for (int i = 0; i < files.Count; i++)
            {
                if (all || i == target)
                {
                    label.Append("[" + files[i].Name + "] ");
                    files[i] = (files[i].Name, TextMutator.Mutate(r, files[i].Bytes, separators, label));
                }
            }
        }

        return new FuzzCase(label.ToString().TrimEnd(), files, r.Next(8));
    }

    /// <summary>
    /// Writes the case's files under <paramref name="input"/>, overwriting the previous case's files of the same
    /// names and deleting the others (cheaper than recreating the folder for every case).
    /// </summary>
    public static void WriteFiles(string input, FuzzCase c, HashSet<string> written)
    {
        foreach (string old in written)
        {
            if (!c.Files.Any(f => f.Name == old))
                File.Delete(Path.Combine(input, old));
        }

        written.Clear();
        foreach (var (name, bytes) in c.Files)
        {
            string path = Path.Combine(input, name);
            if (written.Count == 0 || !File.Exists(path))
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
            written.Add(name);
        }
    }

    /// <summary>Reads every tick of an imported trace: an importer must never write a trace its reader refuses.</summary>
    public static void ReadBack(string path)
    {
        using var reader = NativeTraceReader.Open(path);
        var row = new int[reader.Header.VmCount];
        while (reader.ReadTick(row))
        {
        }
    }

    /// <summary>Stored (uncompressed) output for speed; variant 7 keeps the default Zstd writer.</summary>
    public static T Fast<T>(T options, FuzzCase c)
        where T : ImportOptions => c.Variant == 7 ? options : options with { Writer = new NativeTraceWriterOptions { Compression = NativeTraceCompression.None } };

    public static bool IsDocumented(Exception e) => e is TraceImportException;

    public static FuzzDir NewDir() => new();
}
