namespace Galt.Channels;

/// <summary>What one block did in one step of the block-local loop (diagnostics; they do not affect training).</summary>
/// <param name="Block">Block index.</param>
/// <param name="TaskGradientNorm">‖masked task gradient‖.</param>
/// <param name="RouteForwardValue">K_b before the block's step.</param>
/// <param name="RouteForwardGradientNorm">‖masked ∇K_b‖.</param>
/// <param name="Lambdas">λ of route_forward_block_b, safety_alignment, knowledge_retain after the step.</param>
/// <param name="Rhos">ρ of the same three after the step.</param>
public sealed record BlockStepRecord(int Block, double TaskGradientNorm, double RouteForwardValue, double RouteForwardGradientNorm,
    IReadOnlyList<double> Lambdas, IReadOnlyList<double> Rhos);

/// <summary>One step of the block-local loop.</summary>
/// <param name="Step">Step index (0-based).</param>
/// <param name="Loss">The objective's value.</param>
/// <param name="Terms">Each active term's value.</param>
/// <param name="SafetyKl">safety_alignment's value at the start of the step.</param>
/// <param name="RetainKl">knowledge_retain's value at the start of the step.</param>
/// <param name="PolicyOnly">Whether the step was in the policy-only warm-up.</param>
/// <param name="Blocks">Per block, in the order they stepped.</param>
/// <param name="Seconds">Wall time of the step.</param>
/// <param name="Phases">Where the step's time went: the objective's and KLs' forward passes, their three backward passes,
/// the route-forward probes (forward and backward, all blocks), and the blocks' constrained solves.</param>
public sealed record ChannelStepRecord(int Step, double Loss, IReadOnlyDictionary<string, double> Terms, double SafetyKl, double RetainKl,
    bool PolicyOnly, IReadOnlyList<BlockStepRecord> Blocks, double Seconds, StepPhases Phases)
{
    /// <summary>Every scalar of the step is finite.</summary>
    public bool AllFinite =>
        double.IsFinite(Loss) && double.IsFinite(SafetyKl) && double.IsFinite(RetainKl) && Terms.Values.All(double.IsFinite) &&
        Blocks.All(b => double.IsFinite(b.TaskGradientNorm) && double.IsFinite(b.RouteForwardValue) && double.IsFinite(b.RouteForwardGradientNorm)
                        && b.Lambdas.All(double.IsFinite) && b.Rhos.All(double.IsFinite));
}
