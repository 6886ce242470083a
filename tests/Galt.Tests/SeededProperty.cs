using CsCheck;

namespace Galt.Tests;

/// <summary>
/// Property checks with CsCheck generators drawn from a fixed PCG stream, so every run sees the same cases
/// (CsCheck's own Sample seeds only its first iteration). A failure names the case index to reproduce it.
/// </summary>
internal static class SeededProperty
{
    public static void ForAll<T>(Gen<T> gen, int cases, ulong seed, Action<T> check)
    {
        var pcg = new PCG(1, seed);
        for (int i = 0; i < cases; i++)
        {
            T value = gen.Generate(pcg, null, out Size _);
            try
            {
                check(value);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"property failed on case {i} of {cases} (seed {seed}): {e.Message}");
            }
        }
    }
}
