using Galt.Channels;
using Galt.Optim;
using Galt.Tensors;
using Galt.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Experiments.SafetyFromBirth;

/// <summary>What the safety warm-up did.</summary>
/// <param name="Before">Safety accuracy on all prompts before it.</param>
/// <param name="After">Safety accuracy of the weights kept.</param>
/// <param name="Epochs">Epochs run.</param>
/// <param name="BestEpoch">Epoch whose weights were kept (0 = the initial weights).</param>
/// <param name="StoppedOnNaN">True when a NaN probe stopped it early.</param>
/// <param name="State">The kept values of the trainable tensors, in the module's parameter order.</param>
public sealed record WarmupResult(double Before, double After, int Epochs, int BestEpoch, bool StoppedOnNaN, IReadOnlyList<Tensor> State);

/// <summary>
/// The safety warm-up before every method (spec §4): AdamW (lr 5e-4, weight decay 0.01) for 5 epochs over the safety
/// prompts in batches of 2 (order shuffled each epoch with Python <c>random.Random(seed + epoch)</c>), gradient
/// clipping to global norm 1.0; after each epoch a probe forward that gives a NaN restores the best weights and stops,
/// otherwise safety accuracy is measured and the weights are kept when it is at least the best so far.
/// </summary>
public static class SafetyWarmup
{
    /// <summary>Runs the warm-up on <paramref name="model"/>'s trainable tensors and leaves the kept weights in place.</summary>
    public static WarmupResult Run(ChoiceItemModule model, IReadOnlyList<int> prompts, int seed, int epochs = 5, double learningRate = 5e-4, int batchSize = 2)
    {
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        using var labels = model.Labels(prompts);
        using var inputs = SfbStream.Indices(prompts);
        double before = Accuracy(model, inputs, labels);
        var best = Snapshot(parameters);
        double bestAccuracy = before;
        int bestEpoch = 0, ran = 0;
        bool nan = false;
        using var adamw = new ExplicitAdamW(parameters, learningRate, weight_decay: 0.01);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var order = Enumerable.Range(0, prompts.Count).ToList();
            new PythonRandom(seed + epoch).Shuffle(order);
            for (int start = 0; start < order.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = order.Skip(start).Take(batchSize).ToArray();
                var idx = SfbStream.Indices(batch.Select(b => prompts[b]));
                adamw.zero_grad();
                nn.functional.cross_entropy(model.call(idx), model.Labels(batch.Select(b => prompts[b]).ToArray())).backward();
                nn.utils.clip_grad_norm_(parameters, 1.0);
                adamw.step();
            }
            ran = epoch;
            if (ProbeIsNaN(model, inputs))
            {
                nan = true;
                break;
            }
            double accuracy = Accuracy(model, inputs, labels);
            if (accuracy >= bestAccuracy)
            {
                foreach (var t in best) t.Dispose();
                best = Snapshot(parameters);
                bestAccuracy = accuracy;
                bestEpoch = epoch;
            }
        }
        using (no_grad())
            for (int i = 0; i < parameters.Length; i++) parameters[i].copy_(best[i]);
        return new WarmupResult(before, bestAccuracy, ran, bestEpoch, nan, best);
    }

    /// <summary>Writes <paramref name="state"/> into <paramref name="model"/>'s trainable tensors (the post-warm-up start of every method).</summary>
    public static void Restore(ChoiceItemModule model, IReadOnlyList<Tensor> state)
    {
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        if (parameters.Length != state.Count) throw new ArgumentException($"the warm-up state has {state.Count} tensors but the model has {parameters.Length} trainable ones.");
        using (no_grad())
            for (int i = 0; i < parameters.Length; i++) parameters[i].copy_(state[i]);
    }

    /// <summary>Accuracy of the argmax choice on the items <paramref name="inputs"/> against <paramref name="labels"/>.</summary>
    public static double Accuracy(ChoiceItemModule model, Tensor inputs, Tensor labels) => SupervisedTrainer.Accuracy(model, inputs, labels, batchSize: 64);

    private static bool ProbeIsNaN(ChoiceItemModule model, Tensor inputs)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return model.call(inputs[TensorIndex.Slice(0, Math.Min(2, inputs.shape[0]))]).isnan().any().item<bool>();
    }

    private static Tensor[] Snapshot(IEnumerable<Parameter> parameters)
    {
        using var _ = no_grad();
        return parameters.Select(p => p.DetachedClone().DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Writes a warm-up's result (figures and kept tensors), a unit of a resumable run's journal.</summary>
    public static void Save(WarmupResult result, Galt.Checkpoints.CheckpointWriter writer)
    {
        writer.Doubles("accuracy", new[] { result.Before, result.After });
        writer.Longs("epochs", new long[] { result.Epochs, result.BestEpoch, result.StoppedOnNaN ? 1 : 0 });
        writer.Int("tensors", result.State.Count);
        for (int i = 0; i < result.State.Count; i++) writer.Tensor($"state/{i}", result.State[i]);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static WarmupResult Read(Galt.Checkpoints.CheckpointReader reader)
    {
        var accuracy = reader.Doubles("accuracy");
        var epochs = reader.Longs("epochs");
        if (accuracy.Length != 2 || epochs.Length != 3) throw reader.Error("epochs", "not a warm-up result.");
        int count = reader.Int("tensors");
        if (count < 0) throw reader.Error("tensors", $"{count} tensors.");
        var state = Enumerable.Range(0, count).Select(i => reader.Tensor($"state/{i}").DetachFromDisposeScope()).ToArray();
        return new WarmupResult(accuracy[0], accuracy[1], (int)epochs[0], (int)epochs[1], epochs[2] != 0, state);
    }
}
