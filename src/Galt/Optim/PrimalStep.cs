using Galt.Jacobians;
using Galt.Solve;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>
/// One proposed primal update shared by both optimizers (spec §1.1): Adam metric and base direction (plus an optional
/// proximal anchor pull) and the low-rank solve, computed into scratch buffers; <see cref="Commit"/> then writes
/// θ ← θ(1 − lr·wd) + lr·δ in place and makes the new Adam state current. Everything that can fail happens before
/// the commit, so a refused step changes nothing.
/// </summary>
internal sealed class PrimalStep : IDisposable
{
    private readonly AdamProposal _adam;
    private readonly int[] _updated;
    private readonly double _learningRate, _weightDecay;
    private LowRankProblem _problem;
    private readonly LowRankSolveOptions _solveOptions;
    private readonly SolveWorkspace _workspace;

    private PrimalStep(AdamProposal adam, int[] updated, LowRankProblem problem, LowRankSolveOptions solveOptions, SolveWorkspace workspace,
        double learningRate, double weightDecay)
    {
        _adam = adam; _updated = updated; _problem = problem; _solveOptions = solveOptions; _workspace = workspace;
        _learningRate = learningRate; _weightDecay = weightDecay;
        Solution = LowRankSolve.Solve(problem, solveOptions, workspace);
    }

    /// <summary>The solve's result (direction over the updated tensors, path, ⟨J, δ⟩, sensitivity).</summary>
    public LowRankSolution Solution { get; private set; }

    /// <summary>The forces of the current solution.</summary>
    public IReadOnlyList<double> Forces => _problem.Force;

    /// <summary>
    /// Solves the same system again with other forces (the metric, base direction, Jacobians and stiffness are kept):
    /// what a multiplier rule that reads the first solution's sensitivity uses. Nothing is committed.
    /// </summary>
    public void Resolve(double[] forces)
    {
        var problem = new LowRankProblem(_problem.Metric, _problem.BaseDirection, _problem.Jacobians, _problem.Stiffness, forces, _problem.Names);
        var solution = LowRankSolve.Solve(problem, _solveOptions, _workspace);
        Solution.Dispose();
        Solution = solution;
        _problem = problem;
    }

    /// <summary>δ_bᵀ D δ_b over the updated tensors: the base step's squared length in the metric (a trust radius's unit).</summary>
    public double BaseStepNorm()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        double total = 0;
        for (int u = 0; u < _problem.BaseDirection.Count; u++)
            total += (_problem.BaseDirection[u].square() * _problem.Metric[u]).sum().to(ScalarType.Float64).item<double>();
        return total;
    }

    /// <summary>Computes the update; throws <see cref="NonFiniteValueException"/> naming the parameter or constraint at fault.</summary>
    public static PrimalStep Propose(StepGeometry geometry, StepRequest request)
    {
        var (parameters, names, metric, workspace, weightDecay, solveOptions, metricFloorRatio) = geometry;
        var (taskGradients, evaluations, forces, stiffness, learningRate, anchors, rhoAnchor) = request;
        using var noGrad = no_grad();
        for (int p = 0; p < parameters.Count; p++)
            if (taskGradients[p] is { } g && !g.shape.SequenceEqual(parameters[p].shape))
                throw new ArgumentException($"task gradient of '{names[p]}' has shape [{string.Join(",", g.shape)}], expected [{string.Join(",", parameters[p].shape)}].");
        var adam = metric.Propose(taskGradients);
        int[] updated = adam.Updated;
        var metricList = new Tensor[updated.Length];
        var baseList = new Tensor[updated.Length];
        for (int u = 0; u < updated.Length; u++)
        {
            int p = updated[u];
            metricList[u] = adam.Metric(p);
            baseList[u] = adam.BaseDirection(p);
            // spec §1.3 item 2: δ_b = −m̂/D + ρ_a·(θ_anchor − θ), in the metric's scratch buffer.
            if (anchors is not null && rhoAnchor != 0)
                baseList[u].add_(anchors[p], alpha: rhoAnchor).add_(parameters[p].detach(), alpha: -rhoAnchor);
        }
        RequireFinite(names, updated, baseList);
        if (metricFloorRatio > 0 && evaluations.Count > 0)
            for (int u = 0; u < updated.Length; u++)
            {
                // Where a task gradient has always been 0, D = ε and "moving is free": the exact solve would then take
                // steps of size J/ε along any constraint that touches the coordinate. The floor bounds the metric of
                // the constrained system only; with no constraint δ = δ_b whatever the floor, so the AdamW reduction holds.
                // In place: D is the metric's scratch buffer, and δ_b has already been computed from it.
                FloorMetric(metricList[u], metricFloorRatio);
            }

        var jacobians = evaluations.Select(e => (IReadOnlyList<Tensor?>)updated.Select(p => e.Jacobian[p]).ToArray()).ToArray();
        var problem = new LowRankProblem(metricList, baseList, jacobians, stiffness, forces, evaluations.Select(e => e.Name).ToArray());
        return new PrimalStep(adam, updated, problem, solveOptions, workspace, learningRate, weightDecay);
    }

    /// <summary>D ← max(D, ratio·mean(D)) in place (the metric floor of the constrained system); returns D.</summary>
    public static Tensor FloorMetric(Tensor d, double ratio) =>
        ratio > 0 ? d.clamp_min_(ratio * d.mean().to(ScalarType.Float64).item<double>()) : d;

    /// <summary>spec §1.1: C_post,e = C_e + lr·Σ_p ⟨J_e,p, δ_p⟩ (a linearisation; ignores weight decay).</summary>
    public double[] PostValues(IReadOnlyList<ConstraintEvaluation> evaluations) =>
        evaluations.Select((e, i) => e.Value + _learningRate * Solution.JacobianDotDirection[i]).ToArray();

    /// <summary>
    /// Writes θ ← θ(1 − lr·wd) + lr·δ in place and makes the new Adam state current; first checks δ is finite and
    /// otherwise throws, naming the parameter (<paramref name="names"/>), with nothing written.
    /// </summary>
    public void Commit(IReadOnlyList<Parameter> parameters, IReadOnlyList<string> names, AdamMetric metric)
    {
        using var noGrad = no_grad();
        RequireFinite(names, _updated, Solution.Direction, "the constrained step's direction");
        for (int u = 0; u < _updated.Length; u++)
        {
            var theta = parameters[_updated[u]];
            if (_weightDecay != 0) theta.mul_(1 - _learningRate * _weightDecay);
            theta.add_(Solution.Direction[u], alpha: _learningRate);
        }
        metric.Commit(_adam);
    }

    /// <summary>
    /// Checks δ_b in one host round trip and names the first parameter with a NaN or Inf (its task gradient's fault).
    /// δ_b = −m̂/D suffices: a NaN in g reaches m; an Inf makes m̂/D = ∞/∞ = NaN. The anchor term is finite by construction.
    /// </summary>
    private static void RequireFinite(IReadOnlyList<string> names, int[] updated, IReadOnlyList<Tensor> directions, string? what = null)
    {
        if (updated.Length == 0) return;
        using var scope = NewDisposeScope();
        var sums = stack(directions.Select(b => b.sum().to(ScalarType.Float64)).ToArray()).cpu();
        var values = sums.data<double>().ToArray();
        for (int u = 0; u < values.Length; u++)
            if (!double.IsFinite(values[u]))
                throw new NonFiniteValueException(names[updated[u]], what is null
                    ? $"the task gradient of parameter '{names[updated[u]]}' contains NaN or Inf; no state was changed."
                    : $"{what} for parameter '{names[updated[u]]}' contains NaN or Inf (the local solve broke down); no state was changed.");
    }

    /// <inheritdoc />
    public void Dispose() => Solution.Dispose();
}

/// <summary>What a constrained optimizer's steps share: its tensors and their names, Adam state, scratch, and settings.</summary>
/// <param name="Parameters">Trainable tensors, in order.</param>
/// <param name="Names">Their names, for messages.</param>
/// <param name="Metric">Adam state.</param>
/// <param name="Workspace">Scratch buffers reused across steps.</param>
/// <param name="WeightDecay">Decoupled weight decay.</param>
/// <param name="Solve">Scope and Woodbury settings.</param>
/// <param name="MetricFloorRatio">Floor of the metric in the constrained system, relative to each tensor's mean D; 0 = none.</param>
internal sealed record StepGeometry(IReadOnlyList<Parameter> Parameters, IReadOnlyList<string> Names, AdamMetric Metric, SolveWorkspace Workspace,
    double WeightDecay, LowRankSolveOptions Solve, double MetricFloorRatio);

/// <summary>One step's inputs.</summary>
/// <param name="TaskGradients">g_p (null: the tensor is not updated this step, spec §1).</param>
/// <param name="Evaluations">Constraint values and Jacobians, in registration order.</param>
/// <param name="Forces">f_e.</param>
/// <param name="Stiffness">ρ_e.</param>
/// <param name="LearningRate">lr.</param>
/// <param name="Anchors">θ_anchor,p for the proximal pull, or null.</param>
/// <param name="RhoAnchor">ρ_a.</param>
internal sealed record StepRequest(IReadOnlyList<Tensor?> TaskGradients, IReadOnlyList<ConstraintEvaluation> Evaluations, double[] Forces, double[] Stiffness,
    double LearningRate, IReadOnlyList<Tensor>? Anchors = null, double RhoAnchor = 0);
