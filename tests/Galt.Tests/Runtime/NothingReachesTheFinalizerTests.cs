using Galt.Constraints;
using Galt.Experiments;
using Galt.Experiments.Benchmarks.ConstraintGrid;
using Galt.Experiments.SafetyFromBirth;
using Galt.Experiments.TypedChannels;
using Galt.Models;
using Galt.Optim;
using Galt.Continual;
using Galt.Tests.Channels;
using Galt.Tests.Cli;
using Galt.Tests.Curriculum;
using Galt.Tests.Data;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Galt.Tests.Runtime;

/// <summary>
/// No TorchSharp object that Galt makes reaches the garbage collector's finalizer. Each test runs a training
/// path — a user's own loop with each optimizer, and every experiment (every continual strategy, the split-variable
/// chain, the carriers, the curriculum model, the memory gates, the constraint grid) at its smallest size — and the
/// class attribute fails it if any TorchSharp object made meanwhile was finalized instead of disposed.
/// </summary>
[NoTorchObjectFinalized]
public class NothingReachesTheFinalizerTests
{
    private readonly ITestOutputHelper _output;

    public NothingReachesTheFinalizerTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AUsersOwnLoopWithEachOptimizerAndBindingConstraints(bool hessian)
    {
        random.manual_seed(5).Dispose();
        using var model = new Mlp(6, 16, 16, 4);
        using var g = new Generator(6);
        using var x = randn(new long[] { 32, 6 }, generator: g);
        using var y = zeros(new long[] { 32 }, dtype: ScalarType.Int64);
        using var anchors = randn(new long[] { 16, 6 }, generator: g);
        using var probes = randn(new long[] { 16, 6 }, generator: g);
        using var mask = zeros(16, 4);
        using (var forbidden = ones(16)) mask[TensorIndex.Colon, 0] = forbidden;
        using var retain = new KlRetentionConstraint("retain", model, anchors, margin: 0.001);
        using var forbid = new ForbiddenMassConstraint("forbid_0", model, probes, mask, margin: 0.6);
        using ConstrainedOptimizer optimizer = hessian
            ? new AlHessianOptimizer(model.named_parameters(), new AlHessianOptions { LearningRate = 1e-2 })
            : new GaltOptimizer(model.named_parameters(), new GaltOptions { LearningRate = 1e-2 });
        optimizer.AddConstraint(retain);
        optimizer.AddConstraint(forbid);
        for (int s = 0; s < 40; s++) optimizer.Step(() => nn.functional.cross_entropy(model.call(x), y));
        Assert.True(optimizer.Constraints.Any(c => c.Lambda > 0), "no constraint bound: the constrained step was not exercised");
    }

    [Fact]
    public void SplitMnistWithEveryContinualStrategy() =>
        RunsCleanly("run", "split-mnist", "--quick", "--data-dir", SyntheticMnist.WriteDirectory(trainCount: 600, testCount: 200), "--out", TempDir.Create());

    [Fact]
    public void KktDemo() => RunsCleanly("run", "kkt-demo", "--out", TempDir.Create());

    [Fact]
    public void GraphDemoSplitVariableChain() =>
        RunsCleanly("run", "graph-demo", "--quick", "--data-dir", SyntheticMnist.WriteDirectory(trainCount: 600, testCount: 200), "--out", TempDir.Create());

    [Fact]
    public void MemoryGates() => RunsCleanly("run", "memory-gates", "--quick", "--out", TempDir.Create());

    [Fact]
    public void CurriculumGate() =>
        RunsCleanly("run", "curriculum-gate", "--quick", "--steps", "30", "--data-dir", SyntheticCurriculum.Write(), "--out", TempDir.Create());

    [Fact]
    public void ConstraintGridCells()
    {
        foreach (var cell in GridSelection.For(quick: false, variant: null).Cells().Where(c => c.LearningRate == 1e-2).GroupBy(c => (c.Kind, c.Model)).Select(group => group.First()))
            foreach (var method in new[] { GridMethod.Galt, GridMethod.Hessian, GridMethod.SoftPenalty(1) })
                GridRun.Run(cell, method, seed: 1, new GridRunSettings(Steps: 8));
    }

    [SkippableFact]
    public void SafetyFromBirthOnATinyCarrier()
    {
        ReleasePromptsRequired.SkipIfAbsent();
        new SafetyFromBirthExperiment { CarrierFactory = _ => RoutedCarrierTests.TinyCarrier() }.Run(RunContext.Silent(quick: true));
    }

    [SkippableFact]
    public void TypedChannelsOnATinyCarrier()
    {
        ReleasePromptsRequired.SkipIfAbsent();
        new TypedChannelsExperiment { BlockSize = 2, CarrierFactory = _ => RoutedCarrierTests.TinyCarrier() }
            .Run(new RunContext(0, true, null, NullProgress.Instance) { Steps = 1, SeedCount = 1, SeedCountGiven = true });
    }

    [SkippableFact]
    public void TypedChannelsOnThePretrainedMiniLmCarrier()
    {
        ReleasePromptsRequired.SkipIfAbsent();
        RunsCleanly("run", "typed-channels", "--quick", "--variant", "v2-typed-identity", "--out", TempDir.Create());
    }

    private static void RunsCleanly(params string[] args)
    {
        var (exit, text) = CliTests.Invoke(args);
        Assert.True(exit == 0, text);
    }
}
