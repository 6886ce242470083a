using Galt.Models;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Experiments.ChartCorrection;

/// <summary>
/// The students of the chart-correction experiment. The dense one: a LoRA MLP 48-32-32-6 (rank 4) trained on the training
/// descriptors with Adam, then its base weights frozen, so that an edit can move only the LoRA pairs and the head —
/// the sites the map chooses among. The token-bearing one (<see cref="TokenStudent"/>) reads the descriptor as 48 tokens
/// (<see cref="ChartTokens"/>), mean-pools their embeddings into the same MLP; its embedding rows are one more site.
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
        Pretrain(model, data.Train.X, data.Train.Y, seed);
        model.FreezeBase();
        return model;
    }

    /// <summary>A token-bearing student trained from <paramref name="seed"/> on <paramref name="tokens"/> ([n, 48] token ids of the training split), the MLP's base frozen.</summary>
    public static TokenStudent Tokens(ChartCorrectionData data, Tensor tokens, long seed)
    {
        manual_seed(seed);
        var model = new TokenStudent();
        Pretrain(model, tokens, data.Train.Y, seed);
        model.Mlp.FreezeBase();
        return model;
    }

    private static void Pretrain(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels, long seed)
    {
        using var optimizer = new ExplicitAdam(model.parameters(), LearningRate);
        long n = inputs.shape[0];
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
                var loss = nn.functional.cross_entropy(model.call(inputs.index_select(0, rows)), labels.index_select(0, rows));
                loss.backward();
                optimizer.step();
            }
        }
    }

    /// <summary>Share of <paramref name="inputs"/> the model answers as <paramref name="labels"/> say.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.call(inputs).argmax(1).eq(labels).to_type(ScalarType.Float64).mean().item<double>();
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

/// <summary>The token-bearing student: token embeddings (one row per token, 48 wide), mean-pooled, into a LoRA MLP 48-32-32-6.</summary>
internal sealed class TokenStudent : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Embedding embedding;
    private readonly LoraMlp mlp;

    public TokenStudent() : base(nameof(TokenStudent))
    {
        embedding = nn.Embedding(ChartTokens.Vocabulary, ChartCorrectionData.Dimension);
        mlp = new LoraMlp(ChartStudent.Rank, ChartCorrectionData.Dimension, 32, 32, ChartCorrectionData.Classes);
        RegisterComponents();
    }

    /// <summary>The MLP after the pooling.</summary>
    public LoraMlp Mlp => mlp;

    /// <summary>The mean-pooled embedding of a [n, 48] token batch: the MLP's input.</summary>
    public Tensor Pool(Tensor tokens) => embedding.call(tokens).mean(new long[] { 1 });

    public override Tensor forward(Tensor tokens) => mlp.call(Pool(tokens));
}
