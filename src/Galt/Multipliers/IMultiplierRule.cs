using Galt.Checkpoints;

namespace Galt.Multipliers;

/// <summary>
/// How a constraint's multiplier λ and force move (spec §1.2 step 1 and 3, §1.3 steps 1, 4 and 6; docs/feasibility.md):
/// the one seam every multiplier rule sits behind. A constrained optimizer asks the rule, each step, for every
/// constraint's force before the local solve (<see cref="Force"/>), lets it raise the forces once it sees the proposal's
/// prediction (<see cref="Correct"/>), and tells it what the accepted step did (<see cref="Update"/>). A rule keeps its
/// own per-constraint state (<see cref="NewState"/>) inside <see cref="MultiplierState.Rule"/>; the optimizer owns λ, ρ
/// and the common record, works on copies, and swaps them in only when the step succeeds. A rule never sees tensors.
/// </summary>
/// <remarks>
/// To add a rule, implement this interface and pass it as <c>ConstrainedOptimizerOptions.MultiplierRule</c>; the
/// optimizers need no change (docs/optimizers.md has a worked example).
/// </remarks>
public interface IMultiplierRule
{
    /// <summary>A short name, written into checkpoints and reports (e.g. <c>pi</c>, <c>measured</c>).</summary>
    string Name { get; }

    /// <summary>One line for reports: the rule and its settings.</summary>
    string Description { get; }

    /// <summary>Throws <see cref="ArgumentException"/>, naming <paramref name="owner"/> and the setting, when a setting is out of range.</summary>
    void Validate(string owner);

    /// <summary>The rule's own state for a newly registered constraint.</summary>
    IMultiplierRuleState NewState();

    /// <summary>Reads a state its <see cref="IMultiplierRuleState.Save"/> wrote; throws a checkpoint error naming the entry when it is malformed.</summary>
    IMultiplierRuleState ReadState(CheckpointReader reader);

    /// <summary>The force f this step applies for one constraint whose value is <paramref name="value"/> (may update the rule's own state, e.g. an EMA).</summary>
    double Force(MultiplierState state, double value);

    /// <summary>
    /// After the proposal with the forces of <see cref="Force"/>: the force increase Δf per constraint (registration
    /// order) the rule wants the step re-solved with, or null to keep the forces. May write λ into the state copies.
    /// </summary>
    double[]? Correct(MultiplierState[] states, StepPrediction prediction);

    /// <summary>
    /// The value this rule aims an inequality at (≤ 0; equalities: 0): where the optimizer's step contract lands a
    /// correction when a measured value breaks the contract.
    /// </summary>
    double Target(MultiplierState state);

    /// <summary>After the step was taken (or held): moves λ and the rule's state.</summary>
    void Update(MultiplierState[] states, StepOutcome outcome);

    /// <summary>
    /// The value the penalty schedule adapts ρ on (spec §1.2 "ρ adaptation": the step's C; the v10 rule with its
    /// post-residual option on: the predicted post-step value).
    /// </summary>
    double PenaltySignal(StepOutcome outcome, int index) => outcome.Values[index];
}

/// <summary>A multiplier rule's own per-constraint state (integrators, EMAs, counters): copied with each step, checkpointed with the optimizer.</summary>
public interface IMultiplierRuleState
{
    /// <summary>Writes every field (exact bits).</summary>
    void Save(CheckpointWriter writer);

    /// <summary>A deep copy.</summary>
    IMultiplierRuleState Clone();

    /// <summary>At a task boundary (spec §1.3 item 7): clears what integrates over a task; by default nothing.</summary>
    void Restart() { }
}

/// <summary>The state of a rule that keeps nothing beyond λ and ρ.</summary>
internal sealed class NoRuleState : IMultiplierRuleState
{
    /// <summary>The one instance (it holds nothing).</summary>
    public static NoRuleState Instance { get; } = new();

    private NoRuleState() { }

    /// <inheritdoc />
    public void Save(CheckpointWriter writer) { }

    /// <inheritdoc />
    public IMultiplierRuleState Clone() => this;
}
