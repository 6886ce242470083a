using Galt.Channels;
using Galt.Experiments.TypedChannels;
using Galt.Experiments.Reporting;
using Galt.Continual;
using Galt.Tests.Channels;
using Galt.Tests.Cli;
using Xunit.Abstractions;

namespace Galt.Tests.Experiments;

/// <summary><c>galt run typed-channels</c>: needs the release prompts (skips with a message without them) and the npm Brown corpus.</summary>
public class TypedChannelsExperimentTests
{
    private readonly ITestOutputHelper _output;

    public TypedChannelsExperimentTests(ITestOutputHelper output) => _output = output;

        [SkippableFact]
    public void QuickRunOnThePretrainedCarrierWritesTheReportAndTheSummaryKeys()
    {
        ReleasePromptsRequired.SkipIfAbsent();
        string outRoot = TempDir.Create();
        var (exit, text) = CliTests.Invoke("run", "typed-channels", "--quick", "--variant", "v2-typed-identity", "--out", outRoot);
        Assert.True(exit == 0, text);
        string runDir = Assert.Single(Directory.GetDirectories(outRoot));
        var record = RunRecordJson.Read(runDir);
        foreach (var metric in new[] { "task_acc", "safety_acc", "retain_acc", "route_acc", "task_zero_gap", "task_scramble_gap", "safety_zero_gap", "safety_scramble_gap",
                     "retain_zero_gap", "retain_scramble_gap", "task_margin", "safety_margin", "retain_margin" })
        {
            Assert.True(record.Summary.ContainsKey($"v2-typed-identity.{metric}.mean"), metric);
            Assert.True(record.Summary.ContainsKey($"v2-typed-identity.{metric}.std"), metric);
        }
        Assert.True(record.Summary.ContainsKey("v2-typed-identity.retain_scramble_gap.positive_seeds"));
        Assert.True(record.Summary.ContainsKey("v2-typed-identity.overall_pass_seeds"));
        Assert.True(record.Summary["seconds_per_step"] > 0);
        Assert.Contains("all-MiniLM-L6-v2", record.Config["carrier"]!.ToString());
        foreach (var file in new[] { "report.md", "result.json", "retain_scramble_gap.png", "branch_matrix_v2-typed-identity.png", "lambda_v2-typed-identity.png" })
            Assert.True(File.Exists(Path.Combine(runDir, file)), file);
        Assert.Contains("Retain scramble-gap per seed", File.ReadAllText(Path.Combine(runDir, "report.md")));
    }

    [SkippableFact]
    public void TheQuickConfigurationsRunEndToEndOnATinyCarrierOverTwoSeeds()
    {
        ReleasePromptsRequired.SkipIfAbsent();
        var experiment = new TypedChannelsExperiment { BlockSize = 2, CarrierFactory = _ => RoutedCarrierTests.TinyCarrier() };
        var record = experiment.Run(new Galt.Experiments.RunContext(0, true, null, NullProgress.Instance) { Steps = 1, SeedCount = 2, SeedCountGiven = true });
        Assert.Equal(new[] { 41, 42 }, record.Seeds);
        // positive_seeds counts the seeds whose retain scramble-gap, printed per seed in the ladder table, is above zero.
        var ladder = Assert.Single(record.Tables, t => t.Title.StartsWith("Retain scramble-gap per seed", StringComparison.Ordinal));
        Assert.Equal(new[] { "config", "seed 41", "seed 42", "positive seeds", "release" }, ladder.Columns);
        foreach (var config in new[] { "typed-v1", "v2-typed-identity" })
        {
            var row = ladder.Rows.Single(r => r[0] == config);
            int positive = row.Skip(1).Take(2).Count(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) > 0);
            Assert.Equal(positive, record.Summary[$"{config}.retain_scramble_gap.positive_seeds"]);
            Assert.Equal($"{positive}/2", row[3]);
        }
        Assert.Equal("custom carrier factory", record.Config["carrier"]!.ToString());
    }

    [SkippableFact]
    public void AnInterruptedRunResumesFromItsJournalAtTheUnitItWasInToTheSameFigures()
    {
        ReleasePromptsRequired.SkipIfAbsent();
        var context = new Galt.Experiments.RunContext(0, true, null, NullProgress.Instance) { Steps = 2, SeedCount = 2, SeedCountGiven = true };
        var plain = new TypedChannelsExperiment { BlockSize = 2, CarrierFactory = _ => RoutedCarrierTests.TinyCarrier() }.Run(context);
        string folder = TempDir.Create();
        // Killed as the third unit (v2-typed-identity, seed 41) builds its carrier: two units are in the journal.
        int built = 0;
        var dying = new TypedChannelsExperiment
        {
            BlockSize = 2,
            CarrierFactory = _ => ++built == 3 ? throw new OperationCanceledException("killed") : RoutedCarrierTests.TinyCarrier(),
        };
        Assert.Throws<OperationCanceledException>(() => dying.Run(context with { Journal = new Galt.Experiments.RunJournal(folder, 1) }));
        var journal = new Galt.Experiments.RunJournal(folder, 1);
        var resumed = new TypedChannelsExperiment { BlockSize = 2, CarrierFactory = _ => RoutedCarrierTests.TinyCarrier() }.Run(context with { Journal = journal });
        Assert.Equal(2, journal.Reused);
        static IEnumerable<KeyValuePair<string, double>> Figures(RunRecord r) => r.Summary.Where(kv => !kv.Key.EndsWith("seconds_per_step", StringComparison.Ordinal));
        Assert.NotEmpty(Figures(plain));
        Assert.Equal(Figures(plain), Figures(resumed));
    }

    [SkippableFact]
    public void OptionsAreCheckedAndOtherExperimentsRefuseThem()
    {
        CliTests.Refuses(2, "--variant does not apply", "run", "mnist-baseline", "--variant", "typed-v1");
        CliTests.Refuses(2, "--eval-size does not apply", "run", "graph-demo", "--eval-size", "8");
        CliTests.Refuses(2, "--eval-size must be at least 1", "run", "typed-channels", "--eval-size", "0");
        ReleasePromptsRequired.SkipIfAbsent();
        CliTests.Refuses(1, "no typed-channels configuration named 'bogus'", "run", "typed-channels", "--quick", "--variant", "bogus", "--out", TempDir.Create());
        CliTests.Refuses(1, "multiple of the 4 classes", "run", "typed-channels", "--quick", "--eval-size", "6", "--out", TempDir.Create());
    }
}
