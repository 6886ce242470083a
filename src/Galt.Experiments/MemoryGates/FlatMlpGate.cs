using Galt.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Experiments.MemoryGates;

/// <summary>
/// The text-free learned baseline of spec §6.2: 15 → 24 (tanh) → 1 (sigmoid), weights N(0, 0.15), biases 0, full-batch
/// gradient descent for 1,200 steps at lr 0.05 on mean BCE plus 1e-4·Σw² on the weights; access iff p ≥ 0.5.
/// </summary>
public sealed class FlatMlpGate : IDisposable
{
    private static readonly Scalar Two = 2.ToScalar();

    private readonly Tensor _w1, _b1, _w2, _b2;

    /// <summary>Trains the network on <paramref name="rows"/>.</summary>
    public FlatMlpGate(IReadOnlyList<GateRow> rows, int seed, int steps = 1200, double learningRate = 0.05, double l2 = 1e-4)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        _w1 = randn(new long[] { 15, 24 }, generator: generator).Times(0.15).requires_grad_().MoveToOuterDisposeScope();
        _b1 = zeros(24).requires_grad_().MoveToOuterDisposeScope();
        _w2 = randn(new long[] { 24, 1 }, generator: generator).Times(0.15).requires_grad_().MoveToOuterDisposeScope();
        _b2 = zeros(1).requires_grad_().MoveToOuterDisposeScope();
        var x = Features(rows);
        var y = tensor(rows.Select(r => r.Label ? 1f : 0f).ToArray()).unsqueeze(1);
        var parameters = new[] { _w1, _b1, _w2, _b2 };
        for (int s = 0; s < steps; s++)
        {
            using var step = NewDisposeScope();
            var loss = nn.functional.binary_cross_entropy(Probability(x), y).Plus(_w1.pow(Two).sum().Plus(_w2.pow(Two).sum()).Times(l2));
            var grads = autograd.grad(new[] { loss }, parameters);
            using var noGrad = no_grad();
            for (int p = 0; p < parameters.Length; p++) parameters[p].PlusScaledInPlace(grads[p], -learningRate);
        }
    }

    /// <summary>Access decisions for <paramref name="rows"/>.</summary>
    public bool[] Predict(IReadOnlyList<GateRow> rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var half = 0.5.ToScalar();
        return Probability(Features(rows)).squeeze(1).ge(half).data<bool>().ToArray();
    }

    private Tensor Probability(Tensor x) => x.matmul(_w1).Plus(_b1).tanh().matmul(_w2).Plus(_b2).sigmoid();

    private static Tensor Features(IReadOnlyList<GateRow> rows) =>
        tensor(rows.SelectMany(r => r.Features).ToArray(), new long[] { rows.Count, 15 });

    /// <inheritdoc />
    public void Dispose()
    {
        _w1.Dispose(); _b1.Dispose(); _w2.Dispose(); _b2.Dispose();
    }
}
