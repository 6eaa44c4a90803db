using CsCheck;
using DmKernel.Policies;

namespace DmKernel.Tests.Policies;

/// <summary>P10: what a guest's memory driver can move in a tick, and the text form of the setting.</summary>
public class P10_GuestResponseRuleTests
{
    [Fact]
    public void P10_Limit_IdealUnlimited_RatePerTick_StuckZero()
    {
        Assert.Equal(Responsiveness.Unlimited, Responsiveness.Limit((byte)GuestResponseKind.Ideal, 0, 0, 0, 7, 100));
        Assert.Equal(100, Responsiveness.Limit((byte)GuestResponseKind.Rate, 100, 0, 0, 7, 100));
        Assert.Equal(0, Responsiveness.Limit((byte)GuestResponseKind.Stuck, 0, 0, 0, 7, 100));
    }

    /// <summary>
    /// Spells of 1e9 s at 0.5-s ticks are 2e9 ticks each (the longest P10 allows, at a tick the model runs): the period
    /// of 4e9 ticks holds, so tick 3e9 is in the ideal spell and 5e9 in the next stuck one (before stop 53 the int sum
    /// overflowed to a period of -294967296 and both read stuck).
    /// </summary>
    [Fact]
    public void P10_IntermittentlyStuck_SpellsNearTheLongest_KeepTheirPeriod()
    {
        var k = (byte)GuestResponseKind.IntermittentlyStuck;
        int spell = new ModelParameters { TickSeconds = 0.5 }.ToTicks(1e9);
        Assert.Equal(2_000_000_000, spell);
        Assert.Equal(0, Responsiveness.Limit(k, 0, spell, spell, 0, 1_999_999_999));
        Assert.Equal(Responsiveness.Unlimited, Responsiveness.Limit(k, 0, spell, spell, 0, 3_000_000_000));
        Assert.Equal(0, Responsiveness.Limit(k, 0, spell, spell, 0, 5_000_000_000));
        Assert.Equal(Responsiveness.Unlimited, Responsiveness.Limit(k, 0, spell, spell, 1, 3_999_999_998));
    }

    [Fact]
    public void P10_Rate_IsMbPerSecondTimesTheTick_RoundedDownToG_AtLeastOneGranule()
    {
        Assert.Equal(100, Responsiveness.RatePerTick(100, 1, 2));
        Assert.Equal(510, Responsiveness.RatePerTick(1020, 0.5, 2));
        Assert.Equal(2, Responsiveness.RatePerTick(1, 1, 2));        // 1 MB/s: one granule per tick
        Assert.Equal(30_000, Responsiveness.RatePerTick(100, 300, 2)); // a 5-minute tick
        Assert.Equal(64, Responsiveness.RatePerTick(100, 1, 64));    // 100 → 64 with G = 64
        Assert.Equal(58, Responsiveness.RatePerTick(200, 0.29, 2));  // 0.29 is stored a hair below: 57.999… read 56 before stop 54
    }

    /// <summary>
    /// P1's "evaluated exactly and rounded down" for a tick the user writes in decimals: the rate per tick (P10) and R12's
    /// cap are the exact decimal product rounded down, whatever binary neighbour the tick is stored as (ticks of 0.01 s
    /// steps up to an hour, rates up to P10's fastest); and a period's ticks are the exact ratio rounded half up.
    /// </summary>
    [Fact]
    public void P10_RateAndR12Cap_OfADecimalTick_AreTheExactDecimalProductRoundedDown()
    {
        Gen.Select(Gen.Int[1, 1_048_576], Gen.Int[1, 360_000]).Sample((rate, cents) =>
        {
            double tick = cents / 100.0;
            long exact = (long)decimal.Floor(rate * (cents / 100m));
            int expected = (int)Math.Max(2, Math.Min(exact, int.MaxValue - 2) & ~1L);
            Assert.Equal(expected, Responsiveness.RatePerTick(rate, tick, 2));
            Assert.Equal((int)Math.Max(2, Math.Min(exact, int.MaxValue) & ~1L), new ModelParameters { MaxRemovePerSecondMb = rate, TickSeconds = tick }.RemoveCapPerTickMb);
        }, iter: 20_000);
        Assert.Equal(2, new ModelParameters { TickSeconds = 0.2 }.ToTicks(0.3)); // 1.5 ticks, half up (1.4999… read 1 before stop 54)
        Assert.Equal(1, new ModelParameters { TickSeconds = 0.2 }.ToTicks(0.29));
    }

    [Fact]
    public void P10_IntermittentlyStuck_StuckThenIdeal_PhaseFromThePlaceInTheHost()
    {
        // 3 ticks stuck, 2 ideal. Place 0 of its host: ticks 0, 1, 2 stuck, 3, 4 ideal, 5 stuck again. Place 1 is one tick ahead:
        // (t + 1) mod 5 < 3, so ticks 0, 1 stuck, 2, 3 ideal, 4 stuck.
        var k = (byte)GuestResponseKind.IntermittentlyStuck;
        int[] slot0 = new int[6], slot1 = new int[6];
        for (int t = 0; t < 6; t++)
        {
            slot0[t] = Responsiveness.Limit(k, 0, 3, 2, 0, t);
            slot1[t] = Responsiveness.Limit(k, 0, 3, 2, 1, t);
        }

        int u = Responsiveness.Unlimited;
        Assert.Equal([0, 0, 0, u, u, 0], slot0);
        Assert.Equal([0, 0, u, u, 0, 0], slot1);
    }

    [Theory]
    [InlineData("ideal")]
    [InlineData("stuck")]
    [InlineData("rate:64")]
    [InlineData("intermittent:30/60")]
    [InlineData("intermittent:0.5/2.5")]
    public void P10_Setting_TextForm_RoundTrips(string text)
        => Assert.Equal(text, GuestResponse.Parse(text).ToString());

    [Theory]
    [InlineData("slow")]
    [InlineData("rate:0")]
    [InlineData("rate:-3")]
    [InlineData("intermittent:30")]
    [InlineData("intermittent:0/5")]
    [InlineData("intermittent:2e9/30")]
    [InlineData("intermittent:30/2e9")]
    public void P10_Setting_BadText_IsRefusedNamingTheForms(string text)
    {
        var ex = Assert.Throws<FormatException>(() => GuestResponse.Parse(text));
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
        Assert.Contains("P10", ex.Message, StringComparison.Ordinal);
    }
}
