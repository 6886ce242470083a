using Galt.Checkpoints;
using Galt.Continual;
using Galt.Continual.Strategies;
using static TorchSharp.torch;

namespace Galt.Tests.Checkpoints;

/// <summary>
/// A continual run interrupted after step k and resumed from its checkpoint ends bit for bit as the uninterrupted run:
/// parameters, accuracies, backprop counts, and every constraint's λ, ρ and value after every step. Three tasks of 8
/// steps (2 epochs of 4 batches); k inside a task's first epoch, at a task boundary, and inside an outer K_in window.
/// </summary>
public class ContinualResumeTests
{
    private static TaskStream Stream()
    {
        var g = new Generator(11);
        ContinualTask Task(int t)
        {
            using var scope = NewDisposeScope();
            Tensor Points(int n, int label) => randn(new long[] { n, 6 }, generator: g) * 0.5 + nn.functional.one_hot(tensor((long)(label % 6)), 6).to(ScalarType.Float32) * 2;
            var labels = new[] { 2 * t, 2 * t + 1 };
            var trainX = cat(labels.Select(l => Points(64, l)).ToArray());
            var trainY = cat(labels.Select(l => full(64, l, ScalarType.Int64)).ToArray());
            var testX = cat(labels.Select(l => Points(32, l)).ToArray());
            var testY = cat(labels.Select(l => full(32, l, ScalarType.Int64)).ToArray());
            return new ContinualTask(t, $"classes {2 * t}, {2 * t + 1}", trainX.MoveToOuterDisposeScope(), trainY.MoveToOuterDisposeScope(),
                testX.MoveToOuterDisposeScope(), testY.MoveToOuterDisposeScope());
        }
        return TaskStream.FromTasks("points", "three tasks of two classes", new[] { Task(0), Task(1), Task(2) });
    }

    private static nn.Module<Tensor, Tensor> Model() => nn.Sequential(("l1", nn.Linear(6, 16)), ("relu", nn.ReLU()), ("l2", nn.Linear(16, 6)));

    private static readonly ContinualSettings Settings = new(EpochsPerTask: 2, BatchSize: 32, Seed: 4);

    private static Strategy Create(string name) => name switch
    {
        "naive" => new NaiveStrategy(),
        "ewc" => new EwcStrategy { FisherBatches = 2 },
        "replay" => new ReplayStrategy(),
        "agem" => new AgemStrategy { ReferenceBatch = 16 },
        "galt" => new GaltStrategy { Anchors = new RetentionAnchors(perTask: 24) },
        "galt_hessian" => new GaltHessianStrategy { Anchors = new RetentionAnchors(perTask: 24) },
        "soft_penalty" => new SoftPenaltyStrategy(2.0) { Anchors = new RetentionAnchors(perTask: 24) },
        "galt_lowbp" => new GaltLowBpStrategy { Anchors = new RetentionAnchors(perTask: 24), Schedule = new RefreshSchedule(RefreshPeriod: 3, Trigger: 10) },
        // A composed strategy: the plugin's memory and draws are checkpointed with it.
        "galt+replay" => new GaltStrategy { Anchors = new RetentionAnchors(perTask: 24), Plugins = new[] { new Galt.Continual.Plugins.ReplayPlugin() } },
        _ => throw new ArgumentException(name),
    };

    private sealed record Outcome(StrategyResult Result, Tensor[] Parameters);

    private static Outcome Run(TaskStream stream, string strategyName, ContinualCheckpointing? checkpoints)
    {
        using var strategy = Create(strategyName);
        random.manual_seed(5);
        Tensor[] final = Array.Empty<Tensor>();
        var probes = new Dictionary<string, Func<nn.Module<Tensor, Tensor>, double>>
        {
            ["snapshot"] = m =>
            {
                foreach (var t in final) t.Dispose();
                final = m.parameters().Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
                return final.Sum(t => t.to(ScalarType.Float64).sum().item<double>());
            },
        };
        // The low-BP hybrid trains each hidden layer through a local head, so it needs the LoRA MLP.
        Func<nn.Module<Tensor, Tensor>> model = strategyName == "galt_lowbp" ? () => new Galt.Models.LoraMlp(2, 6, 16, 12, 6) : Model;
        var result = ContinualTrainer.Run(stream, model, strategy, Settings, probes: probes, checkpoints: checkpoints);
        return new Outcome(result, final);
    }

    private static void AssertIdentical(Outcome expected, Outcome actual, string what)
    {
        Assert.Equal(expected.Parameters.Length, actual.Parameters.Length);
        for (int p = 0; p < expected.Parameters.Length; p++)
            Assert.True(expected.Parameters[p].bytes.SequenceEqual(actual.Parameters[p].bytes), $"{what}: parameter tensor {p} differs");
        for (int i = 0; i < expected.Result.Accuracy.Length; i++)
            Assert.Equal(expected.Result.Accuracy[i], actual.Result.Accuracy[i]);
        Assert.Equal(expected.Result.Probes["snapshot"], actual.Result.Probes["snapshot"]);
        Assert.Equal(expected.Result.GlobalBackprops, actual.Result.GlobalBackprops);
        if (expected.Result.Constraints is not { } trace) return;
        var other = actual.Result.Constraints!;
        Assert.Equal(trace.Names, other.Names);
        foreach (var name in trace.Names) Assert.Equal(trace.Of(name), other.Of(name));
        Assert.Equal(trace.Solves, other.Solves);
        Assert.Equal(trace.Contract, other.Contract);   // what the step contract did, counted across the interruption
        Assert.Equal(trace.Certificate!.Rows.Select(r => (r.Value, r.Lambda, r.HeldOutValue)), other.Certificate!.Rows.Select(r => (r.Value, r.Lambda, r.HeldOutValue)));
    }

    [Theory]
    [InlineData("naive")]
    [InlineData("ewc")]
    [InlineData("replay")]
    [InlineData("agem")]
    [InlineData("galt")]
    [InlineData("galt_hessian")]
    [InlineData("soft_penalty")]
    [InlineData("galt_lowbp")]
    [InlineData("galt+replay")]
    public void AResumedRunEqualsTheUninterruptedRunBitForBit(string strategy)
    {
        using var stream = Stream();
        var uninterrupted = Run(stream, strategy, null);
        // k = 3: inside task 0's first epoch; 8: the boundary after task 0; 12: inside task 1 and inside a K_in = 5 window
        // (galt's outer step fell at step 10); 19 with checkpoints every 4: the run redoes steps 17–19 from step 16's checkpoint.
        foreach (var (k, every) in new[] { (3, 1), (8, 1), (12, 1), (19, 4) })
        {
            string folder = TempDir.Create();
            var policy = new ContinualCheckpointing(Path.Combine(folder, "run.galt"), every) { Resume = true };
            Assert.Throws<OperationCanceledException>(() => Run(stream, strategy, policy with { StopAfterStep = k }));
            Assert.True(File.Exists(policy.Path));
            var resumed = Run(stream, strategy, policy);
            AssertIdentical(uninterrupted, resumed, $"{strategy}, interrupted after step {k} (checkpoints every {every})");
        }
    }

    [Fact]
    public void ANonFiniteBatchMidRunGivesTheClearErrorAndTheLastGoodCheckpointStillLoads()
    {
        using var stream = Stream();
        string folder = TempDir.Create();
        var policy = new ContinualCheckpointing(Path.Combine(folder, "run.galt"), 2) { Resume = true };
        using (no_grad()) stream.Tasks[1].TrainX[5, 2] = float.NaN;   // one pixel of one example of task 1
        var e = Assert.Throws<NonFiniteValueException>(() => Run(stream, "galt", policy));
        Assert.Contains("no state was changed", e.Message);
        // The last checkpoint was written before the bad step: whole, verified, and a run resumes from it.
        var entries = CheckpointFile.Read(policy.Path);
        var position = new CheckpointReader(entries, policy.Path).Scope("cursor").Longs("position");
        Assert.Equal(1, position[0]);                 // inside task 1
        Assert.True(position[3] >= 8 && position[3] < 16, $"checkpointed step {position[3]}");
        using (no_grad()) stream.Tasks[1].TrainX[5, 2] = 0f;
        var resumed = Run(stream, "galt", policy);
        Assert.Equal(3, resumed.Result.Accuracy.Length);
        Assert.False(double.IsNaN(resumed.Result.Accuracy[2][0]));
    }

    [Fact]
    public void ACheckpointOfAnotherRunIsRefusedByName()
    {
        using var stream = Stream();
        string folder = TempDir.Create();
        var policy = new ContinualCheckpointing(Path.Combine(folder, "run.galt"), 1) { Resume = true };
        Assert.Throws<OperationCanceledException>(() => Run(stream, "naive", policy with { StopAfterStep = 2 }));
        var e = Assert.Throws<CheckpointException>(() => Run(stream, "galt", policy));
        Assert.Contains("run.galt", e.Message);
        Assert.Contains("strategy naive", e.Message);
    }

    [Fact]
    public void AStrategyThatCannotWriteItsStateIsRefusedBeforeTraining()
    {
        using var stream = Stream();
        // A constraint held from birth that has no checkpoint support (a function of the parameters).
        using var strategy = new GaltStrategy
        {
            FromBirth = m => new (Galt.Constraints.Constraint, Galt.Constraints.Constraint?)[]
            {
                (new Galt.Constraints.FunctionConstraint("weight_norm", Galt.Constraints.ConstraintKind.Inequality, () => m.parameters().First().pow(2).sum(), margin: 10), null),
            },
        };
        var policy = new ContinualCheckpointing(Path.Combine(TempDir.Create(), "run.galt"), 1);
        var e = Assert.Throws<NotSupportedException>(() => ContinualTrainer.Run(stream, Model, strategy, Settings, checkpoints: policy));
        Assert.Contains(strategy.Name, e.Message);
        Assert.Contains("cannot be checkpointed", e.Message);
        Assert.False(File.Exists(policy.Path));
        // Asked to fall back (as a run journal does), it trains without writing checkpoints.
        using var again = new GaltStrategy
        {
            FromBirth = m => new (Galt.Constraints.Constraint, Galt.Constraints.Constraint?)[]
            {
                (new Galt.Constraints.FunctionConstraint("weight_norm", Galt.Constraints.ConstraintKind.Inequality, () => m.parameters().First().pow(2).sum(), margin: 10), null),
            },
        };
        var result = ContinualTrainer.Run(stream, Model, again, Settings, checkpoints: policy with { FallBackWhenUnsupported = true });
        Assert.Equal(3, result.Accuracy.Length);
        Assert.False(File.Exists(policy.Path));
    }
}
