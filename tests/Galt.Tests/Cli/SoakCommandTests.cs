using System.Text.Json;
using Galt.Tests.Data;

namespace Galt.Tests.Cli;

/// <summary>
/// <c>galt soak</c>: an experiment in a child process under garbage-collector stress. A short experiment
/// soaked on this build finishes, under thousands of forced collections, with no TorchSharp object left to the
/// finalizer; bad options are refused before anything runs.
/// </summary>
public class SoakCommandTests
{
    private static string BuiltCli()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "Galt.Cli", "bin", "Release", "net10.0", "Galt.Cli.dll");
            if (File.Exists(Path.Combine(dir.FullName, "Galt.slnx")))
            {
                Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in Release first (dotnet build -c Release).");
                return dll;
            }
        }
        throw new InvalidOperationException($"no repository root above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void ASoakedRunOfThisBuildFinishesUnderStressWithNothingFinalized()
    {
        string root = TempDir.Create();
        var (exit, text) = CliTests.Invoke("soak", "kkt-demo", "--cli", BuiltCli(), "--soak-out", root);
        Assert.True(exit == 0, text);
        string soak = Assert.Single(Directory.GetDirectories(root));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(soak, "result.json")));
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal(1, summary.GetProperty("runs").GetDouble());
        Assert.Equal(0, summary.GetProperty("crashes").GetDouble());
        Assert.True(summary.GetProperty("forced_collections").GetDouble() > 10, "the stress thread forced almost no collections: the hook did not run");
        Assert.Equal(0, summary.GetProperty("finalized_torch_objects").GetDouble());
        // The forced collections took at most the default share (0.5) of the child's time: the wait after each one is
        // at least as long as the collection.
        using var stress = JsonDocument.Parse(File.ReadAllText(Path.Combine(soak, "run-1.stress.json")));
        double inCollections = stress.RootElement.GetProperty("ForcedCollectionSeconds").GetDouble();
        double seconds = stress.RootElement.GetProperty("Seconds").GetDouble();
        Assert.True(inCollections > 0 && inCollections <= 0.52 * seconds, $"{inCollections:0.00} s of {seconds:0.00} s in forced collections");
        // The soaked run wrote its own folder, as a plain run does.
        Assert.Single(Directory.GetDirectories(Path.Combine(soak, "run-1")));
        foreach (var file in new[] { "report.md", "soak_runs.png", "run-1.log", "run-1.stress.json" })
            Assert.True(File.Exists(Path.Combine(soak, file)), $"{file} missing");
    }

    [Fact]
    public void ASoakWhoseRunWasInterruptedResumesUnderTheSameStressAndFinishes()
    {
        string data = SyntheticMnist.WriteDirectory(trainCount: 600, testCount: 200);
        string root = TempDir.Create();
        var (exit, text) = CliTests.Invoke("soak", "split-mnist", "--cli", BuiltCli(), "--soak-out", root, "--interval-ms", "5",
            "--quick", "--data-dir", data, "--checkpoint-every", "4", "--interrupt-at", "split-2/seed0/galt@6");
        Assert.True(exit == 3, text);
        Assert.Contains("--resume", text);
        string soak = Assert.Single(Directory.GetDirectories(root));
        Assert.Equal(1, Summary(soak).GetProperty("interrupted").GetDouble());
        Assert.Equal(0, Summary(soak).GetProperty("crashes").GetDouble());

        var (refused, message) = CliTests.Invoke("soak", "split-mnist", "--resume", soak, "--runs", "2");
        Assert.Equal(2, refused);
        Assert.Contains("give no other options", message);

        var (resumed, output) = CliTests.Invoke("soak", "split-mnist", "--resume", soak);
        Assert.True(resumed == 0, output);
        var summary = Summary(soak);
        Assert.Equal(1, summary.GetProperty("finished").GetDouble());
        Assert.Equal(2, summary.GetProperty("legs").GetDouble());
        Assert.Equal(0, summary.GetProperty("crashes").GetDouble());
        Assert.Equal(0, summary.GetProperty("finalized_torch_objects").GetDouble());
        Assert.Contains("leg 2, resumed from the run's checkpoints", File.ReadAllText(Path.Combine(soak, "run-1.log")));
        // The second leg continued the first leg's run folder to its end.
        string run = Assert.Single(Directory.GetDirectories(Path.Combine(soak, "run-1")));
        Assert.True(File.Exists(Path.Combine(run, "result.json")));
        Assert.Contains("continued from a checkpoint", File.ReadAllText(Path.Combine(soak, "run-1.log")));
    }

    private static JsonElement Summary(string soak)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(soak, "result.json")));
        return doc.RootElement.GetProperty("summary").Clone();
    }

    [Theory]
    [InlineData("--runs", "0", "--runs 0")]
    [InlineData("--interval-ms", "-1", "--interval-ms -1")]
    [InlineData("--gen0-kib", "8", "--gen0-kib 8")]
    [InlineData("--max-share", "0", "--max-share 0")]
    [InlineData("--max-share", "1.5", "--max-share 1.5")]
    [InlineData("--cli", "/no/such/Galt.Cli.dll", "no such file")]
    public void BadOptionsAreRefusedBeforeAnythingRuns(string option, string value, string message)
    {
        string root = TempDir.Create();
        var (exit, text) = CliTests.Invoke("soak", "kkt-demo", option, value, "--soak-out", root);
        Assert.Equal(2, exit);
        Assert.Contains(message, text);
        Assert.Empty(Directory.GetDirectories(root));
    }

    [Fact]
    public void TheRunsOutputFolderIsTheSoaksToChoose()
    {
        var (exit, text) = CliTests.Invoke("soak", "kkt-demo", "--out", TempDir.Create(), "--soak-out", TempDir.Create());
        Assert.Equal(2, exit);
        Assert.Contains("--soak-out", text);
    }
}
