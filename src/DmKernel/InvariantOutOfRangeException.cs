using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace DmKernel;

/// <summary>
/// The <see cref="ArgumentOutOfRangeException"/> DmKernel and DmKernel.Traces throw: the same type to catch, the same
/// typed <see cref="ActualValue"/>, and a message that is invariant text to its last line. .NET's own writes its
/// "Actual value was …" line in the current culture (under sv-SE "Actual value was −2." with U+2212, under de-DE
/// "Actual value was 1,5."), below a message the libraries write invariantly; this one writes the same English line with
/// the value formatted invariantly. The <c>ThrowIf…</c> helpers stand in for .NET's (whose "x ('−2') must be …" is
/// culture-dependent too), with .NET's wording. docs/bad-input.md.
/// </summary>
[SuppressMessage("Design", "CA1064:Exceptions should be public", Justification = "Caught as ArgumentOutOfRangeException; only the message's formatting differs.")]
[SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Thrown only by the libraries, always with a name, a value and a message.")]
internal sealed class InvariantOutOfRangeException : ArgumentOutOfRangeException
{
    private readonly object? _actualValue;

    /// <summary>Like <see cref="ArgumentOutOfRangeException(string, object, string)"/>.</summary>
    public InvariantOutOfRangeException(string? paramName, object? actualValue, string? message)
        : base(paramName, message) => _actualValue = actualValue;

    /// <inheritdoc/>
    public override object? ActualValue => _actualValue;

    /// <summary>The message, the parameter's name and, when there is a value, "Actual value was {value}." (invariant).</summary>
    public override string Message => _actualValue is null
        ? base.Message
        : string.Concat(base.Message, Environment.NewLine, "Actual value was ", Convert.ToString(_actualValue, CultureInfo.InvariantCulture), ".");

    /// <summary>As <see cref="InvariantOutOfRangeException.ThrowIfNegative{T}(T, string?)"/>, invariant.</summary>
    public static new void ThrowIfNegative<T>(T value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        where T : INumberBase<T>
    {
        if (T.IsNegative(value))
            Throw(paramName, value, "must be a non-negative value.");
    }

    /// <summary>As <see cref="InvariantOutOfRangeException.ThrowIfNegativeOrZero{T}(T, string?)"/>, invariant.</summary>
    public static new void ThrowIfNegativeOrZero<T>(T value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        where T : INumberBase<T>
    {
        if (T.IsNegative(value) || T.IsZero(value))
            Throw(paramName, value, "must be a non-negative and non-zero value.");
    }

    /// <summary>As <see cref="InvariantOutOfRangeException.ThrowIfLessThan{T}(T, T, string?)"/>, invariant.</summary>
    public static new void ThrowIfLessThan<T>(T value, T other, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        where T : IComparable<T>, IFormattable
    {
        if (value.CompareTo(other) < 0)
            Throw(paramName, value, string.Create(CultureInfo.InvariantCulture, $"must be greater than or equal to '{other}'."));
    }

    /// <summary>As <see cref="InvariantOutOfRangeException.ThrowIfGreaterThan{T}(T, T, string?)"/>, invariant.</summary>
    public static new void ThrowIfGreaterThan<T>(T value, T other, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        where T : IComparable<T>, IFormattable
    {
        if (value.CompareTo(other) > 0)
            Throw(paramName, value, string.Create(CultureInfo.InvariantCulture, $"must be less than or equal to '{other}'."));
    }

    [DoesNotReturn]
    private static void Throw<T>(string? paramName, T value, string rule)
        => throw new InvariantOutOfRangeException(paramName, value, string.Create(CultureInfo.InvariantCulture, $"{paramName} ('{value}') {rule}"));
}
