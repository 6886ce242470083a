using System.Text;
using Galt.Carriers;

namespace Galt.Tests.Carriers;

/// <summary>
/// The real all-MiniLM-L6-v2 carrier, loaded once per test process: loading parses ~90 MB, so every carrier test shares
/// it. Tests that change an encoder (LoRA) build their own from <see cref="Graph"/> and never touch <see cref="Carrier"/>.
/// </summary>
internal static class MiniLmFixture
{
    private static readonly Lazy<MiniLmCarrier> LazyCarrier = new(() => MiniLmCarrier.Load());
    private static readonly Lazy<byte[]> LazyModel = new(() => ManifestResourceReader.Read(Carrier.DllPath, MiniLmPackage.ModelResource));
    private static readonly Lazy<OnnxGraph> LazyGraph = new(() => OnnxModelReader.Read(ModelBytes, "model.onnx"));
    private static readonly Lazy<string[]> LazyVocabularyLines = new(() =>
        Encoding.UTF8.GetString(ManifestResourceReader.Read(Carrier.DllPath, MiniLmPackage.VocabularyResource)).Split('\n').Select(l => l.TrimEnd('\r')).ToArray());

    /// <summary>The carrier as <see cref="MiniLmCarrier.Load"/> gives it (never modify it in a test).</summary>
    public static MiniLmCarrier Carrier => LazyCarrier.Value;

    /// <summary>The raw model.onnx bytes from the package.</summary>
    public static byte[] ModelBytes => LazyModel.Value;

    /// <summary>The parsed graph of <see cref="ModelBytes"/>.</summary>
    public static OnnxGraph Graph => LazyGraph.Value;

    /// <summary>The lines of vocab.txt as stored in the package, read independently of the tokenizer.</summary>
    public static IReadOnlyList<string> VocabularyLines => LazyVocabularyLines.Value;

    /// <summary>The id of a token by its line in vocab.txt (line i = id i).</summary>
    public static int LineOf(string token)
    {
        int line = Array.IndexOf(LazyVocabularyLines.Value, token);
        Assert.True(line >= 0, $"token '{token}' is not a line of vocab.txt");
        return line;
    }
}
