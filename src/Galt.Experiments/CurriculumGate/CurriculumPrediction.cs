using Galt.Memory;

namespace Galt.Experiments.CurriculumGate;

/// <summary>What the model predicted for one row: arg-max class per head, gate bits at sigmoid ≥ 0.5.</summary>
/// <param name="TeacherAction">Teacher action index.</param>
/// <param name="TeacherState">Knowledge-state index.</param>
/// <param name="TeacherResidual">Teacher residual: 1 = some.</param>
/// <param name="Gate">The three gate bits.</param>
/// <param name="Action">Adjudication action index.</param>
/// <param name="Memory">Memory outcome index.</param>
/// <param name="Residual">Residual index.</param>
/// <param name="MemoryLayer">Predicted memory layer.</param>
/// <param name="ViolationLayer">Predicted violation layer (4 = none).</param>
/// <param name="DirectAccess">The access head: true = access.</param>
public sealed record CurriculumPrediction(int TeacherAction, int TeacherState, int TeacherResidual, bool[] Gate, int Action, int Memory,
    int Residual, int MemoryLayer, int ViolationLayer, bool DirectAccess)
{
    /// <summary>
    /// Access from the predicted layers (spec §6.6 galt_predicted_layer_access_acc): the violation head says none, or a
    /// violation above the predicted memory layer.
    /// </summary>
    public bool PredictedAccess => HierarchicalAccess.Allows((SafetyLayer)MemoryLayer, (SafetyLayer)ViolationLayer);
}
