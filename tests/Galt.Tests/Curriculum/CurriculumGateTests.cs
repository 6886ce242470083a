using Galt.Experiments.CurriculumGate;
using Galt.Reporting;
using Galt.Tests.Cli;

namespace Galt.Tests.Curriculum;

public class CurriculumGateTests
{
    private static readonly string[] IssueMetrics =
        { "action_acc", "gate_acc", "memory_acc", "residual_acc", "memory_layer_acc", "violation_layer_acc", "access_acc", "hard_violation_recall" };

    [Fact]
    public void CommandWritesMeanAndStdOfEveryIssueMetricOverSeeds()
    {
        string data = SyntheticCurriculum.Write(trainPackets: 3);
        string outRoot = TempDir.Create();
        var (exit, text) = CliTests.Invoke("run", "curriculum-gate", "--quick", "--seeds", "2", "--steps", "90", "--data-dir", data, "--out", outRoot);
        Assert.True(exit == 0, text);
        var record = RunRecordJson.Read(Assert.Single(Directory.GetDirectories(outRoot)));
        Assert.Equal(new[] { 42, 43 }, record.Seeds);
        Assert.Equal(90, record.Config["steps"]!.GetValue<int>());
        Assert.Contains(record.Tables, t => t.Title.StartsWith("Validation rows answered wrongly", StringComparison.Ordinal));
        foreach (var metric in IssueMetrics)
        {
            Assert.InRange(record.Summary[$"{metric}.mean"], 0.0, 1.0);
            Assert.InRange(record.Summary[$"{metric}.std"], 0.0, 0.5);
        }
        Assert.Contains("word tokenizer", record.Config["tokenizer"]!.ToString());
        Assert.Contains("predicted access", text);
        Assert.True(File.Exists(Path.Combine(outRoot, Path.GetFileName(Directory.GetDirectories(outRoot)[0]), "validation_history.png")));
    }

    [Fact]
    public void MissingCurriculumExitsOneNamingTheFile()
    {
        string empty = TempDir.Create();
        var (exit, text) = CliTests.Invoke("run", "curriculum-gate", "--quick", "--data-dir", empty, "--out", TempDir.Create());
        Assert.Equal(1, exit);
        Assert.Contains("train.jsonl", text);
        Assert.Contains("not found", text);
        var (tasksExit, tasksText) = CliTests.Invoke("run", "curriculum-gate", "--tasks", "5", "--data-dir", empty);
        Assert.Equal(2, tasksExit);
        Assert.Contains("--tasks does not apply", tasksText);
        var (stepsExit, stepsText) = CliTests.Invoke("run", "curriculum-gate", "--steps", "0", "--data-dir", empty);
        Assert.Equal(2, stepsExit);
        Assert.Contains("--steps must be at least 1", stepsText);
        Assert.Equal(2, CliTests.Invoke("run", "mnist-baseline", "--steps", "5").Exit);
    }

    [Fact]
    public void RecipeOptionPicksANamedRecipeAndRejectsUnknownOnes()
    {
        string data = SyntheticCurriculum.Write(trainPackets: 2);
        string outRoot = TempDir.Create();
        var (exit, text) = CliTests.Invoke("run", "curriculum-gate", "--quick", "--recipe", "release", "--steps", "30", "--data-dir", data, "--out", outRoot);
        Assert.True(exit == 0, text);
        var record = RunRecordJson.Read(Assert.Single(Directory.GetDirectories(outRoot)));
        Assert.StartsWith("release:", record.Config["recipe"]!.ToString(), StringComparison.Ordinal);
        var (unknown, unknownText) = CliTests.Invoke("run", "curriculum-gate", "--quick", "--recipe", "bogus", "--data-dir", data, "--out", TempDir.Create());
        Assert.Equal(1, unknown);
        Assert.Contains("no curriculum recipe named 'bogus'", unknownText);
        Assert.Contains("class-weighted-replay", unknownText);
        Assert.Equal(2, CliTests.Invoke("run", "mnist-baseline", "--recipe", "release").Exit);
        Assert.Equal("replay", CurriculumRecipe.Default.Name);
        Assert.Equal(900, CurriculumRecipe.Default.Options.Steps);
    }
}
