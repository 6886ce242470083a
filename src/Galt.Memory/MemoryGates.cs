namespace Galt.Memory;

/// <summary>A policy deciding whether a memory at one layer may be accessed while a violation is active at another.</summary>
public interface IMemoryGate
{
    /// <summary>Report name, e.g. <c>hierarchical</c>.</summary>
    string Name { get; }

    /// <summary>True = access, false = quarantine.</summary>
    bool Access(SafetyLayer memory, SafetyLayer violation);
}

/// <summary>The safety-indexed gate: exactly <see cref="HierarchicalAccess.Allows"/>.</summary>
public sealed class HierarchicalGate : IMemoryGate
{
    /// <inheritdoc />
    public string Name => "hierarchical";

    /// <inheritdoc />
    public bool Access(SafetyLayer memory, SafetyLayer violation) => HierarchicalAccess.Allows(memory, violation);
}

/// <summary>Same-layer gate (spec §6.2 independent_layer_gate): quarantines only memories at the violated layer.</summary>
public sealed class IndependentLayerGate : IMemoryGate
{
    /// <inheritdoc />
    public string Name => "independent";

    /// <inheritdoc />
    public bool Access(SafetyLayer memory, SafetyLayer violation) => violation == SafetyLayer.None || violation != memory;
}

/// <summary>Global flush (spec §6.2 global_flush_gate): any violation quarantines every memory.</summary>
public sealed class GlobalFlushGate : IMemoryGate
{
    /// <inheritdoc />
    public string Name => "flush";

    /// <inheritdoc />
    public bool Access(SafetyLayer memory, SafetyLayer violation) => violation == SafetyLayer.None;
}
