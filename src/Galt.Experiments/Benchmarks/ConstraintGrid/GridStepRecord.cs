namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>What one step of a grid run did.</summary>
/// <param name="Step">1-based step number.</param>
/// <param name="TaskLoss">The task loss before the step.</param>
/// <param name="Value">C after the step, measured afresh on the constraint's inputs (not counted as an evaluation of the step).</param>
/// <param name="Violation">max(0, C) or |C|.</param>
/// <param name="Infeasible">Violation beyond the tolerance.</param>
/// <param name="Lambda">λ after the step (the soft penalty: its weight).</param>
/// <param name="Evaluations">Forward passes over the constraint's inputs during the step.</param>
public sealed record GridStepRecord(int Step, double TaskLoss, double Value, double Violation, bool Infeasible, double Lambda, long Evaluations);
