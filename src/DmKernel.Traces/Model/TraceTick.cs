using System.Globalization;

namespace DmKernel.Traces;

/// <summary>The model parameters a trace runs under: the caller's, with the trace's tick length.</summary>
internal static class TraceTick
{
    /// <summary>
    /// <paramref name="model"/> with <see cref="ModelParameters.TickSeconds"/> = <paramref name="tickSeconds"/>, validated. A tick
    /// the model does not run (over 3 600 s, or so short that the pressure window spans more than
    /// <see cref="ModelParameters.MaxWindowTicks"/> ticks) is a <see cref="TraceFormatException"/> naming the trace's tick
    /// length, not the model's property; any other bad parameter is the caller's and throws as before.
    /// </summary>
    public static ModelParameters Model(ModelParameters model, double tickSeconds, string trace)
    {
        ModelParameters withTick = model with { TickSeconds = tickSeconds };
        try
        {
            withTick.Validate();
            return withTick;
        }
        catch (ModelParameterException ex) when (ex.Parameter == nameof(ModelParameters.TickSeconds)
            || (ex.Parameter == nameof(ModelParameters.PressureWindowSeconds) && double.IsFinite(model.PressureWindowSeconds) && model.PressureWindowSeconds > 0))
        {
            string why = ex.Parameter == nameof(ModelParameters.TickSeconds)
                ? "expected a tick of more than 0 and at most 3600 s"
                : string.Create(CultureInfo.InvariantCulture,
                    $"the {model.PressureWindowSeconds} s pressure window would span {withTick.PressureWindowTicks} ticks, more than {ModelParameters.MaxWindowTicks}; expected a tick of at least {model.PressureWindowSeconds / ModelParameters.MaxWindowTicks} s");
            throw new TraceFormatException(trace, "header", string.Create(CultureInfo.InvariantCulture, $"a tick of {tickSeconds} s, which the model does not run: {why}"), ex);
        }
    }
}
