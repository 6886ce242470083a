using Galt.Continual;
using Galt.Models;
using Galt.Optim;
using Galt.Tensors;
using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Experiments.ContinualLearning;

/// <summary>
/// Split-MNIST's model (spec §3 step 2): a LoRA MLP pretrained on all of the stream's pretraining data with Adam
/// (lr 1e-3, batch 128), every parameter trainable; each strategy then starts from a fresh copy with the base frozen.
/// </summary>
public static class LoraMlpPretraining
{
    /// <summary>The pretrained network and its accuracy on all test data.</summary>
    public static (LoraMlp Model, double TestAccuracy) Pretrain(TaskStream stream, int epochs, int seed, IProgressSink? progress = null, double learningRate = 1e-3, int batchSize = 128)
    {
        progress ??= NullProgress.Instance;
        TorchLifetimes.ManualSeed(seed);
        var model = new LoraMlp();
        using var adam = new ExplicitAdam(model.parameters(), learningRate);
        var trainer = new SupervisedTrainer(model, adam, batchSize, seed);
        using (var bar = progress.Start($"pretraining ({epochs} epochs)", epochs))
        {
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                trainer.TrainEpoch(stream.PretrainX, stream.PretrainY, new Random(unchecked(seed * 1_000_003 + epoch)));
                bar.Advance(1);
            }
        }
        return (model, SupervisedTrainer.Accuracy(model, stream.AllTestX, stream.AllTestY));
    }

    /// <summary>A factory of fresh copies of <paramref name="pretrained"/> with the base frozen (LoRA and head trainable).</summary>
    public static Func<nn.Module<Tensor, Tensor>> FreshCopies(LoraMlp pretrained) => () =>
    {
        var model = new LoraMlp(pretrained.Layers[0].Rank, pretrained.Widths.ToArray());
        model.CopyFrom(pretrained);
        model.FreezeBase();
        return model;
    };
}
