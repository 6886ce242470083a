using Galt.Checkpoints;
using Galt.Constraints;
using Galt.Jacobians;
using Galt.Multipliers;
using Galt.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>
/// Single-block GALT (spec §1.3, the release's AVBDGALTOptimizer v13): each step solves
/// (D + Σ ρ_P,e J_e J_eᵀ) δ = D δ_b − Σ f_e J_e with D Adam's bias-corrected metric, δ_b = −m̂/D + ρ_a(θ_anchor − θ)
/// and the forces f_e of the multiplier rule; writes θ ← θ(1 − lr·wd) + lr·δ under the step contract; every K_in steps
/// re-snapshots the anchor (and the release's PI rule moves λ by its integral). With no constraints and ρ_a = 0 it is
/// AdamW.
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

    /// <summary>spec §1.3 item 2: the anchor pull; at the first step the anchor starts at θ.</summary>
    private protected override StepPull BeginStep() =>
        _anchors is null ? new StepPull(Parameters.Select(p => p.DetachedClone()).ToArray(), RhoAnchor, Created: true) : new StepPull(_anchors, RhoAnchor, false);

    /// <summary>spec §1.3 item 6: every K_in-th step is an outer step.</summary>
    private protected override bool IsOuterStep() => InnerCounter + 1 >= Options.OuterStepFrequency;

    /// <summary>Keeps the first step's anchors; at an outer step re-anchors and decays ρ_a (spec §1.3 item 6).</summary>
    private protected override void EndStep(StepPull pull, bool outer)
    {
        if (pull.Created) _anchors = pull.Anchors!.Select(a => a.DetachFromDisposeScope()).ToArray();
        InnerCounter++;
        if (outer)
        {
            SnapshotAnchors();
            if (Options.RhoAnchorDecay < 1) RhoAnchor = Math.Max(0, RhoAnchor * Options.RhoAnchorDecay);
            InnerCounter = 0;
        }
    }

    /// <inheritdoc />
    private protected override void AbandonStep(StepPull pull)
    {
        if (pull.Created) foreach (var a in pull.Anchors!) a.Dispose();
    }

    /// <summary>
    /// Task boundary (spec §1.3 item 7): λ ← λ·carry, integrators and previous violations cleared, inner counter and ρ_a
    /// reset, anchor re-snapshotted; ρ_P is kept.
    /// </summary>
    public void ResetForNewTask(double? carry = null)
    {
        CarryMultipliers(carry ?? Options.LambdaCarryFactor, s => { s.Rule.Restart(); s.PreviousViolation = null; });
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
