using Galt.Experiments.Data;
using Galt.Experiments.CurriculumGate;
using Galt.Continual;
using Galt.Tests.Cli;
using static TorchSharp.torch;

namespace Galt.Tests.Curriculum;

public class CurriculumTokenDropoutTests
{
    private static readonly CurriculumOptions Tiny = new()
    {
        Steps = 30, LanguageSteps = 5, TeacherSteps = 10, BatchSize = 12, Hidden = 16, Layers = 1, Heads = 2, MaxLength = 32, LearningRate = 3e-3, EvaluateEvery = 30,
    };

    private static long[][] BatchIds(EncodedCurriculum data, int[] rows, CurriculumTokenDropout? dropout)
    {
        using var scope = NewDisposeScope();
        var ids = new CurriculumBatch(data, rows, CurriculumClassWeights.None, CPU, dropout).Ids;
        return Enumerable.Range(0, rows.Length).Select(r => ids[r].data<long>().ToArray()).ToArray();
    }

    [Fact]
    public void DropoutMasksOnlyWordTokensOfTeacherAndGaltRowsAndIsSeeded()
    {
        var rows = CurriculumReader.ReadSplit(SyntheticCurriculum.Write(trainPackets: 2), "train");
        var data = new CurriculumData(rows, rows, Tiny).Train;
        var all = Enumerable.Range(0, rows.Count).ToArray();
        var clean = BatchIds(data, all, null);
        var dropped = BatchIds(data, all, new CurriculumTokenDropout(0.5, seed: 3));
        int masked = 0;
        for (int r = 0; r < all.Length; r++)
            for (int t = 0; t < clean[r].Length; t++)
            {
                if (dropped[r][t] == clean[r][t]) continue;
                Assert.NotEqual(CurriculumStream.Language, rows[r].Stream);
                Assert.True(clean[r][t] >= CurriculumTokenDropout.FirstWord, $"row {r} position {t}: special {clean[r][t]} was replaced");
                Assert.Equal(CurriculumVocabulary.Unknown, dropped[r][t]);
                masked++;
            }
        int words = all.Where(r => rows[r].Stream != CurriculumStream.Language).Sum(r => clean[r].Count(id => id >= CurriculumTokenDropout.FirstWord));
        Assert.InRange(masked, words * 0.35, words * 0.65);
        Assert.Equal(dropped, BatchIds(data, all, new CurriculumTokenDropout(0.5, seed: 3)));
        Assert.NotEqual(dropped, BatchIds(data, all, new CurriculumTokenDropout(0.5, seed: 4)));
        Assert.Equal(clean, BatchIds(data, all, new CurriculumTokenDropout(0.0, seed: 3)));
    }

    [Fact]
    public void TrainingWithDropoutIsDeterministicAndDiffersFromTrainingWithout()
    {
        var dir = SyntheticCurriculum.Write(trainPackets: 2);
        var data = new CurriculumData(CurriculumReader.ReadSplit(dir, "train"), CurriculumReader.ReadSplit(dir, "validation"), Tiny);
        CurriculumRunResult Run(double p) => new CurriculumTrainer(Tiny with { TokenDropout = p }).Run(data.Train, data.Scored, data.Vocabulary.Size, seed: 5, NullProgress.Instance);
        var plain = Run(0);
        var a = Run(0.2);
        Assert.Equal(a.Losses, Run(0.2).Losses);
        // stage A (language only) is untouched by dropout; the teacher stage onward is not
        Assert.Equal(plain.Losses.Take(Tiny.LanguageSteps), a.Losses.Take(Tiny.LanguageSteps));
        Assert.NotEqual(plain.Losses.Skip(Tiny.LanguageSteps), a.Losses.Skip(Tiny.LanguageSteps));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void DropoutOutsideZeroToOneIsRefusedByName(double p)
    {
        Assert.Contains("TokenDropout", Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny with { TokenDropout = p }).Validate()).Message);
        Assert.Contains("token dropout", Assert.Throws<ArgumentOutOfRangeException>(() => new CurriculumTokenDropout(p, 1)).Message);
    }

    [Fact]
    public void RoundTwoPitsRoundOnesChoiceAgainstDropoutAndRoundsAreChecked()
    {
        Assert.Equal(4, CurriculumRecipe.Rounds.Count);
        Assert.Same(CurriculumRecipe.Find("replay"), CurriculumRecipe.Round(2)[0]);
        Assert.Contains(CurriculumRecipe.Find("replay"), CurriculumRecipe.Round(1));
        Assert.Equal(new[] { 0.0, 0.1, 0.2 }, CurriculumRecipe.Round(2).Select(r => r.Options.TokenDropout));
        Assert.All(CurriculumRecipe.Round(2), r => Assert.Equal(CurriculumRecipe.Find("replay").Options with { TokenDropout = r.Options.TokenDropout }, r.Options));
        Assert.Equal(CurriculumRecipe.All.Count, CurriculumRecipe.All.Select(r => r.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains("rounds are 1..4", Assert.Throws<ArgumentOutOfRangeException>(() => CurriculumRecipe.Round(5)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CurriculumRecipe.Round(0));
    }

    [Fact]
    public void RoundOptionBelongsToCurriculumSelectAndUnknownRoundsAreNamed()
    {
        string empty = TempDir.Create();
        CliTests.Refuses(1, "no selection round 9", "run", "curriculum-select", "--round", "9", "--data-dir", empty, "--out", TempDir.Create());
        CliTests.Refuses(2, "--round must be at least 1", "run", "curriculum-select", "--round", "0", "--data-dir", empty);
        CliTests.Refuses(2, "--round does not apply", "run", "curriculum-gate", "--round", "1", "--data-dir", empty);
    }
}
