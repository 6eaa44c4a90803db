using System.Globalization;
using System.Reflection;
using Xunit.Sdk;

namespace DmKernel.Tests.Support;

/// <summary>
/// Runs a test with a current culture whose numbers differ from the invariant culture's in every way that matters to a
/// message or a file: a decimal comma (as de-DE, fr-FR, sv-SE), U+2212 as the minus sign (as sv-SE, nb-NO, fi-FI with
/// ICU) and a no-break space between thousands. Built from the invariant culture, so it needs no ICU data and exists
/// where the runtime runs in invariant globalization mode. A test class derived from another and marked with this runs
/// all of its tests again under it; the project's text (messages, CSV, JSON, reports) is invariant, so they pass alike.
/// The ticking thread's culture only (the test's own): set for the process, it would reach tests running beside it.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
internal sealed class UnfriendlyCultureAttribute : BeforeAfterTestAttribute
{
    private CultureInfo? _culture, _uiCulture;

    /// <summary>The culture the tests run under.</summary>
    public static CultureInfo Culture { get; } = Make();

    private static CultureInfo Make()
    {
        var c = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        NumberFormatInfo n = c.NumberFormat;
        n.NumberDecimalSeparator = n.CurrencyDecimalSeparator = n.PercentDecimalSeparator = ",";
        n.NumberGroupSeparator = n.CurrencyGroupSeparator = n.PercentGroupSeparator = "\u00a0";
        n.NegativeSign = "\u2212";
        return CultureInfo.ReadOnly(c);
    }

    public override void Before(MethodInfo methodUnderTest)
    {
        _culture = CultureInfo.CurrentCulture;
        _uiCulture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentCulture = Culture;
        CultureInfo.CurrentUICulture = Culture;
    }

    public override void After(MethodInfo methodUnderTest)
    {
        CultureInfo.CurrentCulture = _culture!;
        CultureInfo.CurrentUICulture = _uiCulture!;
    }
}
