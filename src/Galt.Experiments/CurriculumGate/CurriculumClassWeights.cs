using Galt.Experiments.Data;
using Galt.Training;
using Galt.Experiments.Training;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// The inverse-frequency class weights of the GALT heads (spec §6.6 "Class weights"), each computed on the training
/// split's own labels, or null where that weighting is off. The release's runs weight only the violation layer (over
/// contrast rows); the action, memory and residual weights are its optional <c>enable_galt_class_weights</c> (over
/// every adjudicated-memory row).
/// </summary>
/// <param name="Action">Per adjudication-action class weight, or null.</param>
/// <param name="Memory">Per memory-outcome class weight, or null.</param>
/// <param name="Residual">Per residual class weight, or null.</param>
/// <param name="ViolationLayer">Per violation-layer class weight (5), or null.</param>
public sealed record CurriculumClassWeights(double[]? Action, double[]? Memory, double[]? Residual, double[]? ViolationLayer)
{
    /// <summary>No weighting at all (evaluation batches).</summary>
    public static CurriculumClassWeights None { get; } = new(null, null, null, null);

    /// <summary>The weights <paramref name="options"/> turns on, from the labels of <paramref name="train"/>.</summary>
    public static CurriculumClassWeights From(IReadOnlyList<CurriculumRow> train, CurriculumOptions options)
    {
        var galt = train.Where(r => r.Adjudication is not null).Select(r => r.Adjudication!).ToArray();
        var layers = galt.Where(a => a.Layers is not null).Select(a => a.Layers!.ViolationLayer).ToArray();
        double[]? Weights(bool on, int[] labels, int classes) => on && labels.Length > 0 ? InverseClassWeights.Compute(labels, classes, options.ClassWeightClip) : null;
        bool heads = options.AdjudicationClassWeights;
        return new CurriculumClassWeights(
            Weights(heads, galt.Select(a => a.Action).ToArray(), CurriculumLabels.AdjudicationActions.Count),
            Weights(heads, galt.Select(a => a.Memory).ToArray(), CurriculumLabels.MemoryOutcomes.Count),
            Weights(heads, galt.Select(a => a.Residual).ToArray(), CurriculumLabels.Residuals.Count),
            Weights(options.ViolationClassWeights, layers, CurriculumLabels.ViolationLayers));
    }
}
