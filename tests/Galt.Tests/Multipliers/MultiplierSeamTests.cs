using Galt.Checkpoints;
using Galt.Constraints;
using Galt.Multipliers;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Multipliers;

/// <summary>Every multiplier rule behind one interface, each with its own state; a rule from outside plugs in unchanged.</summary>
public class MultiplierSeamTests
{
    /// <summary>An outsider's rule: a constant force, λ counting the steps it was told about; its state counts calls.</summary>
    private sealed record CountingRule(double ForceValue) : IMultiplierRule
    {
        public string Name => "counting";
        public string Description => "test rule";
        public void Validate(string owner) { if (ForceValue < 0) throw new ArgumentException($"{owner}: negative force"); }
        public IMultiplierRuleState NewState() => new CountingState();
        public IMultiplierRuleState ReadState(CheckpointReader reader) => new CountingState { Forces = reader.Int("forces"), Updates = reader.Int("updates") };
        public double Force(MultiplierState state, double value) { state.RuleState<CountingState>().Forces++; return ForceValue; }
        public double[]? Correct(MultiplierState[] states, StepPrediction prediction) => null;
        public double Target(MultiplierState state) => 0;
        public void Update(MultiplierState[] states, StepOutcome outcome)
        {
            foreach (var s in states) { s.RuleState<CountingState>().Updates++; s.Lambda = s.RuleState<CountingState>().Updates; }
        }
    }

    private sealed class CountingState : IMultiplierRuleState
    {
        public int Forces { get; set; }
        public int Updates { get; set; }
        public void Save(CheckpointWriter writer) { writer.Int("forces", Forces); writer.Int("updates", Updates); }
        public IMultiplierRuleState Clone() => new CountingState { Forces = Forces, Updates = Updates };
    }

    [Fact]
    public void ARuleFromOutsideDrivesEitherOptimizerAndItsStateIsCheckpointed()
    {
        using var scope = NewDisposeScope();
        foreach (bool hessian in new[] { false, true })
        {
            var x = new Parameter(zeros(2, ScalarType.Float64));
            var rule = new CountingRule(0.5);
            ConstrainedOptimizer optimizer = hessian
                ? new AlHessianOptimizer(new[] { ("x", x) }, new AlHessianOptions { LearningRate = 0.1, WeightDecay = 0, MultiplierRule = rule })
                : new GaltOptimizer(new[] { ("x", x) }, new GaltOptions { LearningRate = 0.1, WeightDecay = 0, MultiplierRule = rule });
            using (optimizer)
            {
                optimizer.AddConstraint(new FunctionConstraint("sum ≤ 4", ConstraintKind.Inequality, () => x.sum(), margin: 4));
                for (int s = 0; s < 3; s++) optimizer.Step(() => (x - 1).square().sum());
                var state = (CountingState)optimizer.Constraints[0].Rule;
                Assert.Equal((3, 3), (state.Forces, state.Updates));
                Assert.Equal(3, optimizer.Constraints[0].Lambda);
                Assert.Same(rule, optimizer.Rule);

                var writer = new CheckpointWriter();
                optimizer.Save(writer);
                var y = new Parameter(zeros(2, ScalarType.Float64));
                using ConstrainedOptimizer copy = hessian
                    ? new AlHessianOptimizer(new[] { ("x", y) }, new AlHessianOptions { LearningRate = 0.1, WeightDecay = 0, MultiplierRule = rule })
                    : new GaltOptimizer(new[] { ("x", y) }, new GaltOptions { LearningRate = 0.1, WeightDecay = 0, MultiplierRule = rule });
                copy.AddConstraint(new FunctionConstraint("sum ≤ 4", ConstraintKind.Inequality, () => y.sum(), margin: 4));
                copy.Prepare(new CheckpointReader(writer.Entries, "memory"))();
                Assert.Equal((3, 3), (((CountingState)copy.Constraints[0].Rule).Forces, ((CountingState)copy.Constraints[0].Rule).Updates));

                // Another rule cannot restore it: the error names both.
                using var other = new GaltOptimizer(new[] { ("x", new Parameter(zeros(2, ScalarType.Float64))) }, new GaltOptions { LearningRate = 0.1, MultiplierRule = new PiDualRule() });
                other.AddConstraint(new FunctionConstraint("sum ≤ 4", ConstraintKind.Inequality, () => x.sum(), margin: 4));
                var e = Assert.Throws<CheckpointException>(() => other.Prepare(new CheckpointReader(writer.Entries, "memory")));
                Assert.Contains("'counting'", e.Message);
                Assert.Contains("'pi'", e.Message);
            }
        }
    }

    /// <summary>An outsider's rule whose update fails.</summary>
    private sealed record FailingRule : IMultiplierRule
    {
        public string Name => "failing";
        public string Description => "fails in its update";
        public void Validate(string owner) { }
        public IMultiplierRuleState NewState() => NoRuleState.Instance;
        public IMultiplierRuleState ReadState(CheckpointReader reader) => NoRuleState.Instance;
        public double Force(MultiplierState state, double value) => state.Lambda + state.Rho * Math.Max(0, value);
        public double[]? Correct(MultiplierState[] states, StepPrediction prediction) => null;
        public double Target(MultiplierState state) => 0;
        public void Update(MultiplierState[] states, StepOutcome outcome) => throw new InvalidOperationException("rule update failed");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ARuleThatThrowsInItsUpdateLeavesTheStepUntaken(bool contract)
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(tensor(new[] { 0.5, -0.5 }, ScalarType.Float64));
        var options = new GaltOptions { LearningRate = 0.1, MultiplierRule = new FailingRule() };
        using var optimizer = new GaltOptimizer(new[] { ("x", x) }, contract ? options : options with { Contract = null });
        optimizer.AddConstraint(new FunctionConstraint("sum ≤ 4", ConstraintKind.Inequality, () => x.sum(), margin: 4));
        var e = Assert.Throws<InvalidOperationException>(() => optimizer.Step(() => (x - 1).square().sum()));
        Assert.Equal("rule update failed", e.Message);
        Assert.Equal(new[] { 0.5, -0.5 }, x.data<double>().ToArray());
        Assert.Equal(0, optimizer.StepCount);
        Assert.Null(optimizer.Metric.FirstMoment(0));
        Assert.Null(optimizer.Anchor(0));
        Assert.Equal(0, optimizer.InnerCounter);
    }

    public static TheoryData<string> Rules => new() { "pi", "ema", "linearized", "measured", "gradient-ascent" };

    private static IMultiplierRule RuleNamed(string name) => name switch
    {
        "pi" => new PiDualRule(Robust: new RobustSignalOptions()),
        "ema" => new EmaDualRule(Robust: new RobustSignalOptions()),
        "linearized" => new LinearizedDualRule(),
        "measured" => new MeasuredDualRule(),
        _ => new GradientAscentRule(0.5),
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void EveryRuleOwnsItsStateWhichCopiesDeeplyAndRoundTrips(string name)
    {
        var rule = RuleNamed(name);
        Assert.Equal(name, rule.Name);
        var state = new MultiplierState("c", ConstraintKind.Inequality, 0.5, 2, rule: rule.NewState());
        // Drive the state through a few steps so every field moves.
        var outcome = new StepOutcome(new[] { 0.3 }, new[] { 0.1 }, new[] { 0.2 }, new[] { 1.0 }, new double[,] { { 0.5 } }, 0.1, 1, new[] { false }, OuterStep: true, PenaltyCeiling: 2)
        {
            ProposalErrors = new[] { 0.1 },
        };
        for (int s = 0; s < 3; s++)
        {
            rule.Force(state, 0.3);
            rule.Update(new[] { state }, outcome);
        }
        var writer = new CheckpointWriter();
        state.Save(writer, rule.Name);
        var read = MultiplierState.Read(new CheckpointReader(writer.Entries, "memory"), "c", ConstraintKind.Inequality, rule);
        var again = new CheckpointWriter();
        read.Save(again, rule.Name);
        Assert.Equal(writer.Entries.Keys.Order(), again.Entries.Keys.Order());
        foreach (var key in writer.Entries.Keys) Assert.Equal(writer.Entries[key], again.Entries[key]);

        var copy = state.Clone();
        rule.Force(copy, 5);
        rule.Update(new[] { copy }, outcome with { Values = new[] { 5.0 }, MeasuredValues = new[] { 5.0 } });
        var unchanged = new CheckpointWriter();
        state.Save(unchanged, rule.Name);
        foreach (var key in writer.Entries.Keys) Assert.Equal(writer.Entries[key], unchanged.Entries[key]);
    }

    [Fact]
    public void GradientAscentMovesLambdaByStepSizeTimesTheValue()
    {
        var rule = new GradientAscentRule(StepSize: 2);
        var inequality = new MultiplierState("a", ConstraintKind.Inequality, 1, 3, rule: rule.NewState());
        var equality = new MultiplierState("b", ConstraintKind.Equality, 1, 3, rule: rule.NewState());
        Assert.Equal(1 + 3 * 0.5, rule.Force(inequality, 0.5));          // f = λ + ρ·max(0, C)
        Assert.Equal(1.0, rule.Force(inequality, -0.5));
        var outcome = new StepOutcome(new[] { -1.0, -1.0 }, new[] { 0.0, 0.0 }, new[] { double.NaN, double.NaN }, new[] { 0.0, 0.0 }, new double[2, 2], 0.1, 1, new[] { false, false }, true, 2);
        rule.Update(new[] { inequality, equality }, outcome);
        Assert.Equal(0.0, inequality.Lambda);   // max(0, 1 − 2)
        Assert.Equal(-1.0, equality.Lambda);    // free sign
        Assert.Throws<ArgumentException>(() => new GradientAscentRule(StepSize: 0).Validate("X"));
    }

    [Fact]
    public void TheMeasuredRuleRaisesLambdaByTheMeasuredViolationAndLearnsItsProposalError()
    {
        var rule = new MeasuredDualRule();
        var state = new MultiplierState("c", ConstraintKind.Inequality, 0, 1, rule: rule.NewState());
        // Measured 0.02 above the boundary after a step of lr 0.1 with sensitivity 0.5: λ += 0.02/(0.1·0.5) = 0.4.
        var outcome = new StepOutcome(new[] { 0.05 }, new[] { -0.01 }, new[] { 0.02 }, new[] { 0.0 }, new double[,] { { 0.5 } }, 0.1, 1, new[] { false }, true, 2)
        {
            ProposalErrors = new[] { 0.03 },
        };
        rule.Update(new[] { state }, outcome);
        Assert.Equal(0.4, state.Lambda, 12);
        Assert.Equal(0.1 * 0.03, state.RuleState<LinearizedRuleState>().LinearizationError, 12);
        // Inside: λ is the holding part the correction set; the measured value adds nothing.
        var inside = new MultiplierState("c", ConstraintKind.Inequality, 0, 1, rule: rule.NewState());
        rule.Update(new[] { inside }, outcome with { MeasuredValues = new[] { -0.001 } });
        Assert.Equal(0.0, inside.Lambda);
        // Not measured (a constraint registered by name): nothing moves.
        var blind = new MultiplierState("c", ConstraintKind.Inequality, 0, 1, rule: rule.NewState());
        rule.Update(new[] { blind }, outcome with { MeasuredValues = new[] { double.NaN }, ProposalErrors = new[] { double.NaN } });
        Assert.Equal(0.0, blind.Lambda);
        Assert.Equal(0.0, blind.RuleState<LinearizedRuleState>().LinearizationError);
    }

    [Fact]
    public void AStateMadeByAnotherRuleIsNamedNotMisread()
    {
        var state = new MultiplierState("c", ConstraintKind.Inequality, 0, 1, rule: new PiDualRule().NewState());
        var e = Assert.Throws<InvalidOperationException>(() => new EmaDualRule().Force(state, 1));
        Assert.Contains("'c'", e.Message);
        Assert.Contains(nameof(EmaRuleState), e.Message);
    }
}
