using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// Shares in reports never round to a figure that says the opposite (found by a review of the reports: a plot titled
/// "0 % of the samples are above 300 %" over samples up to 509 %, "starts denied (0.00 % of VM-time)").
/// </summary>
public class ShareTextTests
{
    [Theory]
    [InlineData(0.0, 2, "0.00 %")]
    [InlineData(1.0, 2, "100.00 %")]
    [InlineData(0.0123, 2, "1.23 %")]
    [InlineData(0.00001, 2, "< 0.01 %")]
    [InlineData(0.0000499, 2, "< 0.01 %")]
    [InlineData(0.00006, 2, "0.01 %")]
    [InlineData(0.99999, 2, "> 99.99 %")]
    [InlineData(0.9999, 2, "99.99 %")]
    [InlineData(0.0004, 1, "< 0.1 %")]
    [InlineData(0.004, 0, "< 1 %")]
    [InlineData(0.996, 0, "> 99 %")]
    [InlineData(0.5, 0, "50 %")]
    [InlineData(double.NaN, 2, "–")]
    public void Percent_NeverRoundsAShareToZeroOrToAWhole(double share, int decimals, string expected)
        => Assert.Equal(expected, ShareText.Percent(share, decimals));

    [Theory]
    [InlineData(0.0, 2, "0.00")]
    [InlineData(0.004, 2, "< 0.01")]
    [InlineData(0.00499, 2, "< 0.01")]
    [InlineData(0.005, 2, "0.01")]
    [InlineData(0.0318, 2, "0.03")]
    [InlineData(12.345, 1, "12.3")]
    [InlineData(0.04, 1, "< 0.1")]
    [InlineData(0.4, 0, "< 1")]
    [InlineData(double.NaN, 2, "–")]
    public void Amount_NeverRoundsAPositiveAmountToZero(double value, int decimals, string expected)
        => Assert.Equal(expected, ShareText.Amount(value, decimals));

    [Fact]
    public void Percent_DecimalsOutOfRange_AreRefused()
    {
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ShareText.Percent(0.5, -1));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ShareText.Percent(0.5, 7));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ShareText.Amount(0.5, -1));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ShareText.Amount(0.5, 7));
    }
}
