using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Tensors;

/// <summary>
/// Tensor arithmetic with a number, where the TorchSharp <see cref="Scalar"/> the number becomes is made explicitly and
/// disposed as soon as libtorch has used it. TorchSharp 0.107 turns a number into a Scalar nobody disposes
/// (<c>x * 0.5</c>, <c>alpha: lr</c>, and the hidden <c>1</c> inside <c>a + b</c>) and passes its handle to libtorch
/// without keeping the object alive; its finalizer can then free it in the middle of the native call and kill the
/// process (docs/troubleshooting.md). Galt's own code uses these instead (the build's GALT0001–GALT0003 analyzer
/// refuses the implicit forms); use them in your measures and losses for the same guarantee.
/// </summary>
/// <remarks>Each call gives the same result, to the bit, as the TorchSharp operator it replaces.</remarks>
public static class ExplicitScalars
{
    /// <summary>The integer Scalar 1 (what TorchSharp's <c>a + b</c> passes as alpha), made once: a cached constant is
    /// never finalized, and an integer alpha suits integer and floating tensors alike.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>0, 1, …, <paramref name="stop"/> − 1 (TorchSharp's <c>arange(stop)</c>, whose start and step are Scalars it never disposes).</summary>
    public static Tensor Range(long stop, ScalarType? dtype = null, Device? device = null)
    {
        using Scalar start = 0L.ToScalar(), end = stop.ToScalar(), step = 1L.ToScalar();
        return arange(start, end, step, dtype, device);
    }

    /// <summary><paramref name="a"/> + <paramref name="b"/> (TorchSharp's <c>a + b</c>, without its hidden Scalar).</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>In place: <paramref name="a"/> += <paramref name="b"/>.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary><paramref name="a"/> + <paramref name="value"/>.</summary>
    public static Tensor Plus(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.add(s, One);
    }

    /// <summary><paramref name="a"/> − <paramref name="value"/>.</summary>
    public static Tensor Minus(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.sub(s);
    }

    /// <summary><paramref name="a"/> + the integer <paramref name="value"/> (an integer tensor stays integer).</summary>
    public static Tensor Plus(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.add(s, One);
    }

    /// <summary><paramref name="a"/> − the integer <paramref name="value"/>.</summary>
    public static Tensor Minus(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.sub(s);
    }

    /// <summary><paramref name="a"/> · the integer <paramref name="value"/>.</summary>
    public static Tensor Times(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.mul(s);
    }

    /// <summary><paramref name="a"/> / the integer <paramref name="value"/> (true division, as TorchSharp's <c>/</c>).</summary>
    public static Tensor Over(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.div(s);
    }

    /// <summary><paramref name="value"/> − <paramref name="a"/> (TorchSharp's <c>value - a</c>: −a + value).</summary>
    public static Tensor SubtractedFrom(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        using var negated = a.negative();
        return negated.add(s, One);
    }

    /// <summary><paramref name="a"/> · <paramref name="value"/>.</summary>
    public static Tensor Times(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.mul(s);
    }

    /// <summary>In place: <paramref name="a"/> ·= <paramref name="value"/>.</summary>
    public static Tensor TimesInPlace(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.mul_(s);
    }

    /// <summary><paramref name="a"/> / <paramref name="value"/>.</summary>
    public static Tensor Over(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.div(s);
    }

    /// <summary><paramref name="value"/> / <paramref name="a"/> (TorchSharp's <c>value / a</c>: (1/a) · value).</summary>
    public static Tensor DividedInto(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        using var reciprocal = a.reciprocal();
        return reciprocal.mul(s);
    }

    /// <summary><paramref name="a"/> raised to <paramref name="exponent"/>.</summary>
    public static Tensor Power(this Tensor a, double exponent)
    {
        using var s = exponent.ToScalar();
        return a.pow(s);
    }

    /// <summary><paramref name="a"/> raised to the integer <paramref name="exponent"/> (TorchSharp's <c>a.pow(2)</c>).</summary>
    public static Tensor Power(this Tensor a, long exponent)
    {
        using var s = exponent.ToScalar();
        return a.pow(s);
    }

    /// <summary><paramref name="a"/> + <paramref name="alpha"/> · <paramref name="b"/>, in one libtorch call.</summary>
    public static Tensor PlusScaled(this Tensor a, Tensor b, double alpha)
    {
        using var s = alpha.ToScalar();
        return a.add(b, s);
    }

    /// <summary>In place: <paramref name="a"/> += <paramref name="alpha"/> · <paramref name="b"/>.</summary>
    public static Tensor PlusScaledInPlace(this Tensor a, Tensor b, double alpha)
    {
        using var s = alpha.ToScalar();
        return a.add_(b, s);
    }

    /// <summary><paramref name="a"/> clamped below at <paramref name="min"/>.</summary>
    public static Tensor AtLeast(this Tensor a, double min)
    {
        using var s = min.ToScalar();
        return a.clamp_min(s);
    }

    /// <summary><paramref name="a"/> clamped above at <paramref name="max"/>.</summary>
    public static Tensor AtMost(this Tensor a, double max)
    {
        using var s = max.ToScalar();
        return a.clamp_max(s);
    }

    /// <summary><paramref name="a"/> clamped to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Tensor Between(this Tensor a, double min, double max)
    {
        using Scalar lo = min.ToScalar(), hi = max.ToScalar();
        return a.clamp(lo, hi);
    }

    /// <summary>A copy of <paramref name="a"/> with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor FilledWhere(this Tensor a, Tensor mask, double value)
    {
        using var s = value.ToScalar();
        return a.masked_fill(mask, s);
    }

    /// <summary>In place: every element of <paramref name="a"/> set to <paramref name="value"/>.</summary>
    public static Tensor FillInPlace(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.fill_(s);
    }

    /// <summary>Element-wise <paramref name="a"/> &gt; <paramref name="value"/>.</summary>
    public static Tensor Above(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.gt(s);
    }

    /// <summary>Element-wise <paramref name="a"/> &lt; <paramref name="value"/>.</summary>
    public static Tensor Below(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.lt(s);
    }
}
