// A safety constraint on a classifier you already have.
//
// The model picks one of three actions (approve, review, execute) from four features and a "flagged" bit. The
// training data ignores the flag: flagged cases are labelled execute as often as any others. The rule is: on a flagged
// input the model may put at most 5 % probability on execute. Ordinary training learns the data and breaks the rule;
// the same model trained with one ForbiddenMassConstraint learns the unflagged cases as before and keeps the rule,
// certified on the flagged inputs the constraint saw; the held-out twin reports how far the rule carries to flagged inputs
// it never saw (a bound on a maximum carries only as far as the probes cover). Exit code 1 if the constrained model
// ends infeasible on its probes.
using Galt.Constraints;
using Galt.Optim;
using TorchSharp;
using static TorchSharp.torch;

const int Execute = 2;          // the action the rule forbids on flagged inputs
const double Margin = 0.05;     // at most this much probability on it
const int Epochs = 15, Batch = 100;

var (trainX, trainY) = Data.Actions(2000, seed: 1);
var (testX, testY) = Data.Actions(2000, seed: 2);
var probes = Data.FlaggedInputs(1024, seed: 3);  // what the constraint measures during training
var unseen = Data.FlaggedInputs(512, seed: 4);   // the same rule on flagged inputs the constraint never saw
var forbid = Data.Forbid(probes, Execute);

Console.WriteLine($"{"training",-22} {"test acc",9} {"acc (unflagged)",16} {"max P(execute|flagged)",23} {"unseen flagged",15} {"unseen over 5 %",16}");
bool feasible = false;
foreach (bool constrained in new[] { false, true })
{
    torch.random.manual_seed(0);                 // both runs start from the same weights
    using var model = new ActionClassifier();
    var parameters = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();

    // Unconstrained: your usual loop. Constrained: the GALT optimizer plus one constraint.
    optim.Optimizer optimizer;
    GaltOptimizer? galt = null;
    if (constrained)
    {
        galt = new GaltOptimizer(parameters, new GaltOptions { LearningRate = 1e-2 });
        galt.AddConstraint(new ForbiddenMassConstraint("no_execute_when_flagged", model, probes, forbid, Margin, lseTemperature: 0),
            heldOut: new ForbiddenMassConstraint("no_execute_when_flagged (unseen)", model, unseen, Data.Forbid(unseen, Execute), Margin, lseTemperature: 0));
        optimizer = galt;
    }
    else optimizer = optim.AdamW(model.parameters(), lr: 1e-2, weight_decay: 0);

    for (int epoch = 0; epoch < Epochs; epoch++)
        for (long start = 0; start < trainX.shape[0]; start += Batch)
        {
            using var scope = NewDisposeScope();
            var x = trainX[TensorIndex.Slice(start, start + Batch)];
            var y = trainY[TensorIndex.Slice(start, start + Batch)];
            Tensor Loss() => nn.functional.cross_entropy(model.call(x), y);
            if (galt is not null) galt.Step(Loss);
            else { optimizer.zero_grad(); Loss().backward(); optimizer.step(); }
        }

    if (galt is not null)
    {
        var certificate = galt.Certify();
        if (!certificate.AllFeasible)
        {
            // Still violated when the budget ends: constraint-only steps back to the feasible set.
            var restoration = galt.Restore();
            Console.WriteLine($"  feasibility restoration: {restoration.Steps} step(s)");
            certificate = galt.Certify();
        }
        var row = certificate["no_execute_when_flagged"];
        Console.WriteLine($"  certificate: C = {row.Value:0.0000} (≤ 0 holds), λ = {row.Lambda:0.000}, held-out C = {row.HeldOutValue:0.0000}");
        feasible = certificate.AllFeasible;
    }

    using (no_grad())
    {
        model.eval();
        var predicted = model.call(testX).argmax(1);
        var unflagged = testX[TensorIndex.Colon, Data.Flag] == 0;
        double accuracy = predicted.eq(testY).to(ScalarType.Float32).mean().item<float>();
        double unflaggedAccuracy = predicted.eq(testY)[unflagged].to(ScalarType.Float32).mean().item<float>();
        double maxProbe = nn.functional.softmax(model.call(probes), 1)[TensorIndex.Colon, Execute].max().item<float>();
        var pUnseen = nn.functional.softmax(model.call(unseen), 1)[TensorIndex.Colon, Execute];
        double maxUnseen = pUnseen.max().item<float>();
        double overMargin = (pUnseen > Margin).to(ScalarType.Float32).mean().item<float>();
        Console.WriteLine($"{(constrained ? "GALT + constraint" : "AdamW (no constraint)"),-22} {accuracy,9:0.000} {unflaggedAccuracy,16:0.000} {maxProbe,23:0.000} {maxUnseen,15:0.000} {overMargin,16:0.0 %}");
    }
}

if (!feasible)
{
    Console.Error.WriteLine($"The constrained model ends with P(execute | flagged) above {Margin} on its probes.");
    return 1;
}
return 0;

/// <summary>The classifier you already have: any nn.Module from inputs to class scores works.</summary>
internal sealed class ActionClassifier : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear hidden = nn.Linear(5, 32);
    private readonly TorchSharp.Modules.Linear output = nn.Linear(32, 3);

    public ActionClassifier() : base(nameof(ActionClassifier)) => RegisterComponents();

    public override Tensor forward(Tensor x) => output.call(nn.functional.relu(hidden.call(x)));
}

/// <summary>Seeded synthetic data standing in for yours.</summary>
internal static class Data
{
    /// <summary>Column of the flagged bit.</summary>
    public const int Flag = 4;

    /// <summary>
    /// Four features and a flagged bit (30 % of cases); the label is the best of three linear action scores of the
    /// features, whatever the flag says.
    /// </summary>
    public static (Tensor X, Tensor Y) Actions(int n, int seed)
    {
        var g = new Generator((ulong)seed);
        var features = randn(new long[] { n, 4 }, generator: g);
        var flagged = (rand(new long[] { n, 1 }, generator: g) < 0.3).to(ScalarType.Float32);
        var w = tensor(new float[,] { { 0.0f, -0.5f, 2.0f }, { 1.0f, 0.0f, -0.5f }, { 0.0f, 1.0f, 0.5f }, { -0.5f, 0.5f, 0.0f } });
        return (cat(new[] { features, flagged }, 1), features.matmul(w).argmax(1));
    }

    /// <summary>Flagged inputs with features from the same distribution.</summary>
    public static Tensor FlaggedInputs(int n, int seed)
    {
        var features = randn(new long[] { n, 4 }, generator: new Generator((ulong)seed));
        return cat(new[] { features, ones(n, 1) }, 1);
    }

    /// <summary>A [rows, 3] mask that forbids one action on every row.</summary>
    public static Tensor Forbid(Tensor inputs, int action)
    {
        var mask = zeros(inputs.shape[0], 3);
        mask[TensorIndex.Colon, action] = 1;
        return mask;
    }
}
