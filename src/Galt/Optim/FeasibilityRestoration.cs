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
public sealed record RestorationOptions(int MaxSteps = 10, double? LearningRate = null)
{
    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (MaxSteps < 0) throw new ArgumentException($"RestorationOptions.MaxSteps must be ≥ 0; got {MaxSteps}.");
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
}

/// <summary>
/// Constraint-only steps toward {C ≤ 0} (docs/feasibility.md): no task gradient, no moment update, no multiplier
/// change; each step is the minimum-D-norm move whose first-order prediction lands every violated (or binding)
/// constraint on its target, δ = −D⁻¹Jᵀy with lr·(J D⁻¹ Jᵀ y) = C − c*, y ≥ 0 for inequalities, D Adam's current metric.
/// </summary>
internal static class FeasibilityRestoration
{
    public static RestorationResult Run(IReadOnlyList<Parameter> parameters, AdamMetric metric, IReadOnlyList<Constraint> constraints,
        IReadOnlyList<MultiplierState> states, LinearizedDualRule rule, JacobianPath path, double learningRate, double metricFloorRatio, int maxSteps)
    {
        int evaluations = 0;
        for (int step = 0; ; step++)
        {
            using var scope = NewDisposeScope();
            var evaluated = ConstraintEvaluator.Evaluate(constraints, parameters, path);
            evaluations++;
            var values = evaluated.Select(e => e.Value).ToArray();
            bool feasible = states.Select((s, i) => s.Kind.Violation(values[i])).All(v => v <= 0);
            if (feasible || step == maxSteps)
                return new RestorationResult(step, evaluations, values) { Feasible = feasible };
            foreach (var (e, i) in evaluated.Select((e, i) => (e, i)))
                if (!double.IsFinite(e.Value)) throw new NonFiniteValueException(e.Name, $"constraint '{e.Name}' has value {e.Value} during restoration; no state was changed by this step.");

            var moved = Enumerable.Range(0, parameters.Count).Where(p => metric.StepCount(p) > 0).ToArray();
            var d = moved.Select(p => PrimalStep.FloorMetric(metric.CurrentMetric(p)!, metricFloorRatio)).ToArray();
            var zero = d.Select(t => zeros_like(t)).ToArray();
            var jacobians = evaluated.Select(e => (IReadOnlyList<Tensor?>)moved.Select(p => e.Jacobian[p]).ToArray()).ToArray();
            var stiffness = new double[constraints.Count];
            var problem = new LowRankProblem(d, zero, jacobians, stiffness, new double[constraints.Count], constraints.Select(c => c.Name).ToArray());
            using var probe = LowRankSolve.Solve(problem);
            // Multipliers of the restoration problem alone: start from 0, so y ≥ 0 is the force each constraint needs.
            var local = states.Select(s => new MultiplierState(s.Name, s.Kind, 0, 0) { LinearizationError = s.LinearizationError, Margin = s.Margin }).ToArray();
            var y = rule.Apply(local, values, probe.Sensitivity, learningRate);
            if (y.All(v => v == 0))
                return new RestorationResult(step, evaluations, values) { Feasible = false };
            using var solution = LowRankSolve.Solve(new LowRankProblem(d, zero, jacobians, stiffness, y, problem.Names));
            using var noGrad = no_grad();
            for (int u = 0; u < moved.Length; u++) parameters[moved[u]].add_(solution.Direction[u], alpha: learningRate);
        }
    }
}
