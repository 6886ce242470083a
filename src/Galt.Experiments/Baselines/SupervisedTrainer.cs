using static TorchSharp.torch;

namespace Galt.Experiments.Baselines;

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
    public double TrainEpoch(Tensor x, Tensor y)
    {
        long n = x.shape[0];
        var order = Enumerable.Range(0, (int)n).Select(i => (long)i).ToArray();
        _order.Shuffle(order);
        _model.train();
        double lossSum = 0;
        int batches = 0;
        for (long start = 0; start < n; start += _batchSize)
        {
            using var scope = NewDisposeScope();
            var idx = tensor(order[(int)start..(int)Math.Min(n, start + _batchSize)]);
            var logits = _model.forward(x.index_select(0, idx));
            var loss = nn.functional.cross_entropy(logits, y.index_select(0, idx));
            _optimizer.zero_grad();
            loss.backward();
            _optimizer.step();
            lossSum += loss.item<float>();
            batches++;
        }
        return lossSum / Math.Max(1, batches);
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
