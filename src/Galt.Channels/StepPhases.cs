namespace Galt.Channels;

/// <summary>Seconds one block-local step spent in each phase.</summary>
/// <param name="Forward">The objective's passes and the KL constraints' values.</param>
/// <param name="Backward">The gradients of the objective and both KL constraints.</param>
/// <param name="Probes">Every block's route-forward constraint: the probe pass and its gradient.</param>
/// <param name="Solves">Every block's constrained step (Adam metric, Woodbury solve, multiplier rules).</param>
public sealed record StepPhases(double Forward, double Backward, double Probes, double Solves);
