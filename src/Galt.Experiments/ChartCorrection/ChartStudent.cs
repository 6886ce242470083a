using Galt.Models;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Experiments.ChartCorrection;

/// <summary>
/// The dense student of the chart-correction experiment: a LoRA MLP 48-32-32-6 (rank 4) trained on the training
/// descriptors with Adam, then its base weights frozen, so that an edit can move only the LoRA pairs and the head —
/// the sites the map chooses among.
/// </summary>
internal static class ChartStudent
{
    public const int Rank = 4, Epochs = 8, Batch = 128;
    public const double LearningRate = 1e-2;

    /// <summary>A student trained from <paramref name="seed"/> (initialisation and batch order) on <paramref name="data"/>'s training split, base frozen.</summary>
    public static LoraMlp Dense(ChartCorrectionData data, long seed)
    {
        manual_seed(seed);
        var model = new LoraMlp(Rank, ChartCorrectionData.Dimension, 32, 32, ChartCorrectionData.Classes);
        using var optimizer = new ExplicitAdam(model.parameters(), LearningRate);
        long n = data.Train.X.shape[0];
        using var generator = new Generator((ulong)seed);
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            using var scope = NewDisposeScope();
            var order = randperm(n, generator: generator);
            for (long start = 0; start < n; start += Batch)
            {
                using var batchScope = NewDisposeScope();
                var rows = order.narrow(0, start, Math.Min(Batch, n - start));
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(data.Train.X.index_select(0, rows)), data.Train.Y.index_select(0, rows));
                loss.backward();
                optimizer.step();
            }
        }
        model.FreezeBase();
        return model;
    }

    /// <summary>Share of <paramref name="split"/> the model answers right.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, ChartCorrectionData.Split split)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.call(split.X).argmax(1).eq(split.Y).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>The pre-activations of every hidden layer (before its ReLU) on <paramref name="x"/>: the chart a map step is judged by.</summary>
    public static IReadOnlyList<Tensor> PreActivations(LoraMlp model, Tensor x)
    {
        var result = new List<Tensor>();
        var h = x;
        foreach (var layer in model.Layers)
        {
            var z = layer.call(h);
            result.Add(z);
            h = nn.functional.relu(z);
        }
        return result;
    }
}
