using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Galt.Solve;

/// <summary>
/// The Gram products of one block of a fused sweep in float64 (spec §1.1 Woodbury step 1): A_ij += Σ_e S_i,e·S_j,e
/// with S_i = J_i/√D, and τ_i += Σ_e S_i,e·b_e with b = δ_b·√D, over rows already widened into a scratch array (S
/// rows, then b, each <c>stride</c> long, zero-padded to a multiple of four). Blocks of 4×4 row pairs keep their
/// accumulators in registers, so each loaded vector feeds up to four fused multiply-adds; blocks on the diagonal form
/// only the ten products with i ≤ j.
/// </summary>
internal static class GramTiles
{
    /// <summary>Adds the block's products into <paramref name="gram"/> (r×r, row-major, i ≤ j only) and <paramref name="tau"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate(double[] scratch, int r, int stride, int n, double[] gram, double[] tau)
    {
        ref double s = ref MemoryMarshal.GetArrayDataReference(scratch);
        ref double b = ref Unsafe.Add(ref s, r * stride);
        int r4 = r & ~3;
        for (int ib = 0; ib < r4; ib += 4)
        {
            ref double block = ref Unsafe.Add(ref s, ib * stride);
            DiagonalTile(ref block, stride, n, gram, r, ib);
            for (int jb = ib + 4; jb < r4; jb += 4) Tile(ref block, ref Unsafe.Add(ref s, jb * stride), stride, n, gram, r, ib, jb);
            for (int i = ib; i < ib + 4; i++)
                for (int j = r4; j < r; j++)
                    gram[i * r + j] += Dot(ref Unsafe.Add(ref s, i * stride), ref Unsafe.Add(ref s, j * stride), n);
        }
        for (int i = r4; i < r; i++)
            for (int j = i; j < r; j++)
                gram[i * r + j] += Dot(ref Unsafe.Add(ref s, i * stride), ref Unsafe.Add(ref s, j * stride), n);
        for (int i = 0; i < r; i++) tau[i] += Dot(ref Unsafe.Add(ref s, i * stride), ref b, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Dot(ref double a, ref double b, int n)
    {
        Vector256<double> s0 = Vector256<double>.Zero, s1 = Vector256<double>.Zero;
        nuint e = 0, end = (nuint)n;
        for (; e + 8 <= end; e += 8)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, e), Vector256.LoadUnsafe(ref b, e), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, e + 4), Vector256.LoadUnsafe(ref b, e + 4), s1);
        }
        for (; e < end; e += 4) s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, e), Vector256.LoadUnsafe(ref b, e), s0);
        return Vector256.Sum(s0 + s1);
    }

    /// <summary>Rows ib..ib+3 (at <paramref name="w"/>) against rows jb..jb+3 (at <paramref name="x"/>), jb &gt; ib.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(ref double w, ref double x, int stride, int n, double[] gram, int r, int ib, int jb)
    {
        ref double w0 = ref w;
        ref double w1 = ref Unsafe.Add(ref w, stride);
        ref double w2 = ref Unsafe.Add(ref w, 2 * stride);
        ref double w3 = ref Unsafe.Add(ref w, 3 * stride);
        ref double x0 = ref x;
        ref double x1 = ref Unsafe.Add(ref x, stride);
        ref double x2 = ref Unsafe.Add(ref x, 2 * stride);
        ref double x3 = ref Unsafe.Add(ref x, 3 * stride);
        Vector256<double> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default,
            a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
        for (nuint e = 0; e < (nuint)n; e += 4)
        {
            var v0 = Vector256.LoadUnsafe(ref x0, e);
            var v1 = Vector256.LoadUnsafe(ref x1, e);
            var v2 = Vector256.LoadUnsafe(ref x2, e);
            var v3 = Vector256.LoadUnsafe(ref x3, e);
            var u = Vector256.LoadUnsafe(ref w0, e);
            a00 = Vector256.FusedMultiplyAdd(u, v0, a00); a01 = Vector256.FusedMultiplyAdd(u, v1, a01);
            a02 = Vector256.FusedMultiplyAdd(u, v2, a02); a03 = Vector256.FusedMultiplyAdd(u, v3, a03);
            u = Vector256.LoadUnsafe(ref w1, e);
            a10 = Vector256.FusedMultiplyAdd(u, v0, a10); a11 = Vector256.FusedMultiplyAdd(u, v1, a11);
            a12 = Vector256.FusedMultiplyAdd(u, v2, a12); a13 = Vector256.FusedMultiplyAdd(u, v3, a13);
            u = Vector256.LoadUnsafe(ref w2, e);
            a20 = Vector256.FusedMultiplyAdd(u, v0, a20); a21 = Vector256.FusedMultiplyAdd(u, v1, a21);
            a22 = Vector256.FusedMultiplyAdd(u, v2, a22); a23 = Vector256.FusedMultiplyAdd(u, v3, a23);
            u = Vector256.LoadUnsafe(ref w3, e);
            a30 = Vector256.FusedMultiplyAdd(u, v0, a30); a31 = Vector256.FusedMultiplyAdd(u, v1, a31);
            a32 = Vector256.FusedMultiplyAdd(u, v2, a32); a33 = Vector256.FusedMultiplyAdd(u, v3, a33);
        }
        int i0 = ib * r + jb, i1 = i0 + r, i2 = i1 + r, i3 = i2 + r;
        gram[i0] += Vector256.Sum(a00); gram[i0 + 1] += Vector256.Sum(a01); gram[i0 + 2] += Vector256.Sum(a02); gram[i0 + 3] += Vector256.Sum(a03);
        gram[i1] += Vector256.Sum(a10); gram[i1 + 1] += Vector256.Sum(a11); gram[i1 + 2] += Vector256.Sum(a12); gram[i1 + 3] += Vector256.Sum(a13);
        gram[i2] += Vector256.Sum(a20); gram[i2 + 1] += Vector256.Sum(a21); gram[i2 + 2] += Vector256.Sum(a22); gram[i2 + 3] += Vector256.Sum(a23);
        gram[i3] += Vector256.Sum(a30); gram[i3 + 1] += Vector256.Sum(a31); gram[i3 + 2] += Vector256.Sum(a32); gram[i3 + 3] += Vector256.Sum(a33);
    }

    /// <summary>Rows ib..ib+3 against themselves: the ten products with i ≤ j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DiagonalTile(ref double s, int stride, int n, double[] gram, int r, int ib)
    {
        ref double s0 = ref s;
        ref double s1 = ref Unsafe.Add(ref s, stride);
        ref double s2 = ref Unsafe.Add(ref s, 2 * stride);
        ref double s3 = ref Unsafe.Add(ref s, 3 * stride);
        Vector256<double> a00 = default, a01 = default, a02 = default, a03 = default, a11 = default, a12 = default, a13 = default,
            a22 = default, a23 = default, a33 = default;
        for (nuint e = 0; e < (nuint)n; e += 4)
        {
            var v0 = Vector256.LoadUnsafe(ref s0, e);
            var v1 = Vector256.LoadUnsafe(ref s1, e);
            var v2 = Vector256.LoadUnsafe(ref s2, e);
            var v3 = Vector256.LoadUnsafe(ref s3, e);
            a00 = Vector256.FusedMultiplyAdd(v0, v0, a00); a01 = Vector256.FusedMultiplyAdd(v0, v1, a01);
            a02 = Vector256.FusedMultiplyAdd(v0, v2, a02); a03 = Vector256.FusedMultiplyAdd(v0, v3, a03);
            a11 = Vector256.FusedMultiplyAdd(v1, v1, a11); a12 = Vector256.FusedMultiplyAdd(v1, v2, a12); a13 = Vector256.FusedMultiplyAdd(v1, v3, a13);
            a22 = Vector256.FusedMultiplyAdd(v2, v2, a22); a23 = Vector256.FusedMultiplyAdd(v2, v3, a23);
            a33 = Vector256.FusedMultiplyAdd(v3, v3, a33);
        }
        int i0 = ib * r + ib, i1 = i0 + r, i2 = i1 + r, i3 = i2 + r;
        gram[i0] += Vector256.Sum(a00); gram[i0 + 1] += Vector256.Sum(a01); gram[i0 + 2] += Vector256.Sum(a02); gram[i0 + 3] += Vector256.Sum(a03);
        gram[i1 + 1] += Vector256.Sum(a11); gram[i1 + 2] += Vector256.Sum(a12); gram[i1 + 3] += Vector256.Sum(a13);
        gram[i2 + 2] += Vector256.Sum(a22); gram[i2 + 3] += Vector256.Sum(a23);
        gram[i3 + 3] += Vector256.Sum(a33);
    }
}
