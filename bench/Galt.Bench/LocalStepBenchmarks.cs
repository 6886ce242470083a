using BenchmarkDotNet.Attributes;
using Galt.Constraints;
using Galt.Experiments.Benchmarks;
using Galt.Jacobians;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Bench;

/// <summary>
/// One GaltOptimizer step's algebra (everything but gradients and Jacobians) on the 1,000,000 parameters of
/// <c>galt bench solve</c> (<see cref="SolveBenchmark.Shapes"/>) with k violated constraints, on either step kernel,
/// against one TorchSharp AdamW step on the same parameters (the baseline).
/// </summary>
[MemoryDiagnoser]
public class LocalStepBenchmarks
{
    private Parameter[] _galtParameters = [], _adamParameters = [];
    private Tensor?[] _gradients = [];
    private ConstraintEvaluation[] _evaluations = [];
    private GaltOptimizer _galt = null!;
    private optim.Optimizer _adamW = null!;

    /// <summary>Constraints.</summary>
    [Params(0, 4, 16)]
    public int K { get; set; }

    /// <summary>Fused CPU kernels or the tensor path.</summary>
    [ParamsAllValues]
    public StepKernel Kernel { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var generator = new Generator(1);
        _galtParameters = SolveBenchmark.Shapes.Select(s => new Parameter(randn(s, generator: generator))).ToArray();
        _adamParameters = _galtParameters.Select(p => new Parameter(p.detach().clone())).ToArray();
        _gradients = _galtParameters.Select(p => (Tensor?)randn(p.shape, generator: generator)).ToArray();
        _evaluations = Enumerable.Range(0, K)
            .Select(i => new ConstraintEvaluation($"c{i}", 0.01 * (i + 1), _galtParameters.Select(p => (Tensor?)randn(p.shape, generator: generator)).ToArray()))
            .ToArray();
        _galt = new GaltOptimizer(_galtParameters.Select((p, i) => ($"p{i}", p)), new GaltOptions { Kernel = Kernel });
        for (int i = 0; i < K; i++) _galt.AddConstraint($"c{i}", ConstraintKind.Inequality);
        _adamW = optim.AdamW(_adamParameters, 2e-4, weight_decay: 0.01);
        _adamParameters.Zip(_gradients).Select(pg => (pg.First * pg.Second!).sum()).Aggregate((a, b) => a + b).backward();
    }

    [Benchmark(Baseline = true)]
    public void AdamWStep() => _adamW.step();

    [Benchmark]
    public void GaltStep() => _galt.Step(_gradients, _evaluations);

    [GlobalCleanup]
    public void Cleanup()
    {
        _galt.Dispose();
        _adamW.Dispose();
        foreach (var t in _galtParameters.Concat(_adamParameters)) t.Dispose();
        foreach (var t in _gradients) t?.Dispose();
        foreach (var e in _evaluations) e.Dispose();
    }
}
