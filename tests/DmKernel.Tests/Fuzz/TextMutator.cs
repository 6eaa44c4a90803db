using System.Globalization;
using System.Text;

namespace DmKernel.Tests.Fuzz;

/// <summary>Mutations of line-based CSV text, on bytes (so invalid UTF-8 and stray control bytes happen too).</summary>
internal static class TextMutator
{
    /// <summary>Numeric and other tokens that parsers get wrong.</summary>
    private static readonly string[] Tokens =
    [
        "NaN", "nan", "Infinity", "-Infinity", "∞", "-0", "-0.0", "0", "1e308", "-1e308", "1e309", "4.9e-324", "1e-400",
        "99999999999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "2147483647",
        "2147483648", "4294967296", "9999999999", "10000000000", "12345678901", "100", "100.0000001", "101", "-1", "-5.5",
        "", " ", "\t", "0x10", "1,5", "+5", "1_000", "1e", ".", "-", "e5", "١٢٣", "ä", "日本", "\u00A0", "\"1\"", "'", "\0",
        "3.4028235e38", "1.7976931348623157E+308", "-1.7976931348623157E+308", "00000000000000000000001", "1.", ".5",
    ];

    private static readonly byte[] InterestingBytes =
        [(byte)';', (byte)'\t', (byte)',', (byte)' ', (byte)'\n', (byte)'\r', (byte)'"', (byte)'-', (byte)'.', (byte)'e', (byte)'0', (byte)'9', 0x00, 0x7F, 0xC3, 0xA4, 0xFF, 0xE2, 0x80];

    public static string Token(Random r) => r.Next(4) switch
    {
        0 => RandomInteger(r),
        1 => RandomDouble(r),
        _ => Tokens[r.Next(Tokens.Length)],
    };

    private static string RandomInteger(Random r)
    {
        int digits = r.Next(1, 25);
        var sb = new StringBuilder();
        if (r.Next(5) == 0)
            sb.Append('-');
        for (int i = 0; i < digits; i++)
            sb.Append((char)('0' + r.Next(10)));
        return sb.ToString();
    }

    private static string RandomDouble(Random r)
    {
        double d = r.Next(3) switch
        {
            0 => r.NextDouble() * 200,
            1 => (r.NextDouble() - 0.5) * Math.Pow(10, r.Next(-30, 309)),
            _ => BitConverter.Int64BitsToDouble(r.NextInt64()),
        };
        return d.ToString(r.Next(2) == 0 ? "R" : "E3", CultureInfo.InvariantCulture);
    }

    /// <summary>Applies 1..4 random mutations to <paramref name="input"/>; <paramref name="separators"/> are the format's field separators.</summary>
    public static byte[] Mutate(Random r, byte[] input, char[] separators, StringBuilder label)
    {
        var data = new List<byte>(input);
        int n = r.Next(1, 5);
        for (int m = 0; m < n; m++)
            MutateOnce(r, data, separators, label);
        return [.. data];
    }

    private static void MutateOnce(Random r, List<byte> data, char[] separators, StringBuilder label)
    {
        int op = r.Next(14);
        int pos = data.Count == 0 ? 0 : r.Next(data.Count);
        switch (op)
        {
            case 0 when data.Count > 0:
                data[pos] ^= (byte)(1 << r.Next(8));
                label.Append(CultureInfo.InvariantCulture, $"bitflip@{pos} ");
                break;
            case 1 when data.Count > 0:
                data[pos] = (byte)r.Next(256);
                label.Append(CultureInfo.InvariantCulture, $"byte@{pos} ");
                break;
            case 2:
                data.Insert(Math.Min(pos + r.Next(2), data.Count), r.Next(2) == 0 ? (byte)r.Next(256) : InterestingBytes[r.Next(InterestingBytes.Length)]);
                label.Append(CultureInfo.InvariantCulture, $"insert@{pos} ");
                break;
            case 3 when data.Count > 0:
                int len = Math.Min(data.Count - pos, r.Next(1, 16));
                data.RemoveRange(pos, len);
                label.Append(CultureInfo.InvariantCulture, $"delete{len}@{pos} ");
                break;
            case 4:
                data.RemoveRange(pos, data.Count - pos);
                label.Append(CultureInfo.InvariantCulture, $"truncate@{pos} ");
                break;
            case 5 or 6 or 7 or 8:
                ReplaceToken(r, data, separators, label);
                break;
            default:
                LineMutation(r, data, separators, label);
                break;
        }
    }

    private static List<string> Lines(List<byte> data, out bool finalNewline)
    {
        string text = Encoding.UTF8.GetString([.. data]);
        finalNewline = text.EndsWith('\n');
        var lines = text.Split('\n').ToList();
        if (finalNewline)
            lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    private static void SetLines(List<byte> data, List<string> lines, bool finalNewline)
    {
        data.Clear();
        data.AddRange(Encoding.UTF8.GetBytes(string.Join('\n', lines) + (finalNewline && lines.Count > 0 ? "\n" : "")));
    }

    /// <summary>Replaces one field of one line with a token.</summary>
    private static void ReplaceToken(Random r, List<byte> data, char[] separators, StringBuilder label)
    {
        var lines = Lines(data, out bool nl);
        if (lines.Count == 0)
            return;
        int li = r.Next(lines.Count);
        string[] fields = lines[li].Split(separators[0]);
        int fi = r.Next(fields.Length);
        string token = Token(r);
        // Keep the whitespace that follows a separator (Bitbrains: ";\t") unless the token replaces it.
        string lead = fields[fi].Length > 0 && char.IsWhiteSpace(fields[fi][0]) && r.Next(2) == 0 ? fields[fi][..1] : "";
        fields[fi] = lead + token;
        lines[li] = string.Join(separators[0], fields);
        SetLines(data, lines, nl);
        label.Append(CultureInfo.InvariantCulture, $"token[{li}:{fi}]='{token}' ");
    }

    private static void LineMutation(Random r, List<byte> data, char[] separators, StringBuilder label)
    {
        var lines = Lines(data, out bool nl);
        if (lines.Count == 0)
        {
            lines.Add(Token(r));
            SetLines(data, lines, nl);
            label.Append("add-line ");
            return;
        }

        int li = r.Next(lines.Count);
        switch (r.Next(9))
        {
            case 0:
                lines.Insert(li, lines[li]);
                label.Append(CultureInfo.InvariantCulture, $"dup-line{li} ");
                break;
            case 1:
                int count = Math.Min(lines.Count - li, r.Next(1, 4));
                lines.RemoveRange(li, count);
                label.Append(CultureInfo.InvariantCulture, $"remove-lines{li}x{count} ");
                break;
            case 2:
                int other = r.Next(lines.Count);
                (lines[li], lines[other]) = (lines[other], lines[li]);
                label.Append(CultureInfo.InvariantCulture, $"swap-lines{li},{other} (backwards times) ");
                break;
            case 3:
                char from = separators[r.Next(separators.Length)];
                char to = " ,;\t|"[r.Next(5)];
                if (r.Next(2) == 0)
                {
                    lines[li] = lines[li].Replace(from, to);
                }
                else
                {
                    for (int i = 0; i < lines.Count; i++)
                        lines[i] = lines[i].Replace(from, to);
                }

                label.Append(CultureInfo.InvariantCulture, $"separator'{from}'->'{to}'@{li} ");
                break;
            case 4:
                lines[li] += separators[0] + Token(r);
                label.Append(CultureInfo.InvariantCulture, $"extra-column@{li} ");
                break;
            case 5:
                int cut = lines[li].LastIndexOf(separators[0]);
                if (cut >= 0)
                    lines[li] = lines[li][..cut];
                label.Append(CultureInfo.InvariantCulture, $"missing-column@{li} ");
                break;
            case 6:
                for (int i = 0; i < lines.Count; i++)
                    lines[i] += "\r";
                label.Append("crlf ");
                break;
            case 7:
                lines.Insert(li, r.Next(2) == 0 ? "" : "  ");
                label.Append(CultureInfo.InvariantCulture, $"blank-line@{li} ");
                break;
            default:
                nl = !nl;
                label.Append(nl ? "final-newline " : "no-final-newline ");
                break;
        }

        SetLines(data, lines, nl);
    }

    /// <summary>A random "CSV" text: random lines of random tokens and separators.</summary>
    public static byte[] RandomText(Random r, char[] separators)
    {
        var sb = new StringBuilder();
        int lines = r.Next(0, 20);
        for (int l = 0; l < lines; l++)
        {
            int fields = r.Next(0, 14);
            for (int f = 0; f < fields; f++)
            {
                if (f > 0)
                    sb.Append(r.Next(8) == 0 ? " ,;\t"[r.Next(4)] : separators[0]);
                sb.Append(Token(r));
            }

            sb.Append('\n');
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Random bytes.</summary>
    public static byte[] RandomBytes(Random r, int max)
    {
        var b = new byte[r.Next(0, max)];
        r.NextBytes(b);
        return b;
    }
}
