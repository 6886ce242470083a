using Galt.Experiments.Data;

namespace Galt.Tests;

/// <summary>
/// Tests that need the GALT release's files report as skipped (never as passed) when they are not on the machine: a
/// skippable test calls one of these first.
/// </summary>
internal static class ReleasePromptsRequired
{
    /// <summary>Skips the calling test when the release prompts are absent.</summary>
    public static void SkipIfAbsent() => Skip.If(ReleasePrompts.Folder() is null, "the GALT release prompts (shared/data/galt-release/prompts) are not on this machine; set GALT_RELEASE_DATA to run this test");

    /// <summary>Skips the calling test when the release data folder is absent; else returns it.</summary>
    public static string ReleaseDataOrSkip()
    {
        var folder = ReleaseData.Find();
        Skip.If(folder is null, "the GALT release data (shared/data/galt-release) is not on this machine; set GALT_RELEASE_DATA to run this test");
        return folder!;
    }
}
