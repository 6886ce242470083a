using Galt.Channels;

namespace Galt.Experiments.TypedChannels;

/// <summary>Which retain set a configuration trains and evaluates on.</summary>
public enum RetainSetKind
{
    /// <summary><c>retain_set.json</c>: 20 factual items (the typed v1 runs).</summary>
    Facts,

    /// <summary><c>edit_targets_counterfactual.json</c>: 6 deliberately false targets (the V2 runs).</summary>
    Counterfactual,
}

/// <summary>
/// One configuration of <c>galt run typed-channels</c> (spec §5.7's table, on our carrier and data). Shared by all:
/// distillation 0.5 at T 1.5, safety and memory branch CE 0.5, output_expert_scale 2.0, typed output branches, hard
/// routing, P = 4, expert rank 16, policy scale 0.08, 4 safety and 4 retain replay items, route block power 2,
/// ρ_P 0.5 / 0.5 / 5 / 1.5, ρ_I 0.1, ρ_anchor 0.3, wd 0.01.
/// </summary>
/// <param name="Name">Command-line name (<c>--variant NAME</c>).</param>
/// <param name="Description">What the configuration tests, for reports.</param>
/// <param name="LearningRate">Every block's learning rate.</param>
/// <param name="Steps">Training steps (one sample each).</param>
/// <param name="OuterStepFrequency">K_in.</param>
/// <param name="PolicyOnlyWarmup">Steps that move only the policy tensors.</param>
/// <param name="BaseChoiceScale">Weight of the carrier's dense choice scores (0: decisions from the routed heads only).</param>
/// <param name="RouteTask">route_task_weight.</param>
/// <param name="RouteEntropy">route_entropy_weight.</param>
/// <param name="RouteSafety">Route CE of the safety branch on the safety replay.</param>
/// <param name="RouteMemory">Route CE of the memory branch on the retain replay.</param>
/// <param name="MemoryIdentity">Identity anchor of the memory branch's route (weight, target policy).</param>
/// <param name="TypedRoutes">Independent route readers and carries per branch.</param>
/// <param name="SafetyShadow">Safety-shadow hinge (weight, margin).</param>
/// <param name="RetainSet">The retain set.</param>
/// <param name="Release">The release's result files this configuration corresponds to, or "not run by the release".</param>
public sealed record TypedChannelConfig(string Name, string Description, double LearningRate, int Steps, int OuterStepFrequency, int PolicyOnlyWarmup,
    double BaseChoiceScale, double RouteTask, double RouteEntropy, double RouteSafety, double RouteMemory, IdentityAnchor MemoryIdentity, bool TypedRoutes,
    HingeTerm SafetyShadow, RetainSetKind RetainSet, string Release)
{
    private static readonly TypedChannelConfig TypedV1 = new("typed-v1",
        "typed output branches, dense path off (base scale 0), route_task 4.0, 40 policy-only steps", 2e-4, 40, 5, 40, 0.0, 4.0, 0.02, 0, 0,
        IdentityAnchor.Off, false, HingeTerm.Off, RetainSetKind.Facts, "typed_output_branches_lr2e4_w05, typed_multiseed_baseline_seed{41,42,43}");

    private static readonly TypedChannelConfig V2Baseline = new("v2-baseline",
        "counterfactual retain set, dense path kept (base scale 1), route_safety 0.5", 5e-5, 8, 4, 4, 1.0, 0.5, 0.01, 0.5, 0,
        IdentityAnchor.Off, false, HingeTerm.Off, RetainSetKind.Counterfactual, "v2_counterfactual_baseline_seed{41..45}");

    /// <summary>The configurations in report order.</summary>
    public static IReadOnlyList<TypedChannelConfig> All { get; } = new[]
    {
        TypedV1,
        TypedV1 with
        {
            Name = "typed-v1-shadow", Description = "typed-v1 + safety-shadow hinge (0.5, margin 0.1)", SafetyShadow = new HingeTerm(0.5, 0.1),
            Release = "typed_output_branches_safetyshadow05_m01, typed_multiseed_safetyshadow_seed{41,42,43}",
        },
        V2Baseline,
        V2Baseline with { Name = "v2-routesplit", Description = "v2-baseline + route_memory 0.5", RouteMemory = 0.5, Release = "v2_counterfactual_routesplit_seed42" },
        V2Baseline with
        {
            Name = "v2-typed-identity", Description = "v2-baseline with typed routes and the memory route's identity anchor (0.2 toward policy 3)",
            TypedRoutes = true, MemoryIdentity = new IdentityAnchor(0.2, 3), Release = "v2_counterfactual_typedroutes_t3_seed{41..45}",
        },
        V2Baseline with
        {
            Name = "v2-memory-only",
            Description = "v2-typed-identity with the safety-route supervision replaced by memory-route supervision (route_safety 0, route_memory 0.5): does memory need the safety scaffold?",
            TypedRoutes = true, MemoryIdentity = new IdentityAnchor(0.2, 3), RouteSafety = 0, RouteMemory = 0.5, Release = "not run by the release",
        },
    };

    /// <summary>The configuration named <paramref name="name"/> (case-insensitive); throws naming the known ones otherwise.</summary>
    public static TypedChannelConfig Find(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no typed-channels configuration named '{name}'; known: {string.Join(", ", All.Select(c => c.Name))}.", nameof(name));

    /// <summary>The routed carrier's settings.</summary>
    public RoutedCarrierOptions Carrier(int blockSize) => new()
    {
        Policies = 4, BlockSize = blockSize, ExpertRank = 16, PolicyScale = 0.08, OutputExpertScale = 2.0, BaseChoiceScale = BaseChoiceScale,
        TypedRoutes = TypedRoutes, TypedOutputs = true, HardRouting = true,
    };

    /// <summary>The objective's weights.</summary>
    public ChannelLossWeights Loss => new()
    {
        Distill = 0.5, Temperature = 1.5, SafetyBranch = 0.5, MemoryBranch = 0.5, RouteTask = RouteTask, RouteEntropy = RouteEntropy,
        RouteBlockPower = 2, RouteSafety = RouteSafety, RouteMemory = RouteMemory, MemoryIdentity = MemoryIdentity, SafetyShadow = SafetyShadow,
    };

    /// <summary>The block-local loop's settings.</summary>
    public BlockLocalOptions Loop(int? steps = null)
    {
        var options = new BlockLocalOptions { Steps = steps ?? Steps, PolicyOnlyWarmupSteps = PolicyOnlyWarmup, OuterStepFrequency = OuterStepFrequency, Temperature = 1.5 };
        return options with { Block = options.Block with { LearningRate = LearningRate } };
    }
}
