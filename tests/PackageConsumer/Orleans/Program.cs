// Galt.Orleans from its package: the two-block chain of the Galt.Graph consumer, once in process and once with its
// blocks as grains of a one-silo cluster on loopback. Exit code 1 unless both give the same parameters (1e-6).
using System.Net;
using System.Net.Sockets;
using Galt.Graph;
using Galt.Optim;
using Galt.Orleans;
using Microsoft.Extensions.Hosting;
using static TorchSharp.torch;

int FreePort() { var l = new TcpListener(IPAddress.Loopback, 0); l.Start(); int p = ((IPEndPoint)l.LocalEndpoint).Port; l.Stop(); return p; }
int siloPort = FreePort(), gatewayPort = FreePort();
using var silo = LocalhostClustering.Silo(siloPort, gatewayPort, siloPort, new TwoBlocks(), "consumer");
// Synchronous on the main thread: the chain blocks on each round, and it must not block a thread-pool thread the
// in-process silo needs (on two cores that starves the silo).
silo.StartAsync().GetAwaiter().GetResult();
using var client = LocalhostClustering.Client(new[] { gatewayPort }, "consumer");
client.StartAsync().GetAwaiter().GetResult();

float[] Train(Func<IBlockHost>? host)
{
    using var scope = NewDisposeScope();
    random.manual_seed(0);
    var x = randn(256, 8);
    var y = x.narrow(1, 0, 4).sum(1).gt(0).to(ScalarType.Int64);
    var blocks = new[] { TwoBlocks.Make(0), TwoBlocks.Make(1) };
    using var chain = host is null ? new SplitChain(blocks, x, y, new SplitChainOptions(InnerIterations: 2))
        : new SplitChain(blocks, x, y, host(), new SplitChainOptions(InnerIterations: 2));
    var rng = new Random(0);
    for (int epoch = 0; epoch < 5; epoch++)
        foreach (var batch in Enumerable.Range(0, 256).OrderBy(_ => rng.Next()).Chunk(64))
            chain.TrainBatch(batch.Select(i => (long)i).ToArray());
    chain.Collect();
    return blocks.SelectMany(b => b.Function.parameters()).SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
}

var local = Train(null);
OrleansBlockHost? grains = null;
var remote = Train(() => grains = new OrleansBlockHost(client.ClusterClient(), new[] { new BlockSpec("two", "", "hidden", 0), new BlockSpec("two", "", "head", 1) }));
double gap = local.Zip(remote).Max(p => Math.Abs(p.First - p.Second));
Console.WriteLine($"Galt.Orleans: blocks on {grains!.Placement[0]}; {grains.Rounds} rounds, {grains.BytesSent:N0} bytes sent; max |grains − in process| = {gap:G3}");
grains.Dispose();
client.StopAsync().GetAwaiter().GetResult();
silo.StopAsync().GetAwaiter().GetResult();
// The membership schema for several machines travels in the package (an embedded resource).
bool schema = PostgreSqlClustering.SchemaScript.Contains("CREATE TABLE OrleansMembershipTable", StringComparison.Ordinal);
Console.WriteLine($"Galt.Orleans: PostgreSQL membership schema {(schema ? "present" : "MISSING")} ({PostgreSqlClustering.SchemaScript.Length:N0} characters)");
return gap <= 1e-6 && schema ? 0 : 1;

/// <summary>The consumer's blocks, as the silo builds them: a hidden layer and a head.</summary>
internal sealed class TwoBlocks : IBlockFactory
{
    public static Block Make(int index) => index == 0
        ? new Block("hidden", nn.Sequential(("linear", nn.Linear(8, 32)), ("relu", nn.ReLU())), new GaltOptions { LearningRate = 1e-2 })
        : new Block("head", nn.Linear(32, 2), new GaltOptions { LearningRate = 1e-2 });

    public Block Create(BlockSpec spec) => Make(spec.Index);
}
