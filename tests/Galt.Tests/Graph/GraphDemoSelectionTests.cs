using Galt.Experiments.GraphParallel;
using Galt.Experiments.Reporting;
using Galt.Tests.Cli;
using Galt.Tests.Data;

namespace Galt.Tests.Graph;

public class GraphDemoSelectionTests
{
    private static ChainOutcome Outcome(double accuracy, double residual = 0.01, double safety = -0.01) =>
        new(new PlotLine { X = { 1 }, Y = { accuracy } }, new PlotLine(), new[] { residual }, safety, Array.Empty<(string, double, double)>(), (0, 0, 0, 0));

    [Fact]
    public void RulePicksTheMostAccurateEligibleCandidateAndTheEarlierOnATie()
    {
        Assert.Equal(1, GraphDemoSelection.Select(new[] { Outcome(0.90), Outcome(0.93), Outcome(0.93) }, tolerance: 0.05));
        // too large a forward residual or a violated safety constraint: not eligible however accurate
        Assert.Equal(0, GraphDemoSelection.Select(new[] { Outcome(0.90), Outcome(0.99, residual: 0.2), Outcome(0.99, safety: 0.01) }, tolerance: 0.05));
        // a diverged candidate (null) is skipped
        Assert.Equal(2, GraphDemoSelection.Select(new[] { null, Outcome(0.90, residual: 0.2), Outcome(0.80) }, tolerance: 0.05));
        // nothing eligible: the most accurate of those that finished
        Assert.Equal(1, GraphDemoSelection.Select(new[] { Outcome(0.90, residual: 0.2), Outcome(0.95, safety: 1), null }, tolerance: 0.05));
        Assert.Throws<InvalidOperationException>(() => GraphDemoSelection.Select(new ChainOutcome?[] { null, null }, tolerance: 0.05));
    }

    [Fact]
    public void RecipesAreFoundByNameAndAnUnknownNameListsTheKnownOnes()
    {
        Assert.Same(GraphDemoRecipe.Release, GraphDemoRecipe.Find("RELEASE"));
        Assert.Equal(GraphDemoRecipe.Candidates.Count, GraphDemoRecipe.Candidates.Select(r => r.Name).Distinct().Count());
        Assert.Contains(GraphDemoRecipe.Default, GraphDemoRecipe.Candidates);
        var e = Assert.Throws<ArgumentException>(() => GraphDemoRecipe.Find("bogus"));
        Assert.Contains("'bogus'", e.Message);
        Assert.Contains("sweeps10", e.Message);
        CliTests.Refuses(1, "no graph-demo recipe named 'bogus'", "run", "graph-demo", "--quick", "--recipe", "bogus",
            "--data-dir", SyntheticMnist.WriteDirectory(trainCount: 100, testCount: 50), "--out", TempDir.Create());
        CliTests.Refuses(2, "--recipe does not apply", "run", "graph-demo-select", "--recipe", "release");
    }

    [Fact]
    public void SelectionScoresEveryCandidateOnAValidationSplitOfTheTrainingImagesOnly()
    {
        string data = SyntheticMnist.WriteDirectory(trainCount: 300, testCount: 60);
        string outRoot = TempDir.Create();
        var (exit, text) = CliTests.Invoke("run", "graph-demo-select", "--quick", "--data-dir", data, "--out", outRoot);
        Assert.True(exit == 0, text);
        var record = RunRecordJson.Read(Assert.Single(Directory.GetDirectories(outRoot)));
        Assert.Equal(240, record.Data!.TrainCount);  // 300 training images: 240 selection-train, 60 validation
        Assert.Equal(60, record.Data.TestCount);
        Assert.Contains("the test images are not read", record.Data.Split);
        foreach (var recipe in GraphDemoRecipe.Candidates)
            Assert.True(record.Summary.ContainsKey($"{recipe.Name}.validation_accuracy") || record.Summary.ContainsKey($"{recipe.Name}.diverged"), recipe.Name);
        int selected = (int)record.Summary["selected_index"];
        Assert.Equal(GraphDemoRecipe.Candidates[selected].Name, record.Config["selected"]!.ToString());
        Assert.Equal(GraphDemoRecipe.Candidates.Count, record.Tables[0].Rows.Count);
    }
}
