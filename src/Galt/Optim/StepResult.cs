using Galt.Solve;

namespace Galt.Optim;

/// <summary>What one optimizer step did.</summary>
/// <param name="Loss">Task loss before the step (NaN when gradients were given directly).</param>
/// <param name="Values">C_e before the step, in registration order.</param>
/// <param name="PostValues">Predicted C_e after the step.</param>
/// <param name="Path">How the local system was solved.</param>
/// <param name="ConditionNumber">cond₂ of the Woodbury matrix, NaN when none was formed.</param>
/// <param name="OuterStep">True when this step ended an outer window (multipliers moved, anchor re-snapshotted).</param>
public sealed record StepResult(double Loss, IReadOnlyList<double> Values, IReadOnlyList<double> PostValues, SolvePath Path, double ConditionNumber, bool OuterStep)
{
    /// <summary>
    /// Which constraints had a Jacobian on this step (registration order) when an <see cref="ActiveSetRule"/> chose;
    /// null when every constraint was active.
    /// </summary>
    public IReadOnlyList<bool>? Active { get; init; }

    /// <summary>True when the fused CPU kernels computed and wrote this step (<see cref="StepKernel.Fused"/>).</summary>
    public bool Fused { get; init; }

    /// <summary>The fused step's sweep times (null when the tensor path wrote the step).</summary>
    public FusedPassTimes? PassTimes { get; init; }

    /// <summary>
    /// True when the step contract measured every constraint after the step (<see cref="StepContract"/>); false when it
    /// is off, there are no constraints, or a constraint registered by name has no measure.
    /// </summary>
    public bool Verified { get; init; }

    /// <summary>C per constraint measured after the step (NaN where not measured).</summary>
    public IReadOnlyList<double> MeasuredValues { get; init; } = Array.Empty<double>();

    /// <summary>The share of the proposed step taken: 1 whole, less when the contract shortened it, 0 when it held it.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>Evaluations of the constraints the contract made (1 in the common case; each correction or halving adds one).</summary>
    public int Evaluations { get; init; }

    /// <summary>Corrections of the forces from measured values on this step.</summary>
    public int Corrections { get; init; }

    /// <summary>Halvings of the step on this step.</summary>
    public int Halvings { get; init; }

    /// <summary>True when no try kept the contract and the parameters did not move (the Adam moments still took the gradient).</summary>
    public bool Held => Scale == 0;
}
