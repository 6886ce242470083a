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

    /// <summary>A task gradient with a NaN or Inf (seen in the base direction δ_b it produces).</summary>
    internal static NonFiniteValueException TaskGradient(string parameter) =>
        new(parameter, $"the task gradient of parameter '{parameter}' contains NaN or Inf; no state was changed.");

    /// <summary>A solved direction with a NaN or Inf (or, on the fused path, one that could leave the float32 range).</summary>
    internal static NonFiniteValueException Direction(string parameter, string what) =>
        new(parameter, $"{what} for parameter '{parameter}' contains NaN or Inf (the local solve broke down); no state was changed.");
}
