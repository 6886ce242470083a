namespace Galt.Channels;

/// <summary>A hinge term's weight and margin (weight 0 turns it off).</summary>
/// <param name="Weight">Weight of the term.</param>
/// <param name="Margin">m in max(0, m + corr_other − corr_preferred).</param>
public readonly record struct HingeTerm(double Weight, double Margin)
{
    /// <summary>The term is off.</summary>
    public static HingeTerm Off => new(0, 0);
}

/// <summary>An identity anchor: route CE toward a constant policy index (weight 0 turns it off).</summary>
/// <param name="Weight">Weight of the term.</param>
/// <param name="Target">The constant policy index.</param>
public readonly record struct IdentityAnchor(double Weight, int Target)
{
    /// <summary>The anchor is off.</summary>
    public static IdentityAnchor Off => new(0, 0);
}

/// <summary>
/// The weights of the typed-channel training objective (spec §5.3, defaults of §5.5): every term not named in a
/// configuration is off.
/// </summary>
public sealed record ChannelLossWeights
{
    /// <summary>distill_weight: T²·KL(teacher ‖ softmax(task scores / T)).</summary>
    public double Distill { get; init; } = 0.5;

    /// <summary>T of the distillation and of the KL constraints.</summary>
    public double Temperature { get; init; } = 1.5;

    /// <summary>safety_branch_weight: CE of the safety branch on the safety replay.</summary>
    public double SafetyBranch { get; init; }

    /// <summary>memory_branch_weight: CE of the memory branch on the retain replay.</summary>
    public double MemoryBranch { get; init; }

    /// <summary>Branch preference on task, safety and retain data, each toward its preferred branch.</summary>
    public HingeTerm BranchPreference { get; init; } = HingeTerm.Off;

    /// <summary>Skip the branch preference on task data.</summary>
    public bool SkipTaskPreference { get; init; }

    /// <summary>Memory preference on retain data (memory over the other two branches).</summary>
    public HingeTerm MemoryPreference { get; init; } = HingeTerm.Off;

    /// <summary>Safety over memory on safety data, and memory over safety on retain data.</summary>
    public HingeTerm SafetyMemorySeparation { get; init; } = HingeTerm.Off;

    /// <summary>Task-shadow: safety over task on the safety replay, and memory over task on the retain replay.</summary>
    public HingeTerm TaskShadow { get; init; } = HingeTerm.Off;

    /// <summary>Safety-shadow: safety over task on the safety replay (the one the release's results use: 0.5, 0.1).</summary>
    public HingeTerm SafetyShadow { get; init; } = HingeTerm.Off;

    /// <summary>Memory-shadow: memory over task on the retain replay.</summary>
    public HingeTerm MemoryShadow { get; init; } = HingeTerm.Off;

    /// <summary>route_task_weight: Σ_b w_b·CE(z_b, y) of the task branch against the sample's label.</summary>
    public double RouteTask { get; init; } = 0.5;

    /// <summary>route_entropy_weight: Σ_b w_b·H(softmax z_b), minimised.</summary>
    public double RouteEntropy { get; init; } = 0.01;

    /// <summary>route_block_weight_power p: w_b = (b+1)^p / Σ_j (j+1)^p.</summary>
    public double RouteBlockPower { get; init; } = 2;

    /// <summary>Route CE of the safety branch on the safety replay toward each prompt's answer.</summary>
    public double RouteSafety { get; init; }

    /// <summary>Route CE of the memory branch on the retain replay toward each item's answer.</summary>
    public double RouteMemory { get; init; }

    /// <summary>Route CE of the safety branch on the safety replay toward a constant policy.</summary>
    public IdentityAnchor SafetyIdentity { get; init; } = IdentityAnchor.Off;

    /// <summary>Route CE of the memory branch on the retain replay toward a constant policy.</summary>
    public IdentityAnchor MemoryIdentity { get; init; } = IdentityAnchor.Off;

    /// <summary>w_b for <paramref name="blocks"/> blocks.</summary>
    public double[] BlockWeights(int blocks)
    {
        var raw = Enumerable.Range(0, blocks).Select(b => Math.Pow(b + 1, RouteBlockPower)).ToArray();
        double sum = raw.Sum();
        return raw.Select(w => w / sum).ToArray();
    }

    /// <summary>Throws when a weight is negative or not finite, or the temperature is not positive.</summary>
    public void Validate()
    {
        if (!(Temperature > 0) || double.IsInfinity(Temperature)) throw new ArgumentException($"ChannelLossWeights.Temperature must be positive; got {Temperature}.");
        var weights = new (string, double)[]
        {
            ("Distill", Distill), ("SafetyBranch", SafetyBranch), ("MemoryBranch", MemoryBranch), ("BranchPreference", BranchPreference.Weight),
            ("MemoryPreference", MemoryPreference.Weight), ("SafetyMemorySeparation", SafetyMemorySeparation.Weight), ("TaskShadow", TaskShadow.Weight),
            ("SafetyShadow", SafetyShadow.Weight), ("MemoryShadow", MemoryShadow.Weight), ("RouteTask", RouteTask), ("RouteEntropy", RouteEntropy),
            ("RouteSafety", RouteSafety), ("RouteMemory", RouteMemory), ("SafetyIdentity", SafetyIdentity.Weight), ("MemoryIdentity", MemoryIdentity.Weight),
            ("RouteBlockPower", RouteBlockPower),
        };
        foreach (var (name, w) in weights)
            if (!double.IsFinite(w) || w < 0) throw new ArgumentException($"ChannelLossWeights.{name} must be finite and ≥ 0; got {w}.");
    }
}
