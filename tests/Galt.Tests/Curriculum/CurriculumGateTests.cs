using Galt.Experiments.CurriculumGate;
using Galt.Experiments.Reporting;
using Galt.Tests.Cli;
using Galt.Experiments.Text;

namespace Galt.Tests.Curriculum;

public class CurriculumGateTests
{
    private static readonly string[] IssueMetrics =
        { "action_acc", "gate_acc", "memory_acc", "residual_acc", "memory_layer_acc", "violation_layer_acc", "access_acc", "hard_violation_recall" };

    /// <summary>Runs <c>galt run curriculum-gate --quick</c> with <paramref name="options"/> on a synthetic curriculum; it must succeed.</summary>
    private static (RunRecord Record, string Text, string RunDir, string Data) RunGate(int trainPackets, params string[] options)
    {
        string data = SyntheticCurriculum.Write(trainPackets);
        string outRoot = TempDir.Create();
        var (exit, text) = CliTests.Invoke(new[] { "run", "curriculum-gate", "--quick", "--data-dir", data, "--out", outRoot }.Concat(options).ToArray());
        Assert.True(exit == 0, text);
        string runDir = Assert.Single(Directory.GetDirectories(outRoot));
        return (RunRecordJson.Read(runDir), text, runDir, data);
    }

    [Fact]
    public void CommandWritesMeanAndStdOfEveryIssueMetricOverSeeds()
    {
        var (record, text, runDir, _) = RunGate(3, "--seeds", "2", "--steps", "90");
        Assert.Equal(new[] { 42, 43 }, record.Seeds);
        Assert.Equal(90, record.Config["steps"]!.GetValue<int>());
        Assert.Equal("off", record.Config["token_dropout"]!.ToString());
        Assert.Contains(record.Tables, t => t.Title.StartsWith("Validation rows answered wrongly", StringComparison.Ordinal));
        // Every row's mean ± std is the mean and population std of its two seed columns (printed to 3 decimals), and
        // every issue metric's summary mean and std are printed in some row.
        var table = Assert.Single(record.Tables, t => t.Title.StartsWith("Validation split after", StringComparison.Ordinal));
        int seed42 = table.Columns.IndexOf("seed 42"), seed43 = table.Columns.IndexOf("seed 43"), both = table.Columns.IndexOf("mean ± std");
        static double Parse(string cell) => double.Parse(cell, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var row in table.Rows.Where(r => r[seed42] != "–" && r[seed43] != "–"))
        {
            double a = Parse(row[seed42]), b = Parse(row[seed43]);
            var parts = row[both].Split(" ± ");
            Assert.True(Math.Abs(Parse(parts[0]) - (a + b) / 2) <= 1.01e-3, $"{row[0]}: mean {parts[0]} of {a} and {b}");
            Assert.True(Math.Abs(Parse(parts[1]) - Math.Abs(a - b) / 2) <= 1.01e-3, $"{row[0]}: std {parts[1]} of {a} and {b}");
        }
        string Printed(double v) => v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var metric in IssueMetrics)
            Assert.Contains(table.Rows, r => r[both] == $"{Printed(record.Summary[$"{metric}.mean"])} ± {Printed(record.Summary[$"{metric}.std"])}");
        Assert.Contains("cl100k_base", record.Config["tokenizer"]!.ToString()); // the default recipe's subword tokens
        Assert.Contains("predicted access", text);
        Assert.True(File.Exists(Path.Combine(runDir, "validation_history.png")));
    }

    [Fact]
    public void MissingCurriculumExitsOneNamingTheFile()
    {
        string empty = TempDir.Create();
        CliTests.Refuses(1, "train.jsonl", "run", "curriculum-gate", "--quick", "--data-dir", empty, "--out", TempDir.Create());
        CliTests.Refuses(1, "not found", "run", "curriculum-gate", "--quick", "--data-dir", empty, "--out", TempDir.Create());
        CliTests.Refuses(2, "--tasks does not apply", "run", "curriculum-gate", "--tasks", "5", "--data-dir", empty);
        CliTests.Refuses(2, "--steps must be at least 1", "run", "curriculum-gate", "--steps", "0", "--data-dir", empty);
        Assert.Equal(2, CliTests.Invoke("run", "mnist-baseline", "--steps", "5").Exit);
    }

    [Fact]
    public void RecipeOptionPicksANamedRecipeAndRejectsUnknownOnes()
    {
        var (record, _, _, data) = RunGate(2, "--recipe", "replay-dropout10", "--steps", "30");
        Assert.StartsWith("replay-dropout10:", record.Config["recipe"]!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("0.1 on teacher and GALT", record.Config["token_dropout"]!.ToString(), StringComparison.Ordinal);
        var (unknown, unknownText) = CliTests.Invoke("run", "curriculum-gate", "--quick", "--recipe", "bogus", "--data-dir", data, "--out", TempDir.Create());
        Assert.Equal(1, unknown);
        Assert.Contains("no curriculum recipe named 'bogus'", unknownText);
        Assert.Contains("class-weighted-replay", unknownText);
        Assert.Equal(2, CliTests.Invoke("run", "mnist-baseline", "--recipe", "release").Exit);
        Assert.Equal("replay-cl100k", CurriculumRecipe.Default.Name);
        Assert.Equal(900, CurriculumRecipe.Default.Options.Steps);
        Assert.Same(SubwordTokenizer.Cl100kBase, CurriculumRecipe.Default.Options.Tokenizer);
        Assert.Equal(0.0, CurriculumRecipe.Default.Options.TokenDropout);
    }

    [Fact]
    public void StageERecipesReportTheirAveragingAndScheduleAndRefuseRunsWithoutAStageE()
    {
        var (swa, _, _, data) = RunGate(2, "--recipe", "replay-swa"); // --quick: staged to step 120, stage E 121–180
        Assert.Equal("scored on the mean of the weights over stage E (steps 121–180)", swa.Config["weight_averaging"]!.ToString());
        Assert.Equal("constant 0.0003", swa.Config["learning_rate_schedule"]!.ToString());
        var (anneal, _, _, _) = RunGate(2, "--recipe", "replay-anneal");
        Assert.Equal("off", anneal.Config["weight_averaging"]!.ToString());
        Assert.StartsWith("constant 0.0003, then linear decay over stage E to 5E-06", anneal.Config["learning_rate_schedule"]!.ToString(), StringComparison.Ordinal);
        CliTests.Refuses(1, "WeightAveraging acts on stage E", "run", "curriculum-gate", "--quick", "--recipe", "replay-swa", "--steps", "100", "--data-dir", data, "--out", TempDir.Create());
    }
}
