using Galt.Channels;
using Xunit.Abstractions;
using Galt.Experiments.Data;

namespace Galt.Tests;

/// <summary>Tests that need the GALT release prompts say so and return when they are not on the machine.</summary>
internal static class ReleasePromptsRequired
{
    /// <summary>True (with a SKIPPED line on <paramref name="output"/>) when the release prompts are absent.</summary>
    public static bool Absent(ITestOutputHelper output)
    {
        if (ReleasePrompts.Folder() is not null) return false;
        output.WriteLine("SKIPPED: the GALT release prompts (shared/data/galt-release/prompts) are not on this machine; set GALT_RELEASE_DATA to run this test.");
        return true;
    }
}
