using Galt.Checkpoints;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary>
/// The baselines' common shape: TorchSharp's Adam (bias-corrected; run as <see cref="ExplicitAdam"/>, bit-identical) on the trainable parameters, one full backward pass per
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
    protected override void OnAttach() => Adam = CreateAdam(Trainable.Select(p => p.Parameter));

    private TorchSharp.Modules.OptimizerHelper CreateAdam(IEnumerable<TorchSharp.Modules.Parameter> parameters) => WeightDecay > 0
        ? new ExplicitAdamW(parameters, LearningRate, weight_decay: WeightDecay)
        : new ExplicitAdam(parameters, LearningRate);

    /// <summary>The Adam baselines write their whole state: Adam's, and their subclass's.</summary>
    public override bool CanCheckpoint => true;

    /// <inheritdoc />
    public override void Save(CheckpointWriter writer)
    {
        base.Save(writer);
        writer.Part("adam", AdamState);
    }

    /// <inheritdoc />
    public override Action Prepare(CheckpointReader reader) => Then(base.Prepare(reader), reader.Part("adam", AdamState));

    private TorchOptimizerState AdamState => new(Adam, Trainable.Select(p => p.Parameter).ToArray(), CreateAdam);

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
