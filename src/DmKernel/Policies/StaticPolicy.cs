namespace DmKernel.Policies;

/// <summary>
/// The static policy (P1): every Running DM VM's goal is its Startup, and it never moves from it (R4's reclaim takes
/// nothing from it either: every VM is static, as in compare's static strategies).
/// </summary>
internal struct StaticPolicy : IPolicy
{
    public static bool StartsReclaim => false;

    public static bool TwoPhase => false;

    public static bool TracksStuck => false;

    public static void Goals(in PolicyHost host, in PolicyTick tick, PolicyScratch scratch)
    {
        Span<int> flags = host.Flags, startup = host.Startup;
        for (int k = 0; k < flags.Length; k++)
        {
            if (!GoalMoves.IsRunningDm(flags[k]))
                continue;
            scratch.GrowTo[k] = startup[k];
            scratch.ShrinkTo[k] = startup[k];
        }
    }
}
