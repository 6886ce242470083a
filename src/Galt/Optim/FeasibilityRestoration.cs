using Galt.Tensors;
using Galt.Constraints;
using Galt.Jacobians;
using Galt.Multipliers;
using Galt.Solve;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>Settings of a feasibility restoration (<see cref="ConstrainedOptimizer.Restore"/>).</summary>
/// <param name="MaxSteps">Most restoration steps (each evaluates and differentiates every constraint once).</param>
/// <param name="LearningRate">Step size of the restoration steps; null = the optimizer's.</param>
/// <param name="MaxHalvings">
/// Most halvings of one step whose whole length leaves the total violation at or above its value when the restoration
/// began, or gives a non-finite value (each
/// costs one forward pass over the constraints' data); when none works the restoration stops there.
/// </param>
public sealed record RestorationOptions(int MaxSteps = 10, double? LearningRate = null, int MaxHalvings = 20)
{
    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (MaxSteps < 0) throw new ArgumentException($"RestorationOptions.MaxSteps must be ≥ 0; got {MaxSteps}.");
        if (MaxHalvings < 0) throw new ArgumentException($"RestorationOptions.MaxHalvings must be ≥ 0; got {MaxHalvings}.");
        if (LearningRate is { } lr && (!(lr > 0) || double.IsInfinity(lr))) throw new ArgumentException($"RestorationOptions.LearningRate must be positive and finite; got {lr}.");
    }
}

/// <summary>What a restoration did.</summary>
/// <param name="Steps">Restoration steps taken (0: the constraints already held).</param>
/// <param name="Evaluations">Constraint evaluations (each a forward and backward pass over every constraint's data).</param>
/// <param name="Values">C per constraint after the restoration, in registration order.</param>
public sealed record RestorationResult(int Steps, int Evaluations, IReadOnlyList<double> Values)
{
    /// <summary>Every constraint ends with its violation at or below 0.</summary>
    public bool Feasible { get; init; }

    /// <summary>
    /// Times a trial step was halved because it left the total violation at or above its value when the restoration
    /// began, or gave a non-finite value (each halving costs one forward pass over the constraints' data).
    /// </summary>
    public int Halvings { get; init; }

    /// <summary>Why the restoration stopped while still infeasible (null when it ended feasible).</summary>
    public string? StopReason { get; init; }
}

/// <summary>
/// Constraint-only steps toward {C ≤ 0} (docs/feasibility.md): no task gradient, no moment update, no multiplier
/// change; each step is the minimum-D-norm move whose first-order prediction lands every violated (or binding)
/// constraint on its target, δ = −D⁻¹Jᵀy with lr·(J D⁻¹ Jᵀ y) = C − c*, y ≥ 0 for inequalities, D Adam's current metric.
/// </summary>
internal static class FeasibilityRestoration
{
    public static RestorationResult Run(IReadOnlyList<Parameter> parameters, AdamMetric metric, IReadOnlyList<Constraint> constraints,
        IReadOnlyList<MultiplierState> states, LinearizedDualRule rule, JacobianPath path, double learningRate, double metricFloorRatio, int maxSteps, int maxHalvings)
    {
        int evaluations = 0, halvings = 0;
        double entryMerit = double.NaN;
        // The parameters on entry, copied before the first step moves them: an exception after that puts them back.
        Tensor[]? entry = null;
        try
        {
            for (int step = 0; ; step++)
            {
                using var scope = NewDisposeScope();
                var evaluated = ConstraintEvaluator.Evaluate(constraints, parameters, path);
                evaluations++;
                var values = evaluated.Select(e => e.Value).ToArray();
                foreach (var e in evaluated)
                    if (!double.IsFinite(e.Value)) throw new NonFiniteValueException(e.Name, $"constraint '{e.Name}' has value {e.Value} at the start of restoration step {step + 1}; the parameters were put back as they were before the restoration.");
                double merit = Merit(states, values);
                if (step == 0) entryMerit = merit;
                if (merit <= 0)
                    return new RestorationResult(step, evaluations, values) { Feasible = true, Halvings = halvings };
                if (step == maxSteps)
                    return new RestorationResult(step, evaluations, values) { Halvings = halvings, StopReason = $"{maxSteps} steps taken" };

                var moved = Enumerable.Range(0, parameters.Count).Where(p => metric.StepCount(p) > 0).ToArray();
                var d = moved.Select(p => PrimalStep.FloorMetric(metric.CurrentMetric(p)!, metricFloorRatio)).ToArray();
                var zero = d.Select(t => zeros_like(t)).ToArray();
                var jacobians = evaluated.Select(e => (IReadOnlyList<Tensor?>)moved.Select(p => e.Jacobian[p]).ToArray()).ToArray();
                var stiffness = new double[constraints.Count];
                var problem = new LowRankProblem(d, zero, jacobians, stiffness, new double[constraints.Count], constraints.Select(c => c.Name).ToArray());
                using var probe = LowRankSolve.Solve(problem);
                // Multipliers of the restoration problem alone: start from 0, so y ≥ 0 is the force each constraint needs.
                var local = states.Select(s => new MultiplierState(s.Name, s.Kind, 0, 0, rule: s.Rule is LinearizedRuleState own ? own.Clone() : new LinearizedRuleState()) { Margin = s.Margin, MeasureFloor = s.MeasureFloor }).ToArray();
                var y = rule.Apply(local, values, probe.Sensitivity, learningRate);
                if (y.All(v => v == 0))
                    return new RestorationResult(step, evaluations, values) { Halvings = halvings, StopReason = "no constraint the step can move is violated" };
                using var solution = LowRankSolve.Solve(new LowRankProblem(d, zero, jacobians, stiffness, y, problem.Names));
                entry ??= parameters.Select(p => p.DetachedClone().DetachFromDisposeScope()).ToArray();
                if (!LineSearch(parameters, moved, solution.Direction, learningRate, maxHalvings, constraints, states, entryMerit, ref halvings))
                    return new RestorationResult(step, evaluations, values) { Halvings = halvings, StopReason = $"no step down to 2^-{maxHalvings} of the linearised one kept the total violation below its value at the start" };
            }
        }
        catch when (entry is not null)
        {
            using var noGrad = no_grad();
            for (int p = 0; p < parameters.Count; p++) parameters[p].copy_(entry[p]);
            throw;
        }
        finally
        {
            if (entry is not null) foreach (var t in entry) t.Dispose();
        }
    }

    /// <summary>Σ of the violations' positive parts (|C| for an equality): what a restoration step must lower.</summary>
    private static double Merit(IReadOnlyList<MultiplierState> states, IReadOnlyList<double> values) =>
        states.Select((s, i) => Math.Max(0, s.Kind.Violation(values[i]))).Sum();

    /// <summary>
    /// Backtracking: θ + t·δ with t = lr, lr/2, … until every constraint is finite and the total violation is below
    /// <paramref name="merit"/>, the total violation when the restoration began (a non-monotone test: a step may
    /// raise the violation the step before it left, as linearised steps on several constraints do on their way, but
    /// never above where the restoration started). The linearised step overshoots where a constraint is strongly
    /// curved (a softmax that saturates), and taken whole it can land on NaN. Returns false, parameters unchanged,
    /// when no t works.
    /// </summary>
    private static bool LineSearch(IReadOnlyList<Parameter> parameters, int[] moved, IReadOnlyList<Tensor> direction, double learningRate, int maxHalvings,
        IReadOnlyList<Constraint> constraints, IReadOnlyList<MultiplierState> states, double merit, ref int halvings)
    {
        using var noGrad = no_grad();
        var start = moved.Select(p => parameters[p].DetachedClone()).ToArray();
        try
        {
            double t = learningRate;
            for (int trial = 0; trial <= maxHalvings; trial++, t /= 2)
            {
                for (int u = 0; u < moved.Length; u++)
                {
                    if (trial > 0) parameters[moved[u]].copy_(start[u]);
                    parameters[moved[u]].PlusScaledInPlace(direction[u], t);
                }
                var values = constraints.Select(c => c.Value()).ToArray();
                if (values.All(double.IsFinite) && Merit(states, values) < merit) return true;
                if (trial < maxHalvings) halvings++;
            }
            for (int u = 0; u < moved.Length; u++) parameters[moved[u]].copy_(start[u]);
            return false;
        }
        finally
        {
            foreach (var s in start) s.Dispose();
        }
    }
}
