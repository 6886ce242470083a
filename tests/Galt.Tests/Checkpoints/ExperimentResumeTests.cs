using Galt.Experiments;
using Galt.Experiments.ContinualLearning;
using Galt.Reporting;
using Galt.Tests.Data;

namespace Galt.Tests.Checkpoints;

/// <summary>
/// A whole split-mnist run (pretraining, the soft-penalty sweep, eight strategies, the penalty search) interrupted inside
/// the galt strategy's run and resumed from its journal reports the same figures as the uninterrupted run, to the bit.
/// </summary>
public class ExperimentResumeTests
{
    [Fact]
    public void AnInterruptedSplitMnistRunResumesToTheSameFigures()
    {
        string data = SyntheticMnist.WriteDirectory(trainCount: 600, testCount: 200);
        var experiment = new SplitMnistExperiment();
        var context = new RunContext(0, true, data, NullProgress.Instance);
        var plain = experiment.Run(context);

        string folder = TempDir.Create();
        var interrupted = new RunJournal(folder, 4) { InterruptAt = ("split-2/seed0/galt", 6) };
        Assert.Throws<OperationCanceledException>(() => experiment.Run(context with { Journal = interrupted }));
        Assert.Contains("split-2/seed0/replay", interrupted.Keys);

        var journal = new RunJournal(folder, 4);
        var resumed = experiment.Run(context with { Journal = journal });
        Assert.True(journal.Reused >= 6, $"{journal.Reused} units taken from the journal");   // pretraining, sweep, naive … agem
        Assert.Equal(1, journal.Continued);                                                    // galt, from its step-4 checkpoint

        static IEnumerable<KeyValuePair<string, double>> Figures(RunRecord r) => r.Summary.Where(kv => !kv.Key.EndsWith("seconds", StringComparison.Ordinal));
        Assert.Equal(Figures(plain), Figures(resumed));
        Assert.Contains(plain.Summary.Keys, k => k == "galt.max_violation");
    }
}
