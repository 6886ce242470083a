using static TorchSharp.torch;

namespace Galt.Jacobians;

/// <summary>
/// Optional for batched constraints: K of a whole group of constraints on one model from the model's outputs on their
/// concatenated example sets (in order), as one [k] tensor, instead of k separate <see cref="IBatchedConstraint.MeasureOutputs"/>
/// calls. The batched path asks the group's first constraint; it returns null when it cannot measure this group at once.
/// </summary>
public interface IVectorizedMeasure
{
    /// <summary>K for every constraint of <paramref name="group"/> ([k]), or null.</summary>
    Tensor? MeasureGroup(IReadOnlyList<IBatchedConstraint> group, Tensor outputs);
}
