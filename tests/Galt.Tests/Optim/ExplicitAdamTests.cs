using Galt.Models;
using Galt.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>
/// <see cref="ExplicitAdam"/> and <see cref="ExplicitAdamW"/> replace TorchSharp's Adam and AdamW (whose steps leave
/// their Scalars to the finalizer) in every Galt training loop, so they must be drop-in: the same parameters to the bit
/// after every step, the same optimizer state, and state that moves between the two classes in both directions.
/// </summary>
public class ExplicitAdamTests
{
    private const int Steps = 25;
    private const double LearningRate = 1e-2, Beta1 = 0.85, Beta2 = 0.99, Epsilon = 1e-6;

    /// <summary>Every combination: Adam or AdamW × weight decay × AMSGrad × maximize.</summary>
    public static TheoryData<bool, double, bool, bool> Variants()
    {
        var data = new TheoryData<bool, double, bool, bool>();
        foreach (var adamW in new[] { false, true })
        foreach (var decay in new[] { 0.0, 0.05 })
        foreach (var amsgrad in new[] { false, true })
        foreach (var maximize in new[] { false, true })
            data.Add(adamW, decay, amsgrad, maximize);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryStepAndTheFinalStateAreBitwiseTorchSharps(bool adamW, double weightDecay, bool amsgrad, bool maximize)
    {
        using var reference = Model();
        using var candidate = Model();
        // A parameter outside the loss: no gradient, so both optimizers must skip it (and leave its state alone).
        using var idleReference = new Parameter(ones(3));
        using var idleCandidate = new Parameter(ones(3));
        var referenceParameters = reference.parameters().Append(idleReference).ToArray();
        var candidateParameters = candidate.parameters().Append(idleCandidate).ToArray();
        AssertBitwise(referenceParameters, candidateParameters, "initial parameters");
        using var torchOptimizer = Torch(adamW, referenceParameters, weightDecay, amsgrad, maximize);
        using var explicitOptimizer = Explicit(adamW, candidateParameters, weightDecay, amsgrad, maximize);
        using var initial = reference.parameters().First().detach().clone();
        var batches = Batches(Steps);

        for (int t = 0; t < Steps; t++)
        {
            Train(reference, torchOptimizer, batches[t], t);
            Train(candidate, explicitOptimizer, batches[t], t);
            AssertBitwise(referenceParameters, candidateParameters, $"parameters after step {t + 1}");
        }

        Assert.False(Same(reference.parameters().First(), initial), "the parameters never moved: the test would compare nothing");
        Assert.True(Same(idleCandidate, ones(3)), "a parameter without a gradient was changed");
        AssertSameState(torchOptimizer, explicitOptimizer, expectedStep: Steps);
        Assert.Equal(0, Moments(explicitOptimizer.state_dict().State[^1]).Step);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheStateIsTorchSharpsOwnType(bool adamW)
    {
        using var model = Model();
        using var optimizer = Explicit(adamW, model.parameters(), 0.01, amsgrad: true, maximize: false);
        var expected = adamW ? typeof(AdamW.State) : typeof(Adam.State);
        Assert.All(optimizer.state_dict().State, s => Assert.IsType(expected, s));
        Assert.IsAssignableFrom(adamW ? typeof(AdamW) : typeof(Adam), optimizer);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void StateMovesBetweenTheClassesInBothDirectionsAndTrainingContinuesIdentically(bool adamW, bool binary)
    {
        const double decay = 0.05;
        const int half = 12;
        var batches = Batches(2 * half);
        // Three copies of the model: TorchSharp's optimizer throughout; TorchSharp's then Galt's; Galt's then TorchSharp's.
        using var uninterrupted = Model();
        using var torchFirst = Model();
        using var explicitFirst = Model();
        using var reference = Torch(adamW, uninterrupted.parameters(), decay, amsgrad: true, maximize: false);
        var first = Torch(adamW, torchFirst.parameters(), decay, amsgrad: true, maximize: false);
        var second = Explicit(adamW, explicitFirst.parameters(), decay, amsgrad: true, maximize: false);
        for (int t = 0; t < half; t++)
        {
            Train(uninterrupted, reference, batches[t], t);
            Train(torchFirst, first, batches[t], t);
            Train(explicitFirst, second, batches[t], t);
        }

        // Fresh optimizers of the other class (default settings: the state brings the hyperparameters), state moved over.
        OptimizerHelper galtAfterTorch = adamW ? new ExplicitAdamW(torchFirst.parameters(), 1e-3) : new ExplicitAdam(torchFirst.parameters(), 1e-3);
        OptimizerHelper torchAfterGalt = adamW ? optim.AdamW(explicitFirst.parameters(), 1e-3) : optim.Adam(explicitFirst.parameters(), 1e-3);
        if (binary)
        {
            byte[] fromTorch = Save(first), fromExplicit = Save(second);
            Assert.Equal(Payload(fromTorch), Payload(fromExplicit)); // the same bytes but for the type name that opens the stream
            Load(galtAfterTorch, fromTorch);
            Load(torchAfterGalt, fromExplicit);
        }
        else
        {
            galtAfterTorch.load_state_dict(first.state_dict());
            torchAfterGalt.load_state_dict(second.state_dict());
        }
        first.Dispose();
        second.Dispose();

        using (galtAfterTorch)
        using (torchAfterGalt)
        {
            AssertSameState(reference, galtAfterTorch, expectedStep: half);
            AssertSameState(reference, torchAfterGalt, expectedStep: half);
            for (int t = half; t < 2 * half; t++)
            {
                Train(uninterrupted, reference, batches[t], t);
                Train(torchFirst, galtAfterTorch, batches[t], t);
                Train(explicitFirst, torchAfterGalt, batches[t], t);
                AssertBitwise(uninterrupted.parameters(), torchFirst.parameters(), $"TorchSharp → Galt, step {t + 1}");
                AssertBitwise(uninterrupted.parameters(), explicitFirst.parameters(), $"Galt → TorchSharp, step {t + 1}");
            }
            AssertSameState(reference, galtAfterTorch, expectedStep: 2 * half);
            AssertSameState(reference, torchAfterGalt, expectedStep: 2 * half);
        }
    }

    [Fact]
    public void TorchSharpsBinaryLoaderRefusesAnotherTypeName()
    {
        // TorchSharp's load_state_dict(BinaryReader) compares the stream's first string with GetType().Name: a stream
        // that TorchSharp's Adam wrote ("Adam") does not load into ExplicitAdam as it stands, nor the other way round.
        using var model = Model();
        using var torchAdam = optim.Adam(model.parameters(), 1e-3);
        using var explicitAdam = new ExplicitAdam(model.parameters(), 1e-3);
        var error = Assert.Throws<InvalidDataException>(() => explicitAdam.load_state_dict(new BinaryReader(new MemoryStream(Save(torchAdam)))));
        Assert.Contains("'Adam'", error.Message);
    }

    [Fact]
    public void ParameterGroupsAndTheClosureBehaveAsTorchSharps()
    {
        using var reference = Model();
        using var candidate = Model();
        Adam.ParamGroup[] Groups(Mlp m) =>
        [
            new(m.Layers[0].parameters(), lr: 2e-2, beta1: 0.8, weight_decay: 0.01, amsgrad: true),
            new(m.Layers[1].parameters(), lr: 5e-3, maximize: true),
        ];
        using var torchOptimizer = optim.Adam(Groups(reference), LearningRate);
        using var explicitOptimizer = new ExplicitAdam(Groups(candidate), LearningRate);
        var batches = Batches(10);
        for (int t = 0; t < batches.Length; t++)
        {
            var (x, y) = batches[t];
            torchOptimizer.zero_grad();
            explicitOptimizer.zero_grad();
            using var lossReference = torchOptimizer.step(() => { var l = Loss(reference, x, y, t); l.backward(); return l; });
            using var lossCandidate = explicitOptimizer.step(() => { var l = Loss(candidate, x, y, t); l.backward(); return l; });
            Assert.True(Same(lossReference, lossCandidate), $"closure loss differs at step {t + 1}");
            AssertBitwise(reference.parameters(), candidate.parameters(), $"parameters after step {t + 1}");
        }
        AssertSameState(torchOptimizer, explicitOptimizer, expectedStep: batches.Length);
        Assert.Null(explicitOptimizer.step());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStepDisposesEveryTensorItMakes(bool adamW)
    {
        using var model = Model();
        using var optimizer = Explicit(adamW, model.parameters(), 0.05, amsgrad: true, maximize: true);
        var batches = Batches(4);
        for (int t = 0; t < batches.Length; t++) Train(model, optimizer, batches[t], t);
        // Gradients are in place after the last backward; the steps alone must not leave a tensor behind.
        long before = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        for (int s = 0; s < 20; s++) optimizer.step();
        Assert.Equal(before, DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount);
    }

    private static Mlp Model()
    {
        random.manual_seed(20240611);
        return new Mlp(6, 16, 4);
    }

    /// <summary>Seeded batches; each step sees a different one.</summary>
    private static (Tensor X, Tensor Y)[] Batches(int count)
    {
        var generator = new Generator(99);
        return Enumerable.Range(0, count)
            .Select(_ => (randn(new long[] { 8, 6 }, generator: generator), randn(new long[] { 8, 4 }, generator: generator)))
            .ToArray();
    }

    /// <summary>A loss that changes form with the step: squared error, then absolute error, scaled by the step.</summary>
    private static Tensor Loss(Mlp model, Tensor x, Tensor y, int t)
    {
        using var error = model.call(x) - y;
        using var per = t % 2 == 0 ? error.square() : error.abs();
        return per.mean() * (1.0 + 0.1 * t);
    }

    private static void Train(Mlp model, optim.Optimizer optimizer, (Tensor X, Tensor Y) batch, int t)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        Loss(model, batch.X, batch.Y, t).backward();
        optimizer.step();
    }

    private static OptimizerHelper Torch(bool adamW, IEnumerable<Parameter> parameters, double weightDecay, bool amsgrad, bool maximize) => adamW
        ? optim.AdamW(parameters, LearningRate, Beta1, Beta2, Epsilon, weightDecay, amsgrad, maximize)
        : optim.Adam(parameters, LearningRate, Beta1, Beta2, Epsilon, weightDecay, amsgrad, maximize);

    private static OptimizerHelper Explicit(bool adamW, IEnumerable<Parameter> parameters, double weightDecay, bool amsgrad, bool maximize) => adamW
        ? new ExplicitAdamW(parameters, LearningRate, Beta1, Beta2, Epsilon, weightDecay, amsgrad, maximize)
        : new ExplicitAdam(parameters, LearningRate, Beta1, Beta2, Epsilon, weightDecay, amsgrad, maximize);

    /// <summary>torch.equal (same shape and values) and the same bytes (which also tells −0 from +0 and compares NaNs).</summary>
    private static bool Same(Tensor a, Tensor b) => a.Equals(b) && a.bytes.SequenceEqual(b.bytes);

    private static void AssertBitwise(IEnumerable<Tensor> expected, IEnumerable<Tensor> actual, string what)
    {
        var pairs = expected.Zip(actual).ToArray();
        Assert.Equal(expected.Count(), pairs.Length);
        for (int i = 0; i < pairs.Length; i++)
            Assert.True(Same(pairs[i].First, pairs[i].Second), $"{what}: tensor {i} differs");
    }

    private static (long Step, Tensor M, Tensor V, Tensor? Max) Moments(OptimizerState state) => state switch
    {
        Adam.State a => (a.step, a.exp_avg, a.exp_avg_sq, a.max_exp_avg_sq),
        AdamW.State w => (w.step, w.exp_avg, w.exp_avg_sq, w.max_exp_avg_sq),
        _ => throw new InvalidOperationException($"unexpected state {state.GetType()}"),
    };

    /// <summary>Same options and the same state, to the bit, for every parameter with a gradient.</summary>
    private static void AssertSameState(OptimizerHelper expected, OptimizerHelper actual, long expectedStep)
    {
        var (e, a) = (expected.state_dict(), actual.state_dict());
        Assert.Equal(e.State.Count, a.State.Count);
        Assert.Equal(e.State[0].GetType(), a.State[0].GetType());
        for (int i = 0; i < e.Options.Count; i++)
        {
            Assert.Equal(e.Options[i].LearningRate, a.Options[i].LearningRate);
            Assert.Equal(e.Options[i].InitialLearningRate, a.Options[i].InitialLearningRate);
        }
        for (int i = 0; i < e.State.Count; i++)
        {
            var (x, y) = (Moments(e.State[i]), Moments(a.State[i]));
            Assert.Equal(x.Step, y.Step);
            if (x.Step == 0) continue; // a parameter without a gradient
            Assert.Equal(expectedStep, y.Step);
            Assert.True(Same(x.M, y.M), $"state {i}: exp_avg differs");
            Assert.True(Same(x.V, y.V), $"state {i}: exp_avg_sq differs");
            Assert.Equal(x.Max is null, y.Max is null);
            if (x.Max is not null) Assert.True(Same(x.Max, y.Max!), $"state {i}: max_exp_avg_sq differs");
        }
    }

    private static byte[] Save(OptimizerHelper optimizer)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
        return stream.ToArray();
    }

    /// <summary>The stream after the type name that opens it.</summary>
    private static byte[] Payload(byte[] saved)
    {
        using var reader = new BinaryReader(new MemoryStream(saved));
        reader.ReadString();
        return saved[(int)reader.BaseStream.Position..];
    }

    /// <summary>Loads a binary state into <paramref name="optimizer"/> with the opening type name made its own.</summary>
    private static void Load(OptimizerHelper optimizer, byte[] saved)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(optimizer.GetType().Name);
            writer.Write(Payload(saved));
        }
        stream.Position = 0;
        optimizer.load_state_dict(new BinaryReader(stream));
    }
}
