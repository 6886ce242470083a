namespace Galt.Carriers;

/// <summary>Which end of a token sequence survives when it is cut to a maximum length.</summary>
public enum TruncationSide
{
    /// <summary>Keep the first tokens (drop the end).</summary>
    Right,

    /// <summary>Keep the last tokens (drop the beginning): recent context matters most.</summary>
    Left,
}
