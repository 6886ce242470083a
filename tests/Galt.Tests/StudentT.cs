namespace Galt.Tests;

/// <summary>Seeded Student-t samples (t = Z / √(χ²_ν / ν), χ²_ν = 2·Gamma(ν/2), Gamma by Marsaglia–Tsang).</summary>
internal sealed class StudentT
{
    private readonly Random _rng;
    private readonly double _nu;

    public StudentT(double nu, int seed)
    {
        _nu = nu;
        _rng = new Random(seed);
    }

    public double Next() => Normal() / Math.Sqrt(2 * Gamma(_nu / 2) / _nu);

    private double Normal() => Math.Sqrt(-2 * Math.Log(1 - _rng.NextDouble())) * Math.Cos(2 * Math.PI * _rng.NextDouble());

    private double Gamma(double shape)
    {
        if (shape < 1) return Gamma(shape + 1) * Math.Pow(1 - _rng.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x = Normal(), v = Math.Pow(1 + c * x, 3);
            if (v <= 0) continue;
            double u = 1 - _rng.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }
}
