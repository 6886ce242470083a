using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Galt.Solve;

/// <summary>
/// The Gram products of one block of a fused sweep in float64 (spec §1.1 Woodbury step 1): A_ij += Σ_e S_i,e·S_j,e
/// with S_i = J_i/√D, and τ_i += Σ_e S_i,e·b_e with b = δ_b·√D, over rows already widened into a scratch array (S
/// rows, then b, each <c>stride</c> long, zero-padded to a multiple of the lanes of <c>TD</c>; generic over the
/// lane width like the sweeps). Blocks of 4×4 row pairs keep their
/// accumulators in registers, so each loaded vector feeds up to four fused multiply-adds; blocks on the diagonal form
/// only the ten products with i ≤ j.
/// </summary>
internal static class GramTiles
{
    /// <summary>Adds the block's products into <paramref name="gram"/> (r×r, row-major, i ≤ j only) and <paramref name="tau"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate<TD>(double[] scratch, int r, int stride, int n, double[] gram, double[] tau) where TD : struct, IWideLanes<TD>
    {
        ref double s = ref MemoryMarshal.GetArrayDataReference(scratch);
        ref double b = ref Unsafe.Add(ref s, r * stride);
        int r4 = r & ~3;
        for (int ib = 0; ib < r4; ib += 4)
        {
            ref double block = ref Unsafe.Add(ref s, ib * stride);
            DiagonalTile<TD>(ref block, stride, n, gram, r, ib);
            for (int jb = ib + 4; jb < r4; jb += 4) Tile<TD>(ref block, ref Unsafe.Add(ref s, jb * stride), stride, n, gram, r, ib, jb);
            for (int i = ib; i < ib + 4; i++)
                for (int j = r4; j < r; j++)
                    gram[i * r + j] += Dot<TD>(ref Unsafe.Add(ref s, i * stride), ref Unsafe.Add(ref s, j * stride), n);
        }
        for (int i = r4; i < r; i++)
            for (int j = i; j < r; j++)
                gram[i * r + j] += Dot<TD>(ref Unsafe.Add(ref s, i * stride), ref Unsafe.Add(ref s, j * stride), n);
        for (int i = 0; i < r; i++) tau[i] += Dot<TD>(ref Unsafe.Add(ref s, i * stride), ref b, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Dot<TD>(ref double a, ref double b, int n) where TD : struct, IWideLanes<TD>
    {
        TD s0 = default, s1 = default;
        nuint e = 0, end = (nuint)n, lanes = (nuint)TD.Count;
        for (; e + 2 * lanes <= end; e += 2 * lanes)
        {
            s0 = TD.FusedMultiplyAdd(TD.LoadUnsafe(ref a, e), TD.LoadUnsafe(ref b, e), s0);
            s1 = TD.FusedMultiplyAdd(TD.LoadUnsafe(ref a, e + lanes), TD.LoadUnsafe(ref b, e + lanes), s1);
        }
        for (; e < end; e += lanes) s0 = TD.FusedMultiplyAdd(TD.LoadUnsafe(ref a, e), TD.LoadUnsafe(ref b, e), s0);
        return TD.Sum(s0 + s1);
    }

    /// <summary>Rows ib..ib+3 (at <paramref name="w"/>) against rows jb..jb+3 (at <paramref name="x"/>), jb &gt; ib.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TD>(ref double w, ref double x, int stride, int n, double[] gram, int r, int ib, int jb) where TD : struct, IWideLanes<TD>
    {
        ref double w0 = ref w;
        ref double w1 = ref Unsafe.Add(ref w, stride);
        ref double w2 = ref Unsafe.Add(ref w, 2 * stride);
        ref double w3 = ref Unsafe.Add(ref w, 3 * stride);
        ref double x0 = ref x;
        ref double x1 = ref Unsafe.Add(ref x, stride);
        ref double x2 = ref Unsafe.Add(ref x, 2 * stride);
        ref double x3 = ref Unsafe.Add(ref x, 3 * stride);
        TD a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default,
            a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
        for (nuint e = 0; e < (nuint)n; e += (nuint)TD.Count)
        {
            var v0 = TD.LoadUnsafe(ref x0, e);
            var v1 = TD.LoadUnsafe(ref x1, e);
            var v2 = TD.LoadUnsafe(ref x2, e);
            var v3 = TD.LoadUnsafe(ref x3, e);
            var u = TD.LoadUnsafe(ref w0, e);
            a00 = TD.FusedMultiplyAdd(u, v0, a00); a01 = TD.FusedMultiplyAdd(u, v1, a01);
            a02 = TD.FusedMultiplyAdd(u, v2, a02); a03 = TD.FusedMultiplyAdd(u, v3, a03);
            u = TD.LoadUnsafe(ref w1, e);
            a10 = TD.FusedMultiplyAdd(u, v0, a10); a11 = TD.FusedMultiplyAdd(u, v1, a11);
            a12 = TD.FusedMultiplyAdd(u, v2, a12); a13 = TD.FusedMultiplyAdd(u, v3, a13);
            u = TD.LoadUnsafe(ref w2, e);
            a20 = TD.FusedMultiplyAdd(u, v0, a20); a21 = TD.FusedMultiplyAdd(u, v1, a21);
            a22 = TD.FusedMultiplyAdd(u, v2, a22); a23 = TD.FusedMultiplyAdd(u, v3, a23);
            u = TD.LoadUnsafe(ref w3, e);
            a30 = TD.FusedMultiplyAdd(u, v0, a30); a31 = TD.FusedMultiplyAdd(u, v1, a31);
            a32 = TD.FusedMultiplyAdd(u, v2, a32); a33 = TD.FusedMultiplyAdd(u, v3, a33);
        }
        int i0 = ib * r + jb, i1 = i0 + r, i2 = i1 + r, i3 = i2 + r;
        gram[i0] += TD.Sum(a00); gram[i0 + 1] += TD.Sum(a01); gram[i0 + 2] += TD.Sum(a02); gram[i0 + 3] += TD.Sum(a03);
        gram[i1] += TD.Sum(a10); gram[i1 + 1] += TD.Sum(a11); gram[i1 + 2] += TD.Sum(a12); gram[i1 + 3] += TD.Sum(a13);
        gram[i2] += TD.Sum(a20); gram[i2 + 1] += TD.Sum(a21); gram[i2 + 2] += TD.Sum(a22); gram[i2 + 3] += TD.Sum(a23);
        gram[i3] += TD.Sum(a30); gram[i3 + 1] += TD.Sum(a31); gram[i3 + 2] += TD.Sum(a32); gram[i3 + 3] += TD.Sum(a33);
    }

    /// <summary>Rows ib..ib+3 against themselves: the ten products with i ≤ j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DiagonalTile<TD>(ref double s, int stride, int n, double[] gram, int r, int ib) where TD : struct, IWideLanes<TD>
    {
        ref double s0 = ref s;
        ref double s1 = ref Unsafe.Add(ref s, stride);
        ref double s2 = ref Unsafe.Add(ref s, 2 * stride);
        ref double s3 = ref Unsafe.Add(ref s, 3 * stride);
        TD a00 = default, a01 = default, a02 = default, a03 = default, a11 = default, a12 = default, a13 = default,
            a22 = default, a23 = default, a33 = default;
        for (nuint e = 0; e < (nuint)n; e += (nuint)TD.Count)
        {
            var v0 = TD.LoadUnsafe(ref s0, e);
            var v1 = TD.LoadUnsafe(ref s1, e);
            var v2 = TD.LoadUnsafe(ref s2, e);
            var v3 = TD.LoadUnsafe(ref s3, e);
            a00 = TD.FusedMultiplyAdd(v0, v0, a00); a01 = TD.FusedMultiplyAdd(v0, v1, a01);
            a02 = TD.FusedMultiplyAdd(v0, v2, a02); a03 = TD.FusedMultiplyAdd(v0, v3, a03);
            a11 = TD.FusedMultiplyAdd(v1, v1, a11); a12 = TD.FusedMultiplyAdd(v1, v2, a12); a13 = TD.FusedMultiplyAdd(v1, v3, a13);
            a22 = TD.FusedMultiplyAdd(v2, v2, a22); a23 = TD.FusedMultiplyAdd(v2, v3, a23);
            a33 = TD.FusedMultiplyAdd(v3, v3, a33);
        }
        int i0 = ib * r + ib, i1 = i0 + r, i2 = i1 + r, i3 = i2 + r;
        gram[i0] += TD.Sum(a00); gram[i0 + 1] += TD.Sum(a01); gram[i0 + 2] += TD.Sum(a02); gram[i0 + 3] += TD.Sum(a03);
        gram[i1 + 1] += TD.Sum(a11); gram[i1 + 2] += TD.Sum(a12); gram[i1 + 3] += TD.Sum(a13);
        gram[i2 + 2] += TD.Sum(a22); gram[i2 + 3] += TD.Sum(a23);
        gram[i3 + 3] += TD.Sum(a33);
    }
}
