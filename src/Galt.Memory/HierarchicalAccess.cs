namespace Galt.Memory;

/// <summary>
/// The access rule A(m, v) of spec §6.1: a memory at layer m stays accessible when there is no active violation, is
/// quarantined when the violation is at its own layer or below (v ≤ m: what it depends on broke), and stays accessible
/// when the violation is above it (v &gt; m: a higher-layer violation is contained).
/// </summary>
public static class HierarchicalAccess
{
    /// <summary>A(m, v): true = access, false = quarantine.</summary>
    public static bool Allows(SafetyLayer memory, SafetyLayer violation)
    {
        if (memory == SafetyLayer.None) throw new ArgumentException("a memory is indexed by a layer C0..C3, not None.", nameof(memory));
        return violation == SafetyLayer.None || violation > memory;
    }

    /// <summary>The layers a memory can be indexed by, C0..C3, lowest first.</summary>
    public static IReadOnlyList<SafetyLayer> MemoryLayers { get; } =
        new[] { SafetyLayer.HardAdmissibility, SafetyLayer.Social, SafetyLayer.Task, SafetyLayer.Preference };

    /// <summary>
    /// The memory layers a violation at <paramref name="violation"/> quarantines under <see cref="Allows"/>, lowest
    /// first (empty for <see cref="SafetyLayer.None"/>). Stores that apply the rule in bulk (the trace ledger's SQL) use
    /// this list, so the rule has one source.
    /// </summary>
    public static IReadOnlyList<SafetyLayer> QuarantinedBy(SafetyLayer violation) =>
        MemoryLayers.Where(m => !Allows(m, violation)).ToArray();

    /// <summary>The regime a (memory, violation) pair falls in.</summary>
    public static AccessRegime RegimeOf(SafetyLayer memory, SafetyLayer violation) =>
        violation == SafetyLayer.None ? AccessRegime.NoViolation
        : violation <= memory ? AccessRegime.BottomUpInvalidation
        : AccessRegime.TopDownContainment;
}

/// <summary>Which case of the access rule a pair exercises (spec §6.1).</summary>
public enum AccessRegime
{
    /// <summary>v = none: access.</summary>
    NoViolation,

    /// <summary>v ≤ m: quarantine.</summary>
    BottomUpInvalidation,

    /// <summary>m &lt; v &lt; none: access.</summary>
    TopDownContainment,
}
