using static TorchSharp.torch;

namespace Galt.Training;

/// <summary>
/// Plain minibatch training with a TorchSharp optimizer and cross-entropy: the ordinary-backprop reference.
/// Data order comes from a seeded shuffle, so two runs with one seed see the same batches.
/// </summary>
public sealed class SupervisedTrainer
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly optim.Optimizer _optimizer;
    private readonly int _batchSize;
    private readonly Random _order;

    /// <summary>Creates the trainer.</summary>
    public SupervisedTrainer(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, int batchSize, int seed)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be positive; got {batchSize}.");
        _model = model;
        _optimizer = optimizer;
        _batchSize = batchSize;
        _order = new Random(seed);
    }

    /// <summary>One pass over (x, y) in a fresh seeded order; returns the mean training loss.</summary>
    public double TrainEpoch(Tensor x, Tensor y) => TrainEpoch(x, y, _order);

    /// <summary>One pass over (x, y) in an order drawn from <paramref name="order"/>; returns the mean training loss.</summary>
    public double TrainEpoch(Tensor x, Tensor y, Random order) => TrainEpoch(x, y, Batches(x.shape[0], _batchSize, order));

    /// <summary>Index batches of a seeded permutation of 0..n−1: contiguous slices of <paramref name="batchSize"/>, the last one partial (spec §3).</summary>
    public static IEnumerable<long[]> Batches(long n, int batchSize, Random order)
    {
        var permutation = Enumerable.Range(0, (int)n).Select(i => (long)i).ToArray();
        order.Shuffle(permutation);
        for (long start = 0; start < n; start += batchSize)
            yield return permutation[(int)start..(int)Math.Min(n, start + batchSize)];
    }

    private double TrainEpoch(Tensor x, Tensor y, IEnumerable<long[]> batches)
    {
        _model.train();
        double lossSum = 0;
        int count = 0;
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            var idx = tensor(batch);
            var logits = _model.forward(x.index_select(0, idx));
            var loss = nn.functional.cross_entropy(logits, y.index_select(0, idx));
            _optimizer.zero_grad();
            loss.backward();
            _optimizer.step();
            lossSum += loss.item<float>();
            count++;
        }
        return lossSum / Math.Max(1, count);
    }

    /// <summary>Fraction of rows of <paramref name="x"/> whose arg-max logit is the label.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int batchSize = 1024)
    {
        model.eval();
        using var noGrad = no_grad();
        long correct = 0, n = x.shape[0];
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long end = Math.Min(n, start + batchSize);
            var predicted = model.forward(x[TensorIndex.Slice(start, end)]).argmax(1);
            correct += predicted.eq(y[TensorIndex.Slice(start, end)]).sum().item<long>();
        }
        model.train();
        return n == 0 ? 0 : (double)correct / n;
    }
}
