namespace Galt.Experiments.CurriculumGate;

/// <summary>The three streams of the teacher-mode curriculum (spec §6.5).</summary>
public enum CurriculumStream
{
    /// <summary><c>fineweb_edu_lm</c>: plain text for next-token language modelling.</summary>
    Language,

    /// <summary><c>teacher_query_routing</c>: a question to answer, route to a teacher or user, or defer.</summary>
    TeacherQuery,

    /// <summary><c>galt_adjudicated_memory</c>: a candidate memory transition to accept or reject.</summary>
    AdjudicatedMemory,
}

/// <summary>
/// One curriculum row as the model sees it: the input text (spec §6.6 "row text per stream") and the targets of its
/// stream, as class indices into <see cref="CurriculumLabels"/>.
/// </summary>
/// <param name="Id">Row id.</param>
/// <param name="Stream">Which stream it belongs to.</param>
/// <param name="Text">Model input: LM text; question + " " + context; or context + " " + candidate + " " + query.</param>
/// <param name="Group">Sampling group: a contrast packet's three rows share one (metadata.source_id); other rows are their own.</param>
/// <param name="Teacher">Teacher-routing targets, for <see cref="CurriculumStream.TeacherQuery"/> rows.</param>
/// <param name="Adjudication">Adjudication targets, for <see cref="CurriculumStream.AdjudicatedMemory"/> rows.</param>
public sealed record CurriculumRow(string Id, CurriculumStream Stream, string Text, string Group, TeacherTargets? Teacher = null, AdjudicationTargets? Adjudication = null);

/// <summary>Teacher-routing targets.</summary>
/// <param name="Action">Index into <see cref="CurriculumLabels.TeacherActions"/>.</param>
/// <param name="KnowledgeState">Index into <see cref="CurriculumLabels.KnowledgeStates"/>.</param>
/// <param name="HasResidual">True when residual_target is not "none".</param>
public sealed record TeacherTargets(int Action, int KnowledgeState, bool HasResidual);

/// <summary>Adjudicated-memory targets.</summary>
/// <param name="Gate">The three gate bits (0 or 1).</param>
/// <param name="Action">Index into <see cref="CurriculumLabels.AdjudicationActions"/>.</param>
/// <param name="Memory">Index into <see cref="CurriculumLabels.MemoryOutcomes"/>.</param>
/// <param name="Residual">Index into <see cref="CurriculumLabels.Residuals"/>.</param>
/// <param name="Layers">The safety-layer targets; only contrast rows carry them.</param>
public sealed record AdjudicationTargets(float[] Gate, int Action, int Memory, int Residual, LayerTargets? Layers);

/// <summary>The safety-indexed targets of a contrast row (spec §6.5 C).</summary>
/// <param name="MemoryLayer">The layer the memory depends on, 0..3.</param>
/// <param name="ViolationLayer">The active violation's layer 0..3, or 4 = none.</param>
/// <param name="Access">A(m, v): true = access, false = quarantine.</param>
public sealed record LayerTargets(int MemoryLayer, int ViolationLayer, bool Access);
