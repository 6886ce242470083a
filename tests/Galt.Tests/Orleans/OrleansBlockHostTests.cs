using Galt.Graph;
using Galt.Orleans;
using Galt.Tests.Graph;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Galt.Tests.Orleans;

/// <summary>The dense blocks of <see cref="MessageSeamTests"/>, by kind "dense" and the block's index as argument.</summary>
internal sealed class TestBlocks : IBlockFactory
{
    public Block Create(BlockSpec spec) => new(spec.Name, MessageSeamTests.Layer(int.Parse(spec.Arguments)), MessageSeamTests.BlockOptions());
}

/// <summary>Silos of the test cluster hold block grains built by <see cref="TestBlocks"/>.</summary>
public sealed class BlockSilo : ISiloConfigurator
{
    public void Configure(ISiloBuilder silo) => silo.AddGaltBlocks(new TestBlocks());
}

/// <summary>An in-process Orleans cluster of two silos, shared by the tests of this class.</summary>
public sealed class TwoSiloCluster : IDisposable
{
    public TwoSiloCluster()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<BlockSilo>();
        Cluster = builder.Build();
        Cluster.Deploy();
    }

    public TestCluster Cluster { get; }

    public void Dispose() => Cluster.StopAllSilos();
}

public class OrleansBlockHostTests : IClassFixture<TwoSiloCluster>
{
    private readonly TestCluster _cluster;

    public OrleansBlockHostTests(TwoSiloCluster fixture) => _cluster = fixture.Cluster;

    private static BlockSpec[] Specs => Enumerable.Range(0, MessageSeamTests.Widths.Length - 1).Select(v => new BlockSpec("dense", v.ToString(), $"block{v}", v)).ToArray();

    [Theory]
    [InlineData(Schedule.Jacobi, 1 << 26)]
    [InlineData(Schedule.GaussSeidel, 1 << 26)]
    [InlineData(Schedule.Jacobi, 4096)] // every state and most messages split into parts
    public void BlocksAsGrainsOnTwoSilosTrainAsTheInProcessReference(Schedule schedule, int partBytes)
    {
        var local = MessageSeamTests.Train(schedule);
        OrleansBlockHost? host = null;
        var grains = MessageSeamTests.Train(schedule, () => host = new OrleansBlockHost(_cluster.GrainFactory, Specs, siloOfBlock: new[] { 0, 1, 0, 1 }) { PartBytes = partBytes });
        using (host)
        {
            MessageSeamTests.AssertSame(local, grains, tolerance: 1e-6f);
            Assert.Equal(2, host!.Placement.Distinct().Count());
            Assert.Equal(host.Placement[0], host.Placement[2]);
            Assert.True(host.BytesSent > 0 && host.BytesReceived > 0 && host.Rounds > 0);
        }
    }

    [Fact]
    public async Task ABlockWhoseSiloStoppedIsNotRunFreshElsewhereTheRoundFailsAndSaysHowToRecover()
    {
        // A cluster of its own: one of its silos is stopped.
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<BlockSilo>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var specs = Specs;
            var blocks = specs.Select(s => new TestBlocks().Create(s)).ToArray();
            var g = new TorchSharp.torch.Generator(51);
            var x = TorchSharp.torch.randn(new long[] { 32, MessageSeamTests.Widths[0] }, generator: g);
            var y = TorchSharp.torch.randint(0, MessageSeamTests.Widths[^1], new long[] { 32 }, generator: g);
            using var host = new OrleansBlockHost(cluster.GrainFactory, specs, siloOfBlock: new[] { 0, 1, 0, 1 });
            using var chain = new SplitChain(blocks, x, y, host, new SplitChainOptions(InnerIterations: 1));
            chain.TrainBatch(Enumerable.Range(0, 8).Select(i => (long)i).ToArray());
            await cluster.StopSiloAsync(cluster.SecondarySilos[0]);
            var error = Assert.ThrowsAny<Exception>(() => chain.TrainBatch(Enumerable.Range(8, 8).Select(i => (long)i).ToArray()));
            Assert.Contains("holds no block state", error.Message);
            Assert.Contains("last checkpoint", error.Message);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
