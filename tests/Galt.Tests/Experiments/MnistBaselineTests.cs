using Galt.Experiments;
using Galt.Experiments.Baselines;
using Galt.Tests.Data;

namespace Galt.Tests.Experiments;

public class MnistBaselineTests
{
    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void QuickRunLearnsSyntheticDigitsAndIsDeterministic()
    {
        string dir = SyntheticMnist.WriteDirectory(trainCount: 500, testCount: 200);
        var first = new MnistBaseline().Run(RunContext.Silent(seed: 4, quick: true, dataDir: dir));
        var second = new MnistBaseline().Run(RunContext.Silent(seed: 4, quick: true, dataDir: dir));

        TrainedMetric.AtLeast("test_accuracy on separable synthetic digits", first.Summary["test_accuracy"], 0.9);
        Assert.Equal(first.Summary["test_accuracy"], second.Summary["test_accuracy"]);
        Assert.Equal(first.Summary["final_train_loss"], second.Summary["final_train_loss"]);
        Assert.Equal(2, first.Tables[0].Rows.Count); // --quick: 2 epochs
        Assert.Equal(500, first.Data!.TrainCount);
        Assert.Contains("standard split, 500 train / 200 test", first.Data.Split);
    }

    [Fact]
    public void OtherSeedGivesOtherTraining()
    {
        string dir = SyntheticMnist.WriteDirectory(trainCount: 200, testCount: 50);
        var a = new MnistBaseline().Run(RunContext.Silent(seed: 1, quick: true, dataDir: dir));
        var b = new MnistBaseline().Run(RunContext.Silent(seed: 2, quick: true, dataDir: dir));
        Assert.NotEqual(a.Summary["final_train_loss"], b.Summary["final_train_loss"]);
    }
}
