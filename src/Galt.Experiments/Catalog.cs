using Galt.Experiments.SafetyFromBirth;
using Galt.Experiments.Baselines;
using Galt.Experiments.Benchmarks;
using Galt.Experiments.Benchmarks.ConstraintGrid;
using Galt.Experiments.Constrained;
using Galt.Experiments.CurriculumGate;
using Galt.Experiments.ContinualLearning;
using Galt.Experiments.GraphParallel;
using Galt.Experiments.MemoryGates;
using Galt.Experiments.TypedChannels;

namespace Galt.Experiments;

/// <summary>Every experiment (<c>galt run</c>) and user-facing benchmark (<c>galt bench</c>) the CLI offers.</summary>
public static class Catalog
{
    /// <summary>Experiments, in the order <c>galt list</c> shows them.</summary>
    public static IReadOnlyList<IRunnable> Experiments { get; } = new IRunnable[]
    {
        new MnistBaseline(),
        new KktDemo(),
        new SplitMnistExperiment(),
        new GraphDemo(),
        new GraphDemoSelection(),
        new MemoryGatesExperiment(),
        new CurriculumGateExperiment(),
        new CurriculumSelectionExperiment(),
        new TypedChannelsExperiment(),
        new SafetyFromBirthExperiment(),
    };

    /// <summary>User-facing benchmarks; micro-benchmarks live in <c>bench/Galt.Bench</c>.</summary>
    public static IReadOnlyList<IRunnable> Benchmarks { get; } = new IRunnable[]
    {
        new AdamStepBenchmark(),
        new SolveBenchmark(),
        new JacobiansBenchmark(),
        new GraphBenchmark(),
        new MemoryBenchmark(),
        new ConstraintGridBenchmark(),
    };

    /// <summary>Finds a runnable by name in <paramref name="among"/>; null when there is none.</summary>
    public static IRunnable? Find(IEnumerable<IRunnable> among, string name) =>
        among.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
}
