using Galt.Jacobians;
using Galt.Multipliers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>
/// The augmented-Lagrangian Hessian optimizer (spec §1.2, the release's AVBDHessianOptimizer v10, used by Split-MNIST):
/// force f_e = λ_e + ρ_e·EMA(residual), the same exact local solve and write as <see cref="GaltOptimizer"/> without the
/// proximal anchor, a dual step every <c>UpdateFrequency</c> steps with gain ρ_dual = min(ρ_max, ρ²/(ρ + ρ_max)),
/// and ρ grown on insufficient decrease.
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

    /// <inheritdoc />
    protected override StepResult StepCore(IReadOnlyList<Tensor?> taskGradients, IReadOnlyList<ConstraintEvaluation> evaluations, MultiplierState[] states)
    {
        var values = evaluations.Select(e => e.Value).ToArray();
        var forces = states.Select((s, i) => Options.Dual.Force(s, values[i])).ToArray();   // spec §1.2 step 1
        var stiffness = states.Select(s => s.Rho).ToArray();
        using var step = PrimalStep.Propose(Geometry, new StepRequest(taskGradients, evaluations, forces, stiffness, LearningRate));
        // λ from the linearised constraint (replaces step 3's dual step), or the release's rule.
        bool linearized = ApplyLinearizedDual(step, states, evaluations, Options.LinearizedDual, LearningRate);
        var post = step.PostValues(evaluations);
        for (int i = 0; i < states.Length; i++)
        {
            // spec §1.2 step 3: dual step with ρ_dual, then ρ adaptation on the same residual.
            if (!linearized) Options.Dual.Update(states[i], values[i], post[i], Options.Penalty.Ceiling);
            Options.Penalty.Adapt(states[i], Options.Dual.UsePostResidual ? post[i] : values[i]);
        }
        step.Commit(Parameters, ParameterNames, Metric);
        return new StepResult(double.NaN, values, post, step.Path, step.ConditionNumber, OuterStep: true) { Fused = step.Fused, PassTimes = step.PassTimes };
    }
}
