using System.Globalization;

namespace DmKernel;

/// <summary>A VM setting refused by R1 or R2: names the VM, the setting, the value and the rule.</summary>
public sealed class SettingRejectedException : ArgumentException
{
    public SettingRejectedException(int vm, string setting, long value, string rule, string expected)
        : base(string.Create(CultureInfo.InvariantCulture, $"VM {vm}: {setting} = {value} refused by {rule}: {expected}. Nothing of the change was applied."))
    {
        Vm = vm;
        Setting = setting;
        Value = value;
        Rule = rule;
    }

    /// <summary>The VM (slot) the change was for; for a refused <see cref="Fleet.AddVm"/>, the slot the VM would have taken (it stays free: check <see cref="Fleet.IsUsed"/>).</summary>
    public int Vm { get; }

    /// <summary>The setting that broke the rule.</summary>
    public string Setting { get; }

    /// <summary>The refused value.</summary>
    public long Value { get; }

    /// <summary>The rule, "R1" or "R2".</summary>
    public string Rule { get; }
}

/// <summary>A model parameter out of range: names the parameter, the value and what was expected.</summary>
public sealed class ModelParameterException : ArgumentException
{
    public ModelParameterException(string parameter, double value, string expected)
        : base(string.Create(CultureInfo.InvariantCulture, $"Model parameter {parameter} = {value} is out of range: expected {expected}."))
    {
        Parameter = parameter;
        Value = value;
    }

    public string Parameter { get; }

    public double Value { get; }
}

/// <summary>An R14 invariant that did not hold after a tick.</summary>
public sealed class InvariantViolationException : Exception
{
    public InvariantViolationException(string message) : base(message) { }
}
