namespace Galt.Channels;

/// <summary>The typed channels of spec §5.2: which route readers (with typed routes) and output heads (with typed outputs) a pass uses.</summary>
public enum ChannelBranch
{
    /// <summary>The task channel (the task data's preferred branch).</summary>
    Task = 0,

    /// <summary>The safety channel (the safety prompts' preferred branch).</summary>
    Safety = 1,

    /// <summary>The memory channel (the retain set's preferred branch).</summary>
    Memory = 2,
}
