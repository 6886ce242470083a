using static TorchSharp.torch;

namespace Galt.Tests;

/// <summary>TorchSharp's native library loads on this host (the ELF fix works) and autograd is right.</summary>
public class TorchSharpLoadTests
{
    [Fact]
    public void ForwardAndBackwardPassGiveTheAnalyticGradient()
    {
        using var scope = NewDisposeScope();
        var w = tensor(new float[] { 1f, -2f, 3f }).requires_grad_();
        var x = tensor(new float[] { 0.5f, 1.5f, -1f });
        // loss = (w·x)^2, so dloss/dw = 2 (w·x) x
        var loss = (w * x).sum().pow(2);
        loss.backward();
        float dot = 1f * 0.5f - 2f * 1.5f - 3f;
        Assert.Equal(dot * dot, loss.item<float>(), 1e-5 * Math.Max(1, dot * dot));
        var grad = w.grad!.data<float>().ToArray();
        Assert.Equal(new[] { 2 * dot * 0.5f, 2 * dot * 1.5f, 2 * dot * -1f }, grad);
    }

    [Fact]
    public void LinearLayerTrainsOneStepDownhill()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var layer = nn.Linear(4, 2);
        var opt = optim.SGD(layer.parameters(), 0.1);
        var x = randn(16, 4);
        var y = randn(16, 2);
        var before = nn.functional.mse_loss(layer.forward(x), y);
        opt.zero_grad();
        before.backward();
        opt.step();
        var after = nn.functional.mse_loss(layer.forward(x), y);
        Assert.True(after.item<float>() < before.item<float>(), $"loss went from {before.item<float>()} to {after.item<float>()}");
    }
}
