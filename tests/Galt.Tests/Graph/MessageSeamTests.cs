using Galt.Checkpoints;
using Galt.Constraints;
using Galt.Graph;
using Galt.Models;
using Galt.Multipliers;
using Galt.Optim;
using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Tests.Graph;

/// <summary>
/// The split-variable chain's message seam: a block's round is a function of its node's state and the message, so nodes
/// rebuilt elsewhere and reached only through encoded bytes train exactly as the in-process reference.
/// </summary>
public class MessageSeamTests
{
    internal static readonly int[] Widths = { 6, 12, 12, 8, 4 };

    internal static GaltOptions BlockOptions() => new() { LearningRate = 1e-2, WeightDecay = 0, RhoAnchor = 0, MultiplierRule = new PiDualRule(), Contract = null };

    internal static nn.Module<Tensor, Tensor> Layer(int v) => new DenseBlock(Widths[v], Widths[v + 1], relu: v + 2 < Widths.Length);

    internal sealed record Trained(float[] Parameters, double[] Lambdas, double[] Residuals, double SafetyValue);

    /// <summary>
    /// Trains a 4-block chain with a forbidden-mass constraint on every block for 3 epochs of 8 minibatches, its nodes on
    /// the host <paramref name="host"/> makes (null: in process).
    /// </summary>
    internal static Trained Train(Schedule schedule, Func<IBlockHost>? host = null)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(21);
        using var network = new BlockChain(Enumerable.Range(0, Widths.Length - 1).Select(Layer).ToArray());
        var g = new Generator(22);
        var x = randn(new long[] { 128, Widths[0] }, generator: g);
        var y = randint(0, Widths[^1], new long[] { 128 }, generator: g);
        var forbidden = zeros(16, Widths[^1]);
        forbidden[TensorIndex.Colon, 3] = 1;
        using var safety = new ForbiddenMassConstraint("forbid_3", network, randn(new long[] { 16, Widths[0] }, generator: g), forbidden, margin: 0.05);
        var blocks = network.Blocks.Select((f, v) => new Block($"block{v}", f, BlockOptions())).ToArray();
        using var chain = new SplitChain(blocks, x, y, host?.Invoke() ?? new LocalBlockHost(), new SplitChainOptions(Rho: 2, SplitStep: 0.1, InnerIterations: 2, Schedule: schedule, RhoGrowth: 1.2, RhoMax: 10), new Constraint[] { safety });
        var order = new Random(23);
        for (int epoch = 0; epoch < 3; epoch++)
            foreach (var batch in SupervisedTrainer.Batches(128, 16, order)) chain.TrainBatch(batch);
        var residuals = chain.ForwardResiduals();
        chain.Collect();
        var writer = new CheckpointWriter();
        chain.Save(writer); // collects the whole state: the blocks' external multipliers below are the twins'
        return new Trained(network.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray(),
            blocks.Select(b => b.Optimizer.Constraints[0].Lambda).ToArray(), residuals, safety.Value());
    }

    [Theory]
    [InlineData(Schedule.Jacobi)]
    [InlineData(Schedule.GaussSeidel)]
    public void NodesReachedOnlyThroughEncodedMessagesTrainExactlyAsTheInProcessReference(Schedule schedule)
    {
        var local = Train(schedule);
        WireBlockHost? host = null;
        var wire = Train(schedule, () => host = new WireBlockHost(v => new Block($"block{v}", Layer(v), BlockOptions())));
        using (host) Assert.True(host!.Bytes > 0);
        AssertSame(local, wire, tolerance: 0);
    }

    /// <summary>Equal parameters within <paramref name="tolerance"/>, and equal multipliers, residuals and safety value.</summary>
    internal static void AssertSame(Trained expected, Trained actual, float tolerance)
    {
        Assert.True(expected.Lambdas.Any(l => l > 0), "the safety constraint never bound: the test would not exercise the external rows");
        Assert.Equal(expected.Parameters.Length, actual.Parameters.Length);
        Assert.InRange(expected.Parameters.Zip(actual.Parameters).Max(p => Math.Abs(p.First - p.Second)), 0f, tolerance);
        if (tolerance == 0)
        {
            Assert.Equal(expected.Lambdas, actual.Lambdas);
            Assert.Equal(expected.Residuals, actual.Residuals);
            Assert.Equal(expected.SafetyValue, actual.SafetyValue);
        }
        else
        {
            Assert.All(expected.Lambdas.Zip(actual.Lambdas), l => Assert.Equal(l.First, l.Second, 1e-6));
            Assert.All(expected.Residuals.Zip(actual.Residuals), r => Assert.Equal(r.First, r.Second, 1e-6));
            Assert.Equal(expected.SafetyValue, actual.SafetyValue, 1e-6);
        }
    }

    [Fact]
    public void WithoutACollectTheCoordinatorsModulesStayWhereTheyWereOverTheWire()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(31);
        var layers = Enumerable.Range(0, Widths.Length - 1).Select(Layer).ToArray();
        var before = layers.SelectMany(l => l.parameters()).Select(p => p.detach().clone()).ToArray();
        var g = new Generator(32);
        var x = randn(new long[] { 64, Widths[0] }, generator: g);
        var y = randint(0, Widths[^1], new long[] { 64 }, generator: g);
        var blocks = layers.Select((f, v) => new Block($"block{v}", f, BlockOptions())).ToArray();
        using var wire = new WireBlockHost(v => new Block($"block{v}", Layer(v), BlockOptions()));
        using var chain = new SplitChain(blocks, x, y, wire, new SplitChainOptions(InnerIterations: 1));
        foreach (var batch in SupervisedTrainer.Batches(64, 16, new Random(33))) chain.TrainBatch(batch);
        var parameters = layers.SelectMany(l => l.parameters()).ToArray();
        Assert.All(parameters.Zip(before), p => Assert.True(p.First.detach().equal(p.Second).all().item<bool>(), "a node changed the coordinator's module: state is shared, not sent"));
        chain.Collect();
        Assert.Contains(parameters.Zip(before), p => !p.First.detach().equal(p.Second).all().item<bool>());
    }

    [Fact]
    public void AMessageSurvivesTheWireBitForBitAndABadOneIsNamed()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(41);
        var message = new BlockMessage(BlockRound.Step)
        {
            Indices = tensor(new long[] { 3, 1, 4 }), Input = randn(new long[] { 3, 5 }, generator: g), Targets = tensor(new long[] { 0, 2, 1 }),
            WantInputGradient = true,
            External = new[] { new Galt.Jacobians.ConstraintEvaluation("c", -0.25, new Tensor?[] { randn(new long[] { 5, 2 }, generator: g), null }) { StaleJacobian = true } },
        };
        var back = BlockWire.DecodeMessage(BlockWire.Encode(message));
        Assert.Equal(BlockRound.Step, back.Round);
        Assert.True(back.WantInputGradient);
        Assert.True(back.Indices!.equal(message.Indices).all().item<bool>());
        Assert.True(back.Input!.equal(message.Input).all().item<bool>());
        Assert.True(back.Targets!.equal(message.Targets).all().item<bool>());
        Assert.Null(back.NextGradient);
        var e = Assert.Single(back.External);
        Assert.Equal(("c", -0.25, true), (e.Name, e.Value, e.StaleJacobian));
        Assert.True(e.Jacobian[0]!.equal(message.External[0].Jacobian[0]!).all().item<bool>());
        Assert.Null(e.Jacobian[1]);

        var entries = new Dictionary<string, byte[]>(BlockWire.Encode(message)) { ["round"] = BitConverter.GetBytes(99) };
        var error = Assert.Throws<CheckpointException>(() => BlockWire.DecodeMessage(entries, "from block 2"));
        Assert.Contains("round", error.Message);
        Assert.Contains("from block 2", error.Message);
    }

    [Fact]
    public void ARoundANodeCannotServeIsAnErrorNamingTheBlock()
    {
        using var scope = NewDisposeScope();
        using var last = new BlockNode(3, new Block("block3", Layer(3), BlockOptions()), split: null, new SplitChainOptions());
        var error = Assert.Throws<InvalidOperationException>(() => last.Handle(new BlockMessage(BlockRound.Read)));
        Assert.Contains("block3", error.Message);
        using var inner = new BlockNode(0, new Block("block0", Layer(0), BlockOptions()), split: zeros(4, Widths[1]), new SplitChainOptions());
        var missing = Assert.Throws<InvalidOperationException>(() => inner.Handle(new BlockMessage(BlockRound.Split) { Indices = tensor(new long[] { 0 }), NextGradient = zeros(1, Widths[1]) }));
        Assert.Contains("Step round", missing.Message);
    }
}
