using Galt.Carriers;
using static TorchSharp.torch;

namespace Galt.Tests.Carriers;

/// <summary>
/// The carrier's tokenizer against ids looked up by hand in the package's vocab.txt (line i = id i), on text where
/// Microsoft.ML.Tokenizers 2.0.1's own BERT pre-processing differs from BERT's.
/// </summary>
public class WordPieceTokenizerTests
{
    private static BertWordPieceTokenizer Tokenizer => MiniLmFixture.Carrier.Tokenizer;

    /// <summary>[CLS], the pieces' vocab.txt lines, [SEP].</summary>
    private static int[] Expected(params string[] pieces) =>
        pieces.Select(MiniLmFixture.LineOf).Prepend(MiniLmFixture.LineOf("[CLS]")).Append(MiniLmFixture.LineOf("[SEP]")).ToArray();

    [Fact]
    public void AsciiSymbolsAreBertPunctuationAndBecomeTokensOfTheirOwn()
    {
        const string text = "Price: $5 + 3 < 4 = x > y ^ z | w ~ v `q`";
        var pieces = new[] { "price", ":", "$", "5", "+", "3", "<", "4", "=", "x", ">", "y", "^", "z", "|", "w", "~", "v", "`", "q", "`" };
        Assert.Equal(pieces, Tokenizer.Pieces(text));
        Assert.Equal(Expected(pieces), Tokenizer.Encode(text));
    }

    [Fact]
    public void NonAsciiSymbolsStayInsideTheirWordsAndGetTheirWordPieces()
    {
        const string text = "30°C 2×3 ©2024 €10 £7 ¥3";
        var pieces = new[] { "30", "##°", "##c", "2", "##×", "##3", "©", "##20", "##24", "€", "##10", "£", "##7", "¥", "##3" };
        Assert.Equal(pieces, Tokenizer.Pieces(text));
        Assert.Equal(Expected(pieces), Tokenizer.Encode(text));
        Assert.Equal(Expected("°", "×", "©", "€", "£", "¥"), Tokenizer.Encode("° × © € £ ¥"));
    }

    [Fact]
    public void TextIsLowerCasedAndAccentsAreStripped()
    {
        var pieces = new[] { "cr", "##eme", "br", "##ule", "##e", "at", "the", "cafe", ",", "naive", "zoe", "!" };
        Assert.Equal(Expected(pieces), Tokenizer.Encode("Crème Brûlée at the CAFÉ, naïve Zoë!"));
        Assert.Equal(Tokenizer.Encode("creme brulee at the cafe, naive zoe!"), Tokenizer.Encode("Crème Brûlée at the CAFÉ, naïve Zoë!"));
    }

    [Fact]
    public void LineBreaksAndTabsSeparateWordsAndControlCharactersVanish()
    {
        Assert.Equal(Expected("line", "one", "line", "two"), Tokenizer.Encode("line one\nline\ttwo"));
        Assert.Equal(Expected("line", "one"), Tokenizer.Encode("line\r\none"));
        Assert.Equal(Expected("line"), Tokenizer.Encode("li\u00ADne\u0000\u0007")); // soft hyphen (Cf), NUL and BEL (Cc) are dropped
        Assert.Equal(Expected("中", "文"), Tokenizer.Encode("中文"));                 // CJK ideographs are spaced out
    }

    [Fact]
    public void SequencesAreFramedByClsAndSepAndUnknownWordsGiveUnk()
    {
        var ids = Tokenizer.Encode("hello");
        Assert.Equal(MiniLmFixture.LineOf("[CLS]"), ids[0]);
        Assert.Equal(MiniLmFixture.LineOf("[SEP]"), ids[^1]);
        Assert.Equal(101, Tokenizer.ClassificationId);
        Assert.Equal(102, Tokenizer.SeparatorId);
        Assert.Equal(0, Tokenizer.PaddingId);
        Assert.Equal(100, Tokenizer.UnknownId);
        Assert.Equal(Expected("[UNK]"), Tokenizer.Encode(new string('x', 101))); // over 100 characters
        Assert.DoesNotContain(Tokenizer.UnknownId, Tokenizer.Encode(new string('x', 100)));
        Assert.Equal(Expected(), Tokenizer.Encode("   "));
        Assert.Equal(30522, Tokenizer.Vocabulary.Count);
        Assert.Equal(MiniLmFixture.VocabularyLines.Take(30522), Tokenizer.Vocabulary);
    }

    [Fact]
    public void TruncationKeepsTheFirstOrTheLastPieces()
    {
        const string text = "one two three four five six";
        Assert.Equal(Expected("one", "two", "three"), Tokenizer.Encode(text, maxLength: 5));
        Assert.Equal(Expected("four", "five", "six"), Tokenizer.Encode(text, maxLength: 5, TruncationSide.Left));
        Assert.Equal(Expected(), Tokenizer.Encode(text, maxLength: 2, TruncationSide.Left));
        Assert.Equal(Tokenizer.Encode(text), Tokenizer.Encode(text, maxLength: 100, TruncationSide.Left));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Encode(text, maxLength: 1));
    }

    [Fact]
    public void BatchesArePaddedOnTheRightWithAMask()
    {
        using var batch = Tokenizer.EncodeBatch(new[] { "one two three", "one" }, maxLength: 4, TruncationSide.Left);
        Assert.Equal(new long[] { 2, 4 }, batch.InputIds.shape);
        Assert.Equal(ScalarType.Int64, batch.InputIds.dtype);
        var one = MiniLmFixture.LineOf("one");
        Assert.Equal(new long[] { 101, MiniLmFixture.LineOf("two"), MiniLmFixture.LineOf("three"), 102, 101, one, 102, 0 }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 1, 1, 0 }, batch.AttentionMask.data<long>().ToArray());
    }
}
