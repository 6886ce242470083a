namespace Galt.Memory;

/// <summary>
/// The safety stack (paper §3.6, spec §6.1), lowest (most binding) first. A memory is indexed by the layer it depends
/// on; a violation is reported at the layer it breaks, or <see cref="None"/>.
/// </summary>
public enum SafetyLayer
{
    /// <summary>C0: hard safety / admissibility.</summary>
    HardAdmissibility = 0,

    /// <summary>C1: social, consent and harm rules.</summary>
    Social = 1,

    /// <summary>C2: task and workflow rules.</summary>
    Task = 2,

    /// <summary>C3: durable preferences.</summary>
    Preference = 3,

    /// <summary>No active violation.</summary>
    None = 4,
}
