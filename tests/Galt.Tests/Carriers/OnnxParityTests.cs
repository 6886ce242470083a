using Galt.Carriers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Galt.Tests.Carriers;

/// <summary>The TorchSharp encoder against ONNX Runtime running the package's own model.onnx bytes.</summary>
public class OnnxParityTests(ITestOutputHelper output)
{
    private static readonly string[] Sentences =
    {
        "A man is playing a guitar on the stage.",
        "Prices rose 5% to $30 (≈ €28) on 2024-01-02; 30°C × 2 = hot!",
        "Short.",
        "Crème brûlée at the CAFÉ — naïve Zoë asked: \"why?\" <tag> a|b ~c ^d",
    };

    [Fact]
    public void LastHiddenStateMatchesOnnxRuntimeOnEveryTokenOfAPaddedBatch()
    {
        var carrier = MiniLmFixture.Carrier;
        using var batch = carrier.Tokenizer.EncodeBatch(Sentences);
        long n = batch.InputIds.shape[0], t = batch.InputIds.shape[1];
        var ids = batch.InputIds.data<long>().ToArray();
        var mask = batch.AttentionMask.data<long>().ToArray();
        Assert.Contains(0L, mask); // the batch really is padded

        float[] reference;
        using (var session = new InferenceSession(MiniLmFixture.ModelBytes))
        {
            // The graph's own input names, as the reader found them, are the session's.
            Assert.Equal(MiniLmFixture.Graph.Inputs.OrderBy(x => x), session.InputMetadata.Keys.OrderBy(x => x));
            Assert.Equal(new[] { "attention_mask", "input_ids", "token_type_ids" }, session.InputMetadata.Keys.OrderBy(x => x));
            Assert.Equal("last_hidden_state", MiniLmFixture.Graph.Outputs[0]);
            var shape = new[] { (int)n, (int)t };
            var inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, shape)),
                NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], shape)),
            };
            using var results = session.Run(inputs, new[] { "last_hidden_state" });
            reference = results.Single().AsTensor<float>().ToArray();
        }

        using var scope = NewDisposeScope();
        Tensor hidden;
        using (no_grad()) hidden = carrier.Encoder.call(batch.InputIds, batch.AttentionMask);
        Assert.Equal(new[] { n, t, 384L }, hidden.shape);
        var ours = hidden.data<float>().ToArray();
        Assert.Equal(reference.Length, ours.Length);
        double maxError = 0;
        int compared = 0;
        for (int b = 0; b < n; b++)
            for (int p = 0; p < t; p++)
            {
                if (mask[b * t + p] == 0) continue; // padded positions are not part of the contract
                compared++;
                for (int d = 0; d < 384; d++)
                {
                    long i = (b * t + p) * 384 + d;
                    maxError = Math.Max(maxError, Math.Abs(ours[i] - reference[i]));
                }
            }
        output.WriteLine($"max |TorchSharp − ONNX Runtime| over {compared} tokens × 384: {maxError:E3}");
        Assert.Equal(mask.Sum(), compared);
        Assert.True(maxError <= 1e-4, $"max abs error {maxError:E3} exceeds 1e-4");
    }

    [Fact]
    public void MeanPooledEmbeddingsRankARelatedPairAboveAnUnrelatedOne()
    {
        var carrier = MiniLmFixture.Carrier;
        using var scope = NewDisposeScope();
        using var batch = carrier.Tokenizer.EncodeBatch(new[] { "A man is playing a guitar.", "Someone is playing a musical instrument.", "The stock market fell sharply today." });
        Tensor embeddings;
        using (no_grad()) embeddings = BertEncoder.MeanPool(carrier.Encoder.call(batch.InputIds, batch.AttentionMask), batch.AttentionMask);
        var unit = nn.functional.normalize(embeddings, dim: 1);
        var cosine = unit.matmul(unit.t()).data<float>().ToArray();
        double related = cosine[1], unrelated = cosine[2];
        output.WriteLine($"cos(related) = {related:F4}, cos(unrelated) = {unrelated:F4}");
        Assert.True(related > unrelated + 0.3, $"related {related:F4} vs unrelated {unrelated:F4}");
    }

    [Fact]
    public void MeanPoolAveragesOnlyTheUnpaddedPositions()
    {
        using var scope = NewDisposeScope();
        var hidden = tensor(new float[] { 1, 2, 3, 4, 100, 100, 5, 6, 7, 8, 9, 10 }, new long[] { 2, 3, 2 });
        var mask = tensor(new long[] { 1, 1, 0, 1, 1, 1 }, new long[] { 2, 3 });
        var pooled = BertEncoder.MeanPool(hidden, mask).data<float>().ToArray();
        Assert.Equal(new float[] { 2, 3, 7, 8 }, pooled);
    }
}
