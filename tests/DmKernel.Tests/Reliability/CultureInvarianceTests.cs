using System.Globalization;
using DmKernel.Tests.Cli;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Reliability;

/// <summary>
/// The bad-input catalog, the embedding API's edges and the CLI's bad-input tests again under a culture whose numbers
/// read otherwise (<see cref="UnfriendlyCultureAttribute"/>: decimal comma, U+2212 minus, no-break space between
/// thousands). Every message the libraries give an embedder is invariant text: before, under sv-SE, a negative value
/// printed as "−8192" beside an ASCII "expected -1 (off)", and under de-DE a factor bound as "0,01" (16 tests of the
/// suite failed under sv-SE, 2 under de-DE). CI also runs the whole suite once under sv-SE (.ci/run).
/// </summary>
[UnfriendlyCulture]
public sealed class BadInputCatalogTests_UnfriendlyCulture : BadInputCatalogTests;

/// <inheritdoc cref="BadInputCatalogTests_UnfriendlyCulture"/>
[UnfriendlyCulture]
public sealed class EmbeddingApiEdgeTests_UnfriendlyCulture : EmbeddingApiEdgeTests;

/// <inheritdoc cref="BadInputCatalogTests_UnfriendlyCulture"/>
[UnfriendlyCulture]
[Collection(nameof(CliTests))]
public sealed class BadInputCliTests_UnfriendlyCulture : BadInputCliTests;

/// <summary>The culture the derived classes run under does read numbers otherwise (else they would test nothing).</summary>
public class UnfriendlyCultureTests
{
    [Fact]
    [UnfriendlyCulture]
    public void TheCulture_FormatsNumbersOtherwiseThanTheInvariantCulture()
    {
        Assert.Same(UnfriendlyCultureAttribute.Culture, CultureInfo.CurrentCulture);
        Assert.Equal("\u22128192", (-8192).ToString(CultureInfo.CurrentCulture));
        Assert.Equal("0,01", 0.01.ToString(CultureInfo.CurrentCulture));
        Assert.Equal("1\u00a0234,5", 1234.5.ToString("N1", CultureInfo.CurrentCulture));
        Assert.Equal("-8192", (-8192).ToString(CultureInfo.InvariantCulture));
    }
}
