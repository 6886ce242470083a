using Galt.Multipliers;
using Galt.Optim;

namespace Galt.Channels;

/// <summary>Settings of the block-local typed-channel loop (spec §5.4; defaults of §5.5).</summary>
public sealed record BlockLocalOptions
{
    /// <summary>Training steps (one sample each, cycling through the shuffled training items).</summary>
    public int Steps { get; init; } = 8;

    /// <summary>Steps during which only the policy tensors (readers, carries, experts, heads) move, not the carrier's LoRA.</summary>
    public int PolicyOnlyWarmupSteps { get; init; } = 4;

    /// <summary>K_in: the route-forward targets are refreshed every K_in steps (the optimizers' outer step uses the same K_in).</summary>
    public int OuterStepFrequency { get; init; } = 4;

    /// <summary>T of the safety and retain KL constraints.</summary>
    public double Temperature { get; init; } = 1.5;

    /// <summary>
    /// Every block's <see cref="GaltOptimizer"/>: lr 5e-5, wd 0.01, ρ_P 0.5 (floor 0.5, ceiling 5, growth 1.5), ρ_I 0.1,
    /// ρ_anchor 0.3 (spec §5.5), and the release's PI multiplier rule without the step contract (the loop is the release's
    /// §5.4 reproduction, its constraints are registered by name with values computed by the loop; its 8–40 steps are a
    /// probe of route necessity, not a run to feasibility). Its <see cref="GaltOptions.OuterStepFrequency"/>
    /// is replaced by <see cref="OuterStepFrequency"/>.
    /// </summary>
    public GaltOptions Block { get; init; } = new()
    {
        LearningRate = 5e-5, WeightDecay = 0.01, Penalty = new PenaltySchedule(Initial: 0.5, Floor: 0.5, Ceiling: 5, Growth: 1.5),
        MultiplierRule = new PiDualRule(RhoI: 0.1), RhoAnchor = 0.3, Contract = null,
    };

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"BlockLocalOptions.Steps must be ≥ 1; got {Steps}.");
        if (PolicyOnlyWarmupSteps < 0) throw new ArgumentException($"BlockLocalOptions.PolicyOnlyWarmupSteps must be ≥ 0; got {PolicyOnlyWarmupSteps}.");
        if (OuterStepFrequency < 1) throw new ArgumentException($"BlockLocalOptions.OuterStepFrequency must be ≥ 1; got {OuterStepFrequency}.");
        if (!(Temperature > 0)) throw new ArgumentException($"BlockLocalOptions.Temperature must be positive; got {Temperature}.");
        (Block with { OuterStepFrequency = OuterStepFrequency }).Validate();
    }
}
