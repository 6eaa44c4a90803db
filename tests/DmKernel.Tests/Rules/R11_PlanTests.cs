using DmKernel.Tests.Support;
using static DmKernel.Tests.Rules.RuleScenario;

namespace DmKernel.Tests.Rules;

/// <summary>
/// R11: Shortfall = Σ max(0, Target − Assigned) over Running DM VMs. Enough memory: grants. Short: the budget
/// Available + Σ Assigned is shared by weighted water-filling in three tiers (Minimum, Need0, Target).
/// All VMs below: Startup 512 or 1024, Minimum 512, Maximum 8192, Buffer 20, Windows; BootGrace 1 tick, no reserve.
/// </summary>
public class R11_PlanTests
{
    [Fact]
    public void R11_EnoughMemory_GrantsTargetMinusAssigned_AndShrinksNobody()
    {
        var s = new Scenario(hostTotalMb: 16384, model: Fast);
        // A: committed 2000 → Target 2400. B: committed 100 → Target 512, holds 1024 (surplus 512).
        int[] v = s.StartRunning((Dm(1024, 512, 65536), 2000), (Dm(1024, 512, 65536), 100));
        // Tick 1: Shortfall = 2400 − 1024 = 1376 <= Available 14336.
        Assert.False(s.Fleet.HostWasShort(0));
        Assert.Equal(1376L, s.Fleet.HostShortfall(0));
        s.AssertMemory(v[0], 2400);
        s.AssertDecision(v[0], unballooned: 0, hotAdded: 1376, removed: 0);
        s.AssertMemory(v[1], 1024); // kept: shrinking is R15's job, and this is no reclaim tick
        s.AssertDecision(v[1], 0, 0, 0);
        Assert.Equal(16384 - 2400 - 1024, s.Fleet.HostAvailable(0));

        s.Tick();
        Assert.Equal(0L, s.Fleet.HostShortfall(0));
        s.AssertMemory(v[1], 1024);
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R11_ShortHost_ServesBufferLast(KernelPath path)
    {
        // Host 3300. A: committed 2000 (Need0 2000, Target 2400); B: committed 1000 (Need0 1000, Target 1200); equal weights.
        // Tick 0: Available 3300 − 2048 = 1252. Tick 1: Shortfall 1376 + 176 = 1552 > 1252: short, budget 3300.
        // Tier 0: 512 + 512, 2276 left. Tier 1: 1488 + 488 = 1976 fits, 300 left. Tier 2: caps 400 and 200, equal
        // weights: level 150 each (neither cap reached). A = 2150, B = 1150: both Need0 met, the buffer shared.
        var s = new Scenario(hostTotalMb: 3300, model: Fast, path: path);
        int[] v = s.StartRunning((Dm(1024, 512, 8192), 2000), (Dm(1024, 512, 8192), 1000));
        Assert.True(s.Fleet.HostWasShort(0));
        Assert.Equal(1552L, s.Fleet.HostShortfall(0));
        s.AssertMemory(v[0], 2150);
        s.AssertMemory(v[1], 1150);
        Assert.Equal(0, s.Fleet.HostAvailable(0));

        s.Tick(); // a short tick on the chosen path: the same plan, nothing moves
        Assert.True(s.Fleet.HostWasShort(0));
        Assert.Equal(300L, s.Fleet.HostShortfall(0)); // 250 + 50
        s.AssertMemory(v[0], 2150);
        s.AssertMemory(v[1], 1150);
        s.AssertDecision(v[0], 0, 0, 0);
    }

    [Fact]
    public void R11_ShortHost_Need0TierCut_SharedEqually()
    {
        // Host 3000, both committed 2000. Budget 3000: tier 0 1024, 1976 left; tier 1 caps 1488 + 1488 > 1976:
        // equal weights, 988 each. A = B = 1500, below their demand.
        var s = new Scenario(hostTotalMb: 3000, model: Fast);
        int[] v = s.StartRunning((Dm(1024, 512, 8192), 2000), (Dm(1024, 512, 8192), 2000));
        s.AssertMemory(v[0], 1500);
        s.AssertMemory(v[1], 1500);
        Assert.Equal(0, s.Fleet.HostAvailable(0));
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R11_ShortHost_WeightsShareProportionally_LeftoverToTheHeavierFirst(KernelPath path)
    {
        // Host 3000. Slot 0: B weight 3000; slot 1: A weight 6000; both committed 2000. Tier 1 pool 1976, W = 9000:
        // A 1976 × 6000 / 9000 = 1317.3 → 1316, B 658.7 → 658; 2 MB left go to the heaviest unsatisfied VM (A),
        // not to the lower slot. A = 512 + 1318 = 1830, B = 512 + 658 = 1170. Available 952: A gets 806, B 146.
        var s = new Scenario(hostTotalMb: 3000, model: Fast, path: path);
        int[] v = s.StartRunning((Dm(1024, 512, 8192, weight: 3000), 2000), (Dm(1024, 512, 8192, weight: 6000), 2000));
        s.AssertMemory(v[1], 1830);
        s.AssertMemory(v[0], 1170);
        s.AssertDecision(v[1], 0, 806, 0);
        s.AssertDecision(v[0], 0, 146, 0);
        Assert.Equal(0, s.Fleet.HostAvailable(0));
    }

    [Fact]
    public void R11_ShortHost_LeftoverGranules_OnePerVm_InSlotOrderAmongEqualWeights()
    {
        // Host 2536, three VMs Startup 512, committed 2000. Budget 2536: tier 0 1536, 1000 left; tier 1 caps 3 × 1488:
        // 1000 / 3 = 333.3 → 332 each, 4 MB left: one 2 MB unit to slot 0, one to slot 1.
        var s = new Scenario(hostTotalMb: 2536, model: Fast);
        int[] v = s.StartRunning((Dm(512, 512, 8192), 2000), (Dm(512, 512, 8192), 2000), (Dm(512, 512, 8192), 2000));
        s.AssertMemory(v[0], 846);
        s.AssertMemory(v[1], 846);
        s.AssertMemory(v[2], 844);
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R11_ShortHost_WeightZeroVms_FilledOnlyAfterPositivesSatisfied_AsEquals(KernelPath path)
    {
        // Host 4024. A weight 5000, Z1 and Z2 weight 0; all Startup 512, committed 2000 (Need0 2000, Target 2400).
        // Tier 0: all get 512 (2488 left). Tier 1: A first, 1488 → 2000 (1000 left); then Z1, Z2 as equals: 500 each.
        // Tier 2: nothing left for A's buffer. A = 2000, Z1 = Z2 = 1012.
        var s = new Scenario(hostTotalMb: 4024, model: Fast, path: path);
        int[] v = s.StartRunning((Dm(512, 512, 8192), 2000), (Dm(512, 512, 8192, weight: 0), 2000), (Dm(512, 512, 8192, weight: 0), 2000));
        s.AssertMemory(v[0], 2000);
        s.AssertMemory(v[1], 1012);
        s.AssertMemory(v[2], 1012);
        Assert.Equal(0, s.Fleet.HostAvailable(0));
    }

    [Fact]
    public void R11_ShortHost_WeightZeroVm_GetsNothingWhileAPositiveOneIsUnsatisfied()
    {
        // Host 2024. Slot 0: Z weight 0; slot 1: A weight 5000; both committed 2000. Tier 0: 1024, 1000 left.
        // Tier 1: A's cap 1488 > 1000, so A takes all 1000 and Z, although in the lower slot, keeps its Minimum.
        // A = 1512, Z = 512.
        var s = new Scenario(hostTotalMb: 2024, model: Fast);
        int[] v = s.StartRunning((Dm(512, 512, 8192, weight: 0), 2000), (Dm(512, 512, 8192), 2000));
        s.AssertMemory(v[1], 1512);
        s.AssertMemory(v[0], 512);
    }
}
