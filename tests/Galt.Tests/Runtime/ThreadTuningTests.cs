using static TorchSharp.torch;

namespace Galt.Tests.Runtime;

public class ThreadTuningTests
{
    [Fact]
    public void ANegativeSpinCountIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ThreadTuning.LimitOpenMpSpinning(-1));
        Assert.Equal("spinCount", e.ParamName);
    }

    [Fact]
    public void OnceLibtorchIsLoadedItChangesNothingAndSaysWhy()
    {
        // libgomp has read its environment when libtorch loaded: a setting made now would be a silent no-op.
        using var x = ones(4) * 2;
        Assert.Equal(8f, x.sum().item<float>());
        bool userSet = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null;
        string? before = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT");

        bool applied = ThreadTuning.LimitOpenMpSpinning();

        Assert.False(applied);
        Assert.Equal(before, Environment.GetEnvironmentVariable("GOMP_SPINCOUNT"));
        if (OperatingSystem.IsLinux())
            Assert.Contains(userSet ? "set by the user" : "already loaded", ThreadTuning.Status);
    }
}
