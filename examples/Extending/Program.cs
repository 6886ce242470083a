// Extending Galt without editing it: the worked examples of docs/extending.md, compiled and run by CI (a test checks
// that every code block of that page is in this file). Exit code 1 when one of them does not do what it says.
using Galt.Channels;
using Galt.Checkpoints;
using Galt.Constraints;
using Galt.Continual;
using Galt.Continual.Plugins;
using Galt.Continual.Strategies;
using Galt.Graph;
using Galt.Jacobians;
using Galt.Multipliers;
using Galt.Optim;
using Galt.Tensors;
using TorchSharp.Modules;
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
// 4. A multiplier rule of your own, with its own state, moving λ for GaltOptimizer.
{
    var x = new Parameter(zeros(2, ScalarType.Float64));
    var options = new GaltOptions { LearningRate = 0.1, WeightDecay = 0, Contract = null, MultiplierRule = new DeadBandAscent(StepSize: 2, Band: 0.01) };
    using var galt = new GaltOptimizer(new[] { ("x", x) }, options);
    galt.AddConstraint(new FunctionConstraint("sum_at_most_1", ConstraintKind.Inequality, () => x.sum(), margin: 1));   // the task wants sum 2
    for (int step = 0; step < 200; step++)
    {
        using var scope = NewDisposeScope();
        galt.Step(() => x.Minus(1.0).square().sum());
    }
    var status = galt.Constraints[0];
    int moves = ((DeadBandAscent.Moves)status.Rule).Count;
    var checkpoint = new CheckpointWriter();
    galt.Save(checkpoint);   // λ, ρ and the rule's own state, under the rule's name
    using var resumed = new GaltOptimizer(new[] { ("x", new Parameter(zeros(2, ScalarType.Float64))) }, options);
    resumed.AddConstraint("sum_at_most_1", ConstraintKind.Inequality);
    resumed.Prepare(new CheckpointReader(checkpoint.Entries, "in memory"))();
    int resumedMoves = ((DeadBandAscent.Moves)resumed.Constraints[0].Rule).Count;
    double c = galt.Certify().Rows.Single().Value;
    // At the optimum x = (½, ½) the task's pull ∇‖x − 1‖² = (−1, −1) is balanced by λ* = 1.
    Check(galt.Rule.Name == "dead-band-ascent" && moves > 0 && Math.Abs(status.Lambda - 1) < 0.05 && c <= 0 && c >= -0.01 && resumedMoves == moves,
        $"{galt.Rule.Name}: λ = {status.Lambda:0.000} (λ* = 1) after {moves} moves in 200 steps, C = {c:0.0000} inside the band [−0.01, 0]; {resumedMoves} moves after a checkpoint round trip");
}

// 5. A layer Jacobian rule of your own: the batched Jacobian path then serves a model with your layer.
using (NewDisposeScope())
{
    random.manual_seed(5);
    using var model = new ScaledClassifier();
    string? before = BatchedJacobians.Unsupported(model);   // names the Scale layer: no rule yet
    LayerJacobianRules.Register(new ScaleRule());
    using var noClass0 = new ForbiddenMassConstraint("no_class_0", model, randn(32, 8), nn.functional.one_hot(zeros(32, ScalarType.Int64), 6), margin: 0.55);
    var parameters = model.parameters().ToArray();
    var batched = ConstraintEvaluator.Evaluate(new[] { noClass0 }, parameters, JacobianPath.Batched)[0];
    var autograd = ConstraintEvaluator.Evaluate(new[] { noClass0 }, parameters, JacobianPath.Autograd)[0];
    double gap = batched.Jacobian.Zip(autograd.Jacobian, (b, a) => (b! - a!).abs().max().item<float>()).Max();
    double largest = autograd.Jacobian.Max(a => a!.abs().max().item<float>());
    using var galt = new GaltOptimizer(model.named_parameters(), new GaltOptions { LearningRate = 1e-2, Jacobians = JacobianPath.Batched });
    galt.AddConstraint(noClass0);
    var x = randn(64, 8);
    double worst = double.NegativeInfinity;
    for (int step = 0; step < 20; step++)
    {
        using var scope = NewDisposeScope();
        var result = galt.Step(() => nn.functional.cross_entropy(model.call(x), zeros(64, ScalarType.Int64)));   // the task pushes class 0 up
        worst = Math.Max(worst, result.MeasuredValues[0]);
    }
    // C starts at about −0.05: the task drives it to the boundary within a few steps, where it is held.
    Check(before is not null && BatchedJacobians.Unsupported(model) is null && gap <= 1e-5 * largest && worst <= 0 && worst > -0.005,
        $"Scale layer: batched Jacobian of {noClass0.Name} equals autograd's to {gap:0.0e0} (largest entry {largest:0.000}); 20 batched-only GaltOptimizer steps, C at most {worst:0.0000}");
}

// 6. A block executor of your own, running a split chain's phases.
{
    var x = randn(new long[] { 256, 8 }, generator: new Generator(6));
    var y = x.narrow(1, 0, 1).squeeze(1).gt(0).to(ScalarType.Int64);
    float[] Train(IBlockExecutor executor)
    {
        random.manual_seed(6);
        var options = new GaltOptions { LearningRate = 1e-2 };
        var blocks = new[]
        {
            new Block("hidden", nn.Sequential(nn.Linear(8, 16), nn.ReLU()), options),
            new Block("middle", nn.Sequential(nn.Linear(16, 16), nn.ReLU()), options),
            new Block("head", nn.Linear(16, 6), options),
        };
        using var chain = new SplitChain(blocks, x, y, new SplitChainOptions(InnerIterations: 2), executor);
        for (int batch = 0; batch < 4; batch++) chain.TrainBatch(Enumerable.Range(64 * batch, 64).Select(i => (long)i).ToArray());
        using var scores = chain.Forward(x).detach();
        foreach (var block in blocks) block.Dispose();
        return scores.data<float>().ToArray();
    }
    var reversed = new ReversedExecutor();
    var mine = Train(reversed);
    var reference = Train(new SequentialExecutor());
    // Per batch a read round (2 split variables), 2 Jacobi sweeps of a step round (3 blocks) and a split round (2), and
    // a dual round (2); 4 batches.
    Check(reversed.Phases == 4 * (1 + 2 * 2 + 1) && reversed.Steps == 4 * (2 + 2 * (3 + 2) + 2) && mine.SequenceEqual(reference),
        $"reversed executor: {reversed.Phases} phases, {reversed.Steps} steps; the chain's scores equal the sequential executor's bit for bit");
}
// 7. A carrier of your own: the routed channels over a model that is not a text encoder.
{
    var x = randn(new long[] { 512, 8 }, generator: new Generator(7));
    var y = x.narrow(1, 0, 4).argmax(1);   // four classes: the largest of the first four inputs
    random.manual_seed(7);
    using var carrier = new DenseBlocks();
    using var routed = new RoutedCarrier(carrier, choices: null, new RoutedCarrierOptions { BlockSize = 2, OutputExpertScale = 1, BaseChoiceScale = 0 }, seed: 7);
    using var adam = new ExplicitAdam(routed.parameters().Concat(carrier.parameters()), lr: 1e-2);
    for (int step = 0; step < 300; step++)
    {
        using var scope = NewDisposeScope();
        adam.zero_grad();
        var (hidden, mask) = carrier.Embed(x);
        var pass = routed.Forward(ChannelBranch.Task, hidden, mask);   // a route per macro-block, then the output bonus
        nn.functional.cross_entropy(pass.Bonus, y).backward();
        adam.step();
    }
    using (NewDisposeScope())
    using (no_grad())
    {
        var (hidden, mask) = carrier.Embed(x);
        var pass = routed.Forward(ChannelBranch.Task, hidden, mask);
        double accuracy = pass.Bonus.argmax(1).eq(y).to(ScalarType.Float32).mean().item<float>();
        Check(routed.Blocks == 2 && pass.Routes.Count == 2 && accuracy > 0.8,
            $"routed channels over DenseBlocks: {routed.Blocks} macro-blocks of 2 layers, training accuracy {accuracy:0.000} (chance 0.25)");
    }
}
return failures == 0 ? 0 : 1;

/// <summary>A carrier of your own: residual dense blocks over 8 inputs, each example one position (mask all ones).</summary>
internal sealed class DenseBlocks : nn.Module, IBlockCarrier<Tensor>
{
    private readonly Linear input = nn.Linear(8, 32);
    private readonly ModuleList<Linear> blocks = new(Enumerable.Range(0, 4).Select(_ => nn.Linear(32, 32)).ToArray());

    public DenseBlocks() : base(nameof(DenseBlocks)) => RegisterComponents();

    public int Width => 32;

    public int LayerCount => blocks.Count;

    public (Tensor Hidden, Tensor Mask) Embed(Tensor inputs) => (input.call(inputs).unsqueeze(1), ones(inputs.shape[0], 1));

    public Tensor Layer(int index, Tensor hidden, Tensor mask) => hidden + nn.functional.relu(blocks[index].call(hidden));

    public Tensor Summarize(Tensor hidden, Tensor mask) => hidden.squeeze(1);

    public IReadOnlyList<(string Name, Parameter Parameter)> LayerParameters(int index) =>
        blocks[index].named_parameters().Select(p => ($"blocks.{index}.{p.name}", p.parameter)).ToList();
}

/// <summary>A constraint of your own: the mean probability of class 1 on probe inputs stays at most the margin.</summary>
internal sealed class MeanClassMass(nn.Module<Tensor, Tensor> model, Tensor probes, double margin)
    : Constraint("class1_mass", ConstraintKind.Inequality, margin)
{
    /// <summary>The measure K(θ); the constraint is C = K − margin ≤ 0.</summary>
    public override Tensor Measure() => nn.functional.softmax(model.call(probes), 1).select(1, 1).mean();
}

/// <summary>
/// A multiplier rule of your own: gradient ascent λ ← proj(λ + η·C) on the step's value C, except that λ is held while the
/// constraint is slack by at most the band (−band ≤ C ≤ 0); its own state per constraint counts the steps that moved λ.
/// </summary>
internal sealed record DeadBandAscent(double StepSize, double Band) : IMultiplierRule
{
    public string Name => "dead-band-ascent";
    public string Description => $"gradient ascent on λ (η {StepSize}), held while −{Band} ≤ C ≤ 0";
    public void Validate(string owner) { if (!(StepSize > 0) || !(Band >= 0)) throw new ArgumentException($"{owner}: η must be > 0, the band ≥ 0."); }
    public IMultiplierRuleState NewState() => new Moves();
    public IMultiplierRuleState ReadState(CheckpointReader reader) => new Moves { Count = reader.Int("moves") };
    public double Force(MultiplierState s, double value) => s.Lambda + s.Rho * s.Kind.Residual(value);
    public double[]? Correct(MultiplierState[] states, StepPrediction prediction) => null;   // keep the forces
    public double Target(MultiplierState s) => 0;
    public void Update(MultiplierState[] states, StepOutcome outcome)
    {
        for (int i = 0; i < states.Length; i++)
        {
            double c = outcome.Values[i], before = states[i].Lambda;
            if (c > 0 || c < -Band) states[i].Lambda = states[i].Kind.ProjectMultiplier(before + StepSize * c, double.PositiveInfinity);
            if (states[i].Lambda != before) states[i].RuleState<Moves>().Count++;
        }
    }

    /// <summary>The rule's own state per constraint: the steps that moved λ (copied with each step, checkpointed).</summary>
    public sealed class Moves : IMultiplierRuleState
    {
        public int Count { get; set; }
        public void Save(CheckpointWriter writer) => writer.Int("moves", Count);
        public IMultiplierRuleState Clone() => new Moves { Count = Count };
    }
}

/// <summary>A layer of your own: y = x ⊙ w, one trainable weight per feature.</summary>
internal sealed class Scale : nn.Module<Tensor, Tensor>
{
    public Scale(long features) : base(nameof(Scale))
    {
        Weight = new Parameter(rand(features).Plus(0.5));
        register_parameter("weight", Weight);
    }

    public Parameter Weight { get; }

    public override Tensor forward(Tensor x) => x * Weight;
}

/// <summary>Its rule for the batched path: from the layer's input a and the gradient g at its output, ∂K/∂w = Σ g ⊙ a over the examples.</summary>
internal sealed class ScaleRule : ILayerJacobianRule
{
    public Type LayerType => typeof(Scale);

    public IEnumerable<(Parameter Parameter, Tensor Gradient)> Rows(nn.Module layer, Tensor input, Tensor outputGradient)
    {
        var w = ((Scale)layer).Weight;
        yield return (w, (outputGradient * input).reshape(-1, w.shape[0]).sum(0L));
    }
}

/// <summary>An executor of your own: runs each phase's steps last to first on the calling thread, counting phases and steps.</summary>
internal sealed class ReversedExecutor : IBlockExecutor
{
    public int Workers => 1;
    public int Phases { get; private set; }
    public int Steps { get; private set; }

    public IReadOnlyList<TOut> Run<TIn, TOut>(IReadOnlyList<TIn> incoming, Func<int, TIn, TOut> step)
    {
        Phases++;
        var results = new TOut[incoming.Count];
        for (int i = incoming.Count - 1; i >= 0; i--, Steps++) results[i] = step(i, incoming[i]);
        return results;
    }
}

/// <summary>Inputs 8 → class scores 6, with a <see cref="Scale"/> layer inside.</summary>
internal sealed class ScaledClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Linear hidden = nn.Linear(8, 16);
    private readonly Scale scale = new(16);
    private readonly Linear output = nn.Linear(16, 6);

    public ScaledClassifier() : base(nameof(ScaledClassifier)) => RegisterComponents();

    public override Tensor forward(Tensor x) => output.call(nn.functional.relu(scale.call(hidden.call(x))));
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
