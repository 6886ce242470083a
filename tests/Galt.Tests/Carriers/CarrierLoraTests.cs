using Galt.Carriers;
using Galt.Models;
using static TorchSharp.torch;

namespace Galt.Tests.Carriers;

/// <summary>LoRA on every projection of the pretrained carrier: rank 8, scale 16, A ~ U(±1/√in), B = 0, base frozen.</summary>
public class CarrierLoraTests
{
    [Fact]
    public void AdaptersOnEveryProjectionStartAsTheBaseModelAndOnlyTheyTrain()
    {
        using var encoder = BertOnnxWeights.Import(MiniLmFixture.Graph, "model.onnx").Encoder;
        var adapters = encoder.AddLora(rank: 8, scale: 16, seed: 11);
        Assert.Equal(6 * 6, adapters.Count);
        foreach (var layer in encoder.Layers)
        {
            Assert.Equal(BertLayer.ProjectionNames, layer.Projections.Select(p => p.Name));
            Assert.All(layer.Projections, p => Assert.IsType<LoraLinear>(p.Module));
        }
        Assert.All(adapters, a => { Assert.Equal(8, a.Rank); Assert.Equal(16.0, a.Scale); Assert.Equal(0f, a.B.abs().max().item<float>()); });

        var trainable = encoder.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.Equal(72, trainable.Count);
        Assert.All(trainable, n => Assert.Matches(@"\.lora_[AB]$", n));
        Assert.Equal(101, encoder.named_parameters().Count(p => !p.parameter.requires_grad)); // every base parameter, frozen

        using var scope = NewDisposeScope();
        using var batch = MiniLmFixture.Carrier.Tokenizer.EncodeBatch(new[] { "Adapters start as no change.", "B is zero." });
        using (no_grad())
        {
            var adapted = encoder.call(batch.InputIds, batch.AttentionMask);
            var reference = MiniLmFixture.Carrier.Encoder.call(batch.InputIds, batch.AttentionMask);
            Assert.True(adapted.equal(reference).all().item<bool>());
        }

        // A gradient step reaches A and B only.
        var loss = encoder.call(batch.InputIds, batch.AttentionMask).pow(2).mean();
        adapters[0].B.requires_grad = true;
        loss.backward();
        Assert.All(encoder.named_parameters().Where(p => !p.parameter.requires_grad), p => Assert.True(p.parameter.grad is null, p.name));
        Assert.NotNull(adapters[^1].B.grad);
        Assert.True(adapters[^1].B.grad!.abs().max().item<float>() > 0);
        Assert.Empty(encoder.AddLora()); // adapted projections are left as they are
    }

    [Fact]
    public void AIsUniformWithinOneOverRootInAndSeeded()
    {
        using var first = BertOnnxWeights.Import(OnnxModelReader.Read(new TinyBertOnnx().Build(), "tiny.onnx"), "tiny.onnx", heads: 2).Encoder;
        using var second = BertOnnxWeights.Import(OnnxModelReader.Read(new TinyBertOnnx().Build(), "tiny.onnx"), "tiny.onnx", heads: 2).Encoder;
        var a = first.AddLora(rank: 3, scale: 16, seed: 4);
        var b = second.AddLora(rank: 3, scale: 16, seed: 4);
        for (int i = 0; i < a.Count; i++)
        {
            long inFeatures = a[i].Base.weight!.shape[1];
            Assert.Equal(new[] { 3L, inFeatures }, a[i].A.shape);
            Assert.True(a[i].A.abs().max().item<float>() <= 1 / Math.Sqrt(inFeatures));
            Assert.True(a[i].A.equal(b[i].A).all().item<bool>());
        }
        Assert.False(a[0].A.equal(a[1].A).all().item<bool>()); // one generator, successive draws
    }
}
