using Galt.Experiments.Data;
using Galt.Experiments.CurriculumGate;
using Galt.Continual;

namespace Galt.Tests.Curriculum;

/// <summary>Round 3's stage-E variants: weight averaging and learning-rate decay.</summary>
public class CurriculumStageETests
{
    private static readonly CurriculumOptions Tiny = new()
    {
        Steps = 40, LanguageSteps = 5, TeacherSteps = 10, GaltSteps = 25, BatchSize = 12, Hidden = 16, Layers = 1, Heads = 2, MaxLength = 32,
        LearningRate = 3e-3, EvaluateEvery = 20,
    };

    private static CurriculumRunResult Run(CurriculumOptions options)
    {
        var dir = SyntheticCurriculum.Write(trainPackets: 2);
        var data = new CurriculumData(CurriculumReader.ReadSplit(dir, "train"), CurriculumReader.ReadSplit(dir, "validation"), options);
        return new CurriculumTrainer(options).Run(data.Train, data.Scored, data.Vocabulary.Size, seed: 5, NullProgress.Instance);
    }

    [Fact]
    public void LearningRateIsConstantUntilStageEThenDecaysLinearly()
    {
        var anneal = Tiny with { AnnealReplay = true };
        Assert.All(Enumerable.Range(1, 25), s => Assert.Equal(3e-3, anneal.LearningRateAt(s)));
        Assert.Equal(3e-3, anneal.LearningRateAt(26), 12);          // first stage-E step: full rate
        Assert.Equal(3e-3 * 8 / 15, anneal.LearningRateAt(33), 12); // 15 stage-E steps; 8 left including this one
        Assert.Equal(3e-3 / 15, anneal.LearningRateAt(40), 12);     // last step: lr / length of stage E
        Assert.All(Enumerable.Range(1, 40), s => Assert.Equal(3e-3, Tiny.LearningRateAt(s)));
    }

    [Fact]
    public void AnnealingChangesOnlyStageEAndAveragingChangesNoTrainingStep()
    {
        var plain = Run(Tiny);
        var anneal = Run(Tiny with { AnnealReplay = true });
        Assert.Equal(plain.Losses.Take(26), anneal.Losses.Take(26)); // step 26's loss is computed before its (first decayed) update
        Assert.NotEqual(plain.Losses.Skip(26), anneal.Losses.Skip(26));

        var swa = Run(Tiny with { WeightAveraging = true });
        Assert.Equal(plain.Losses, swa.Losses);                           // averaging never touches the trained weights
        Assert.Equal(plain.History[1].Metrics, swa.History[1].Metrics);   // step 20: before stage E, the plain weights are scored
        Assert.NotEqual(plain.Final["lm_loss"], swa.Final["lm_loss"]);    // after it, the stage-E mean is
        Assert.Equal(swa.Final, Run(Tiny with { WeightAveraging = true }).Final);
    }

    [Theory]
    [InlineData(true, false, 25, true, "WeightAveraging")]
    [InlineData(false, true, 20, true, "AnnealReplay")]
    [InlineData(true, false, 40, false, "mixed schedule")]
    public void StageEOptionsWithoutAStageEAreRefusedByName(bool average, bool anneal, int steps, bool staged, string expected)
    {
        var options = Tiny with { WeightAveraging = average, AnnealReplay = anneal, Steps = steps, Staged = staged };
        Assert.Contains(expected, Assert.Throws<ArgumentException>(options.Validate).Message);
        Assert.Throws<ArgumentException>(() => new CurriculumTrainer(options));
    }

    [Fact]
    public void RoundThreePitsReplayAgainstItsStageEVariants()
    {
        var replay = CurriculumRecipe.Find("replay");
        Assert.Same(replay, CurriculumRecipe.Round(3)[0]);
        Assert.Equal(replay.Options with { WeightAveraging = true }, CurriculumRecipe.Find("replay-swa").Options);
        Assert.Equal(replay.Options with { AnnealReplay = true }, CurriculumRecipe.Find("replay-anneal").Options);
        Assert.All(CurriculumRecipe.Round(3), r => r.Options.Validate());
        Assert.All(CurriculumRecipe.Round(3), r => r.Options.Shortened().Validate()); // --quick keeps a stage E
    }
}
