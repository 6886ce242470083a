// Extending Galt without editing it: the worked examples of docs/extending.md, compiled and run by CI (a test checks
// that every code block of that page is in this file). Exit code 1 when one of them does not do what it says.
using Galt.Constraints;
using Galt.Continual;
using Galt.Continual.Plugins;
using Galt.Continual.Strategies;
using Galt.Optim;
using static TorchSharp.torch;

int failures = 0;
void Check(bool holds, string what)
{
    Console.WriteLine($"{(holds ? "ok  " : "FAIL")} {what}");
    if (!holds) failures++;
}

// 1. Your own task loss: an L1 loss on a regression stream, scored as −MSE.
using (var maps = Data.Regression())
{
    random.manual_seed(2);
    var l1 = new TaskObjective("l1",
        Loss: (outputs, targets) => nn.functional.l1_loss(outputs, targets),
        Score: (model, x, y) => TaskObjective.Regression.Score(model, x, y));
    var settings = new ContinualSettings(EpochsPerTask: 20, BatchSize: 32, Seed: 1) { Objective = l1 };
    using var replay = new ReplayStrategy();
    var regression = ContinualTrainer.Run(maps, () => new Regressor(), replay, settings);   // Accuracy holds −MSE
    // The untrained model scores about −1.3 and −0.8 on the two tasks.
    Check(regression.Accuracy[1][0] > -0.6 && regression.Accuracy[1][1] > -0.6, $"l1 objective: task scores (−MSE) after both tasks {regression.Accuracy[1][0]:0.000}, {regression.Accuracy[1][1]:0.000}");
}

// 2. Strategies that compose: replay beside GALT's retention constraints.
using (var clusters = Data.Clusters())
{
    random.manual_seed(0);
    using var composed = new GaltStrategy { Plugins = new[] { new ReplayPlugin() } };   // reported as "galt+replay"
    var both = ContinualTrainer.Run(clusters, () => new Classifier(), composed, new ContinualSettings(EpochsPerTask: 3, BatchSize: 32));
    Console.WriteLine("     R = " + string.Join(" / ", both.Accuracy.Select(r => string.Join(" ", r.Select(a => a.ToString("0.000"))))));
    // What composes is checked, not a tuned score: the name, the constraints holding, the first task kept.
    Check(both.Strategy == "galt+replay" && both.Accuracy[2][0] > 0.9 && both.Constraints?.Certificate?.AllFeasible == true,
        $"{both.Strategy}: task 0 kept ({both.Accuracy[2][0]:0.000} after the last task), constraints feasible");
}

// 3. A constraint of your own, held at every step of your own loop.
{
    random.manual_seed(3);
    using var classifier = new Classifier();
    var x = randn(256, 8);
    var y = x.narrow(1, 0, 1).squeeze(1).gt(0).to(ScalarType.Int64);   // the task: class 1 for half the inputs
    var probes = randn(64, 8);
    using var galt = new GaltOptimizer(classifier.named_parameters().Select(p => (p.name, p.parameter)), new GaltOptions { LearningRate = 1e-2 });
    galt.AddConstraint(new MeanClassMass(classifier, probes, margin: 0.3));   // the task pushes it up
    double worst = double.NegativeInfinity;
    for (int step = 0; step < 100; step++)
    {
        var result = galt.Step(() => nn.functional.cross_entropy(classifier.call(x), y));
        worst = Math.Max(worst, result.MeasuredValues[0]);   // C measured after the step was written
    }
    var row = galt.Certify().Rows.Single();
    Check(row.Feasible && worst <= 1e-6, $"{row.Name}: C = {row.Value:0.0000} after 100 steps, at most {worst:0.0000} after any step");
}
return failures == 0 ? 0 : 1;

/// <summary>A constraint of your own: the mean probability of class 1 on probe inputs stays at most the margin.</summary>
internal sealed class MeanClassMass(nn.Module<Tensor, Tensor> model, Tensor probes, double margin)
    : Constraint("class1_mass", ConstraintKind.Inequality, margin)
{
    /// <summary>The measure K(θ); the constraint is C = K − margin ≤ 0.</summary>
    public override Tensor Measure() => nn.functional.softmax(model.call(probes), 1).select(1, 1).mean();
}

/// <summary>Inputs 8 → class scores 6.</summary>
internal sealed class Classifier : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear hidden = nn.Linear(8, 32);
    private readonly TorchSharp.Modules.Linear output = nn.Linear(32, 6);

    public Classifier() : base(nameof(Classifier)) => RegisterComponents();

    public override Tensor forward(Tensor x) => output.call(nn.functional.relu(hidden.call(x)));
}

/// <summary>Inputs 4 → two real outputs.</summary>
internal sealed class Regressor : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear hidden = nn.Linear(4, 32);
    private readonly TorchSharp.Modules.Linear output = nn.Linear(32, 2);

    public Regressor() : base(nameof(Regressor)) => RegisterComponents();

    public override Tensor forward(Tensor x) => output.call(nn.functional.tanh(hidden.call(x)));
}

/// <summary>Seeded synthetic streams standing in for yours.</summary>
internal static class Data
{
    /// <summary>Two regression tasks: inputs around centre t, targets a task-specific linear map of them.</summary>
    public static TaskStream Regression()
    {
        var g = new Generator(11);
        ContinualTask Task(int t)
        {
            var map = randn(new long[] { 4, 2 }, generator: g);
            (Tensor, Tensor) Sample(int n)
            {
                var x = randn(new long[] { n, 4 }, generator: g) * 0.5 + (2.0 * t - 1);
                return (x, x.matmul(map));
            }
            var (trainX, trainY) = Sample(256);
            var (testX, testY) = Sample(128);
            return new ContinualTask(t, $"map {t}", trainX, trainY, testX, testY);
        }
        return TaskStream.FromTasks("maps", "two regression tasks", new[] { Task(0), Task(1) });
    }

    /// <summary>Three tasks of two Gaussian classes each (classes 2t, 2t + 1).</summary>
    public static TaskStream Clusters()
    {
        var centres = randn(new long[] { 6, 8 }, generator: new Generator(7)) * 2.5;
        ContinualTask Task(int t)
        {
            var g = new Generator((ulong)(100 + t));
            (Tensor, Tensor) Sample(int perClass)
            {
                var labels = new long[] { 2 * t, 2 * t + 1 };
                return (cat(labels.Select(l => centres[l] + randn(new long[] { perClass, 8 }, generator: g)).ToArray()),
                        cat(labels.Select(l => full(perClass, l, ScalarType.Int64)).ToArray()));
            }
            var (trainX, trainY) = Sample(200);
            var (testX, testY) = Sample(100);
            return new ContinualTask(t, $"classes {2 * t}, {2 * t + 1}", trainX, trainY, testX, testY);
        }
        return TaskStream.FromTasks("clusters", "three tasks of two clusters", Enumerable.Range(0, 3).Select(Task).ToArray());
    }
}
