using static TorchSharp.torch;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// The logits of every classification head of <see cref="CurriculumTransformer"/> for a batch of pooled rows, each
/// [rows, classes] with classes in <see cref="CurriculumLabels"/> order.
/// </summary>
/// <param name="TeacherAction">Teacher routing action (5).</param>
/// <param name="TeacherState">Teacher knowledge state (6).</param>
/// <param name="TeacherResidual">Teacher residual: none / some (2).</param>
/// <param name="Gate">Adjudication gate, one logit per bit (3).</param>
/// <param name="Action">Adjudication action (3).</param>
/// <param name="Memory">Memory outcome (4).</param>
/// <param name="Residual">Residual kind (4).</param>
/// <param name="MemoryLayer">The layer the memory depends on (4).</param>
/// <param name="ViolationLayer">The active violation's layer, index 4 = none (5).</param>
/// <param name="Access">Direct hierarchical-access prediction: quarantine / access (2).</param>
public sealed record CurriculumHeads(Tensor TeacherAction, Tensor TeacherState, Tensor TeacherResidual, Tensor Gate, Tensor Action,
    Tensor Memory, Tensor Residual, Tensor MemoryLayer, Tensor ViolationLayer, Tensor Access)
{
    /// <summary>The rows <paramref name="index"/> (an int64 index tensor) of every head.</summary>
    public CurriculumHeads Select(Tensor index) => new(TeacherAction.index_select(0, index), TeacherState.index_select(0, index),
        TeacherResidual.index_select(0, index), Gate.index_select(0, index), Action.index_select(0, index), Memory.index_select(0, index),
        Residual.index_select(0, index), MemoryLayer.index_select(0, index), ViolationLayer.index_select(0, index), Access.index_select(0, index));
}
