using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>
/// The augmented-Lagrangian Hessian optimizer (spec §1.2, the release's AVBDHessianOptimizer v10, used by Split-MNIST):
/// the same exact local solve, step contract and write as <see cref="GaltOptimizer"/> without the proximal anchor, every
/// step an outer step; forces and λ from the multiplier rule (the release's: <see cref="Galt.Multipliers.EmaDualRule"/>,
/// f = λ + ρ·EMA(residual) and a dual step with gain ρ_dual = min(ρ_max, ρ²/(ρ + ρ_max))), ρ grown on insufficient decrease.
/// </summary>
public sealed class AlHessianOptimizer : ConstrainedOptimizer
{
    /// <summary>Optimizes <paramref name="parameters"/>.</summary>
    public AlHessianOptimizer(IEnumerable<Parameter> parameters, AlHessianOptions? options = null) : this(Numbered(parameters), options) { }

    /// <summary>Optimizes named parameters; names appear in errors.</summary>
    public AlHessianOptimizer(IEnumerable<(string Name, Parameter Parameter)> namedParameters, AlHessianOptions? options = null)
        : base(namedParameters, Checked(options ?? new AlHessianOptions()))
    {
        Options = options ?? new AlHessianOptions();
    }

    /// <summary>The settings.</summary>
    public AlHessianOptions Options { get; }

    private static AlHessianOptions Checked(AlHessianOptions options)
    {
        options.Validate();
        return options;
    }

    /// <inheritdoc />
    protected override double DefaultLambda => Options.LambdaInit;

    /// <inheritdoc />
    protected override double InitialRho => Options.Penalty.Initial;

    /// <inheritdoc />
    protected override int HistoryLength => Options.HistoryLength;
}
