using Galt.Models;
using Galt.Optim;
using static TorchSharp.torch;
using Galt.Experiments.CurriculumGate;

namespace Galt.Tests.Curriculum;

public class CurriculumModelTests
{
    [Fact]
    public void AttentionIsCausalAndPoolingIgnoresPadding()
    {
        manual_seed(3);
        using var model = new CurriculumTransformer(vocabulary: 40, hidden: 16, layerCount: 2, heads: 4, maxLength: 12);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var a = tensor(new long[] { 2, 7, 9, 11, 3, 0, 0 }).unsqueeze(0);
        var b = tensor(new long[] { 2, 7, 9, 30, 3, 0, 0 }).unsqueeze(0); // differs at position 3
        var ha = model.call(a);
        var hb = model.call(b);
        Assert.True(ha.narrow(1, 0, 3).allclose(hb.narrow(1, 0, 3))); // earlier positions cannot see position 3
        Assert.False(ha.narrow(1, 3, 1).allclose(hb.narrow(1, 3, 1)));

        var trimmed = a.narrow(1, 0, 5);
        var headsFull = model.Heads(CurriculumTransformer.Pool(ha, a));
        var headsTrimmed = model.Heads(CurriculumTransformer.Pool(model.call(trimmed), trimmed));
        Assert.True(headsFull.Access.allclose(headsTrimmed.Access, rtol: 1e-5, atol: 1e-6)); // pad positions do not enter the mean
        Assert.Equal(new long[] { 1, 5 }, headsFull.ViolationLayer.shape);
        Assert.Equal(new long[] { 1, 6 }, headsFull.TeacherState.shape);
        Assert.Throws<ArgumentException>(() => model.call(zeros(new long[] { 1, 13 }, ScalarType.Int64)));
    }

    [Fact]
    public void UncorrectedAdamWTakesTheMlxStep()
    {
        using var p = tensor(new[] { 1.0f, -2.0f }).requires_grad_();
        using var optimizer = new UncorrectedAdamW(new[] { ("w", p) }, learningRate: 0.1, weightDecay: 0.5);
        (p * tensor(new[] { 3.0f, -4.0f })).sum().backward();
        optimizer.Step();
        // m = 0.1·g, v = 0.001·g², θ ← θ(1 − 0.1·0.5) − 0.1·m/(√v + 1e-8) = 0.95θ − 0.1·0.1/√0.001·sign(g)
        double move = 0.1 * 0.1 / Math.Sqrt(0.001);
        Assert.Equal(0.95 * 1 - move, p[0].item<float>(), 1e-5);
        Assert.Equal(0.95 * -2 + move, p[1].item<float>(), 1e-5);
    }

    [Fact]
    public void NonFiniteGradientLeavesParametersAndMomentsUntouched()
    {
        using var p = tensor(new[] { 1.0f, 2.0f }).requires_grad_();
        using var q = tensor(new[] { 3.0f }).requires_grad_();
        using var optimizer = new UncorrectedAdamW(new[] { ("p", p), ("q", q) });
        (p.sum() + q.sum()).backward();
        optimizer.Step();
        var before = (p.detach().clone(), q.detach().clone());
        optimizer.ZeroGrad();
        (p.sum() + q.log().mul(float.NaN)).backward(); // p's gradient is fine, q's is NaN
        var e = Assert.Throws<NonFiniteValueException>(() => optimizer.Step());
        Assert.Equal("q", e.Source);
        Assert.True(p.detach().equal(before.Item1).all().item<bool>());
        Assert.True(q.detach().equal(before.Item2).all().item<bool>());
        optimizer.ZeroGrad();
        (p.sum() + q.sum()).backward();
        optimizer.Step(); // the moments were not touched by the refused step: the next step equals a second clean step
        using var p2 = tensor(new[] { 1.0f, 2.0f }).requires_grad_();
        using var q2 = tensor(new[] { 3.0f }).requires_grad_();
        using var reference = new UncorrectedAdamW(new[] { ("p", p2), ("q", q2) });
        for (int i = 0; i < 2; i++)
        {
            reference.ZeroGrad();
            (p2.sum() + q2.sum()).backward();
            reference.Step();
        }
        Assert.True(p.detach().allclose(p2.detach()));
        Assert.True(q.detach().allclose(q2.detach()));
    }
}
