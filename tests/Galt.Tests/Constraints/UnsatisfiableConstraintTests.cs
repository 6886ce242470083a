using Galt.Constraints;
using Galt.Models;
using Galt.Optim;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Constraints;

/// <summary>A constraint that no model can meet is refused when it is made; one this model cannot meet is reported by name while it trains.</summary>
[Collection(GaltLogCollection.Name)]
public class UnsatisfiableConstraintTests
{
    [Fact]
    public void ASmoothMaximumMarginBelowItsFloorIsRefusedByName()
    {
        using var scope = NewDisposeScope();
        using var model = new Mlp(4, 3);
        var probes = randn(32, 4);
        var mask = zeros(32, 3); mask[TensorIndex.Colon, 0] = 1;
        using var optimizer = new GaltOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)));
        // T·ln N = 0.1·ln 32 ≈ 0.347: a smooth maximum never goes below it, whatever the model puts on class 0. The
        // object can still measure K; holding it with that margin is refused.
        using var below = new ForbiddenMassConstraint("no_class_0", model, probes, mask, margin: 0.3, lseTemperature: 0.1);
        var e = Assert.Throws<ArgumentException>(() => optimizer.AddConstraint(below));
        Assert.Contains("'no_class_0'", e.Message);
        Assert.Contains("0.346574", e.Message);
        using var zero = new ForbiddenMassConstraint("zero", model, probes, mask, margin: 0, lseTemperature: 0);
        Assert.Throws<ArgumentException>(() => optimizer.AddConstraint(zero));
        using var negative = new KlRetentionConstraint("kl", model, probes, margin: -0.01);
        Assert.Contains("never negative", Assert.Throws<ArgumentException>(() => optimizer.AddConstraint(negative)).Message);
        Assert.Empty(optimizer.Constraints);
        // Above the floor, with the hard maximum, or a KL margin of 0 (met at the anchor itself), it is held.
        using var smooth = new ForbiddenMassConstraint("ok", model, probes, mask, margin: 0.4, lseTemperature: 0.1);
        using var hard = new ForbiddenMassConstraint("hard", model, probes, mask, margin: 0.3, lseTemperature: 0);
        using var exact = new KlRetentionConstraint("exact", model, probes, margin: 0);
        optimizer.AddConstraint(smooth);
        optimizer.AddConstraint(hard);
        optimizer.AddConstraint(exact);
        Assert.Equal(3, optimizer.Constraints.Count);
    }

    private sealed class Floored(string name, Func<Tensor> measure, double margin) : Constraint(name, ConstraintKind.Inequality, margin)
    {
        public override double MeasureFloor => 1;
        public override Tensor Measure() => measure();
    }

    [Fact]
    public void AnOptimizerRefusesAConstraintWhoseDeclaredFloorIsAboveItsMargin()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(2, ScalarType.Float64));
        using var optimizer = new GaltOptimizer(new[] { ("x", x) });
        var e = Assert.Throws<ArgumentException>(() => optimizer.AddConstraint(new Floored("floored", () => x.square().sum() + 1, margin: 0.5)));
        Assert.Contains("'floored' cannot be satisfied", e.Message);
        Assert.Empty(optimizer.Constraints);
    }

    [Fact]
    public void AConstraintThisModelCannotMeetIsReportedByNameAndNeverCertifiedFeasible()
    {
        using var scope = NewDisposeScope();
        var log = new CapturingLoggerFactory();
        var previous = Galt.Diagnostics.GaltLog.LoggerFactory;
        Galt.Diagnostics.GaltLog.LoggerFactory = log;
        try
        {
            // mean(x²) + 1 ≤ 0.5 holds nowhere, but nothing tells the library so; the task pulls x to 3.
            var x = new Parameter(full(4, 0.5, ScalarType.Float64));
            using var optimizer = new GaltOptimizer(new[] { ("x", x) }, new GaltOptions { LearningRate = 0.05 });
            optimizer.AddConstraint(new FunctionConstraint("impossible", ConstraintKind.Inequality, () => x.square().mean() + 1, margin: 0.5));
            double held = double.NaN;
            for (int s = 0; s < 100; s++)
            {
                optimizer.Step(() => (x - 3).square().sum());
                var now = optimizer.Constraints[0];
                if (now.RunawayReports > 0 && double.IsNaN(held)) held = now.Lambda;
                // From the report on, λ is held where it was: it does not run on to 1e9 and beyond as the force that
                // would close a violation where the Jacobian vanishes (the release's rules ran to 1e13).
                if (!double.IsNaN(held)) Assert.True(now.Lambda <= held, $"step {s + 1}: λ {now.Lambda} grew past {held} after the report");
            }
            var status = optimizer.Constraints[0];
            Assert.True(status.RunawayReports > 0, $"λ = {status.Lambda}, violation {status.MaxRecentViolation}: not reported");
            Assert.Contains(log.Messages, m => m.Contains("'impossible' stayed violated") && m.Contains("λ ran away"));
            var certificate = optimizer.Certify();
            Assert.True(certificate.Diverged);
            Assert.Contains("'impossible'", certificate.Divergence);
            Assert.False(certificate.AllFeasible);
            // The model was not destroyed: finite, and no further from its start than the task's pull allows.
            Assert.True(double.IsFinite(status.Lambda));
            Assert.True(x.isfinite().all().item<bool>());
            Assert.True(x.abs().max().item<double>() <= 3, $"x = {string.Join(", ", x.data<double>().ToArray())}");
        }
        finally
        {
            Galt.Diagnostics.GaltLog.LoggerFactory = previous;
        }
    }
}

/// <summary>Tests that swap the library's global logger factory run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GaltLogCollection
{
    public const string Name = "GaltLog";
}

/// <summary>Keeps every message logged through it.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
{
    private readonly List<string> _messages = new();

    public IReadOnlyList<string> Messages { get { lock (_messages) return _messages.ToArray(); } }

    public ILogger CreateLogger(string categoryName) => this;
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_messages) _messages.Add(formatter(state, exception));
    }
}
