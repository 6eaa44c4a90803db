namespace DmKernel.Traces.Capacity;

/// <summary>An option of a capacity study that cannot work for this trace; <see cref="Option"/> names the <see cref="CapacityOptions"/> property.</summary>
public sealed class CapacityOptionException : ArgumentException
{
    /// <summary>The option <paramref name="option"/> (a <see cref="CapacityOptions"/> property name) cannot work: <paramref name="message"/> says why.</summary>
    public CapacityOptionException(string option, string message)
        : base(message) => Option = option;

    /// <summary>A capacity option that cannot work for this trace, unnamed.</summary>
    public CapacityOptionException()
        : this("", "A capacity option cannot work for this trace.")
    {
    }

    /// <summary>A capacity option that cannot work, unnamed, with <paramref name="message"/>.</summary>
    public CapacityOptionException(string message)
        : this("", message)
    {
    }

    /// <summary>A capacity option that cannot work, unnamed, with <paramref name="message"/> and the error that caused it.</summary>
    public CapacityOptionException(string message, Exception innerException)
        : base(message, innerException) => Option = "";

    /// <summary>The option (a <see cref="CapacityOptions"/> property name).</summary>
    public string Option { get; }
}
