using Galt.Checkpoints;
using Galt.Constraints;
using Galt.Continual;
using Galt.Continual.Strategies;
using static TorchSharp.torch;

namespace Galt.Tests.Checkpoints;

/// <summary>
/// A NaN that appears mid-run in a constraint's value or in a gradient (a batch: <see cref="ContinualResumeTests"/>)
/// stops a checkpointed GALT run with the non-finite error naming its source, and the last checkpoint, written before
/// the bad step, is whole and loads.
/// </summary>
public class NonFiniteMidRunTests
{
    /// <summary>After a given number of differentiable forwards, adds 0·√(0·Σw): value 0, gradient NaN.</summary>
    private sealed class GradientPoison : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;
        private readonly int _poisonAfter;
        private int _calls;

        public GradientPoison(int poisonAfter) : base(nameof(GradientPoison))
        {
            inner = nn.Sequential(("l1", nn.Linear(6, 16)), ("relu", nn.ReLU()), ("l2", nn.Linear(16, 6)));
            _poisonAfter = poisonAfter;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = inner.call(x);
            if (!is_grad_enabled() || ++_calls <= _poisonAfter) return y;
            var w = inner.parameters().First();
            return y + (w.sum() * 0).sqrt();
        }
    }

    /// <summary>A constraint (checkpointable: it has no state) whose value is NaN from its n-th differentiable evaluation on.</summary>
    private sealed class ValuePoison(nn.Module<Tensor, Tensor> model, int poisonAfter) : Constraint("poisoned", ConstraintKind.Inequality, 1.0), ICheckpointable
    {
        private int _calls;

        public override Tensor Measure()
        {
            var norm = model.parameters().First().pow(2).mean();
            return is_grad_enabled() && ++_calls > poisonAfter ? norm * double.NaN : norm;
        }

        public void Save(CheckpointWriter writer) { }

        public Action Prepare(CheckpointReader reader) => () => { };
    }

    private static TaskStream Stream()
    {
        var g = new Generator(3);
        ContinualTask Task(int t) => new(t, $"task {t}", randn(new long[] { 96, 6 }, generator: g), randint(0, 6, new long[] { 96 }, generator: g),
            randn(new long[] { 32, 6 }, generator: g), randint(0, 6, new long[] { 32 }, generator: g));
        return TaskStream.FromTasks("noise", "two tasks of noise", new[] { Task(0), Task(1) });
    }

    [Theory]
    [InlineData("gradient")]
    [InlineData("constraint")]
    public void ANonFiniteValueMidRunGivesTheClearErrorAndTheLastGoodCheckpointStillLoads(string where)
    {
        using var stream = Stream();
        var policy = new ContinualCheckpointing(Path.Combine(TempDir.Create(), "run.galt"), 2);
        random.manual_seed(1);
        using var strategy = new GaltStrategy
        {
            Anchors = new RetentionAnchors(perTask: 16),
            FromBirth = where == "constraint" ? m => new (Constraint, Constraint?)[] { (new ValuePoison(m, 5), null) } : null,
        };
        var e = Assert.Throws<NonFiniteValueException>(() =>
            ContinualTrainer.Run(stream, () => where == "gradient" ? new GradientPoison(5) : nn.Linear(6, 6), strategy, new ContinualSettings(BatchSize: 32), checkpoints: policy));
        Assert.Contains(where == "constraint" ? "poisoned" : "gradient", e.Message);
        Assert.Contains("NaN", e.Message, StringComparison.OrdinalIgnoreCase);
        var cursor = new CheckpointReader(CheckpointFile.Read(policy.Path), policy.Path).Scope("cursor").Longs("position");
        Assert.True(cursor[3] >= 2 && cursor[3] % 2 == 0, $"last checkpoint at step {cursor[3]}");
    }
}
