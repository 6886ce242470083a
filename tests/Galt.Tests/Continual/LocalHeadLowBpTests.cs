using Galt.Channels;
using Galt.Constraints;
using Galt.Continual;
using Galt.Continual.Strategies;
using Galt.Optim;
using Galt.Tests.Channels;
using static TorchSharp.torch;

namespace Galt.Tests.Continual;

/// <summary>The low-BP hybrid with local heads on a layered model's states (spec §4 SfB-LowBP) and the states it reads.</summary>
public class LocalHeadLowBpTests
{
    [Fact]
    public void TheStatesComeFromTheSameForwardPassAsTheScores()
    {
        using var scope = NewDisposeScope();
        using var module = new ChoiceItemModule(RoutedCarrierTests.TinyCarrier(), RoutedCarrierTests.Items);
        var at = tensor(new long[] { 2, 0, 3 });
        using var noGrad = no_grad();
        var (output, states) = module.ForwardWithStates(at, new[] { 0, 3 });
        Assert.True(allclose(output, module.call(at), rtol: 1e-6, atol: 1e-7));
        var alone = module.States(at, new[] { 0, 3 });
        Assert.Equal(2, states.Length);
        for (int s = 0; s < 2; s++)
        {
            Assert.Equal(new long[] { 3, module.StateWidth }, states[s].shape);
            Assert.True(allclose(states[s], alone[s], rtol: 1e-6, atol: 1e-7));
        }
        // Different layers give different states; a layer outside the model is named.
        Assert.False(allclose(states[0], states[1], rtol: 1e-3, atol: 1e-4));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => module.States(at, new[] { 4 }));
        Assert.Contains("layer 4", e.Message);
    }

    [Fact]
    public void AModelWithoutLayerStatesIsRefusedByName()
    {
        using var strategy = new LocalHeadLowBpStrategy();
        var e = Assert.Throws<NotSupportedException>(() => strategy.Attach(nn.Linear(4, 3)));
        Assert.Contains("ILayerStates", e.Message);
    }

    [Fact]
    public void LocalStepsUseCachedJacobiansAndHoldTheMultipliersUntilTheNextRefresh()
    {
        using var scope = NewDisposeScope();
        using var module = new ChoiceItemModule(RoutedCarrierTests.TinyCarrier(), RoutedCarrierTests.Items);
        using var strategy = KeepingOneItem(module, 5e-3, trigger: 10, new RestorationOptions());
        var x = tensor(new long[] { 1 });
        var y = tensor(new long[] { 0 });
        // A step reads only the context's objective (the default, classification); the stream and task are not needed.
        var context = new TaskContext(module, null!, null!, 0);
        for (int step = 0; step < 7; step++) strategy.Step(x, y, context);
        // Step 1 is global (no cached Jacobian), then every third: steps 1, 4, 7 (the scheduler counts since the last global).
        Assert.Equal(3, strategy.GlobalBackprops);
        Assert.Equal(4, strategy.LocalBackprops);
        var lambdas = strategy.Constraints!.Of("keep").Select(p => p.Lambda).ToArray();
        // The multiplier moves only on global steps (1, 4, 7): on local steps it holds at the last global value.
        Assert.Equal(lambdas[0], lambdas[1]);
        Assert.Equal(lambdas[0], lambdas[2]);
        Assert.Equal(lambdas[3], lambdas[4]);
        Assert.Equal(lambdas[3], lambdas[5]);
        // Values are fresh every step (the training moves them), so the trace is not a copy of the cached step.
        var values = strategy.Constraints!.Of("keep").Select(p => p.Value).ToArray();
        Assert.True(values.Distinct().Count() >= 5, string.Join(", ", values));
        Assert.Contains("lowbp_heads", strategy.Name);
        // Two heads spread over the tiny carrier's 4 layers: the first and the last.
        Assert.Contains("on layers 0, 3,", strategy.Hyperparameters["local_heads"]);
    }

    [Fact]
    public void AViolationBeyondTheTriggerIsRestoredAtOnceNotAtTheTaskEnd()
    {
        const double trigger = 0.05;
        // The guard is for steps taken on the prediction alone (no step contract), as before the contract existed.
        var (free, none) = Run(restore: false, contract: false);
        var (guarded, restorations) = Run(restore: true, contract: false);
        // With the step contract (the default) no step starts beyond the trigger, so no restoration is needed.
        var (contracted, unneeded) = Run(restore: true, contract: true);
        Assert.Empty(unneeded);
        Assert.DoesNotContain(contracted, v => v > 0);
        // Without restoration this learning rate carries the KL past the trigger: the case the guard is for.
        Assert.Empty(none);
        Assert.Contains(free, v => v > trigger);
        // With it, a restoration runs inside the task (the trace has it under task 0, before any task end), and the
        // steps start from lower violations than they reach without it.
        Assert.NotEmpty(restorations);
        Assert.All(restorations, r => Assert.Equal(0, r.Task));
        Assert.All(restorations, r => Assert.True(r.Result.Steps > 0));
        Assert.True(guarded.Max() < free.Max(), $"guarded max C {guarded.Max()} vs {free.Max()} without");
        Assert.True(guarded.Count(v => v > trigger) < free.Count(v => v > trigger),
            $"steps starting beyond the trigger: {guarded.Count(v => v > trigger)} guarded, {free.Count(v => v > trigger)} without");

        static (double[] Values, IReadOnlyList<(int Task, RestorationResult Result)> Restorations) Run(bool restore, bool contract)
        {
            using var scope = NewDisposeScope();
            using var module = new ChoiceItemModule(RoutedCarrierTests.TinyCarrier(), RoutedCarrierTests.Items);
            using var strategy = KeepingOneItem(module, 5e-2, trigger, restore ? new RestorationOptions() : null, contract);
            var x = tensor(new long[] { 1 });
            var y = tensor(new long[] { 0 });
            using var task = new Galt.Continual.ContinualTask(0, "one item", x, y, x, y);
            using var stream = Galt.Continual.TaskStream.FromTasks("one", "one task of one item", new[] { task });
            var context = new Galt.Continual.TaskContext(module, stream, task, 0);
            for (int step = 0; step < 12; step++) strategy.Step(x, y, context);
            return (strategy.Constraints!.Of("keep").Select(p => p.Value).ToArray(), strategy.Constraints!.Restorations.ToArray());
        }
    }

    /// <summary>
    /// The hybrid on the tiny carrier with one KL constraint held from birth (4 anchor items, margin 0.001), refresh
    /// period 3, attached; the torch generator seeded so the local heads start the same. Without the contract: the
    /// linearised rule, steps on the prediction alone.
    /// </summary>
    private static LocalHeadLowBpStrategy KeepingOneItem(ChoiceItemModule module, double learningRate, double trigger, RestorationOptions? restoration, bool contract = true)
    {
        random.manual_seed(3);
        var options = GaltHessianStrategy.SplitMnistOptions with { LearningRate = learningRate };
        var strategy = new LocalHeadLowBpStrategy
        {
            Options = contract ? options : options with { MultiplierRule = new Galt.Multipliers.LinearizedDualRule(), Contract = null },
            Schedule = new(RefreshPeriod: 3, Trigger: trigger),
            Restoration = restoration,
            FromBirth = m => new (Constraint, Constraint?)[] { (new KlRetentionConstraint("keep", m, tensor(new long[] { 0, 1, 2, 3 }), 1.5, 0.001), null) },
        };
        strategy.Attach(module);
        return strategy;
    }
}
