using Galt.Graph;

namespace Galt.Orleans;

/// <summary><see cref="SplitChainOptions"/> as the seven numbers a grain call carries.</summary>
internal static class ChainSettings
{
    public static double[] Write(SplitChainOptions o) => new[] { o.Rho, o.SplitStep, o.InnerIterations, (double)o.Schedule, o.RhoGrowth, o.RhoMax, o.Tau };

    public static SplitChainOptions Read(double[] v)
    {
        if (v.Length != 7) throw new ArgumentException($"split-chain settings are 7 numbers; got {v.Length}.", nameof(v));
        var options = new SplitChainOptions(v[0], v[1], (int)v[2], (Schedule)(int)v[3], v[4], v[5], v[6]);
        options.Validate();
        return options;
    }
}

/// <summary>The largest frame sent inline; larger ones travel staged in parts of this size (below Orleans' 100 MiB message-body limit).</summary>
internal static class PartLimit
{
    public static int Bytes { get; set; } = 64 << 20;
}
