using Galt.Tensors;
using Galt.Training;
using TorchSharp;
using static TorchSharp.torch;
using Galt.Experiments.Training;

namespace Galt.Experiments.MemoryGates;

/// <summary>
/// Softmax (or, with two classes, logistic) regression trained by full-batch gradient descent (spec §6.4: 1,200 steps,
/// lr 0.25, L2 1e-4 on the weights, init N(0, 0.01)), optionally class-balanced (per-example weights n/(k·count_y),
/// normalised to mean 1).
/// </summary>
public sealed class LinearClassifier : IDisposable
{
    private static readonly Scalar Two = 2.ToScalar();

    private readonly Tensor _w, _b;

    /// <summary>Trains on features <paramref name="x"/> [n, d] and labels <paramref name="y"/> (indices into <paramref name="classes"/>).</summary>
    public LinearClassifier(Tensor x, long[] y, int classes, bool balanced, int seed, int steps = 1200, double learningRate = 0.25, double l2 = 1e-4)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed);
        _w = randn(new long[] { x.shape[1], classes }, generator: g).Times(0.01).requires_grad_().MoveToOuterDisposeScope();
        _b = zeros(classes).requires_grad_().MoveToOuterDisposeScope();
        var labels = tensor(y);
        var weights = balanced ? tensor(InverseClassWeights.PerExample(y.Select(v => (int)v).ToArray(), classes)) : ones(y.Length);
        for (int s = 0; s < steps; s++)
        {
            using var step = NewDisposeScope();
            var perExample = nn.functional.cross_entropy(x.matmul(_w).Plus(_b), labels, reduction: nn.Reduction.None);
            var loss = (perExample * weights).mean().Plus(_w.pow(Two).sum().Times(l2));
            var grads = autograd.grad(new[] { loss }, new[] { _w, _b });
            using var noGrad = no_grad();
            _w.PlusScaledInPlace(grads[0], -learningRate);
            _b.PlusScaledInPlace(grads[1], -learningRate);
        }
    }

    /// <summary>Predicted class indices.</summary>
    public long[] Predict(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return x.matmul(_w).Plus(_b).argmax(1).data<long>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _w.Dispose();
        _b.Dispose();
    }
}
