using Galt.Models;
using static TorchSharp.torch;

namespace Galt.Tests.Models;

/// <summary>LoraLinear's two constructors: Split-MNIST's own layer with scale 1/r, and an adapter wrapped around an existing layer.</summary>
public class LoraLinearTests
{
    [Fact]
    public void TheWrappingConstructorComputesWxPlusBPlusScaleTimesXATransposeBTranspose()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(21);
        var linear = nn.Linear(5, 3);
        var lora = new LoraLinear(linear, rank: 2, scale: 16, (r, inFeatures) => randn(r, inFeatures));
        Assert.Same(linear, lora.Base);
        using (no_grad()) lora.B.copy_(randn(3, 2));
        var x = randn(4, 5);
        var expected = x.matmul(linear.weight!.t()) + linear.bias! + 16 * x.matmul(lora.A.t()).matmul(lora.B.t());
        Assert.True(lora.call(x).allclose(expected, rtol: 1e-5, atol: 1e-6));
        Assert.Throws<ArgumentException>(() => new LoraLinear(nn.Linear(5, 3), 2, 16, (r, i) => zeros(r, i + 1)));
    }

    [Fact]
    public void TheSplitMnistConstructorKeepsItsScaleOfOneOverRank()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(22);
        var lora = new LoraLinear(5, 3, rank: 3);
        Assert.Equal(1.0 / 3, lora.Scale);
        using (no_grad()) lora.B.copy_(randn(3, 3));
        var x = randn(4, 5);
        var expected = x.matmul(lora.A.t()).matmul(lora.B.t()) / 3;
        Assert.True(lora.AdapterForward(x).equal(expected).all().item<bool>()); // bit for bit: still a division by r
    }
}
