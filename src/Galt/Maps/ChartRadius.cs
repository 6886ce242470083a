using static TorchSharp.torch;

namespace Galt.Maps;

/// <summary>
/// How far a step can go before it leaves the current ReLU chart: the first t &gt; 0 at which a pre-activation along
/// θ + tδ changes sign. A linear site moves a pre-activation by z + t·v; a LoRA pair (both factors moving) by
/// z + t·v + t²·w. The radius of a layer is the smallest root over its units and examples; +∞ when none changes sign.
/// </summary>
internal static class ChartRadius
{
    /// <summary>The first t &gt; 0 with z + t·v + t²·w = 0 (z ≠ 0), else +∞; a pre-activation exactly 0 sits on the boundary and is skipped.</summary>
    public static double FirstRoot(double z, double v, double w = 0)
    {
        if (z == 0) return double.PositiveInfinity;
        double best = double.PositiveInfinity;
        void Consider(double t) { if (t > 0 && t < best) best = t; }
        if (Math.Abs(w) <= 1e-15 * (Math.Abs(v) + Math.Abs(z)))
        {
            if (v != 0) Consider(-z / v);
            return best;
        }
        double discriminant = v * v - 4 * w * z;
        if (discriminant < 0) return best;
        // The stable pair of roots: q = −(v + sign(v)·√Δ)/2, roots q/w and z/q.
        double q = -0.5 * (v + (v >= 0 ? 1 : -1) * Math.Sqrt(discriminant));
        if (q != 0)
        {
            Consider(q / w);
            Consider(z / q);
        }
        else Consider(Math.Sqrt(-z / w));
        return best;
    }

    /// <summary>The smallest <see cref="FirstRoot(double, double, double)"/> over the elements of z, v (and w): a layer's radius on a batch.</summary>
    public static double FirstRoot(Tensor z, Tensor v, Tensor? w = null)
    {
        using var scope = NewDisposeScope();
        var zs = z.detach().to_type(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray();
        var vs = v.detach().to_type(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray();
        var ws = w?.detach().to_type(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray();
        if (vs.Length != zs.Length || (ws is not null && ws.Length != zs.Length))
            throw new ArgumentException($"pre-activation ({zs.Length}), its first-order change ({vs.Length}) and second-order change ({ws?.Length}) differ in size.");
        double best = double.PositiveInfinity;
        for (int i = 0; i < zs.Length; i++) best = Math.Min(best, FirstRoot(zs[i], vs[i], ws?[i] ?? 0));
        return best;
    }
}
