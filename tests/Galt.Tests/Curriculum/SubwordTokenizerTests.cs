using Galt.Experiments.Data;
using Galt.Experiments.CurriculumGate;
using Galt.Experiments.Reporting;
using Galt.Tests.Cli;
using Galt.Experiments.Text;

namespace Galt.Tests.Curriculum;

/// <summary>Round 4's subword tokenizer (Microsoft.ML.Tokenizers cl100k_base) and the recipes that use it.</summary>
public class SubwordTokenizerTests
{
    private static readonly SubwordTokenizer Cl100k = SubwordTokenizer.Cl100kBase;

    [Fact]
    public void PiecesAreLowerCasedByteLevelBpeWithTheirLeadingSpace()
    {
        Assert.Equal(new[] { "user", " consistently", " selects", " astronomy" }, Cl100k.Tokens("User consistently SELECTS astronomy"));
        Assert.Equal(new[] { " distress", "ing" }, Cl100k.Tokens(" Distressing")); // a rarer word shares its stem's piece
        Assert.Equal(Cl100k.Tokens("The Grid layout."), Cl100k.Tokens("the grid LAYOUT."));
        const string text = "Reject consolidation: the user's records stay private (consent withdrawn, 3 times).";
        Assert.Equal(text.ToLowerInvariant(), string.Concat(Cl100k.Tokens(text))); // the pieces spell the lower-cased text
        Assert.Equal("cl100k", Cl100k.Name);
        Assert.Contains("cl100k_base", Cl100k.Description);
    }

    [Fact]
    public void PartialCharacterPiecesAreNamedByIdSoDistinctPiecesNeverMerge()
    {
        var pieces = Cl100k.Tokens("🦜").ToArray(); // one emoji, three byte pieces, none a character by itself
        Assert.Equal(3, pieces.Length);
        Assert.All(pieces, p => Assert.Matches(@"^<#\d+>$", p));
        Assert.Equal(3, pieces.Distinct().Count());
        Assert.Equal(pieces, Cl100k.Tokens("🦜")); // deterministic, cached or not
    }

    [Fact]
    public void VocabularyCountsAndEncodesPieces()
    {
        var vocabulary = new CurriculumVocabulary(new[] { "distress distress", "the distress" }, maxSize: 10, Cl100k);
        Assert.Same(Cl100k, vocabulary.Tokenizer);
        // pieces: "dist" "ress" " distress", then "the" " distress": " distress" twice, the rest once in first-seen order
        Assert.Equal(new[] { "<pad>", "<unk>", "<bos>", "<eos>", " distress", "dist", "ress", "the" }, Enumerable.Range(0, vocabulary.Size).Select(i => vocabulary[i]));
        Assert.Equal(new long[] { 2, 7, 4, 1, 3, 0 }, vocabulary.Encode("The distressing", 6)); // "ing" was never seen in training
        Assert.Same(WordTokenizer.Release, new CurriculumVocabulary(new[] { "a" }).Tokenizer);
    }

    [Fact]
    public void RoundFourPitsReplayAgainstSubwordTokensAndLongerReplay()
    {
        var replay = CurriculumRecipe.Find("replay");
        Assert.Same(replay, CurriculumRecipe.Round(4)[0]);
        Assert.Same(WordTokenizer.Release, replay.Options.Tokenizer);
        Assert.Equal(replay.Options with { Tokenizer = SubwordTokenizer.Cl100kBase }, CurriculumRecipe.Find("replay-cl100k").Options);
        Assert.Equal(replay.Options with { Steps = 1200 }, CurriculumRecipe.Find("replay-long").Options);
        Assert.All(CurriculumRecipe.Round(4), r => r.Options.Validate());
        Assert.All(CurriculumRecipe.Round(4), r => r.Options.Shortened().Validate());
        Assert.Contains("Tokenizer", Assert.Throws<ArgumentNullException>(() => (replay.Options with { Tokenizer = null! }).Validate()).Message);
    }

    [Fact]
    public void GateReportStatesTheWordTokenizerForRecipesBeforeRoundFour()
    {
        string data = SyntheticCurriculum.Write(2);
        string outRoot = TempDir.Create();
        var (exit, text) = CliTests.Invoke("run", "curriculum-gate", "--quick", "--recipe", "replay", "--steps", "30", "--data-dir", data, "--out", outRoot);
        Assert.True(exit == 0, text);
        var record = RunRecordJson.Read(Assert.Single(Directory.GetDirectories(outRoot)));
        Assert.StartsWith("replay:", record.Config["recipe"]!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("the release's word tokenizer", record.Config["tokenizer"]!.ToString(), StringComparison.Ordinal);
    }
}
