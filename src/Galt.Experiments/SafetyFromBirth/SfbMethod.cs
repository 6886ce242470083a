using Galt.Constraints;
using Galt.Continual;
using Galt.Continual.Strategies;
using Galt.Jacobians;
using Galt.Multipliers;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Experiments.SafetyFromBirth;

/// <summary>
/// One method of the safety-from-birth comparison (spec §4): a name, what it does, the release's figures beside it
/// (task / safety accuracy, 3 seeds; empty where the release reports none), and how to build its strategy for a seed's
/// stream. Every method runs through the same harness (<see cref="ContinualTrainer"/>) and the same probes.
/// </summary>
/// <param name="Name">Method name (summary keys <c>&lt;name&gt;.…</c>).</param>
/// <param name="Description">One line for the report.</param>
/// <param name="Release">The release's aggregate, e.g. "0.434 / 0.342".</param>
/// <param name="Create">The strategy for a stream (its safety replay prompts and masks).</param>
public sealed record SfbMethod(string Name, string Description, string Release, Func<SfbStream, Strategy> Create)
{
    /// <summary>Learning rate of every method (spec §4: 2e-4).</summary>
    public const double LearningRate = 2e-4;

    /// <summary>KL temperature of the safety and retention constraints (spec §2.1: T = 1.5, with the T² factor).</summary>
    public const double Temperature = 1.5;

    /// <summary>Allowed KL (spec §2.1 SfB: 0.02).</summary>
    public const double Margin = 0.02;

    /// <summary>Replayed items per finished task (spec §2.1: 8).</summary>
    public const int RetainReplay = 8;

    /// <summary>Name of the safety KL constraint, pinned in the active set.</summary>
    public const string SafetyConstraint = "safety_alignment";

    /// <summary>Name of the forbidden-mass safety constraint.</summary>
    public const string ForbidConstraint = "safety_forbidden_mass";

    /// <summary>The methods, in report order.</summary>
    public static IReadOnlyList<SfbMethod> All { get; } = new[]
    {
        new SfbMethod("sfb_hessian", "AlHessianOptimizer (ρ 1 → ≤ 2, growth 1.5), safety_alignment KL ≤ 0.02 on 8 safety prompts from step 0, retain_task_i after each task, active set of 2 (safety pinned)",
            "0.434 / 0.342", s => new GaltHessianStrategy { Options = HessianOptions(SafetyConstraint), Anchors = Retention(), FromBirth = m => new[] { SafetyKl(m, s) } }),
        new SfbMethod("sfb_galt", "GaltOptimizer (PI gains, proximal anchor), the same constraints and active set",
            "", s => new GaltStrategy { Options = GaltStrategy.SplitMnistOptions with { LearningRate = LearningRate, ActiveSet = ActiveSet(SafetyConstraint), Jacobians = JacobianPath.Autograd, MultiplierRule = Dual },
                Anchors = Retention(), FromBirth = m => new[] { SafetyKl(m, s) } }),
        new SfbMethod("sfb_kl", "AdamW (wd 0.01) on CE + 0.5·KL_T(post-warm-up ‖ model) on the 8 safety prompts; no retention terms (the release's SfB-KL)",
            "0.423 / 0.351", s => new SoftPenaltyStrategy(0.5) { LearningRate = LearningRate, WeightDecay = 0.01, RetainTasks = false, Anchors = Retention(),
                FromBirth = m => new[] { WithoutHeldOut(SafetyKl(m, s)) } }),
        new SfbMethod("posthoc", "AdamW (wd 0.01) on the task only; safety left to the warm-up (the release's post-hoc baseline; its table reports PostHoc-AVBD)",
            "0.266 / 0.272", _ => new NaiveStrategy { LearningRate = LearningRate, WeightDecay = 0.01 }),
        new SfbMethod("sfb_lowbp", "the low-BP hybrid (spec §4): sfb_hessian's optimizer and constraints; local heads on the first and last carrier layer (pooled question state); refresh period 6, trigger 0.5; Jacobians and multipliers only on global steps, stale Jacobians between",
            "", s => new LocalHeadLowBpStrategy { StrategyName = "sfb_lowbp", Options = HessianOptions(SafetyConstraint), Anchors = Retention(), FromBirth = m => new[] { SafetyKl(m, s) } }),
        new SfbMethod("sfb_forbid", "as sfb_hessian with spec §2.2's forbidden-mass constraint instead of the KL: smooth max over the 8 safety prompts of the probability on their unsafe options ≤ its post-warm-up value + 0.02",
            "", s => new GaltHessianStrategy { Options = HessianOptions(ForbidConstraint), Anchors = Retention(), FromBirth = m => new[] { Forbid(m, s) } }),
    };

    /// <summary>The method named <paramref name="name"/>; an error listing the names otherwise.</summary>
    public static SfbMethod Find(string name) => All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"no safety-from-birth method named '{name}'. Known: {string.Join(", ", All.Select(m => m.Name))}.");

    private static ActiveSetRule ActiveSet(string pinned) => new(2, new[] { pinned });

    /// <summary>
    /// Trust radius of the linearised multiplier rule in every constrained method: a force increase may move the step at
    /// most as far as the task's own base step (in the metric). Without it, a far-violated constraint with a small
    /// sensitivity asked for λ ~ 1e6 and broke the step (sfb_forbid, seed 7, docs/safety-from-birth.md).
    /// </summary>
    public const double TrustRadius = 1.0;

    private static MeasuredDualRule Dual => new() { TrustRadius = TrustRadius };

    private static AlHessianOptions HessianOptions(string pinned) =>
        GaltHessianStrategy.SplitMnistOptions with { LearningRate = LearningRate, ActiveSet = ActiveSet(pinned), Jacobians = JacobianPath.Autograd, MultiplierRule = Dual };

    private static RetentionAnchors Retention() => new(RetainReplay, Temperature, Margin);

    /// <summary>safety_alignment: KL_T(post-warm-up ‖ model) on the replay prompts ≤ 0.02, with the same measure on all prompts as its held-out twin.</summary>
    public static (Constraint Constraint, Constraint? HeldOut) SafetyKl(nn.Module<Tensor, Tensor> model, SfbStream stream)
    {
        // The constraints copy their anchor inputs.
        using var replay = SfbStream.Indices(stream.SafetyReplay);
        using var all = SfbStream.Indices(stream.Safety);
        return (new KlRetentionConstraint(SafetyConstraint, model, replay, Temperature, Margin),
            new KlRetentionConstraint($"{SafetyConstraint}.all_prompts", model, all, Temperature, Margin));
    }

    /// <summary>The constraint alone, its held-out twin disposed (a soft penalty certifies no twin).</summary>
    private static Constraint WithoutHeldOut((Constraint Constraint, Constraint? HeldOut) pair)
    {
        pair.HeldOut?.Dispose();
        return pair.Constraint;
    }

    /// <summary>
    /// safety_forbidden_mass: T_lse·logsumexp over the replay prompts of the mass on their unsafe options (T_lse 0.1),
    /// with its post-warm-up value + 0.02 as the margin (C = −0.02 at birth, the KL constraint's slack: never much more
    /// unsafe mass than after the warm-up); the same on all prompts as the held-out twin.
    /// </summary>
    public static (Constraint Constraint, Constraint? HeldOut) Forbid(nn.Module<Tensor, Tensor> model, SfbStream stream)
    {
        Constraint Make(string name, IReadOnlyList<int> prompts)
        {
            using var inputs = SfbStream.Indices(prompts);
            using var mask = stream.UnsafeOptions(prompts);
            using var probe = new ForbiddenMassConstraint(name, model, inputs, mask, margin: 0);
            double birth;
            using (no_grad()) birth = probe.Value();
            return new ForbiddenMassConstraint(name, model, inputs, mask, margin: birth + Margin);
        }
        return (Make(ForbidConstraint, stream.SafetyReplay), Make($"{ForbidConstraint}.all_prompts", stream.Safety));
    }
}
