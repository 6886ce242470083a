// Galt.Graph from its package: a two-block network trained as a split-variable chain (each block a local GALT solve,
// forward consistency between them a constraint with multipliers). Exit code 1 unless it learns the task and its
// forward residuals stay small.
using Galt.Graph;
using Galt.Optim;
using static TorchSharp.torch;

random.manual_seed(0);
var x = randn(512, 8);
var y = x.narrow(1, 0, 4).sum(1).gt(0).to(ScalarType.Int64);
var options = new GaltOptions { LearningRate = 1e-2 };
var blocks = new[]
{
    new Block("hidden", nn.Sequential(("linear", nn.Linear(8, 32)), ("relu", nn.ReLU())), options),
    new Block("head", nn.Linear(32, 2), options),
};
using var chain = new SplitChain(blocks, x, y, new SplitChainOptions(InnerIterations: 2));
var rng = new Random(0);
for (int epoch = 0; epoch < 20; epoch++)
    foreach (var batch in Enumerable.Range(0, 512).OrderBy(_ => rng.Next()).Chunk(64))
        chain.TrainBatch(batch.Select(i => (long)i).ToArray());
double accuracy;
using (no_grad()) accuracy = chain.Forward(x).argmax(1).eq(y).to(ScalarType.Float64).mean().item<double>();
double residual = chain.ForwardResiduals().Max();
Console.WriteLine($"Galt.Graph: training accuracy {accuracy:0.000}, largest forward residual {residual:0.0000}");
return accuracy > 0.9 && double.IsFinite(residual) ? 0 : 1;
