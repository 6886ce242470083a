using System.Text.Json;
using Galt.Cli;
using Galt.Experiments;
using Galt.Experiments.Reporting;
using Galt.Tests.Data;
using Spectre.Console;

namespace Galt.Tests.Cli;

public class CliTests
{
    internal static (int Exit, string Text) Invoke(params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 250;
        int exit = GaltCommandLine.Invoke(args, console, writer, writer);
        return (exit, writer.ToString());
    }

    /// <summary>Runs the CLI and asserts it exits with <paramref name="exit"/> and says <paramref name="message"/>.</summary>
    internal static void Refuses(int exit, string message, params string[] args)
    {
        var (actual, text) = Invoke(args);
        Assert.True(actual == exit, $"exit {actual}, expected {exit}: {text}");
        Assert.Contains(message, text);
    }

    [Fact]
    public void ListNamesAndDescribesEveryExperimentAndBenchmark()
    {
        var (exit, text) = Invoke("list");
        Assert.Equal(0, exit);
        foreach (var r in Catalog.Experiments.Concat(Catalog.Benchmarks))
        {
            Assert.Contains(r.Name, text);
            Assert.Contains(r.Description[..40], text);
        }
    }

    [Fact]
    public void HelpDescribesEveryCommand()
    {
        var (exit, text) = Invoke("--help");
        Assert.Equal(0, exit);
        foreach (var command in new[] { "list", "run", "bench", "report" }) Assert.Contains(command, text);
        Assert.Contains("List the experiments", text);
        Assert.Contains("Run an experiment", text);
        Assert.Contains("user-facing benchmark", text);
        Assert.Contains("Re-render report.md", text);

        var (runExit, runHelp) = Invoke("run", "--help");
        Assert.Equal(0, runExit);
        foreach (var option in new[] { "--seed", "--quick", "--out", "--data-dir" }) Assert.Contains(option, runHelp);
    }

    [Fact]
    public void UnknownExperimentExitsTwoAndListsKnownOnes()
    {
        var (exit, text) = Invoke("run", "no-such-thing");
        Assert.Equal(2, exit);
        Assert.Contains("no experiment named 'no-such-thing'", text);
        Assert.Contains("mnist-baseline", text);
    }

    [Fact]
    public void BadDataDirExitsOneNamingTheFolder()
    {
        string missing = Path.Combine(TempDir.Create(), "nothing-here");
        var (exit, text) = Invoke("run", "mnist-baseline", "--quick", "--data-dir", missing, "--out", TempDir.Create());
        Assert.Equal(1, exit);
        Assert.Contains("nothing-here", text);
        Assert.Contains("folder not found", text);
    }

    [Fact]
    public void RunWritesTheRunFolderAndReportRerendersIt()
    {
        string data = SyntheticMnist.WriteDirectory(trainCount: 300, testCount: 100);
        string outRoot = TempDir.Create();
        var (exit, text) = Invoke("run", "mnist-baseline", "--quick", "--seed", "3", "--data-dir", data, "--out", outRoot);
        Assert.Equal(0, exit);
        Assert.Contains("test_accuracy", text);

        string runDir = Assert.Single(Directory.GetDirectories(outRoot));
        Assert.Matches(@"mnist-baseline-\d{8}T\d{6}Z$", runDir);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "result.json"))))
        {
            // An accuracy over the 100 test images is a whole number of them.
            double accuracy = doc.RootElement.GetProperty("summary").GetProperty("test_accuracy").GetDouble();
            Assert.Equal(Math.Round(accuracy * 100), accuracy * 100, 9);
            Assert.InRange(accuracy, 0.0, 1.0);
            Assert.Equal(3, doc.RootElement.GetProperty("seeds")[0].GetInt32());
        }
        Assert.True(File.Exists(Path.Combine(runDir, "report.md")));
        Assert.True(File.Exists(Path.Combine(runDir, "test_accuracy.png")));

        File.Delete(Path.Combine(runDir, "report.md"));
        var (reportExit, reportText) = Invoke("report", runDir);
        Assert.Equal(0, reportExit);
        Assert.Contains("test_accuracy", reportText);
        Assert.Contains(RunRecordJson.Read(runDir).Summary["test_accuracy"].ToString("0.####", System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(runDir, "report.md")));
    }

    [Fact]
    public void ReportOfAFolderWithoutResultJsonFailsClearly()
    {
        var (exit, text) = Invoke("report", TempDir.Create());
        Assert.Equal(1, exit);
        Assert.Contains("no result.json", text);
    }

    [Fact]
    public void BenchQuickRunsAndWritesItsSummary()
    {
        string outRoot = TempDir.Create();
        var (exit, text) = Invoke("bench", "adam-step", "--quick", "--out", outRoot);
        Assert.Equal(0, exit);
        string runDir = Assert.Single(Directory.GetDirectories(outRoot));
        var record = RunRecordJson.Read(runDir);
        Assert.Equal("benchmark", record.Kind);
        Assert.True(record.Summary["adam_step_ms_median"] > 0);
        Assert.Contains("adam_step_ms_median", text);
    }

    [Fact]
    public void BenchSolveQuickReportsTheOverheadRatios()
    {
        string outRoot = TempDir.Create();
        var (exit, _) = Invoke("bench", "solve", "--quick", "--out", outRoot);
        Assert.Equal(0, exit);
        var record = RunRecordJson.Read(Assert.Single(Directory.GetDirectories(outRoot)));
        foreach (var k in new[] { 1, 4, 16 }) Assert.True(record.Summary[$"step_overhead_k{k}"] > 0);
        // The memory floor: 10⁶ float32 elements × (5 + 4 + k + 5 + k) values the fused passes touch; a copy of the same bytes beside it.
        Assert.Equal(1e6 * 22 * 4, record.Summary["bytes_per_step_k4"]);
        Assert.Equal(1e6 * 10 * 4, record.Summary["bytes_per_step_k0"]);
        foreach (var k in new[] { 0, 1, 4, 16 })
            Assert.Equal(record.Summary[$"bandwidth_gbs_k{k}"] / record.Summary[$"copy_bandwidth_gbs_k{k}"], record.Summary[$"floor_share_k{k}"], 9);
    }

    [Fact]
    public void BenchMemoryTakesStepsAndWritesItsReadings()
    {
        // Only the record's shape: memory figures of a 50-step run say nothing, and the unit tests assert none.
        string outRoot = TempDir.Create();
        var (exit, text) = Invoke("bench", "memory", "--steps", "50", "--out", outRoot);
        Assert.True(exit == 0, text);
        string runDir = Assert.Single(Directory.GetDirectories(outRoot));
        var record = RunRecordJson.Read(runDir);
        Assert.Equal(50, record.Summary["steps_optimizer"]);
        Assert.Equal(10, record.Summary["steps_chain"]);
        foreach (var run in new[] { "optimizer", "chain" })
        {
            foreach (var key in new[] { "rss_mib_warmup_end", "rss_mib_max_after_warmup", "rss_mib_final", "managed_mib_final" })
                Assert.True(record.Summary[$"{key}_{run}"] > 0, $"{key}_{run}");
            Assert.True(record.Summary[$"rss_drift_{run}"] >= 0);
            Assert.True(File.Exists(Path.Combine(runDir, $"rss_{run}.png")));
        }
        Assert.Contains("Resident set (MiB) after warm-up", text);
    }

    [Fact]
    public void BenchStepsIsRefusedWhereItDoesNotApply() =>
        Refuses(2, "--steps does not apply to benchmark 'adam-step'", "bench", "adam-step", "--steps", "5");
}
