using BenchmarkDotNet.Attributes;
using Galt.Models;
using static TorchSharp.torch;

namespace Galt.Bench;

/// <summary>
/// One ordinary training step (forward, backward, Adam) of the 784-256-128-10 MLP: the baseline every GALT step's
/// overhead is compared with in later benchmarks.
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Mlp _model = null!;
    private optim.Optimizer _adam = null!;
    private Tensor _x = null!, _y = null!;

    /// <summary>Minibatch size.</summary>
    [Params(64, 128)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        random.manual_seed(0);
        _model = new Mlp(784, 256, 128, 10);
        _adam = optim.Adam(_model.parameters(), 1e-3);
        _x = randn(Batch, 784);
        _y = randint(0, 10, new long[] { Batch });
    }

    [Benchmark(Baseline = true)]
    public void ForwardOnly()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _model.forward(_x);
    }

    [Benchmark]
    public void AdamStep()
    {
        using var scope = NewDisposeScope();
        var loss = nn.functional.cross_entropy(_model.forward(_x), _y);
        _adam.zero_grad();
        loss.backward();
        _adam.step();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose(); _y.Dispose(); _adam.Dispose(); _model.Dispose();
    }
}
