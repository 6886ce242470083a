using Galt.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>
/// TorchSharp's Adam (<see cref="Adam"/>, what <c>optim.Adam</c> returns) with a step that makes every
/// <see cref="Scalar"/> explicitly and disposes it once libtorch has used it. Exists because TorchSharp 0.107's own step
/// leaves every Scalar it makes (eight or nine per parameter per step) to the finalizer, which can free one while libtorch still reads
/// it (a use-after-free that killed a long run; docs/troubleshooting.md).
/// </summary>
/// <remarks>
/// The update is TorchSharp 0.107's, operation for operation and in the same order, with Scalars of the same values
/// and types, so parameters and moments come out equal to the bit. The state is the base class's
/// (<see cref="Adam.State"/>, <see cref="Adam.Options"/>, <see cref="Adam.ParamGroup"/>): <c>state_dict()</c> and
/// <c>load_state_dict(StateDictionary)</c> exchange state with a TorchSharp <see cref="Adam"/> in both directions.
/// TorchSharp's binary <c>save_state_dict(BinaryWriter)</c> opens its stream with the optimizer's type name
/// (here <c>ExplicitAdam</c>, there <c>Adam</c>), which its <c>load_state_dict(BinaryReader)</c> insists on; the rest of
/// the stream is byte for byte the same.
/// </remarks>
public sealed class ExplicitAdam : Adam
{
    /// <summary>Adam over <paramref name="parameters"/> in one group (TorchSharp's constructor and defaults).</summary>
    /// <param name="parameters">Parameters to optimize.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">Decay of the running average of the gradient.</param>
    /// <param name="beta2">Decay of the running average of the squared gradient.</param>
    /// <param name="eps">Term added to the denominator for numerical stability.</param>
    /// <param name="weight_decay">L2 penalty added to the gradient (0: none).</param>
    /// <param name="amsgrad">Whether to use the AMSGrad variant (the running maximum of the second moment).</param>
    /// <param name="maximize">Maximize the objective instead of minimizing it.</param>
    public ExplicitAdam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    /// <summary>Adam over parameter groups; a group's own options override the defaults given here (TorchSharp's constructor).</summary>
    /// <param name="parameters">Parameter groups to optimize.</param>
    /// <param name="lr">Default learning rate.</param>
    /// <param name="beta1">Default decay of the running average of the gradient.</param>
    /// <param name="beta2">Default decay of the running average of the squared gradient.</param>
    /// <param name="eps">Default term added to the denominator for numerical stability.</param>
    /// <param name="weight_decay">Default L2 penalty added to the gradient (0: none).</param>
    /// <param name="amsgrad">Default for the AMSGrad variant.</param>
    /// <param name="maximize">Default for maximizing the objective instead of minimizing it.</param>
    public ExplicitAdam(IEnumerable<Adam.ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    /// <summary>
    /// One Adam update of every parameter that has a gradient: TorchSharp 0.107's <see cref="Adam.step"/>, bit for bit,
    /// with every Scalar explicit and disposed and every temporary tensor disposed.
    /// </summary>
    /// <param name="closure">Re-evaluates the model and returns the loss (run with gradients on before the update); optional.</param>
    /// <returns>The closure's loss, or null without a closure.</returns>
    public override Tensor step(Func<Tensor>? closure = null) => _step<Adam.ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        var beta1 = options.beta1!.Value;
        var beta2 = options.beta2!.Value;
        var weight_decay = options.weight_decay!.Value;
        var amsgrad = options.amsgrad!.Value;
        var maximize = options.maximize!.Value;
        var eps = options.eps!.Value;
        var lr = options.LearningRate!.Value;

        using var scalars = new AdamArithmetic.GroupScalars(beta1, beta2, eps);
        using var decayScalar = weight_decay.ToScalar();

        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];

            using var gradient = param.grad;
            if (gradient is null) continue;

            using var negated = maximize ? gradient.neg() : null; // TorchSharp: grad = -grad
            var direction = negated ?? gradient;

            state.step += 1;

            using var decayed = weight_decay != 0 ? direction.add(param, decayScalar) : null; // grad.add(param, alpha: weight_decay)
            var grad = decayed ?? direction;

            state.exp_avg.mul_(scalars.Beta1).add_(grad, scalars.OneMinusBeta1);
            using (var conjugate = grad.conj())
                state.exp_avg_sq.mul_(scalars.Beta2).addcmul_(grad, conjugate, scalars.OneMinusBeta2);

            var second = AdamArithmetic.SecondMoment(amsgrad, ref state.max_exp_avg_sq, state.exp_avg_sq);
            AdamArithmetic.Descend(param, state.exp_avg, second, lr, beta1, beta2, state.step, scalars);
        }
    }, closure);
}
