namespace Galt;

/// <summary>
/// A NaN or infinity reached a computation that cannot use it: a constraint value or Jacobian, a task gradient.
/// The message names the constraint or parameter. Optimizers throw it before changing any state.
/// </summary>
public sealed class NonFiniteValueException : ArithmeticException
{
    /// <summary>Creates the exception; <paramref name="source"/> names the offending input.</summary>
    public NonFiniteValueException(string source, string message) : base(message) => Source = source;

    /// <summary>The constraint or parameter whose value was not finite.</summary>
    public new string Source { get; }
}
