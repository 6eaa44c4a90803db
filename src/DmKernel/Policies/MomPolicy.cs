namespace DmKernel.Policies;

/// <summary>
/// oVirt MoM (P5–P6): every MoM period the host samples its Available, and each Running DM VM is considered on its own
/// (slot order) against the host's free share averaged over the last samples; between periods the goals stand, and
/// grants are served in slot order while Available lasts (MoM has no host-wide arbitration).
/// </summary>
internal struct MomPolicy : IPolicy
{
    public static bool StartsReclaim => true;

    public static bool TwoPhase => false;

    public static bool TracksStuck => false;

    public static void Goals(in PolicyHost host, in PolicyTick tick, PolicyScratch scratch)
    {
        Span<int> flags = host.Flags, goal = host.Goal, assigned = host.Assigned, demand = host.Demand;
        Span<int> startup = host.Startup, min = host.Minimum, max = host.Maximum;

        if (tick.MomTick)
        {
            // P5: h = mean of the last samples of Available / (Total − Reserve).
            long sum = Mom.AddSample(host.MomRing[..tick.MomSamples], ref host.MomFilled, ref host.MomNext, host.Available);
            long samplesTimesCapacity = (long)host.MomFilled * (host.Total - host.Reserve);
            for (int k = 0; k < flags.Length; k++)
            {
                if (GoalMoves.IsRunningDm(flags[k]))
                    goal[k] = Mom.Goal(demand[k], assigned[k], min[k], max[k], sum, samplesTimesCapacity, tick.GMask); // P6
            }
        }

        for (int k = 0; k < flags.Length; k++)
        {
            if (!GoalMoves.IsRunningDm(flags[k]))
                continue;
            int g = goal[k] == 0 ? startup[k] : Math.Clamp(goal[k], min[k], max[k]);
            scratch.GrowTo[k] = g;
            scratch.ShrinkTo[k] = g;
        }
    }
}
