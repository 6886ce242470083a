using Galt.Jacobians;
using Galt.Solve;
using Galt.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>
/// One proposed primal update shared by both optimizers (spec §1.1): Adam metric and base direction (plus an optional
/// proximal anchor pull) and the low-rank solve, computed into scratch buffers; <see cref="Write"/> then writes
/// θ ← θ(1 − lr·wd) + lr·δ in place (at any share of its length, as often as the step contract tries it) and
/// <see cref="CommitMoments"/> makes the new Adam state current. Everything that can fail happens before the first
/// write, so a refused step changes nothing.
/// </summary>
/// <remarks>
/// Two paths compute the same step. The fused CPU path (<see cref="FusedLocalStep"/>) takes every step whose tensors
/// it <see cref="FusedLocalStep.Covers">covers</see> (float32, CPU, contiguous parameters) unless the options ask for
/// <see cref="StepKernel.Tensor"/>; it hands a step whose solve needs sequential Sherman–Morrison to the tensor path
/// after the moments. The tensor path (<see cref="AdamMetric"/> tensor ops and <see cref="LowRankSolve"/>) takes
/// everything else: other dtypes, devices, non-contiguous parameters.
/// </remarks>
internal sealed class PrimalStep : IDisposable
{
    private readonly AdamProposal _adam;
    private readonly int[] _updated;
    private readonly double _learningRate, _weightDecay;
    private readonly FusedLocalStep? _fused;
    private LowRankProblem? _problem;
    private readonly LowRankSolveOptions _solveOptions;
    private readonly SolveWorkspace _workspace;
    private LowRankSolution? _solution;

    private PrimalStep(AdamProposal adam, int[] updated, FusedLocalStep? fused, LowRankProblem? problem, LowRankSolveOptions solveOptions,
        SolveWorkspace workspace, double learningRate, double weightDecay)
    {
        _adam = adam; _updated = updated; _fused = fused; _problem = problem; _solveOptions = solveOptions; _workspace = workspace;
        _learningRate = learningRate; _weightDecay = weightDecay;
        if (problem is not null) _solution = LowRankSolve.Solve(problem, solveOptions, workspace);
    }

    /// <summary>True when the fused CPU path computes (and will write) this step.</summary>
    public bool Fused => _fused is not null;

    /// <summary>The fused step's sweep times (the write's once committed); null on the tensor path.</summary>
    public FusedPassTimes? PassTimes => _fused?.PassTimes;

    /// <summary>How the local system was solved.</summary>
    public SolvePath Path => _fused?.Path ?? _solution!.Path;

    /// <summary>cond₂ of the Woodbury matrix; NaN when none was formed.</summary>
    public double ConditionNumber => _fused?.ConditionNumber ?? _solution!.ConditionNumber;

    /// <summary>M = J A⁻¹ Jᵀ (<see cref="LowRankSolution.Sensitivity"/>).</summary>
    public double[,] Sensitivity => _fused?.Sensitivity ?? _solution!.Sensitivity;

    /// <summary>⟨J_i, δ⟩ per constraint.</summary>
    public double[] JacobianDotDirection => _fused?.JacobianDotDirection ?? _solution!.JacobianDotDirection;

    /// <summary>The forces of the current solution.</summary>
    public IReadOnlyList<double> Forces => _fused?.Force ?? _problem!.Force;

    /// <summary>
    /// Solves the same system again with other forces (the metric, base direction, Jacobians and stiffness are kept):
    /// what a multiplier rule that reads the first solution's sensitivity uses. Nothing is committed.
    /// </summary>
    public void Resolve(double[] forces)
    {
        if (_fused is not null)
        {
            _fused.Resolve(forces);
            return;
        }
        var problem = new LowRankProblem(_problem!.Metric, _problem.BaseDirection, _problem.Jacobians, _problem.Stiffness, forces, _problem.Names);
        var solution = LowRankSolve.Solve(problem, _solveOptions, _workspace);
        _solution!.Dispose();
        _solution = solution;
        _problem = problem;
    }

    /// <summary>
    /// δ_bᵀ D δ_b = Σ m̂²/D over the updated tensors, from this step's moments (Adam's base step, without the floor of the
    /// constrained metric or an anchor pull, so both kernels give it alike): the base step's squared length in the
    /// metric, a trust radius's unit.
    /// </summary>
    public double BaseStepNorm(AdamMetric metric)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        double total = 0;
        foreach (int p in _updated)
        {
            int t = _adam.StepOf(p);
            double bc1 = Math.Max(1 - Math.Pow(metric.Beta1, t), 1e-12), bc2 = Math.Max(1 - Math.Pow(metric.Beta2, t), 1e-12);
            var mHat = _adam.NextFirstMoment(p).to(ScalarType.Float64).Over(bc1);
            using var epsilon = metric.Epsilon.ToScalar();
            var d = _adam.NextSecondMoment(p).to(ScalarType.Float64).Over(bc2).sqrt_().add_(epsilon, ExplicitScalars.One);
            total += ((mHat * mHat) / d).sum().item<double>();
        }
        return total;
    }

    /// <summary>Computes the update; throws <see cref="NonFiniteValueException"/> naming the parameter or constraint at fault.</summary>
    public static PrimalStep Propose(StepGeometry geometry, StepRequest request)
    {
        var (parameters, names, metric, workspace, weightDecay, solveOptions, metricFloorRatio, kernel) = geometry;
        var (taskGradients, evaluations, forces, stiffness, learningRate, anchors, rhoAnchor) = request;
        using var noGrad = no_grad();
        for (int p = 0; p < parameters.Count; p++)
            if (taskGradients[p] is { } g && !TensorShapes.Same(g, parameters[p]))
                throw new ArgumentException($"task gradient of '{names[p]}' has shape [{string.Join(",", g.shape)}], expected [{string.Join(",", parameters[p].shape)}].");
        var adam = metric.Reserve(taskGradients);
        int[] updated = adam.Updated;
        var jacobians = evaluations.Select(e => (IReadOnlyList<Tensor?>)updated.Select(p => e.Jacobian[p]).ToArray()).ToArray();
        var constraintNames = evaluations.Select(e => e.Name).ToArray();

        bool moments = false;
        if (kernel == StepKernel.Fused)
        {
            var input = new FusedStepInput(updated, updated.Select(p => (Tensor)parameters[p]).ToArray(), updated.Select(p => names[p]).ToArray(),
                updated.Select(p => taskGradients[p]!).ToArray(), anchors is null ? null : updated.Select(p => anchors[p]).ToArray(), rhoAnchor,
                jacobians, stiffness, forces, constraintNames, solveOptions, metricFloorRatio);
            if (FusedLocalStep.Covers(adam, input))
            {
                var fused = FusedLocalStep.Propose(metric, adam, input);
                if (fused.Solved) return new PrimalStep(adam, updated, fused, null, solveOptions, workspace, learningRate, weightDecay);
                // The sequential Sherman–Morrison path (Woodbury off, or the conditioning fallback): the tensor path
                // finishes the step from the moments the fused pass already wrote.
                fused.Dispose();
                moments = true;
            }
        }

        var metricList = new Tensor[updated.Length];
        var baseList = new Tensor[updated.Length];
        for (int u = 0; u < updated.Length; u++)
        {
            int p = updated[u];
            if (!moments) metric.UpdateMoments(adam, p, taskGradients[p]!);
            metric.FormMetric(adam, p);
            metricList[u] = adam.Metric(p);
            baseList[u] = adam.BaseDirection(p);
            // spec §1.3 item 2: δ_b = −m̂/D + ρ_a·(θ_anchor − θ), in the metric's scratch buffer.
            if (anchors is not null && rhoAnchor != 0)
            {
                using var detached = parameters[p].detach();
                baseList[u].PlusScaledInPlace(anchors[p], rhoAnchor).PlusScaledInPlace(detached, -rhoAnchor);
            }
        }
        RequireFinite(names, updated, baseList, NonFiniteValueException.TaskGradient);
        if (metricFloorRatio > 0 && evaluations.Count > 0)
            for (int u = 0; u < updated.Length; u++)
            {
                // Where a task gradient has always been 0, D = ε and "moving is free": the exact solve would then take
                // steps of size J/ε along any constraint that touches the coordinate. The floor bounds the metric of
                // the constrained system only; with no constraint δ = δ_b whatever the floor, so the AdamW reduction holds.
                // In place: D is the metric's scratch buffer, and δ_b has already been computed from it.
                FloorMetric(metricList[u], metricFloorRatio);
            }

        var problem = new LowRankProblem(metricList, baseList, jacobians, stiffness, forces, constraintNames);
        return new PrimalStep(adam, updated, null, problem, solveOptions, workspace, learningRate, weightDecay);
    }

    /// <summary>D ← max(D, ratio·mean(D)) in place (the metric floor of the constrained system); returns D.</summary>
    public static Tensor FloorMetric(Tensor d, double ratio)
    {
        if (ratio <= 0) return d;
        double mean;
        using (var m = d.mean())
        using (var m64 = m.to(ScalarType.Float64))
            mean = m64.item<double>();
        using var floor = (ratio * mean).ToScalar();
        return d.clamp_min_(floor);
    }

    /// <summary>spec §1.1: C_post,e = C_e + scale·lr·Σ_p ⟨J_e,p, δ_p⟩ (a linearisation; ignores weight decay) for the step written at <paramref name="scale"/>.</summary>
    public double[] PostValues(IReadOnlyList<ConstraintEvaluation> evaluations, double scale = 1) =>
        evaluations.Select((e, i) => e.Value + scale * _learningRate * JacobianDotDirection[i]).ToArray();

    /// <summary>Indices of the parameter tensors this step moves.</summary>
    public IReadOnlyList<int> Updated => _updated;

    /// <summary>
    /// Writes θ ← θ(1 − s·lr·wd) + s·lr·δ in place (s = <paramref name="scale"/>, the share of the proposed step taken);
    /// first checks δ is finite and otherwise throws, naming the parameter (<paramref name="names"/>), with nothing
    /// written. The Adam state is not touched (<see cref="CommitMoments"/>): to write the step again at another length,
    /// put the parameters back first.
    /// </summary>
    public void Write(IReadOnlyList<Parameter> parameters, IReadOnlyList<string> names, double scale = 1)
    {
        double rate = scale * _learningRate;
        if (_fused is not null)
        {
            _fused.Write(rate, _weightDecay);
            return;
        }
        using var noGrad = no_grad();
        RequireFinite(names, _updated, _solution!.Direction, name => NonFiniteValueException.Direction(name, "the constrained step's direction"));
        for (int u = 0; u < _updated.Length; u++)
        {
            var theta = parameters[_updated[u]];
            if (_weightDecay != 0) theta.TimesInPlace(1 - rate * _weightDecay);
            theta.PlusScaledInPlace(_solution.Direction[u], rate);
        }
    }

    /// <summary>Makes the step's Adam moments and step counts current: once, after the last <see cref="Write"/>.</summary>
    public void CommitMoments(AdamMetric metric)
    {
        if (_fused is not null) _fused.CommitMoments();
        else metric.Commit(_adam);
    }

    /// <summary>
    /// Checks tensors in one host round trip and throws <paramref name="fault"/> for the first parameter with a NaN or
    /// Inf. For δ_b = −m̂/D this is the task gradient's fault: a NaN in g reaches m; an Inf makes m̂/D = ∞/∞ = NaN. The
    /// anchor term is finite by construction.
    /// </summary>
    private static void RequireFinite(IReadOnlyList<string> names, int[] updated, IReadOnlyList<Tensor> tensors, Func<string, NonFiniteValueException> fault)
    {
        if (updated.Length == 0) return;
        using var scope = NewDisposeScope();
        var sums = stack(tensors.Select(b => b.sum().to(ScalarType.Float64)).ToArray()).cpu();
        var values = sums.data<double>().ToArray();
        for (int u = 0; u < values.Length; u++)
            if (!double.IsFinite(values[u])) throw fault(names[updated[u]]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _fused?.Dispose();
        _solution?.Dispose();
    }
}

/// <summary>What a constrained optimizer's steps share: its tensors and their names, Adam state, scratch, and settings.</summary>
/// <param name="Parameters">Trainable tensors, in order.</param>
/// <param name="Names">Their names, for messages.</param>
/// <param name="Metric">Adam state.</param>
/// <param name="Workspace">Scratch buffers reused across steps.</param>
/// <param name="WeightDecay">Decoupled weight decay.</param>
/// <param name="Solve">Scope and Woodbury settings.</param>
/// <param name="MetricFloorRatio">Floor of the metric in the constrained system, relative to each tensor's mean D; 0 = none.</param>
/// <param name="Kernel">Fused CPU path where the tensors allow, or always the tensor path.</param>
internal sealed record StepGeometry(IReadOnlyList<Parameter> Parameters, IReadOnlyList<string> Names, AdamMetric Metric, SolveWorkspace Workspace,
    double WeightDecay, LowRankSolveOptions Solve, double MetricFloorRatio, StepKernel Kernel);

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
