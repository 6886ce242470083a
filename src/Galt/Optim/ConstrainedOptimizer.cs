using Galt.Checkpoints;
using Galt.Constraints;
using Galt.Maps;
using Galt.Jacobians;
using Galt.Multipliers;
using Galt.Solve;
using Galt.Tensors;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>
/// What both augmented-Lagrangian optimizers share (spec §1 "two stateful optimizers share one interface"): the
/// parameters and their Adam metric, the registered constraints and their multiplier states, the closure step that
/// computes task gradient, values and Jacobians, the all-or-nothing commit, and the feasibility certificate.
/// Subclasses supply the forces, anchors and multiplier rules of their variant.
/// </summary>
/// <remarks>
/// It is a TorchSharp <see cref="optim.Optimizer"/> with one parameter group, so TorchSharp's learning-rate schedulers
/// (<c>torch.optim.lr_scheduler.StepLR</c>, <c>CosineAnnealingLR</c>, …) drive its learning rate; <c>step(closure)</c>
/// takes a constrained step.
/// </remarks>
public abstract class ConstrainedOptimizer : optim.Optimizer, ICheckpointable
{
    private readonly List<Registration> _constraints = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Takes the trainable parameters (those with requires_grad) and their names.</summary>
    protected ConstrainedOptimizer(IEnumerable<(string Name, Parameter Parameter)> namedParameters, ConstrainedOptimizerOptions options)
        : base(IntPtr.Zero)
    {
        var list = namedParameters.Where(np => np.Parameter.requires_grad).ToArray();
        if (list.Length == 0) throw new ArgumentException("the optimizer was given no trainable parameters.", nameof(namedParameters));
        Parameters = list.Select(np => np.Parameter).ToArray();
        ParameterNames = list.Select(np => np.Name).ToArray();
        Metric = new AdamMetric(Parameters.Count, options.Beta1, options.Beta2, options.Epsilon);
        JacobianPath = options.Jacobians;
        _shared = options;
        Rule = options.MultiplierRule;
        Contract = options.Contract;
        _group = new LearningRateGroup(options.LearningRate, options.WeightDecay);
        Geometry = new StepGeometry(Parameters, ParameterNames, Metric, Workspace, options.WeightDecay, options.Solve, options.MetricFloorRatio, options.Kernel);
    }

    /// <summary>The multiplier rule (<see cref="ConstrainedOptimizerOptions.MultiplierRule"/>).</summary>
    public IMultiplierRule Rule { get; }

    /// <summary>The per-step contract (<see cref="ConstrainedOptimizerOptions.Contract"/>); null when steps are taken on the prediction alone.</summary>
    public StepContract? Contract { get; }

    /// <summary>
    /// The share of the proposed step the contract tries first on the next step: 1 until a step needed a correction,
    /// then the measured stability radius of the linearisation (<see cref="StepContract"/>).
    /// </summary>
    public double ContractScale { get; private set; } = 1;

    /// <summary>What every step of this optimizer shares (tensors, names, Adam state, scratch, settings).</summary>
    private protected StepGeometry Geometry { get; }

    private readonly ConstrainedOptimizerOptions _shared;
    private readonly LearningRateGroup _group;

    /// <summary>
    /// The learning rate the next step uses: the options' at creation, then whatever a scheduler (or the caller) sets.
    /// Setting a value that is not positive and finite, or with lr·weight decay ≥ 1, throws and changes nothing.
    /// </summary>
    public double LearningRate
    {
        get => _group.LearningRate;
        set => _group.LearningRate = value;
    }

    /// <summary>The one parameter group, as TorchSharp's learning-rate schedulers see it.</summary>
    public override IEnumerable<optim.ILearningRateController> ParamGroups => new[] { _group };

    /// <summary>The trainable parameters.</summary>
    public override IEnumerable<Parameter> parameters() => Parameters;

    /// <summary>Clears the parameters' .grad (the closure step computes gradients itself and does not need it).</summary>
    public override void zero_grad()
    {
        foreach (var p in Parameters) p.ZeroGradient();
    }

    /// <summary>A constrained step on the closure's loss (TorchSharp's optimizer interface); returns the loss.</summary>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (closure is null) throw new ArgumentNullException(nameof(closure), "a constrained step needs the task-loss closure.");
        var result = Step(closure);
        return tensor(result.Loss);
    }

    /// <summary>Parameter groups are fixed at construction.</summary>
    public override void add_param_group(ParamGroup param_group) =>
        throw new NotSupportedException("a constrained optimizer has one parameter group, fixed at construction.");

    private sealed class LearningRateGroup(double learningRate, double weightDecay) : optim.ILearningRateController
    {
        private double _learningRate = learningRate;

        public double LearningRate
        {
            get => _learningRate;
            set
            {
                if (!(value > 0) || double.IsInfinity(value) || value * weightDecay >= 1)
                    throw new ArgumentException($"learning rate must be positive and finite with lr·weight decay < 1 (weight decay {weightDecay}); got {value}.");
                _learningRate = value;
            }
        }

        public double InitialLearningRate { get; set; } = learningRate;
    }

    /// <summary>Names parameters "param0", "param1", … when only tensors are given.</summary>
    protected static IEnumerable<(string, Parameter)> Numbered(IEnumerable<Parameter> parameters) =>
        parameters.Select((p, i) => ($"param{i}", p));

    /// <summary>The trainable tensors, in order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Their names (from <c>named_parameters()</c> when given).</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>Adam's per-tensor state (read it; the optimizer owns it).</summary>
    internal AdamMetric Metric { get; }

    /// <summary>Scratch buffers of the local solve, reused from step to step.</summary>
    private protected SolveWorkspace Workspace { get; } = new();

    /// <summary>How the closure step computes constraint Jacobians.</summary>
    public JacobianPath JacobianPath { get; }

    /// <summary>Steps taken.</summary>
    public int StepCount { get; private set; }

    /// <summary>The registered constraint objects, in registration order (null for those registered by name only).</summary>
    public IReadOnlyList<Constraint?> ConstraintObjects => _constraints.Select(r => r.Constraint).ToArray();

    /// <summary>Snapshots of every constraint's state, in registration order.</summary>
    public IReadOnlyList<ConstraintStatus> Constraints => _constraints.Select(r => ConstraintStatus.Of(r.State)).ToArray();

    /// <summary>Registers a constraint object; the closure step evaluates and differentiates it. Returns its index.</summary>
    /// <param name="constraint">The constraint the steps hold.</param>
    /// <param name="lambdaInit">Its initial λ (default: the variant's).</param>
    /// <param name="heldOut">
    /// Optional: the same measure on data the optimizer never sees (e.g. other examples of the same task). It never
    /// acts on a step; <see cref="Certify"/> reports it beside the constraint, to show whether holding the constraint
    /// on its own set generalises.
    /// </param>
    public int AddConstraint(Constraint constraint, double? lambdaInit = null, Constraint? heldOut = null)
    {
        if (heldOut is not null && (heldOut.Kind != constraint.Kind))
            throw new ArgumentException($"held-out twin '{heldOut.Name}' is an {heldOut.Kind} but constraint '{constraint.Name}' is an {constraint.Kind}.", nameof(heldOut));
        constraint.RequireSatisfiable();
        return Register(constraint.Name, constraint.Kind, lambdaInit, constraint, heldOut);
    }

    /// <summary>
    /// Registers a constraint by name for the gradient-level step (<see cref="Step(IReadOnlyList{Tensor}, IReadOnlyList{ConstraintEvaluation})"/>),
    /// where the caller supplies values and Jacobians (spec §1 set_constraint_grads). Returns its index.
    /// </summary>
    /// <param name="name">The constraint's name.</param>
    /// <param name="kind">Inequality or equality.</param>
    /// <param name="lambdaInit">Its initial λ (default: the variant's).</param>
    /// <param name="measure">
    /// Optional: C evaluated at the current parameters, so the step contract can check each step (<see cref="StepContract"/>).
    /// Without it the contract cannot act on this constraint: its steps are taken on the linearised prediction, which
    /// <see cref="StepResult.Verified"/> reports and a warning says once.
    /// </param>
    public int AddConstraint(string name, ConstraintKind kind, double? lambdaInit = null, Func<double>? measure = null) => Register(name, kind, lambdaInit, null, measure: measure);

    private int Register(string name, ConstraintKind kind, double? lambdaInit, Constraint? constraint, Constraint? heldOut = null, Func<double>? measure = null)
    {
        if (!_names.Add(name)) throw new ArgumentException($"a constraint named '{name}' is already registered.", nameof(name));
        double lambda = kind.ProjectMultiplier(lambdaInit ?? DefaultLambda, double.PositiveInfinity);
        var state = new MultiplierState(name, kind, lambda, InitialRho, HistoryLength, Rule.NewState())
        {
            Margin = constraint?.Margin ?? double.NaN, MeasureFloor = constraint?.MeasureFloor ?? double.NegativeInfinity,
        };
        _constraints.Add(new Registration(state, constraint, heldOut, measure ?? (constraint is null ? null : constraint.Value)));
        return _constraints.Count - 1;
    }

    /// <summary>λ of a new constraint when none is given.</summary>
    protected abstract double DefaultLambda { get; }

    /// <summary>ρ of a new constraint.</summary>
    protected abstract double InitialRho { get; }

    /// <summary>Violations kept per constraint for reports.</summary>
    protected abstract int HistoryLength { get; }

    /// <summary>
    /// One step: evaluates <paramref name="taskLoss"/> and every registered constraint, differentiates them by autograd,
    /// then takes the constrained step. On any error nothing changes.
    /// </summary>
    public StepResult Step(Func<Tensor> taskLoss)
    {
        using var scope = NewDisposeScope();
        var (loss, gradients) = AutogradJacobians.ValueAndGradient(taskLoss(), Parameters);
        if (!double.IsFinite(loss))
            throw new NonFiniteValueException("task loss", $"the task loss is {loss}; no state was changed.");
        var constraints = _constraints.Select(r => r.Constraint ?? throw new InvalidOperationException(
            $"constraint '{r.State.Name}' was registered by name only; supply its value and Jacobian with Step(gradients, evaluations).")).ToArray();
        if (_shared.ActiveSet is not { } rule || constraints.Length <= rule.Limit)
            return StepWithGradients(gradients, ConstraintEvaluator.Evaluate(constraints, Parameters, JacobianPath)) with { Loss = loss };
        // Active set: Jacobians for the chosen constraints only; the others enter with their value, no row, flagged stale.
        // On the autograd path each constraint is evaluated once, with its graph, and only the chosen are differentiated
        // from it (one forward per constraint, not two for the active ones).
        bool reuse = JacobianPath == JacobianPath.Autograd;
        Tensor[]? measured = null;
        double[] values;
        if (reuse)
        {
            measured = constraints.Select(c => c.Evaluate()).ToArray();
            values = measured.Select(m => m.detach().to(ScalarType.Float64).item<double>()).ToArray();
        }
        else using (no_grad()) values = constraints.Select(c => c.Value()).ToArray();
        var active = SelectActive(rule, constraints, values);
        var chosen = Enumerable.Range(0, constraints.Length).Where(i => active[i]).ToArray();
        var evaluations = new ConstraintEvaluation[constraints.Length];
        if (reuse)
            foreach (int i in chosen)
            {
                var (value, row) = AutogradJacobians.ValueAndGradient(measured![i], Parameters);
                evaluations[i] = new ConstraintEvaluation(constraints[i].Name, value, row);
            }
        else
        {
            var differentiated = ConstraintEvaluator.Evaluate(chosen.Select(i => constraints[i]).ToArray(), Parameters, JacobianPath);
            for (int c = 0; c < chosen.Length; c++) evaluations[chosen[c]] = differentiated[c];
        }
        for (int i = 0; i < constraints.Length; i++)
            evaluations[i] ??= new ConstraintEvaluation(constraints[i].Name, values[i], new Tensor?[Parameters.Count]) { StaleJacobian = true };
        var result = StepWithGradients(gradients, evaluations) with { Loss = loss, Active = active };
        for (int i = 0; i < active.Length; i++) _stale[constraints[i].Name] = active[i] ? 0 : _stale.GetValueOrDefault(constraints[i].Name) + 1;
        return result;
    }

    private readonly Dictionary<string, int> _stale = new(StringComparer.Ordinal);

    /// <summary>The active flags of <paramref name="rule"/> for constraints with current <paramref name="values"/>; throws on a NaN/Inf value.</summary>
    private bool[] SelectActive(ActiveSetRule rule, Constraint[] constraints, double[] values)
    {
        for (int i = 0; i < constraints.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new NonFiniteValueException(constraints[i].Name, $"constraint '{constraints[i].Name}' has value {values[i]}; no state was changed.");
        var states = _constraints.Select(r => r.State).ToArray();
        return rule.Select(states.Select(s => s.Name).ToArray(), values, states.Select(s => s.LastValue).ToArray(),
            states.Select(s => s.Lambda).ToArray(), states.Select(s => _stale.GetValueOrDefault(s.Name)).ToArray());
    }

    /// <summary>
    /// One step from given task gradients (null: tensor not updated) and constraint evaluations in registration order.
    /// Throws, changing nothing, on a mismatch or a NaN/Inf (the message names the constraint or parameter).
    /// </summary>
    public StepResult Step(IReadOnlyList<Tensor?> taskGradients, IReadOnlyList<ConstraintEvaluation> evaluations)
    {
        using var scope = NewDisposeScope();
        return StepWithGradients(taskGradients, evaluations);
    }

    private StepResult StepWithGradients(IReadOnlyList<Tensor?> taskGradients, IReadOnlyList<ConstraintEvaluation> evaluations)
    {
        if (taskGradients.Count != Parameters.Count)
            throw new ArgumentException($"{taskGradients.Count} task gradients for {Parameters.Count} parameter tensors.");
        if (evaluations.Count != _constraints.Count)
            throw new ArgumentException($"{evaluations.Count} constraint evaluations for {_constraints.Count} registered constraints.");
        for (int i = 0; i < evaluations.Count; i++)
        {
            var e = evaluations[i];
            if (e.Name != _constraints[i].State.Name)
                throw new ArgumentException($"evaluation {i} is for '{e.Name}' but constraint {i} is '{_constraints[i].State.Name}'; give them in registration order.");
            if (!double.IsFinite(e.Value))
                throw new NonFiniteValueException(e.Name, $"constraint '{e.Name}' has value {e.Value}; no state was changed.");
            if (e.Jacobian.Length != Parameters.Count)
                throw new ArgumentException($"constraint '{e.Name}': {e.Jacobian.Length} Jacobian entries for {Parameters.Count} parameter tensors.");
        }
        // The rule and the contract work on copies, swapped in only once the step has been taken.
        var states = _constraints.Select(r => r.State.Clone()).ToArray();
        var values = evaluations.Select(e => e.Value).ToArray();
        var stale = evaluations.Select(e => e.StaleJacobian).ToArray();
        var forces = states.Select((s, i) => Rule.Force(s, values[i])).ToArray();
        var stiffness = states.Select(s => s.Rho).ToArray();
        var pull = BeginStep();
        try
        {
            using var step = PrimalStep.Propose(Geometry, new StepRequest(taskGradients, evaluations, forces, stiffness, LearningRate, pull.Anchors, pull.RhoAnchor));
            var baseStepNorm = new Lazy<double>(() => step.BaseStepNorm(Metric));
            var prediction = new StepPrediction(values, step.PostValues(evaluations), step.Sensitivity, forces, LearningRate, stale, () => baseStepNorm.Value);
            if (Rule.Correct(states, prediction) is { } delta) step.Resolve(step.Forces.Select((f, i) => f + delta[i]).ToArray());
            var measures = _constraints.Select(r => r.Measure).ToArray();
            bool contracted = Contract is not null && states.Length > 0;
            if (contracted && measures.Any(m => m is null))
            {
                WarnUnmeasured();
                contracted = false;
            }
            // The contract writes the step (and puts the parameters back if anything below throws); otherwise it is
            // written once everything that can fail has run.
            var accepted = contracted
                ? StepAcceptance.Run(step, Contract!, new ContractInput(Parameters, ParameterNames, Workspace, measures!, states, Rule, values, LearningRate, ContractScale, () => baseStepNorm.Value))
                : null;
            bool outer = IsOuterStep();
            double scale = accepted?.Scale ?? 1;
            var post = step.PostValues(evaluations, scale);
            var measured = accepted?.Measured ?? Enumerable.Repeat(double.NaN, states.Length).ToArray();
            try
            {
                var outcome = new StepOutcome(values, post, measured, step.Forces.ToArray(), step.Sensitivity, LearningRate, scale, stale, outer, _shared.Penalty.Ceiling)
                {
                    ProposalErrors = accepted?.ProposalErrors ?? measured, BaseStepNorm = () => baseStepNorm.Value,
                    Tolerances = states.Select(s => Contract?.ToleranceOf(s.Kind) ?? 0).ToArray(),
                };
                Rule.Update(states, outcome);
                for (int i = 0; i < states.Length; i++)
                {
                    _shared.Penalty.Adapt(states[i], Rule.PenaltySignal(outcome, i));   // spec §1.2 / §1.3 item 5
                    states[i].LastValue = values[i];
                    states[i].LastPostValue = post[i];
                    states[i].LastPostValueFresh = !stale[i];
                    states[i].LastMeasuredValue = measured[i];
                    if (accepted?.Broke[i] == true) states[i].ContractCorrections++;
                    states[i].History.Add(states[i].Kind.Violation(values[i]));
                    if (Contract is not null) RunawayGuard.Check(states[i], Contract, StepCount + 1, states[i].Kind.Violation(double.IsNaN(measured[i]) ? post[i] : measured[i]));
                }
                if (accepted is null) step.Write(Parameters, ParameterNames);
            }
            catch when (accepted is not null)
            {
                StepAcceptance.PutBack(Parameters, step.Updated, Workspace);
                throw;
            }
            // Nothing below can fail: the step is taken.
            step.CommitMoments(Metric);
            EndStep(pull, outer);
            for (int i = 0; i < states.Length; i++) _constraints[i] = _constraints[i] with { State = states[i] };
            // The stability radius is a property of the linearisation at fresh Jacobians: a step predicted from cached rows
            // (the low-BP hybrid's local steps) uses the remembered share but does not reset it.
            if (accepted is not null && !stale.Any(s => s)) ContractScale = accepted.NextScale;
            StepCount++;
            return new StepResult(double.NaN, values, post, step.Path, step.ConditionNumber, outer)
            {
                Fused = step.Fused, PassTimes = step.PassTimes, Verified = accepted is not null, MeasuredValues = measured, Scale = scale,
                Evaluations = accepted?.Evaluations ?? 0, Corrections = accepted?.Corrections ?? 0, Halvings = accepted?.Halvings ?? 0,
            };
        }
        catch
        {
            AbandonStep(pull);
            throw;
        }
    }

    private bool _warnedUnmeasured;

    private void WarnUnmeasured()
    {
        if (_warnedUnmeasured) return;
        _warnedUnmeasured = true;
        var names = _constraints.Where(r => r.Measure is null).Select(r => r.State.Name);
        Galt.Diagnostics.GaltLog.For("Galt.Optim").LogWarning(
            "The step contract cannot evaluate constraint(s) {Names} (registered by name without a measure): steps are taken on the linearised prediction, unchecked. "
            + "Pass a measure to AddConstraint, or set Contract = null to say so explicitly.", string.Join(", ", names));
    }

    /// <summary>What the variant adds to a step: the proximal pull's anchors and ρ_a (none by default).</summary>
    private protected virtual StepPull BeginStep() => StepPull.None;

    /// <summary>Whether the coming step ends an outer window (default: every step); asked before the multiplier rule's update, changes nothing.</summary>
    private protected virtual bool IsOuterStep() => true;

    /// <summary>After the step was taken: the variant's own bookkeeping (<paramref name="outer"/> as <see cref="IsOuterStep"/> said).</summary>
    private protected virtual void EndStep(StepPull pull, bool outer) { }

    /// <summary>The step failed: the variant discards what <see cref="BeginStep"/> created.</summary>
    private protected virtual void AbandonStep(StepPull pull) { }

    /// <summary>Multiplies every λ by <paramref name="carry"/> (projected) at a task boundary (spec §1.3 item 7).</summary>
    protected void CarryMultipliers(double carry, Action<MultiplierState> reset)
    {
        for (int i = 0; i < _constraints.Count; i++)
        {
            var s = _constraints[i].State.Clone();
            s.Lambda = s.Kind.ProjectMultiplier(s.Lambda * carry, double.PositiveInfinity);
            reset(s);
            _constraints[i] = _constraints[i] with { State = s };
        }
    }

    /// <summary>
    /// Re-evaluates every constraint object on its own evaluation set now and reports its violation, and that of its
    /// held-out twin when one was given; constraints registered by name report their latest measured (else step) value.
    /// A model whose parameters are not finite, or with a multiplier reported running away
    /// (<see cref="StepContract.RunawayWindow"/>), is certified diverged, never feasible.
    /// </summary>
    public FeasibilityCertificate Certify(double tolerance = 0)
    {
        var rows = _constraints.Select(r =>
        {
            double value = r.Constraint?.Value() ?? r.Measure?.Invoke() ?? r.State.LastValue;
            double heldOut = r.HeldOut?.Value() ?? double.NaN;
            return CertificateRow.Of(r.State.Name, r.State.Kind, r.Constraint?.Margin ?? 0, value, r.State.Lambda, r.State.Rho, tolerance, heldOut);
        }).ToArray();
        return new FeasibilityCertificate(rows, tolerance) { Divergence = Divergence() };
    }

    /// <summary>Why the model counts as diverged (non-finite parameters, a non-finite or runaway multiplier), or null.</summary>
    private string? Divergence()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var bad = Parameters.Select((p, i) => (p, i)).Where(x => !double.IsFinite(x.p.sum().to(ScalarType.Float64).item<double>())).Select(x => ParameterNames[x.i]).ToArray();
        if (bad.Length > 0) return $"parameter(s) {string.Join(", ", bad)} hold NaN or Inf";
        var runaway = _constraints.Where(r => r.State.RunawayActive || !double.IsFinite(r.State.Lambda)).Select(r => $"'{r.State.Name}' (λ = {r.State.Lambda:G4})").ToArray();
        return runaway.Length > 0 ? $"multiplier(s) of {string.Join(", ", runaway)} ran away while the violation stayed" : null;
    }

    /// <summary>
    /// Feasibility restoration (docs/feasibility.md): constraint-only steps toward {C ≤ 0}, each the minimum-D-norm
    /// move whose linearisation lands every violated constraint on the linearised rule's target, until every
    /// constraint holds or <see cref="RestorationOptions.MaxSteps"/> is reached. Moves only the parameters (no Adam
    /// moment, multiplier or anchor changes). For the end of a task, when steps whose Jacobians were stale (the
    /// low-BP hybrid) left a constraint violated. Each step is taken whole only when every value stays finite and the
    /// total violation ends below its value when the restoration began, and halved until it does (at most
    /// <see cref="RestorationOptions.MaxHalvings"/> times); a restoration that ends infeasible says why
    /// (<see cref="RestorationResult.StopReason"/>, and a warning through <see cref="Galt.Diagnostics.GaltLog"/>). An
    /// exception (a non-finite value or Jacobian) leaves the parameters as they were before the restoration. Needs
    /// constraint objects (not constraints registered by name).
    /// </summary>
    public RestorationResult Restore(RestorationOptions? options = null)
    {
        options ??= new RestorationOptions();
        options.Validate();
        var constraints = _constraints.Select(r => r.Constraint ?? throw new InvalidOperationException(
            $"constraint '{r.State.Name}' was registered by name only; restoration needs constraint objects it can evaluate.")).ToArray();
        // Restoration's targets are the linearised rule's; with another rule, a fresh linearised rule's defaults.
        var rule = Rule as LinearizedDualRule ?? new LinearizedDualRule();
        var result = FeasibilityRestoration.Run(Parameters, Metric, constraints, _constraints.Select(r => r.State).ToArray(), rule, JacobianPath,
            options.LearningRate ?? LearningRate, _shared.MetricFloorRatio, options.MaxSteps, options.MaxHalvings);
        if (!result.Feasible)
            Galt.Diagnostics.GaltLog.For("Galt.Optim").LogWarning("Feasibility restoration ended infeasible after {Steps} steps ({Reason}): {Values}.", result.Steps, result.StopReason,
                string.Join(", ", _constraints.Select((r, i) => $"{r.State.Name} C = {result.Values[i]:G4}")));
        return result;
    }

    /// <summary>
    /// A neural map at the current state (docs/maps.md): for each site — the parameters whose names are the prefix or
    /// start with it and a dot (<c>"head"</c>, <c>"trunk.1"</c>) — whether the <see cref="MapRowRole.Target"/> rows can be
    /// brought to their boundary there (C + JΔ = 0), whether the <see cref="MapRowRole.Protect"/> rows stay inside theirs
    /// (C + JΔ ≤ 0), with what conditioning and what interference with the <see cref="MapRowRole.Channel"/> rows; then
    /// <see cref="NeuralMap.Select"/> picks the site. The rows need not be registered with the optimizer. The metric is
    /// the one the next step would use from the moments held (D = 1, with a logged warning, for a tensor that has taken no
    /// step). Nothing in the optimizer changes.
    /// </summary>
    /// <exception cref="ArgumentException">No row or site, a site that names no parameter, or sites that overlap; the message names them.</exception>
    public NeuralMap Map(IReadOnlyList<(Constraint Constraint, MapRowRole Role)> rows, params string[] sites) =>
        OptimizerMap.Compute(this, Parameters, ParameterNames, Metric, _shared.MetricFloorRatio, JacobianPath, rows, sites);

    /// <summary>
    /// A map-guided step (paper Algorithm 1: "update inside the trusted map region"): at the site(s) <paramref name="selection"/>
    /// chose from <paramref name="map"/> (computed by this optimizer at the current parameters), the admissible step
    /// Δ = D⁻¹ Jᵀ y of that site, times <paramref name="stepFraction"/>, scaled by σ ∈ [0, 1] as <paramref name="region"/>
    /// allows: <see cref="TrustRegion.Raw"/> takes it whole; <see cref="TrustRegion.BoundaryOnly"/> and
    /// <see cref="TrustRegion.ChartLocal"/> stop before leaving the current ReLU chart or the next one, judged by the signs
    /// of <paramref name="preActivations"/> (the pre-activations at and after the site on the map's examples, evaluated at
    /// the parameters as they are when called). Adam's moments do not move (a step of the map's geometry, not a gradient
    /// step). Returns the rows' values before (<see cref="StepResult.Values"/>), as predicted after
    /// (<see cref="StepResult.PostValues"/>) and as measured after (<see cref="StepResult.MeasuredValues"/>), σ
    /// (<see cref="StepResult.Scale"/>) and the forwards the chart search took (<see cref="StepResult.Evaluations"/>).
    /// On any error the parameters are as they were.
    /// </summary>
    /// <exception cref="ArgumentException">The map is another optimizer's, the selection found nothing, or a chart mode has no probe; the message says which.</exception>
    /// <exception cref="InvalidOperationException">The parameters moved since the map was computed (its rows' values differ): compute a new map.</exception>
    public StepResult MapStep(NeuralMap map, SiteSelection selection, TrustRegion region = TrustRegion.Raw, Func<IReadOnlyList<Tensor>>? preActivations = null, double stepFraction = 1) =>
        MapStepper.Take(this, Parameters, ParameterNames, Metric, _shared.MetricFloorRatio, JacobianPath, map, selection, region, preActivations, stepFraction);

    /// <summary>
    /// Writes the whole optimizer state: the parameters (by name), the learning rate, the step count, Adam's moments and
    /// step counts, the step contract's remembered share, every constraint's multiplier state (λ, ρ, the rule's own
    /// state, history), the
    /// active-set staleness counters, and the variant's own state (<see cref="SaveVariant"/>). Constraint objects (their
    /// anchor sets and distributions) belong to whoever created them and are checkpointed there.
    /// </summary>
    public void Save(CheckpointWriter writer)
    {
        writer.Strings("parameter_names", ParameterNames.ToArray());
        for (int p = 0; p < Parameters.Count; p++) writer.Tensor($"parameters/{p}", Parameters[p]);
        writer.Doubles("learning_rate", new[] { _group.LearningRate, _group.InitialLearningRate });
        writer.Int("steps", StepCount);
        writer.Double("contract_scale", ContractScale);
        Metric.Save(writer.Scope("adam"));
        writer.Strings("constraints", _constraints.Select(r => r.State.Name).ToArray());
        for (int i = 0; i < _constraints.Count; i++) _constraints[i].State.Save(writer.Scope($"constraint/{i}"), Rule.Name);
        writer.Strings("stale/names", _stale.Keys.ToArray());
        writer.Longs("stale/counts", _stale.Values.Select(v => (long)v).ToArray());
        SaveVariant(writer.Scope("variant"));
    }

    /// <summary>
    /// Reads and checks a state written by <see cref="Save"/>: the same parameter names and shapes, and the same
    /// constraints registered in the same order (re-register them before restoring). Nothing changes until the returned
    /// action runs.
    /// </summary>
    public Action Prepare(CheckpointReader reader)
    {
        var names = reader.Strings("parameter_names");
        if (!names.SequenceEqual(ParameterNames))
        {
            int first = Enumerable.Range(0, Math.Min(names.Length, ParameterNames.Count)).FirstOrDefault(i => names[i] != ParameterNames[i], Math.Min(names.Length, ParameterNames.Count));
            throw reader.Error("parameter_names", $"the checkpoint has {names.Length} parameter tensors, the optimizer {ParameterNames.Count}; first difference at position {first}: " +
                $"'{(first < names.Length ? names[first] : "(none)")}' in the checkpoint, '{(first < ParameterNames.Count ? ParameterNames[first] : "(none)")}' here.");
        }
        var parameters = Enumerable.Range(0, Parameters.Count).Select(p => reader.TensorInto($"parameters/{p}", Parameters[p])).ToArray();
        var rates = reader.Doubles("learning_rate");
        if (rates.Length != 2 || !(rates[0] > 0) || !double.IsFinite(rates[0]) || rates[0] * _shared.WeightDecay >= 1)
            throw reader.Error("learning_rate", $"not a positive finite learning rate with lr·weight decay < 1 (weight decay {_shared.WeightDecay}).");
        int steps = reader.Int("steps");
        double contractScale = reader.Double("contract_scale");
        if (!(contractScale > 0 && contractScale <= 1)) throw reader.Error("contract_scale", $"{contractScale} is not a share of a step in (0, 1].");
        var adam = Metric.Prepare(reader.Scope("adam"), Parameters);
        var constraintNames = reader.Strings("constraints");
        if (!constraintNames.SequenceEqual(_constraints.Select(r => r.State.Name)))
            throw reader.Error("constraints", $"the checkpoint holds constraints [{string.Join(", ", constraintNames)}]; this optimizer has [{string.Join(", ", _constraints.Select(r => r.State.Name))}] registered. " +
                "Register the same constraints in the same order before restoring.");
        var states = _constraints.Select((r, i) => MultiplierState.Read(reader.Scope($"constraint/{i}"), r.State.Name, r.State.Kind, Rule)).ToArray();
        var staleNames = reader.Strings("stale/names");
        var staleCounts = reader.Longs("stale/counts");
        if (staleNames.Length != staleCounts.Length) throw reader.Error("stale/counts", $"{staleCounts.Length} counts for {staleNames.Length} names.");
        var variant = PrepareVariant(reader.Scope("variant"));
        return () =>
        {
            foreach (var apply in parameters) apply();
            _group.InitialLearningRate = rates[1];
            _group.LearningRate = rates[0];
            StepCount = steps;
            ContractScale = contractScale;
            adam();
            for (int i = 0; i < states.Length; i++) _constraints[i] = _constraints[i] with { State = states[i] };
            _stale.Clear();
            for (int i = 0; i < staleNames.Length; i++) _stale[staleNames[i]] = (int)staleCounts[i];
            variant();
        };
    }

    /// <summary>Writes the variant's own state (anchors, counters); nothing by default.</summary>
    protected virtual void SaveVariant(CheckpointWriter writer) { }

    /// <summary>Reads and checks what <see cref="SaveVariant"/> wrote; returns the action that applies it.</summary>
    protected virtual Action PrepareVariant(CheckpointReader reader) => () => { };

    /// <summary>Releases optimizer state (not the parameters or the constraints).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Metric.Dispose();
            Workspace.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed record Registration(MultiplierState State, Constraint? Constraint, Constraint? HeldOut, Func<double>? Measure);
}
