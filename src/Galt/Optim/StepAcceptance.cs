using Galt.Constraints;
using Galt.Multipliers;
using Galt.Solve;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>What the step contract did on one step.</summary>
/// <param name="Scale">The share of the proposed step taken (0: held).</param>
/// <param name="Measured">C per constraint after the step taken (the start values when held).</param>
/// <param name="Evaluations">Evaluations of every constraint (tries).</param>
/// <param name="Corrections">Corrections from measured values.</param>
/// <param name="Halvings">Halvings of the step.</param>
/// <param name="Broke">Per constraint: its measured value broke the contract on some try.</param>
/// <param name="NextScale">The share to try first on the next step.</param>
internal sealed record AcceptanceResult(double Scale, double[] Measured, int Evaluations, int Corrections, int Halvings, bool[] Broke, double NextScale)
{
    /// <summary>Per constraint, what the first try's measured value missed its linearised prediction by (C_meas − C_post).</summary>
    public double[] ProposalErrors { get; init; } = Array.Empty<double>();

    /// <summary>No try kept the contract: the parameters did not move.</summary>
    public bool Held => Scale == 0;
}

/// <summary>
/// The step contract's trial loop (<see cref="StepContract"/>, docs/feasibility.md §1.1): write the proposed step at
/// the remembered share, measure every constraint, keep the step when the contract holds; otherwise put the parameters
/// back, correct the forces from the measured values (a second-order correction) or halve the step, and try again.
/// </summary>
internal static class StepAcceptance
{
    private const string SavedRole = "contract.theta0";

    /// <summary>
    /// Takes <paramref name="step"/> under <paramref name="contract"/>: on return the parameters hold the accepted step
    /// (or their values before it, when held); the Adam state is not touched. An exception (from a measure or a write)
    /// puts the parameters back before it propagates.
    /// </summary>
    public static AcceptanceResult Run(PrimalStep step, StepContract contract, ContractInput input)
    {
        var (parameters, names, workspace, measures, states, rule, values, learningRate, scale, baseStepNorm) = input;
        int k = states.Length;
        var updated = step.Updated;
        var saved = new Tensor[updated.Count];
        using (no_grad())
            for (int u = 0; u < updated.Count; u++)
                saved[u] = workspace.Get(SavedRole, u, parameters[updated[u]]).copy_(parameters[updated[u]]);
        int evaluations = 0, corrections = 0, halvings = 0;
        var broke = new bool[k];
        var proposalErrors = new double[k];
        double minimum = Math.Pow(0.5, contract.MaxHalvings);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                if (attempt > 0) Put(parameters, updated, saved);
                step.Write(parameters, names, scale);
                var measured = measures.Select(m => m()).ToArray();
                evaluations++;
                var post = Enumerable.Range(0, k).Select(i => values[i] + scale * learningRate * step.JacobianDotDirection[i]).ToArray();
                if (attempt == 0)
                    for (int i = 0; i < k; i++) proposalErrors[i] = measured[i] - post[i];
                var fails = Enumerable.Range(0, k).Select(i => Breaks(contract, states[i].Kind, values[i], measured[i])).ToArray();
                if (!fails.Any(f => f))
                {
                    // After halvings the accepted share is the measured radius; without, it grows once steps land well inside.
                    double next = halvings > 0 ? scale : Comfortable(contract, states, post, measured) ? Math.Min(1, scale * contract.Growth) : scale;
                    return new AcceptanceResult(scale, measured, evaluations, corrections, halvings, broke, Math.Max(next, minimum)) { ProposalErrors = proposalErrors };
                }
                for (int i = 0; i < k; i++) broke[i] |= fails[i];
                if (corrections < contract.MaxCorrections && Correction(step, contract, states, rule, fails, measured, post, scale, learningRate, baseStepNorm) is { } raised)
                {
                    corrections++;
                    step.Resolve(raised);
                    continue;
                }
                if (halvings < contract.MaxHalvings)
                {
                    halvings++;
                    scale /= 2;
                    continue;
                }
                Put(parameters, updated, saved);
                return new AcceptanceResult(0, values.ToArray(), evaluations, corrections, halvings, broke, minimum) { ProposalErrors = proposalErrors };
            }
        }
        catch
        {
            Put(parameters, updated, saved);
            throw;
        }
    }

    /// <summary>
    /// Whether a value breaks the contract: a constraint that started feasible (violation ≤ tolerance) must end
    /// feasible; one that started violated must not end more violated; every value must be finite.
    /// </summary>
    public static bool Breaks(StepContract contract, ConstraintKind kind, double start, double end)
    {
        if (!double.IsFinite(end)) return true;
        double tolerance = contract.ToleranceOf(kind);
        double before = kind.Violation(start), after = kind.Violation(end);
        return before <= tolerance ? after > tolerance : after > before;
    }

    /// <summary>
    /// True when every constraint whose prediction left it room inside its tolerance measured an error of at most a
    /// quarter of that room: the error grows with the square of the step, so a step twice as long is expected to fit.
    /// </summary>
    private static bool Comfortable(StepContract contract, MultiplierState[] states, double[] post, double[] measured)
    {
        for (int i = 0; i < states.Length; i++)
        {
            var kind = states[i].Kind;
            double tolerance = contract.ToleranceOf(kind);
            double room = tolerance - (kind == ConstraintKind.Equality ? Math.Abs(post[i]) : post[i]);
            if (!(room > 0)) continue;
            double error = kind == ConstraintKind.Equality ? Math.Abs(measured[i] - post[i]) : Math.Max(0, measured[i] - post[i]);
            if (error > room / 4) return false;
        }
        return true;
    }

    /// <summary>
    /// The forces raised so that the failing constraints' linearisation, shifted by their measured errors, lands on the
    /// rule's target (at least half a measured error inside, no deeper than half of what the constraint can reach): lr·s·(M Δ)_i = C_meas,i − c*_i
    /// on the failing rows the step can move, with the total force of an inequality kept ≥ 0 and the change it makes to
    /// the step within <see cref="StepContract.CorrectionRadius"/>. Null when nothing can be raised.
    /// </summary>
    private static double[]? Correction(PrimalStep step, StepContract contract, MultiplierState[] states, IMultiplierRule rule, bool[] fails, double[] measured, double[] post,
        double scale, double learningRate, Func<double> baseStepNorm)
    {
        int k = states.Length;
        var sensitivity = step.Sensitivity;
        var eligible = new bool[k];
        var gap = new double[k];
        for (int i = 0; i < k; i++)
        {
            if (!fails[i] || !double.IsFinite(measured[i]) || !ForceCorrection.Actionable(sensitivity, i)) continue;
            double target = 0;
            if (states[i].Kind == ConstraintKind.Inequality)
            {
                double depth = Math.Max(-rule.Target(states[i]), 0.5 * Math.Max(0, measured[i] - post[i]));
                double reachable = states[i].ReachableDepth;
                if (double.IsFinite(reachable) && reachable > 0) depth = Math.Min(depth, 0.5 * reachable);
                target = -depth;
            }
            gap[i] = (measured[i] - target) / (scale * learningRate);
            eligible[i] = double.IsFinite(gap[i]);
        }
        if (!eligible.Any(e => e)) return null;
        var forces = step.Forces.ToArray();
        var delta = ForceCorrection.Solve(states.Select(s => s.Kind).ToArray(), forces, sensitivity, gap, eligible);
        if (delta.All(d => d == 0) || delta.Any(d => !double.IsFinite(d))) return null;
        double length = ForceCorrection.MetricLength(sensitivity, delta), bound = contract.CorrectionRadius * contract.CorrectionRadius * baseStepNorm();
        if (length > bound && length > 0)
        {
            double shrink = Math.Sqrt(bound / length);
            for (int i = 0; i < k; i++) delta[i] *= shrink;
        }
        return forces.Select((f, i) => f + delta[i]).ToArray();
    }

    /// <summary>Puts back the parameters as they were before the step <see cref="Run"/> took (its copy is still in <paramref name="workspace"/>).</summary>
    public static void PutBack(IReadOnlyList<Parameter> parameters, IReadOnlyList<int> updated, SolveWorkspace workspace) =>
        Put(parameters, updated, updated.Select((_, u) => workspace.Find(SavedRole, u)!).ToArray());

    private static void Put(IReadOnlyList<Parameter> parameters, IReadOnlyList<int> updated, Tensor[] saved)
    {
        using var noGrad = no_grad();
        for (int u = 0; u < updated.Count; u++)
            if (saved[u] is not null) parameters[updated[u]].copy_(saved[u]);
    }
}

/// <summary>What the step contract needs from the optimizer for one step.</summary>
/// <param name="Parameters">The trainable tensors.</param>
/// <param name="Names">Their names, for messages.</param>
/// <param name="Workspace">Scratch buffers (the parameters' copy before the step lives there).</param>
/// <param name="Measures">Per constraint, its value C now (registration order).</param>
/// <param name="States">The multiplier states of this step (copies).</param>
/// <param name="Rule">The multiplier rule (its targets).</param>
/// <param name="Values">C per constraint at the step's start.</param>
/// <param name="LearningRate">lr.</param>
/// <param name="Scale">The share of the step to try first.</param>
/// <param name="BaseStepNorm">δ_bᵀDδ_b of the step, on demand (the correction radius's unit).</param>
internal sealed record ContractInput(IReadOnlyList<Parameter> Parameters, IReadOnlyList<string> Names, SolveWorkspace Workspace, Func<double>[] Measures,
    MultiplierState[] States, IMultiplierRule Rule, IReadOnlyList<double> Values, double LearningRate, double Scale, Func<double> BaseStepNorm);
