namespace DmKernel.Traces.Capacity;

/// <summary>An option of a capacity study that cannot work for this trace; <see cref="Option"/> names the <see cref="CapacityOptions"/> property.</summary>
public sealed class CapacityOptionException : ArgumentException
{
    public CapacityOptionException(string option, string message)
        : base(message) => Option = option;

    public CapacityOptionException()
        : this("", "A capacity option cannot work for this trace.")
    {
    }

    public CapacityOptionException(string message)
        : this("", message)
    {
    }

    public CapacityOptionException(string message, Exception innerException)
        : base(message, innerException) => Option = "";

    /// <summary>The option (a <see cref="CapacityOptions"/> property name).</summary>
    public string Option { get; }
}
