using System.Text.Json.Nodes;
using Galt.Cli.Configuration;
using Galt.Experiments;
using Galt.Experiments.ContinualLearning;
using Galt.Experiments.Reporting;
using Galt.Tests.Data;

namespace Galt.Tests.Cli;

/// <summary><c>galt run --config</c>, <c>galt config</c> and the effective configuration a run records.</summary>
public class RunConfigTests
{
    // The smallest split-mnist run: --quick on a 100/50 synthetic digit folder (every strategy, the sweep and the search).
    private static readonly Lazy<string> SmallMnist = new(() => SyntheticMnist.WriteDirectory(trainCount: 100, testCount: 50));

    /// <summary>The summary without wall-clock times (<c>galt.train_seconds</c>), which no two runs share.</summary>
    private static Dictionary<string, double> Metrics(RunRecord record) =>
        record.Summary.Where(kv => !kv.Key.EndsWith("seconds", StringComparison.Ordinal)).ToDictionary();

    /// <summary>Runs the CLI, asserts success, and returns the one new run folder's record.</summary>
    private static RunRecord Run(string outRoot, params string[] args)
    {
        var before = Directory.Exists(outRoot) ? Directory.GetDirectories(outRoot) : Array.Empty<string>();
        var (exit, text) = CliTests.Invoke(args);
        Assert.True(exit == 0, $"exit {exit}: {text}");
        string runDir = Assert.Single(Directory.GetDirectories(outRoot).Except(before));
        return RunRecordJson.Read(runDir);
    }

    private static string Write(string text)
    {
        string path = Path.Combine(TempDir.Create(), "run.toml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void AMembershipPasswordIsMaskedInWhatARunRecords()
    {
        var membership = RunOptions.Find("membership")!;
        var given = new RunConfig(new[]
        {
            new RunConfigValue(RunOptions.Find("executor")!, "orleans"),
            new RunConfigValue(membership, "Host=db.example;Database=galt;Username=galt;Password=s3cret"),
        });
        var recorded = EffectiveRunConfig.Resolve(new Galt.Experiments.GraphParallel.GraphDemo(), given, absolutePaths: true).ToJson();
        string text = recorded["membership"]!.GetValue<string>();
        Assert.DoesNotContain("s3cret", text);
        Assert.Contains("Host=db.example", text);
        // The run itself gets the password.
        Assert.Equal("Host=db.example;Database=galt;Username=galt;Password=s3cret", RunOptions.ContextFor(given, Galt.Continual.NullProgress.Instance).Membership);
    }

    [Fact]
    public void ConfigFileReproducesTheFlagDrivenRunToTheDigit()
    {
        string outRoot = TempDir.Create();
        var byFlags = Run(outRoot, "run", "split-mnist", "--quick", "--seed", "2", "--dual-rule", "release", "--data-dir", SmallMnist.Value, "--out", outRoot);
        string file = Write($"""
            experiment = "split-mnist"
            seed = 2
            quick = true
            dual-rule = "release"
            data-dir = {RunConfigToml.Literal(SmallMnist.Value)}
            out = {RunConfigToml.Literal(outRoot)}
            """);
        var byFile = Run(outRoot, "run", "--config", file);

        Assert.True(Metrics(byFlags).Count > 50 && Metrics(byFlags).ContainsKey("galt.avg_accuracy"));
        Assert.Equal(Metrics(byFlags), Metrics(byFile)); // every metric, exactly
        Assert.Equal(byFlags.Seeds, byFile.Seeds);
        Assert.Equal(byFlags.RunConfig!.ToJsonString(), byFile.RunConfig!.ToJsonString());
        Assert.Equal(
            """{"seed":2,"quick":true,"out":"OUT","data-dir":"DATA","seeds":1,"tasks":2,"stream":"split","dual-rule":"release","checkpoint-every":20}""",
            byFile.RunConfig.ToJsonString().Replace(JsonValue.Create(outRoot).ToJsonString().Trim('"'), "OUT").Replace(JsonValue.Create(SmallMnist.Value).ToJsonString().Trim('"'), "DATA"));
    }

    [Fact]
    public void TheRecordedConfigurationRepeatsTheRun()
    {
        string outRoot = TempDir.Create();
        var first = Run(outRoot, "run", "split-mnist", "--quick", "--seed", "1", "--data-dir", SmallMnist.Value, "--out", outRoot);
        string firstDir = Assert.Single(Directory.GetDirectories(outRoot));
        string toml = File.ReadAllText(Path.Combine(firstDir, RunConfigToml.FileName));
        Assert.Contains("```toml\n" + toml + "```", File.ReadAllText(Path.Combine(firstDir, MarkdownReport.FileName)));
        Assert.Equal(RunConfigToml.Write("split-mnist", first.RunConfig!), toml);

        var again = Run(outRoot, "run", "--config", Path.Combine(firstDir, RunConfigToml.FileName));
        Assert.Equal(first.RunConfig!.ToJsonString(), again.RunConfig!.ToJsonString());
        Assert.Equal(Metrics(first), Metrics(again));
        Assert.Equal(outRoot, (string)again.RunConfig["out"]!); // the second run went where the first said
    }

    [Fact]
    public void FlagsOverrideTheFile()
    {
        string data = SyntheticMnist.WriteDirectory(trainCount: 300, testCount: 100);
        string outRoot = TempDir.Create();
        string file = Write($"""
            experiment = "mnist-baseline"
            seed = 1
            quick = true
            data-dir = {RunConfigToml.Literal(data)}
            out = "/nonexistent/never-written"
            """);
        var record = Run(outRoot, "run", "mnist-baseline", "--config", file, "--seed", "4", "--out", outRoot);
        Assert.Equal(new[] { 4 }, record.Seeds);
        Assert.Equal(4, (int)record.RunConfig!["seed"]!);
        Assert.True((bool)record.RunConfig["quick"]!);           // from the file
        Assert.Equal(data, (string)record.RunConfig["data-dir"]!); // from the file
        Assert.Equal(outRoot, (string)record.RunConfig["out"]!);   // the flag's
        Assert.Equal(new[] { "seed", "quick", "out", "data-dir" }, record.RunConfig.Select(kv => kv.Key));
    }

    [Fact]
    public void BadFilesAreRefusedNamingTheKeyAndTheLine()
    {
        CliTests.Refuses(2, "run.toml:4: unknown key 'sed'; did you mean 'seed'? (known: experiment, seed, quick,",
            "run", "--config", Write("experiment = \"split-mnist\"\nquick = true\n\nsed = 3\n"));
        CliTests.Refuses(2, "run.toml:2: key 'seeds' must be an integer; got a string (\"3\").",
            "run", "--config", Write("experiment = \"split-mnist\"\nseeds = \"3\"\n"));
        CliTests.Refuses(2, "run.toml:1: the configuration is for experiment 'split-mnist', but the command line names 'mnist-baseline'",
            "run", "mnist-baseline", "--config", Write("experiment = \"split-mnist\"\nseed = 1\n"));
        CliTests.Refuses(2, "run.toml:3: key 'tasks' does not apply to experiment 'mnist-baseline' (it takes seed, quick, out, data-dir).",
            "run", "--config", Write("experiment = \"mnist-baseline\"\nquick = true\ntasks = 5\n"));
        // The experiment may come from the command line alone; an option foreign to it is refused all the same.
        CliTests.Refuses(2, "run.toml:1: key 'variant' does not apply to experiment 'split-mnist'", "run", "split-mnist", "--config", Write("variant = \"typed-v1\"\n"));
        CliTests.Refuses(2, "run.toml:2: key 'per-task' must be at least 1; got 0.", "run", "--config", Write("experiment = \"safety-from-birth\"\nper-task = 0\n"));
        CliTests.Refuses(2, "run.toml:1: no experiment named 'split-mnits'. Known: mnist-baseline,", "run", "--config", Write("experiment = \"split-mnits\"\n"));
        CliTests.Refuses(2, "run.toml:2: not valid TOML:", "run", "--config", Write("experiment = \"split-mnist\"\nseeds = \n"));
        CliTests.Refuses(2, "which experiment? Name one on the command line or give a --config file", "run", "--config", Write("seed = 1\n"));
        CliTests.Refuses(2, "cannot read the run configuration: no such file", "run", "--config", Path.Combine(TempDir.Create(), "absent.toml"));
        // The flags' own errors are unchanged.
        CliTests.Refuses(2, "--tasks does not apply to experiment 'mnist-baseline' (it takes --seed, --quick, --out, --data-dir).", "run", "mnist-baseline", "--tasks", "5");
        CliTests.Refuses(2, "--seeds must be at least 1; got 0.", "run", "split-mnist", "--seeds", "0");
    }

    [Fact]
    public void ConfigCommandPrintsTheDefaultsAsTomlThatParsesBackAndRoundTrips()
    {
        var (exit, text) = CliTests.Invoke("config", "split-mnist");
        Assert.Equal(0, exit);
        string path = Write(text);
        var parsed = RunConfigFile.Parse(text, path);
        Assert.Equal("split-mnist", parsed.Experiment);
        Assert.Equal(new object[] { 0, false, "runs", 1, SplitMnistExperiment.DefaultDualRule, RunJournal.DefaultCheckpointEvery },
            parsed.Values.Select(v => v.Value));
        Assert.Equal(new[] { "seed", "quick", "out", "seeds", "dual-rule", "checkpoint-every" }, parsed.Values.Select(v => v.Option.Name));
        // Every option that applies is described; those left to the experiment (a full run given neither tasks nor
        // stream adds the 5-task and permuted grounds; no data-dir means the default sample) are commented out.
        foreach (var option in new[] { "data-dir", "tasks", "stream" }) Assert.Contains($"\n# {option} = (unset", text);
        Assert.Contains("# " + RunOptions.Seed.Description, text);

        var (againExit, again) = CliTests.Invoke("config", "--config", path);
        Assert.Equal(0, againExit);
        Assert.Equal(text, again);

        // Options given are folded in; in a --quick run the task count and stream are stated.
        var (_, quick) = CliTests.Invoke("config", "--config", path, "--quick", "--seeds", "3");
        var quickParsed = RunConfigFile.Parse(quick, "quick.toml");
        Assert.Equal(true, quickParsed.ValueOf("quick"));
        Assert.Equal(3, quickParsed.ValueOf("seeds"));
        Assert.Equal(SplitMnistExperiment.DefaultTasks, quickParsed.ValueOf("tasks"));
        Assert.Equal(SplitMnistExperiment.DefaultStream, quickParsed.ValueOf("stream"));
    }

    [Fact]
    public void EveryExperimentsDefaultConfigurationParsesBack()
    {
        foreach (var experiment in Galt.Experiments.Catalog.Experiments)
        {
            var (exit, text) = CliTests.Invoke("config", experiment.Name);
            Assert.True(exit == 0, $"{experiment.Name}: {text}");
            var parsed = RunConfigFile.Parse(text, experiment.Name + ".toml");
            Assert.Equal(experiment.Name, parsed.Experiment);
            Assert.All(parsed.Values, v => Assert.True(v.Option.AppliesTo(experiment), $"{experiment.Name}: {v.Option.Name}"));
        }
    }
}
