// A continual-learning loop on your own data.
//
// Three tasks arrive one after another (here: seeded Gaussian clusters, two new classes per task, one shared 6-way
// head). Plain fine-tuning learns each task and forgets the earlier ones; GALT registers a KL-retention constraint on
// replayed examples after each task and keeps them. Swap Data.Task for your tensors and Model for your module.
// Prints R[i][j] (accuracy on task j after training task i) per strategy. Exit code 1 if GALT does not beat plain
// fine-tuning on average accuracy or its retention constraints end infeasible.
using Galt.Continual;
using Galt.Continual.Strategies;
using static TorchSharp.torch;

var settings = new ContinualSettings(EpochsPerTask: 3, BatchSize: 32, Seed: 0);
var results = new List<StrategyResult>();
foreach (Strategy strategy in new Strategy[] { new NaiveStrategy(), new GaltStrategy() })
{
    // Your data: any (input, label) tensors per task. Your model: any nn.Module<Tensor, Tensor> from inputs to scores.
    using var stream = TaskStream.FromTasks("clusters", "three tasks of two Gaussian clusters each",
        Enumerable.Range(0, 3).Select(Data.Task).ToArray());
    random.manual_seed(0);
    results.Add(ContinualTrainer.Run(stream, () => new Model(), strategy, settings));
    strategy.Dispose();
}

foreach (var r in results)
{
    Console.WriteLine($"{r.Strategy}: average accuracy {r.AverageAccuracy:0.000}, forgetting {r.Forgetting:0.000}, {r.WallSeconds:0.0} s");
    for (int i = 0; i < r.Accuracy.Length; i++)
        Console.WriteLine("  after task " + i + ": " + string.Join("  ", r.Accuracy[i].Select(a => double.IsNaN(a) ? "   -  " : $"{a:0.000}")));
    if (r.Constraints?.Certificate is { } certificate)
        foreach (var row in certificate.Rows)
            Console.WriteLine($"  {row.Name}: C = {row.Value:0.0000} ({(row.Feasible ? "holds" : "violated")}), held-out C = {row.HeldOutValue:0.0000}");
}

var naive = results[0];
var galt = results[1];
if (galt.AverageAccuracy <= naive.AverageAccuracy || galt.Constraints?.Certificate?.AllFeasible != true)
{
    Console.Error.WriteLine("GALT did not keep the earlier tasks better than plain fine-tuning, or a retention constraint ended violated.");
    return 1;
}
return 0;

/// <summary>Any module from inputs to class scores.</summary>
internal sealed class Model : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear hidden = nn.Linear(8, 64);
    private readonly TorchSharp.Modules.Linear output = nn.Linear(64, 6);

    public Model() : base(nameof(Model)) => RegisterComponents();

    public override Tensor forward(Tensor x) => output.call(nn.functional.relu(hidden.call(x)));
}

/// <summary>Seeded synthetic tasks standing in for yours.</summary>
internal static class Data
{
    /// <summary>Task t: classes 2t and 2t + 1, each a Gaussian cluster around its own centre in 8 dimensions.</summary>
    public static ContinualTask Task(int t)
    {
        var g = new Generator((ulong)(100 + t));
        var centres = randn(new long[] { 6, 8 }, generator: new Generator(7)) * 2.5;   // the same centres for every task
        (Tensor X, Tensor Y) Sample(int perClass)
        {
            var labels = new long[] { 2 * t, 2 * t + 1 };
            var x = cat(labels.Select(l => centres[l] + randn(new long[] { perClass, 8 }, generator: g)).ToArray());
            var y = cat(labels.Select(l => full(perClass, l, ScalarType.Int64)).ToArray());
            return (x, y);
        }
        var (trainX, trainY) = Sample(200);
        var (testX, testY) = Sample(100);
        return new ContinualTask(t, $"classes {2 * t}, {2 * t + 1}", trainX, trainY, testX, testY);
    }
}
