using Galt.Constraints;
using Galt.Multipliers;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>
/// The quantile–Huber dual signal (RQ-TTSA) on min (x − 2)² s.t. x − 1 ≤ 0 (λ* = 2), with the constraint observed
/// through heavy-tailed Student-t (ν = 1.5, infinite variance) noise.
/// </summary>
public class RobustSignalTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public RobustSignalTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    private const int Steps = 1500, Tail = 200;

    private static double[] LambdaTrace(RobustSignalOptions? robust, double noiseScale)
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(tensor(new double[] { 0 }, ScalarType.Float64), requires_grad: true);
        var noise = new StudentT(1.5, seed: 17);
        double current = 0;
        var options = new GaltOptions
        {
            LearningRate = 0.02, WeightDecay = 0, Penalty = new PenaltySchedule(Initial: 1, Floor: 1, Ceiling: 1),
            MultiplierRule = new PiDualRule(RhoI: 1.0, Robust: robust), Contract = null, // the robust signal filters the PI rule's input
        };
        using var optimizer = new GaltOptimizer(new[] { ("x", x) }, options);
        optimizer.AddConstraint(new FunctionConstraint("noisy_bound", ConstraintKind.Inequality, () => x.sum() - 1 + current));
        var trace = new double[Steps];
        for (int s = 0; s < Steps; s++)
        {
            current = noiseScale * noise.Next();
            optimizer.Step(() => (x - 2).pow(2).sum());
            trace[s] = optimizer.Constraints[0].Lambda;
        }
        return trace;
    }

    private static (double Mean, double Variance) TailStats(double[] trace)
    {
        var tail = trace[^Tail..];
        double mean = tail.Average();
        return (mean, tail.Select(v => (v - mean) * (v - mean)).Average());
    }

    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void ClippingLowersLambdaVarianceAndKeepsItsMean()
    {
        var (exactMean, _) = TailStats(LambdaTrace(null, noiseScale: 0));
        Assert.Equal(2.0, exactMean, 2); // the noise-free run finds λ* = 2

        var (plainMean, plainVariance) = TailStats(LambdaTrace(null, noiseScale: 0.05));
        var (robustMean, robustVariance) = TailStats(LambdaTrace(new RobustSignalOptions(Window: 50, Quantile: 0.9), noiseScale: 0.05));

        _output.WriteLine($"noise-free λ mean {exactMean:0.0000}; plain: mean {plainMean:0.0000}, variance {plainVariance:e3}; clipped: mean {robustMean:0.0000}, variance {robustVariance:e3}");
        TrainedMetric.AtMost($"λ variance over the last {Tail} steps, clipped / plain", robustVariance / plainVariance, 1);
        TrainedMetric.AtMost("|λ mean clipped − noise-free| / noise-free", Math.Abs(robustMean - exactMean) / exactMean, 0.1);
    }

    [Fact]
    public void WindowClipsAtTheQuantileOnceItHasEnoughSamples()
    {
        var window = new RobustSignalWindow(new RobustSignalOptions(Window: 10, Quantile: 0.5, MinimumSamples: 4));
        foreach (var v in new[] { 1.0, -2.0, 3.0 }) Assert.Equal(v, window.Filter(v)); // too few samples: unchanged
        Assert.Equal(100.0, window.Filter(100.0));                                       // 3 samples seen: still unchanged
        Assert.Equal(-2.5, window.Filter(-50.0));                                        // median of |1|,|−2|,|3|,|100| = 2.5
        Assert.Equal(0.5, RobustSignalWindow.QuantileOf(new[] { 0.0, 1.0 }, 0.5));
    }
}
