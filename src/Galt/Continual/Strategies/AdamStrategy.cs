using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary>
/// The baselines' common shape: TorchSharp Adam (bias-corrected) on the trainable parameters, one full backward pass per
/// step on a loss the subclass builds. (The release's MLX Adam has no bias correction, spec "Conventions".)
/// </summary>
public abstract class AdamStrategy : Strategy
{
    /// <summary>The optimizer, created on attach.</summary>
    protected optim.Optimizer Adam { get; private set; } = null!;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled weight decay; 0 (default) = Adam, above 0 = AdamW with this decay.</summary>
    public double WeightDecay { get; init; }

    /// <inheritdoc />
    protected override void OnAttach() => Adam = WeightDecay > 0
        ? optim.AdamW(Trainable.Select(p => p.Parameter), LearningRate, weight_decay: WeightDecay)
        : optim.Adam(Trainable.Select(p => p.Parameter), LearningRate);

    /// <summary>"Adam" or "AdamW (wd …)", for hyperparameter tables.</summary>
    protected string OptimizerName => WeightDecay > 0 ? $"AdamW (wd {WeightDecay.ToString(System.Globalization.CultureInfo.InvariantCulture)})" : "Adam";

    /// <summary>The loss to minimise on this minibatch.</summary>
    protected abstract Tensor Loss(Tensor x, Tensor y, TaskContext context);

    /// <inheritdoc />
    public override void Step(Tensor x, Tensor y, TaskContext context)
    {
        Adam.zero_grad();
        Loss(x, y, context).backward();
        GlobalBackprops++;
        Adam.step();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) Adam?.Dispose();
    }
}
