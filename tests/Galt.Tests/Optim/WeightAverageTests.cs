using Galt.Optim;
using static TorchSharp.torch;
using Galt.Experiments.CurriculumGate;

namespace Galt.Tests.Optim;

public class WeightAverageTests
{
    [Fact]
    public void AppliesTheRunningMeanAndRestoresTheTrainedValuesExactly()
    {
        using var p = tensor(new[] { 1.0f, -2.0f }).requires_grad_();
        using var q = tensor(new[] { 10.0f }).requires_grad_();
        using var average = new WeightAverage(new[] { ("p", p), ("q", q) });
        Assert.Equal(0, average.Count);
        Assert.Contains("no weights have been accumulated", Assert.Throws<InvalidOperationException>(() => average.Apply()).Message);

        // three snapshots: p = (1, −2), (2, 0), (6, 5); q = 10, 20, 60
        float[][] ps = { new[] { 1f, -2f }, new[] { 2f, 0f }, new[] { 6f, 5f } };
        float[] qs = { 10f, 20f, 60f };
        for (int i = 0; i < 3; i++)
        {
            using (no_grad())
            {
                p.copy_(tensor(ps[i]));
                q.copy_(tensor(new[] { qs[i] }));
            }
            average.Accumulate();
        }
        Assert.Equal(3, average.Count);

        using (average.Apply())
        {
            Assert.Equal(3f, p[0].item<float>(), 1e-5);
            Assert.Equal(1f, p[1].item<float>(), 1e-5);
            Assert.Equal(30f, q[0].item<float>(), 1e-5);
            Assert.Throws<InvalidOperationException>(() => average.Accumulate()); // would average the mean into itself
            Assert.Throws<InvalidOperationException>(() => average.Apply());
        }
        Assert.Equal(new[] { 6f, 5f }, p.data<float>().ToArray());
        Assert.Equal(60f, q.item<float>());
        Assert.True(p.requires_grad);
        average.Accumulate(); // allowed again once restored
        Assert.Equal(4, average.Count);
    }

    [Fact]
    public void NonFiniteParameterLeavesTheMeanUntouched()
    {
        using var p = tensor(new[] { 1.0f, 2.0f });
        using var q = tensor(new[] { 3.0f });
        using var average = new WeightAverage(new[] { ("p", p), ("q", q) });
        average.Accumulate();
        q.fill_(float.PositiveInfinity);
        var e = Assert.Throws<NonFiniteValueException>(() => average.Accumulate());
        Assert.Equal("q", e.Source);
        Assert.Equal(1, average.Count);
        q.fill_(7f);
        using (average.Apply()) Assert.Equal(3f, q.item<float>()); // the mean is still the first snapshot
        Assert.Throws<ArgumentException>(() => new WeightAverage(Array.Empty<(string, Tensor)>()));
    }
}
