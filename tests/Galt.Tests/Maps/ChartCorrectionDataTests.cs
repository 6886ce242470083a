using Galt.Experiments.ChartCorrection;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Tests.Maps;

/// <summary>The chart-correction experiment's data and dense student.</summary>
public class ChartCorrectionDataTests
{
    [Fact]
    public void SevenClustersSixAnswersAndTheSameDrawForTheSameSeed()
    {
        using var scope = NewDisposeScope();
        using var data = ChartCorrectionData.Generate(41);
        using var again = ChartCorrectionData.Generate(41);
        Assert.Equal(new long[] { 3300, 48 }, data.Train.X.shape);
        Assert.Equal(new long[] { 1100, 48 }, data.Test.X.shape);
        using var counts = data.Train.Y.bincount(null);
        Assert.Equal(new long[] { 600, 600, 600, 600, 600, 300 }, counts.data<long>().ToArray()); // ask_teacher: two OOD clusters
        Assert.True(data.Train.X.eq(again.Train.X).all().item<bool>());
        using var other = ChartCorrectionData.Generate(42);
        Assert.False(data.Train.X.eq(other.Train.X).all().item<bool>());
    }

    [Fact]
    [Trait("Category", "TrainedMetric")]
    public void TheDenseStudentLearnsTheAnswersAndFreezesItsBase()
    {
        using var scope = NewDisposeScope();
        using var data = ChartCorrectionData.Generate(41);
        var student = ChartStudent.Dense(data, seed: 41);
        TrainedMetric.AtLeast("chart-correction dense student test accuracy", ChartStudent.Accuracy(student, data.Test.X, data.Test.Y), 0.95);
        var trainable = student.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToArray();
        Assert.All(trainable, name => Assert.True(name.Contains("lora_") || name.StartsWith("head", StringComparison.Ordinal), $"{name} should be frozen"));
        Assert.Equal(2 * 2 + 2, trainable.Length); // two LoRA pairs and the head's weight and bias
        var pre = ChartStudent.PreActivations(student, data.Test.X[..5]);
        Assert.Equal(2, pre.Count);
        Assert.Equal(new long[] { 5, 32 }, pre[0].shape);
    }

    [Fact]
    [Trait("Category", "TrainedMetric")]
    public void TheTokenStudentReadsBinsAndSynonyms()
    {
        using var scope = NewDisposeScope();
        using var data = ChartCorrectionData.Generate(41);
        using var tokenizer = ChartTokens.Fit(data.Train.X, seed: 41);
        using var generator = new Generator(41);
        var train = tokenizer.Tokenize(data.Train.X, generator);
        var test = tokenizer.Tokenize(data.Test.X, generator);
        Assert.Equal(new long[] { 3300, 48 }, train.shape);
        Assert.True(train.min().item<long>() >= 0 && train.max().item<long>() < ChartTokens.Vocabulary);
        using var synonymStart = 384L.ToScalar();
        using var eight = 8L.ToScalar();
        Assert.True(train.ge(synonymStart).any().item<bool>(), "some synonym tokens should appear");
        // Coordinate j's token (when not a synonym) lies in its own 8 ids.
        using var first = train[.., 0];
        Assert.True(first.lt(eight).logical_or(first.ge(synonymStart)).all().item<bool>());
        var student = ChartStudent.Tokens(data, train, seed: 41);
        TrainedMetric.AtLeast("chart-correction token student test accuracy", ChartStudent.Accuracy(student, test, data.Test.Y), 0.9);
    }
}
