using Galt.Checkpoints;
using Galt.Constraints;
using Galt.Jacobians;
using Galt.Multipliers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>
/// Single-block GALT (spec §1.3, the release's AVBDGALTOptimizer v13): each step solves
/// (D + Σ ρ_P,e J_e J_eᵀ) δ = D δ_b − Σ f_e J_e with D Adam's bias-corrected metric, δ_b = −m̂/D + ρ_a(θ_anchor − θ)
/// and the P-term force f_e = λ_e + ρ_P,e·max(0, C_e); writes θ ← θ(1 − lr·wd) + lr·δ; integrates the predicted
/// post-step residual; every K_in steps moves λ by the integral and re-snapshots the anchor. With no constraints
/// and ρ_a = 0 it is AdamW.
/// </summary>
public sealed class GaltOptimizer : ConstrainedOptimizer
{
    private Tensor[]? _anchors;

    /// <summary>Optimizes <paramref name="parameters"/> (e.g. <c>model.parameters()</c>).</summary>
    public GaltOptimizer(IEnumerable<Parameter> parameters, GaltOptions? options = null) : this(Numbered(parameters), options) { }

    /// <summary>Optimizes named parameters (e.g. <c>model.named_parameters()</c>); names appear in errors.</summary>
    public GaltOptimizer(IEnumerable<(string Name, Parameter Parameter)> namedParameters, GaltOptions? options = null)
        : base(namedParameters, Checked(options ?? new GaltOptions()))
    {
        Options = options ?? new GaltOptions();
        RhoAnchor = Options.RhoAnchor;
    }

    /// <summary>The settings.</summary>
    public GaltOptions Options { get; }

    private static GaltOptions Checked(GaltOptions options)
    {
        options.Validate();
        return options;
    }

    /// <summary>Current ρ_a.</summary>
    public double RhoAnchor { get; private set; }

    /// <summary>Inner steps since the last outer step.</summary>
    public int InnerCounter { get; private set; }

    /// <summary>θ_anchor of parameter tensor p (null before the first step).</summary>
    public Tensor? Anchor(int p) => _anchors?[p];

    /// <inheritdoc />
    protected override double DefaultLambda => Options.LambdaWarmstart;

    /// <inheritdoc />
    protected override double InitialRho => Options.Penalty.Initial;

    /// <inheritdoc />
    protected override int HistoryLength => Options.HistoryLength;

    /// <inheritdoc />
    protected override StepResult StepCore(IReadOnlyList<Tensor?> taskGradients, IReadOnlyList<ConstraintEvaluation> evaluations, MultiplierState[] states)
    {
        // spec §1.3 item 1: P-term force on the raw residual; ρ_P is also the stiffness.
        var forces = states.Select((s, i) => s.Lambda + s.Rho * s.Kind.Residual(evaluations[i].Value)).ToArray();
        var stiffness = states.Select(s => s.Rho).ToArray();
        // State for all trainable tensors is created at the first step: the anchor starts at θ.
        var anchors = _anchors ?? Parameters.Select(p => p.detach().clone()).ToArray();
        PrimalStep step;
        try
        {
            step = PrimalStep.Propose(Geometry, new StepRequest(taskGradients, evaluations, forces, stiffness, LearningRate, anchors, RhoAnchor));
        }
        catch
        {
            if (_anchors is null) foreach (var a in anchors) a.Dispose();
            throw;
        }
        using (step)
        {
            var values = evaluations.Select(e => e.Value).ToArray();
            // λ from the linearised constraint (replaces items 4 and 6's λ update), or the release's PI rule.
            bool linearized = ApplyLinearizedDual(step, states, evaluations, Options.LinearizedDual, LearningRate);
            var post = step.PostValues(evaluations);
            for (int i = 0; i < states.Length; i++)
            {
                if (!linearized) Options.Dual.Integrate(states[i], values[i], post[i]);   // spec §1.3 item 4
                Options.Penalty.Adapt(states[i], values[i]);            // spec §1.3 item 5: raw violation
            }
            step.Commit(Parameters, ParameterNames, Metric);
            if (_anchors is null) _anchors = anchors.Select(a => a.DetachFromDisposeScope()).ToArray();

            bool outer = ++InnerCounter >= Options.OuterStepFrequency;
            if (outer)
            {
                // spec §1.3 item 6: dual step for every constraint, re-anchor, decay ρ_a.
                if (!linearized) foreach (var s in states) Options.Dual.OuterStep(s);
                SnapshotAnchors();
                if (Options.RhoAnchorDecay < 1) RhoAnchor = Math.Max(0, RhoAnchor * Options.RhoAnchorDecay);
                InnerCounter = 0;
            }
            return new StepResult(double.NaN, values, post, step.Path, step.ConditionNumber, outer) { Fused = step.Fused, PassTimes = step.PassTimes };
        }
    }

    /// <summary>
    /// Task boundary (spec §1.3 item 7): λ ← λ·carry, integrators and previous violations cleared, inner counter and ρ_a
    /// reset, anchor re-snapshotted; ρ_P is kept.
    /// </summary>
    public void ResetForNewTask(double? carry = null)
    {
        CarryMultipliers(carry ?? Options.LambdaCarryFactor, s => { s.IntegralEma = 0; s.PreviousViolation = null; });
        InnerCounter = 0;
        RhoAnchor = Options.RhoAnchor;
        SnapshotAnchors();
    }

    /// <inheritdoc />
    protected override void SaveVariant(CheckpointWriter writer)
    {
        writer.Double("rho_anchor", RhoAnchor);
        writer.Int("inner_counter", InnerCounter);
        writer.Bool("has_anchors", _anchors is not null);
        if (_anchors is not null)
            for (int p = 0; p < _anchors.Length; p++) writer.Tensor($"anchor/{p}", _anchors[p]);
    }

    /// <inheritdoc />
    protected override Action PrepareVariant(CheckpointReader reader)
    {
        double rhoAnchor = reader.Double("rho_anchor");
        int inner = reader.Int("inner_counter");
        if (!(rhoAnchor >= 0) || inner < 0) throw reader.Error("rho_anchor", $"ρ_a {rhoAnchor} or inner counter {inner} is not valid.");
        var anchors = reader.Bool("has_anchors")
            ? Parameters.Select((p, i) => reader.TensorLike($"anchor/{i}", p)).ToArray()
            : null;
        return () =>
        {
            RhoAnchor = rhoAnchor;
            InnerCounter = inner;
            if (_anchors is not null) foreach (var a in _anchors) a.Dispose();
            _anchors = anchors?.Select(a => a.DetachFromDisposeScope()).ToArray();
        };
    }

    private void SnapshotAnchors()
    {
        if (_anchors is null) return;
        using var noGrad = no_grad();
        for (int p = 0; p < _anchors.Length; p++) _anchors[p].copy_(Parameters[p]);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _anchors is not null) foreach (var a in _anchors) a.Dispose();
        base.Dispose(disposing);
    }
}
