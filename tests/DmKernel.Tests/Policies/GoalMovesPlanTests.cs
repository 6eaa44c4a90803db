using DmKernel.Policies;

namespace DmKernel.Tests.Policies;

/// <summary>
/// <see cref="GoalMoves.PlanGrants"/> (the decisions a lane-by-lane finishing pass applies) against
/// <see cref="GoalMoves.Move"/> (the scalar reference) on random hosts with ideal guests: the same memory, decisions,
/// Target, Shortfall and Short, for every policy's goals.
/// </summary>
public class GoalMovesPlanTests
{
    [Theory]
    [InlineData(PolicyKind.Static)]
    [InlineData(PolicyKind.Squeezed)]
    [InlineData(PolicyKind.Mom)]
    [InlineData(PolicyKind.Esx)]
    public void PlanGrants_ThenApplied_EqualsMove_OnRandomHosts(PolicyKind kind)
    {
        var random = new Random(1400 + (int)kind);
        var model = new ModelParameters { MaxRemovePerSecondMb = 300 };
        for (int round = 0; round < 300; round++)
        {
            int n = random.Next(1, 40);
            HostArrays a = RandomHost(random, n), b = Clone(a);
            var tick = new PolicyTick(BalancerPolicy.Of(kind), model, random.Next(0, 100));
            bool twoPhase = kind == PolicyKind.Squeezed;
            var sa = new PolicyScratch(n);
            var sb = new PolicyScratch(n);
            Goals(kind, new PolicyHost(a), tick, sa);
            Goals(kind, new PolicyHost(b), tick, sb);
            GoalMoves.Move(new PolicyHost(a), tick, sa, twoPhase, twoPhase ? tick.StuckTicks : 0);

            var grant = new int[n];
            var alloc = new int[n];
            GoalMoves.PlanGrants(new PolicyHost(b), tick, sb, twoPhase, grant, alloc);
            Apply(new PolicyHost(b), tick, grant, alloc);

            string at = $"{kind}, round {round}";
            Assert.True(a.Assigned.SequenceEqual(b.Assigned), at);
            Assert.True(a.Ballooned.SequenceEqual(b.Ballooned), at);
            Assert.True(a.Unballooned.SequenceEqual(b.Unballooned), at);
            Assert.True(a.HotAdded.SequenceEqual(b.HotAdded), at);
            Assert.True(a.Removed.SequenceEqual(b.Removed), at);
            Assert.True(a.Target.SequenceEqual(b.Target), at);
            Assert.True(a.NoProgress.SequenceEqual(b.NoProgress), at);
            Assert.Equal((a.Available, a.PendingFreed, a.Shortfall, a.Short), (b.Available, b.PendingFreed, b.Shortfall, b.Short));
        }
    }

    private static void Goals(PolicyKind kind, in PolicyHost h, in PolicyTick t, PolicyScratch s)
    {
        GoalMoves.ResetIdle(h);
        switch (kind)
        {
            case PolicyKind.Static: StaticPolicy.Goals(h, t, s); break;
            case PolicyKind.Squeezed: SqueezedPolicy.Goals(h, t, s); break;
            case PolicyKind.Mom: MomPolicy.Goals(h, t, s); break;
            default: EsxPolicy.Goals(h, t, s); break;
        }
    }

    /// <summary>What a lane-by-lane finishing pass does with the plan: R12 toward alloc, then the grants (R13).</summary>
    private static void Apply(in PolicyHost h, in PolicyTick t, int[] grant, int[] alloc)
    {
        for (int k = 0; k < h.Count; k++)
        {
            if (!GoalMoves.IsRunningDm(h.Flags[k]))
                continue;
            int a = h.Assigned[k];
            if (a > alloc[k])
                Mechanisms.Remove(h, k, a - alloc[k], t.RemoveCap, t.GMask, Responsiveness.Unlimited, out _);
            if (grant[k] > 0)
                Mechanisms.Grant(h, k, grant[k], Responsiveness.Unlimited);
        }
    }

    private static HostArrays RandomHost(Random r, int n)
    {
        var a = new HostArrays(n) { Total = 0, Reserve = 1024 };
        long sum = 0;
        for (int k = 0; k < n; k++)
        {
            int min = 2 * r.Next(16, 1024), startup = min + (2 * r.Next(0, 2048)), max = startup + (2 * r.Next(0, 4096));
            a.Minimum[k] = min;
            a.Startup[k] = startup;
            a.Maximum[k] = max;
            a.Weight[k] = (ushort)r.Next(0, 10_001);
            int roll = r.Next(10);
            a.Flags[k] = roll switch
            {
                0 => 0,
                1 => VmFlags.Booting | VmFlags.Dynamic,
                2 => VmFlags.Running,
                _ => VmFlags.RunningDynamic,
            } | (r.Next(4) == 0 ? VmFlags.Linux : 0);
            if (roll == 0)
                continue;
            a.Assigned[k] = roll == 3 || roll > 3 ? 2 * r.Next(min / 2, (max / 2) + 1) : startup;
            a.Ballooned[k] = 2 * r.Next(0, 512);
            a.Demand[k] = r.Next(0, max + 2000);
            a.Goal[k] = r.Next(3) == 0 ? 0 : 2 * r.Next(min / 2, (max / 2) + 1);
            sum += a.Assigned[k];
        }

        a.Total = (int)(sum + a.Reserve + (2 * r.Next(0, 8192)));
        a.Available = (int)(a.Total - a.Reserve - sum);
        return a;
    }

    private static HostArrays Clone(HostArrays s)
    {
        var a = new HostArrays(s.Count) { Total = s.Total, Reserve = s.Reserve, Available = s.Available, PendingFreed = s.PendingFreed };
        s.Flags.CopyTo(a.Flags, 0);
        s.Minimum.CopyTo(a.Minimum, 0);
        s.Startup.CopyTo(a.Startup, 0);
        s.Maximum.CopyTo(a.Maximum, 0);
        s.Weight.CopyTo(a.Weight, 0);
        s.Assigned.CopyTo(a.Assigned, 0);
        s.Ballooned.CopyTo(a.Ballooned, 0);
        s.Demand.CopyTo(a.Demand, 0);
        s.Goal.CopyTo(a.Goal, 0);
        return a;
    }
}
