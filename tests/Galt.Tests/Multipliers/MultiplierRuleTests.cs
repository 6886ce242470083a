using Galt.Constraints;
using Galt.Multipliers;

namespace Galt.Tests.Multipliers;

public class MultiplierRuleTests
{
    private static MultiplierState State(ConstraintKind kind = ConstraintKind.Inequality, double lambda = 0, double rho = 1, IMultiplierRule? rule = null) =>
        new("c", kind, lambda, rho, rule: (rule ?? new PiDualRule()).NewState());

    private static MultiplierState Ema(ConstraintKind kind = ConstraintKind.Inequality, double lambda = 0, double rho = 1) => State(kind, lambda, rho, new EmaDualRule());

    [Theory]
    [InlineData(2.0, 2.0, 1.0)]       // spec §1.2: ρ = ρ_max = 2 gives 1.0
    [InlineData(1.0, 2.0, 1.0 / 3)]   // ρ = 1 with ρ_max = 2 gives 1/3
    public void EmaRuleDualGainIsRhoSquaredOverRhoPlusRhoMax(double rho, double rhoMax, double gain)
    {
        var s = Ema(rho: rho);
        new EmaDualRule().Update(s, value: 0.5, postValue: double.NaN, rhoMax);
        Assert.Equal(gain * 0.5, s.Lambda, 12);
    }

    [Fact]
    public void EmaRuleAveragesOverItsUpdateFrequencyAndForceUsesTheEma()
    {
        var rule = new EmaDualRule(ViolationEmaBeta: 0.5, UpdateFrequency: 2);
        var s = Ema(rho: 2);
        Assert.Equal(2.0, rule.Force(s, 2.0)); // EMA 0.5·0 + 0.5·2 = 1; f = λ + ρ·EMA = 0 + 2·1
        rule.Update(s, 1.0, double.NaN, rhoMax: 2);
        Assert.Equal(0, s.Lambda);                     // not yet: frequency 2
        rule.Update(s, 3.0, double.NaN, rhoMax: 2);
        Assert.Equal(1.0 * 2.0, s.Lambda, 12);          // gain 1 × mean(1, 3)
        Assert.Equal(1, s.RuleState<EmaRuleState>().DualUpdates);
    }

    [Fact]
    public void FrameAgeRuleDecaysThenResetsAnUnviolatedMultiplier()
    {
        var rule = new EmaDualRule(MaxAge: 2, AgeDecay: 0.5);
        var s = Ema(lambda: 4, rho: 2);
        rule.Update(s, -1, double.NaN, 2);
        Assert.Equal(2, s.Lambda, 12);
        rule.Update(s, -1, double.NaN, 2);
        Assert.Equal(1, s.Lambda, 12);
        rule.Update(s, -1, double.NaN, 2);
        Assert.Equal(0, s.Lambda);
    }

    [Fact]
    public void PiRuleIntegratesThePostResidualAndRestartsEachWindow()
    {
        var rule = new PiDualRule(RhoI: 0.5, Smoothing: 0.9, UsePostResidual: true, Signal: DualSignal.PositivePart);
        var s = State();
        rule.Integrate(s, value: 5, postValue: 1);
        rule.Integrate(s, value: 5, postValue: -3); // positive part: 0
        Assert.Equal(0.9 * 0.1, s.RuleState<PiRuleState>().Integral, 12);
        rule.OuterStep(s);
        Assert.Equal(0.5 * 0.09, s.Lambda, 12);
        Assert.Equal(0, s.RuleState<PiRuleState>().Integral);
        Assert.Equal(1, s.RuleState<PiRuleState>().DualUpdates);
    }

    [Fact]
    public void SignedSignalLetsAnInequalityMultiplierFallButNotBelowZero()
    {
        var rule = new PiDualRule(RhoI: 10, Smoothing: 0);
        var s = State(lambda: 1);
        rule.Integrate(s, value: -0.05, postValue: double.NaN);
        rule.OuterStep(s);
        Assert.Equal(0.5, s.Lambda, 12);
        rule.Integrate(s, value: -1, postValue: double.NaN);
        rule.OuterStep(s);
        Assert.Equal(0, s.Lambda);
        var equality = State(ConstraintKind.Equality);
        rule.Integrate(equality, value: -1, postValue: double.NaN);
        rule.OuterStep(equality);
        Assert.Equal(-10, equality.Lambda);
    }

    [Fact]
    public void LambdaMaxBoundsBothSigns()
    {
        var rule = new PiDualRule(RhoI: 100, Smoothing: 0, LambdaMax: 3);
        var eq = State(ConstraintKind.Equality);
        rule.Integrate(eq, -1, double.NaN);
        rule.OuterStep(eq);
        Assert.Equal(-3, eq.Lambda);
    }

    [Fact]
    public void PenaltyGrowsOnInsufficientDecreaseAndDecaysToItsFloor()
    {
        var schedule = new PenaltySchedule(Initial: 1, Floor: 0.5, Ceiling: 2, Growth: 1.5, Decay: 0.5, Tau: 0.9);
        var s = State(rho: 1);
        schedule.Adapt(s, 1.0);             // no previous: decay
        Assert.Equal(0.5, s.Rho);
        schedule.Adapt(s, 0.95);            // 0.95 > 0.9·1: grow
        Assert.Equal(0.75, s.Rho, 12);
        schedule.Adapt(s, 10); schedule.Adapt(s, 100); schedule.Adapt(s, 1000);
        Assert.Equal(2, s.Rho);             // ceiling
        schedule.Adapt(s, 0);               // decrease: decay
        Assert.Equal(1, s.Rho);
        schedule.Adapt(s, 0);               // two zeros in a row do not grow ρ
        Assert.Equal(0.5, s.Rho);
    }

    [Fact]
    public void CloneIsDeep()
    {
        var s = State();
        s.History.Add(1);
        s.RuleState<PiRuleState>().RobustWindow = new RobustSignalWindow(new RobustSignalOptions());
        var c = s.Clone();
        c.History.Add(2);
        c.Lambda = 9;
        c.RuleState<PiRuleState>().Integral = 3;
        Assert.Single(s.History.Values);
        Assert.Equal(0, s.Lambda);
        Assert.Equal(0, s.RuleState<PiRuleState>().Integral);
        Assert.NotSame(s.RuleState<PiRuleState>().RobustWindow, c.RuleState<PiRuleState>().RobustWindow);
    }

    [Fact]
    public void InconsistentSettingsAreNamed()
    {
        Assert.Contains("MyOpt", Assert.Throws<ArgumentException>(() => new PenaltySchedule(Floor: 5, Ceiling: 1).Validate("MyOpt")).Message);
        Assert.Contains("MyOpt", Assert.Throws<ArgumentException>(() => new PiDualRule(Smoothing: 1).Validate("MyOpt")).Message);
        Assert.Contains("OuterStepFrequency", Assert.Throws<ArgumentException>(() => new Galt.Optim.GaltOptions { OuterStepFrequency = 0 }.Validate()).Message);
    }
}
