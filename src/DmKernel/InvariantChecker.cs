using System.Globalization;
using System.Text;

namespace DmKernel;

/// <summary>
/// R14: checks the model's invariants after a tick. Keeps the previous tick's GuestVisible per VM to prove that
/// it never shrinks before a restart (a state loaded with <see cref="Fleet.LoadState"/> starts the comparison again). Meant for tests, soaks and debugging, not the hot path (it allocates its
/// snapshot once and a message only on failure).
/// </summary>
public sealed class InvariantChecker
{
    private readonly Fleet _fleet;
    private readonly int[] _guestVisible;
    private readonly int[] _generation;
    private int _stateLoads;

    /// <summary>A checker for <paramref name="fleet"/>, starting from its current GuestVisible values.</summary>
    public InvariantChecker(Fleet fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        _fleet = fleet;
        _guestVisible = new int[fleet.SlotCount];
        _generation = new int[fleet.SlotCount];
        Snapshot();
    }

    /// <summary>Checks every invariant; throws <see cref="InvariantViolationException"/> listing the first violations.</summary>
    public void Check()
    {
        string? problems = Find(maxProblems: 10);
        Snapshot();
        if (problems is not null)
            throw new InvariantViolationException(problems);
    }

    /// <summary>The violations found (at most <paramref name="maxProblems"/>), or null when every invariant holds.</summary>
    public string? Find(int maxProblems = 10)
    {
        Fleet f = _fleet;
        if (_stateLoads != f.StateLoads)
            Snapshot(); // a state loaded since the last check (a checkpoint restored): there is no "previous tick" to compare with
        StringBuilder? sb = null; // built on the first violation: a check that finds none allocates nothing
        int count = 0;
        void Report(string message)
        {
            if (count++ < maxProblems)
                (sb ??= new StringBuilder()).AppendLine(message);
        }

        int gMask = f.Model.GranularityMb - 1;
        for (int h = 0; h < f.HostCount; h++)
        {
            (int start, int capacity) = f.HostSlots(h);
            long assigned = 0;
            int requests = 0;
            for (int i = start; i < start + capacity; i++)
            {
                requests += f.Cols.Request[i] != 0 ? 1 : 0;
                var state = f.State(i);
                int a = f.Cols.Assigned[i], b = f.Cols.Ballooned[i], sp = f.Cols.SmartPaging[i];

                // R18: a window is empty (minimum int.MaxValue, maximum 0) or holds samples in [0, cap]. (The vector
                // kernel relies on it: an Off lane's sample of 0 never extends a maximum, its candidate minimum never a minimum.)
                int wmin = f.Cols.WinMin[i], wmax = f.Cols.WinMax[i];
                if (wmax < 0 || wmax > Kernel.Rules.PressureCap || (wmin != int.MaxValue && (wmin < 0 || wmin > wmax)))
                    Report(Fmt($"VM {i}: pressure window minimum {wmin}, maximum {wmax}: not an empty window nor 0 <= minimum <= maximum <= {Kernel.Rules.PressureCap} (R18)"));
                if (state != VmState.Off && (f.Cols.Flags[i] & VmFlags.Used) == 0)
                    Report(Fmt($"VM {i}: {state} in a slot that holds no VM"));
                if (state == VmState.Off)
                {
                    if (a != 0 || b != 0 || sp != 0)
                        Report(Fmt($"VM {i}: Off but Assigned={a} Ballooned={b} SmartPaging={sp} (R7)"));
                    continue;
                }

                assigned += a;
                if (a < 0 || b < 0 || sp < 0)
                    Report(Fmt($"VM {i}: negative memory Assigned={a} Ballooned={b} SmartPaging={sp}"));
                if (((a | b | sp | f.Cols.Target[i]) & gMask) != 0)
                    Report(Fmt($"VM {i}: sizes not multiples of {gMask + 1} MB: Assigned={a} Ballooned={b} SmartPaging={sp} Target={f.Cols.Target[i]} (R14)"));
                bool dynamic = (f.Cols.Flags[i] & VmFlags.Dynamic) != 0;
                if (!dynamic && (a != f.Cols.Startup[i] || b != 0 || sp != 0))
                    Report(Fmt($"VM {i}: static VM holds Assigned={a} Ballooned={b} SmartPaging={sp}, expected Startup={f.Cols.Startup[i]}"));
                if (state == VmState.Booting && a + sp != f.Cols.Startup[i])
                    Report(Fmt($"VM {i}: Booting with Assigned+SmartPaging={a + sp}, expected Startup={f.Cols.Startup[i]} (R5, R6)"));
                if (state == VmState.Running && dynamic)
                {
                    if (a > f.Cols.Maximum[i])
                        Report(Fmt($"VM {i}: Assigned={a} above Maximum={f.Cols.Maximum[i]} (R14)"));
                    if (a < f.Cols.Minimum[i] && sp == 0 && !f.HostWasShort(h) && !WasRestarted(i))
                        Report(Fmt($"VM {i}: Assigned={a} below Minimum={f.Cols.Minimum[i]} on a host that was not short (R14)"));
                }

                int gv = a + b + sp;
                if (_generation[i] == f.Cols.Generation[i] && gv < _guestVisible[i])
                    Report(Fmt($"VM {i}: GuestVisible shrank from {_guestVisible[i]} to {gv} without a restart (R14)"));
            }

            int total = f.HostTotal(h), reserve = f.HostReserve(h), avail = f.HostAvailable(h), pending = f.HostPendingFreed(h);
            if (assigned + reserve > total)
                Report(Fmt($"Host {h}: Σ Assigned {assigned} + Reserve {reserve} > Total {total} (R14)"));
            if (avail < 0 || pending < 0)
                Report(Fmt($"Host {h}: Available={avail} PendingFreed={pending} negative (R3)"));
            if (assigned + reserve + avail + pending != total)
                Report(Fmt($"Host {h}: Σ Assigned {assigned} + Reserve {reserve} + Available {avail} + pending {pending} != Total {total} (R3, R12)"));

            // The tick processes a host's lifecycle requests only when it counts some (R4–R7): a count that lost one (a
            // request made while a tick ran, which docs/public-api.md leaves unchecked) leaves requests pending for ever,
            // and LoadState refuses any state saved after it; found here at the next check (before stop 54 only at load).
            if (requests != f.Cols.HostPendingRequests[h])
                Report(Fmt($"Host {h}: {f.Cols.HostPendingRequests[h]} pending requests counted, its VMs hold {requests} (a request made while a tick ran?)"));
        }

        if (count > maxProblems)
            (sb ??= new StringBuilder()).AppendLine(Fmt($"... and {count - maxProblems} more"));
        return count == 0 ? null : sb?.ToString() ?? "";
    }

    // A VM restarted in the last tick may still be below Minimum only if Smart Paging covered it; otherwise the
    // deficit came back from the pool, so Assigned = Startup >= Minimum. Booting VMs are checked above.
    private bool WasRestarted(int i) => _generation[i] != _fleet.Cols.Generation[i];

    private void Snapshot()
    {
        _stateLoads = _fleet.StateLoads;
        for (int i = 0; i < _fleet.SlotCount; i++)
        {
            _guestVisible[i] = _fleet.Cols.Assigned[i] + _fleet.Cols.Ballooned[i] + _fleet.Cols.SmartPaging[i];
            _generation[i] = _fleet.Cols.Generation[i];
        }
    }

    private static string Fmt(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
