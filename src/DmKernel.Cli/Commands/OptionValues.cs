using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace DmKernel.Cli.Commands;

/// <summary>
/// Plain-words parsing for every numeric option of a command tree: a value that is not a number, or does not fit,
/// is answered as <c>--boot-grace: 'abc' is not a number of seconds</c> instead of the parser's type name. The unit
/// comes from the option's <see cref="Option.HelpName"/> (what help shows as <c>--boot-grace &lt;SECONDS&gt;</c>), so
/// help and error always agree.
/// </summary>
internal static class OptionValues
{
    /// <summary>The errors of <see cref="OwnRange(Option, Func{ArgumentResult, string, bool, string?})"/>, by option.</summary>
    private static readonly ConditionalWeakTable<Option, Func<ArgumentResult, string, bool, string?>> OwnRanges = [];

    /// <summary>What a value of each help name is, in words (the help name is the unit help shows).</summary>
    private static string Noun(Option option, bool whole)
    {
        string number = whole ? "a whole number" : "a number";
        return option.HelpName switch
        {
            "SECONDS" => $"{number} of seconds",
            "MB" => $"{number} of MB",
            "MB/S" => $"{number} of MB per second",
            "TICKS" => $"{number} of ticks",
            "PERCENT" => $"{number} (percent)",
            "FACTOR" => $"{number} (a factor)",
            "FRACTION" => $"{number} (a fraction)",
            null or "" or "N" => number,
            string unit => $"{number} ({unit.ToLowerInvariant()})",
        };
    }

    /// <summary>Gives every numeric option of <paramref name="command"/> and its subcommands a plain-words parser (options that have their own parser keep it).</summary>
    public static void Apply(Command command)
    {
        foreach (Option option in command.Options)
        {
            switch (option)
            {
                case Option<int> o when o.CustomParser is null:
                    o.CustomParser = r => Whole(r, o, int.MinValue, int.MaxValue, v => (int)v);
                    break;
                case Option<int?> o when o.CustomParser is null:
                    o.CustomParser = r => Whole(r, o, int.MinValue, int.MaxValue, v => (int?)(int)v);
                    break;
                case Option<long> o when o.CustomParser is null:
                    o.CustomParser = r => Whole(r, o, long.MinValue, long.MaxValue, v => v);
                    break;
                case Option<long?> o when o.CustomParser is null:
                    o.CustomParser = r => Whole(r, o, long.MinValue, long.MaxValue, v => (long?)v);
                    break;
                case Option<ulong> o when o.CustomParser is null:
                    o.CustomParser = r => UnsignedWhole(r, o);
                    break;
                case Option<double> o when o.CustomParser is null:
                    o.CustomParser = r => Real(r, o, v => v);
                    break;
                case Option<double?> o when o.CustomParser is null:
                    o.CustomParser = r => Real(r, o, v => (double?)v);
                    break;
                case Option<string> o when o.HelpName is "FILE" or "DIR":
                    o.Validators.Add(r => RefuseEmptyPath(r, o.Name, o.HelpName));
                    break;
            }
        }

        foreach (Argument argument in command.Arguments)
        {
            switch (argument)
            {
                case Argument<string> a:
                    a.Validators.Add(r => RefuseEmptyPath(r, a.Name, a.Name));
                    break;
                case Argument<string[]> a:
                    a.Validators.Add(r => RefuseEmptyPath(r, a.Name, a.Name));
                    break;
            }
        }

        foreach (Command sub in command.Subcommands)
            Apply(sub);
    }

    /// <summary>
    /// A whole number beyond <paramref name="option"/>'s type (99999999999 for an int, 20 digits for a long) is answered
    /// as the command answers any other value outside the option's own range: <c>--threads 99999999999 is out of range:
    /// expected 1..1024.</c>, not the type's limit ("at most 2147483647"). <paramref name="error"/> gets the text typed and
    /// whether it is above the type (else below), and gives the option's error in the command's words, or null where
    /// that side of the option's range is the type's own limit (then "is too large: ... of at most 2147483647").
    /// Values within the type are left to the command, which answers them with the same words.
    /// </summary>
    public static void OwnRange(Option option, Func<ArgumentResult, string, bool, string?> error) => OwnRanges.AddOrUpdate(option, error);

    /// <summary><see cref="OwnRange(Option, Func{ArgumentResult, string, bool, string?})"/> with one error on both sides.</summary>
    public static void OwnRange(Option option, Func<string, string> error) => OwnRange(option, (_, text, _) => error(text));

    /// <summary><see cref="OwnRange(Option, Func{ArgumentResult, string, bool, string?})"/> with one error for each side; a side without one is the type's own limit.</summary>
    public static void OwnRange(Option option, Func<string, string>? below, Func<string, string>? above)
        => OwnRange(option, (_, text, isAbove) => isAbove ? above?.Invoke(text) : below?.Invoke(text));

    /// <summary>An empty (or blank) file or folder name is refused by the parser, naming the option: the runtime's own
    /// message for it ("The value cannot be an empty string") names nothing the user typed.</summary>
    private static void RefuseEmptyPath(SymbolResult r, string name, string? kind)
    {
        foreach (Token token in r.Tokens)
        {
            if (string.IsNullOrWhiteSpace(token.Value))
            {
                string what = kind switch { "DIR" => "a folder", "FILE" => "a file", _ => "a file or folder" };
                r.AddError($"{name}: '{token.Value}' is an empty path: expected {what} name.");
                return;
            }
        }
    }

    /// <summary>
    /// Gives <paramref name="option"/> a parser that refuses a whole number outside <paramref name="min"/>..<paramref name="max"/>,
    /// however far outside: <c>--boot-ticks: '99999999999' is out of range: expected a whole number of ticks from 0 to
    /// 1000000.</c>, with the usage hint of every refused value (the type's limit, "at most 2147483647", is not the option's).
    /// </summary>
    public static void Range(Option<int> option, int min, int max)
        => option.CustomParser = r =>
        {
            string? text = Token(r);
            if (text is null)
                return default;
            if (!IsInteger(text))
            {
                r.AddError($"{option.Name}: '{text}' is not {Noun(option, whole: true)}.");
                return default;
            }

            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max)
                return v;
            r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name}: '{text}' is out of range: expected {Noun(option, whole: true)} from {min} to {max}."));
            return default;
        };

    private static string? Token(ArgumentResult r)
    {
        if (r.Tokens.Count == 1)
            return r.Tokens[0].Value;
        r.AddError($"{OptionName(r)}: expected one value.");
        return null;
    }

    private static string OptionName(ArgumentResult r) => r.Parent is OptionResult o ? o.Option.Name : r.Argument.Name;

    private static T Whole<T>(ArgumentResult r, Option option, long min, long max, Func<long, T> make)
    {
        string? text = Token(r);
        if (text is null)
            return default!;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) && v >= min && v <= max)
            return make(v);
        if (IsInteger(text) && OwnRanges.TryGetValue(option, out var own) && own(r, text, !text.StartsWith('-')) is string error)
            r.AddError(error);
        else if (IsInteger(text) && text.StartsWith('-'))
            r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name}: '{text}' is too small: expected {Noun(option, whole: true)} of at least {min}."));
        else if (IsInteger(text))
            r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name}: '{text}' is too large: expected {Noun(option, whole: true)} of at most {max}."));
        else
            r.AddError($"{option.Name}: '{text}' is not {Noun(option, whole: true)}.");
        return default!;
    }

    private static ulong UnsignedWhole(ArgumentResult r, Option option)
    {
        string? text = Token(r);
        if (text is null)
            return 0;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v))
            return v;
        r.AddError(IsInteger(text) && !text.StartsWith('-')
            ? string.Create(CultureInfo.InvariantCulture, $"{option.Name}: '{text}' is too large: expected {Noun(option, whole: true)} of at most {ulong.MaxValue}.")
            : $"{option.Name}: '{text}' is not {Noun(option, whole: true)} of at least 0.");
        return 0;
    }

    private static T Real<T>(ArgumentResult r, Option option, Func<double, T> make)
    {
        string? text = Token(r);
        if (text is null)
            return default!;
        // NaN and Infinity parse as numbers here; the command's own range check names them (a finite number is expected).
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            return make(v);
        r.AddError($"{option.Name}: '{text}' is not {Noun(option, whole: false)}.");
        return default!;
    }

    private static bool IsInteger(string text)
    {
        ReadOnlySpan<char> s = text.AsSpan();
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
            s = s[1..];
        return s.Length > 0 && !s.ContainsAnyExceptInRange('0', '9');
    }
}
