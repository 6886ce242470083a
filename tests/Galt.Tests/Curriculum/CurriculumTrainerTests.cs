using Galt.Experiments.Data;
using Galt.Experiments.CurriculumGate;
using Galt.Continual;

namespace Galt.Tests.Curriculum;

public class CurriculumTrainerTests
{
    private static readonly CurriculumOptions Tiny = new()
    {
        Steps = 150, LanguageSteps = 10, TeacherSteps = 20, BatchSize = 12, Hidden = 32, Layers = 1, Heads = 4, MaxLength = 32,
        LearningRate = 3e-3, EvaluateEvery = 50,
    };

    private static (EncodedCurriculum Train, EncodedCurriculum Validation, int Vocabulary) Load(string dir, CurriculumOptions options)
    {
        var train = CurriculumReader.ReadSplit(dir, "train");
        var vocabulary = new CurriculumVocabulary(train.Select(r => r.Text), options.VocabularySize);
        return (new EncodedCurriculum(train, vocabulary, options.MaxLength), new EncodedCurriculum(CurriculumReader.ReadSplit(dir, "validation"), vocabulary, options.MaxLength), vocabulary.Size);
    }

    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void LearnsTheAdjudicationAndLayerHeadsOnASyntheticCurriculum()
    {
        // 300 steps: at 150 the layer heads (and so predicted access, 0.75–0.92) had not settled and which rows they got
        // right depended on the CPU's kernels; at 300 every head is at 1.000 under every kernel set measured
        // (docs/trained-metric-margins.md).
        var options = Tiny with { Steps = 300 };
        var (train, validation, size) = Load(SyntheticCurriculum.Write(trainPackets: 6), options);
        var result = new CurriculumTrainer(options).Run(train, validation, size, seed: 42, NullProgress.Instance);
        var first = result.History[0].Metrics;
        var last = result.Final;
        Assert.Equal(new[] { 1, 50, 100, 150, 200, 250, 300 }, result.History.Select(c => c.Step));
        Assert.Equal(300, result.Losses.Count);
        // Held-out packets (new topics): the rules are keyed on words every packet shares, so they transfer.
        TrainedMetric.AtLeast("action_acc", last["action_acc"], 0.95);
        TrainedMetric.AtLeast("teacher_action_acc", last["teacher_action_acc"], 0.95);
        TrainedMetric.AtLeast("memory_layer_acc", last["memory_layer_acc"], 0.9);
        TrainedMetric.AtLeast("violation_layer_acc", last["violation_layer_acc"], 0.9);
        TrainedMetric.AtLeast("access_acc (predicted layers)", last["access_acc"], 0.9, $"access_acc {first["access_acc"]} at step 1");
        TrainedMetric.AtMost("lm_loss last / first", last["lm_loss"] / first["lm_loss"], 1);
    }

    [Fact]
    public void SameSeedGivesTheSameRunAndAnotherSeedDiffers()
    {
        var options = Tiny with { Steps = 30, EvaluateEvery = 30 };
        var (train, validation, size) = Load(SyntheticCurriculum.Write(trainPackets: 2), options);
        var trainer = new CurriculumTrainer(options);
        var a = trainer.Run(train, validation, size, seed: 7, NullProgress.Instance);
        var b = trainer.Run(train, validation, size, seed: 7, NullProgress.Instance);
        var c = trainer.Run(train, validation, size, seed: 8, NullProgress.Instance);
        Assert.Equal(a.Losses, b.Losses);
        Assert.Equal(a.Final, b.Final);
        Assert.NotEqual(a.Losses, c.Losses);
    }

    [Fact]
    public void ViolationWeightsComeFromContrastRowsAndCanBeTurnedOff()
    {
        var rows = CurriculumReader.ReadSplit(SyntheticCurriculum.Write(trainPackets: 2), "train");
        var weights = new CurriculumTrainer(Tiny).ClassWeights(rows);
        var w = weights.ViolationLayer!;
        var labels = rows.Where(r => r.Adjudication?.Layers is not null).Select(r => r.Adjudication!.Layers!.ViolationLayer).ToArray();
        Assert.Equal(5, w.Length);
        Assert.Equal(1.0, labels.Average(y => w[y]), 12);
        Assert.Null(weights.Action); // the release's runs leave the adjudication heads unweighted
        Assert.Null(new CurriculumTrainer(Tiny with { ViolationClassWeights = false }).ClassWeights(rows).ViolationLayer);
        Assert.Throws<ArgumentException>(() => new CurriculumTrainer(Tiny with { Hidden = 30 }));
    }

    [Fact]
    public void AdjudicationClassWeightsCoverEveryGaltRowAndAverageOne()
    {
        var rows = CurriculumReader.ReadSplit(SyntheticCurriculum.Write(trainPackets: 3), "train");
        var weights = new CurriculumTrainer(Tiny with { AdjudicationClassWeights = true }).ClassWeights(rows);
        var galt = rows.Where(r => r.Adjudication is not null).Select(r => r.Adjudication!).ToArray();
        Assert.Equal(1.0, galt.Average(a => weights.Action![a.Action]), 12);
        Assert.Equal(1.0, galt.Average(a => weights.Memory![a.Memory]), 12);
        Assert.Equal(1.0, galt.Average(a => weights.Residual![a.Residual]), 12);
        // accept is the minority (one positive per packet of three), so it weighs more than reject
        Assert.True(weights.Action![0] > weights.Action[1], $"accept {weights.Action[0]} vs reject {weights.Action[1]}");
    }
}
