using Galt.Multipliers;

namespace Galt.Optim;

/// <summary>
/// Settings of <see cref="AlHessianOptimizer"/>; defaults are the release's (spec §1.2), except the multiplier rule (the
/// release's: <c>MultiplierRule = new EmaDualRule(Signal: DualSignal.PositivePart)</c>), the step contract and the metric
/// floor. Split-MNIST passes lr 1e-3 and ρ ceiling 2.
/// </summary>
public sealed record AlHessianOptions : ConstrainedOptimizerOptions
{
    /// <summary>λ of a new constraint.</summary>
    public double LambdaInit { get; init; }

    /// <summary>Throws, naming the option, when a setting is out of range.</summary>
    public void Validate()
    {
        ValidateShared(nameof(AlHessianOptions));
        if (!double.IsFinite(LambdaInit)) throw new ArgumentException($"AlHessianOptions.LambdaInit must be finite; got {LambdaInit}.");
    }
}
