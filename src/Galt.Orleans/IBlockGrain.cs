namespace Galt.Orleans;

/// <summary>
/// A block of a split-variable chain as a grain: it holds the block's node (module, optimizer, split variable and its
/// multipliers) and answers the coordinator's rounds. It never calls another grain, so rounds cannot deadlock.
/// </summary>
[Alias("Galt.Orleans.IBlockGrain")]
internal interface IBlockGrain : IGrainWithStringKey
{
    /// <summary>Builds the block from <paramref name="spec"/> and loads <paramref name="state"/>; returns the silo it runs on.</summary>
    [Alias("Place")]
    Task<string> Place(long generation, BlockSpec spec, double[] options, Frame state);

    /// <summary>Runs one round: the message's bytes in, the reply's bytes out.</summary>
    [Alias("Handle")]
    Task<Frame> Handle(long generation, Frame message);

    /// <summary>The block's parameters, or with <paramref name="wholeState"/> its whole node state, as bytes.</summary>
    [Alias("Collect")]
    Task<Frame> Collect(long generation, bool wholeState);

    /// <summary>Stages a part of an incoming transfer.</summary>
    [Alias("Put")]
    Task Put(long transfer, int part, int parts, ReadOnlyMemory<byte> bytes);

    /// <summary>A part of an outgoing transfer the grain staged.</summary>
    [Alias("Take")]
    Task<ReadOnlyMemory<byte>> Take(long transfer, int part);

    /// <summary>Drops the block's state and deactivates.</summary>
    [Alias("Release")]
    Task Release();
}
