using Galt.Experiments.Data;
using static TorchSharp.torch;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// The tensors of one batch: token ids of every row (trimmed to the longest row: with right padding and a causal mask
/// this changes nothing the losses read), and per stream the batch positions of its rows and their targets. Rows of the
/// GALT stream without layer targets get a layer mask of 0 (spec §6.6: only contrast rows train the layer heads).
/// Create inside a dispose scope.
/// </summary>
public sealed class CurriculumBatch
{
    /// <summary>Builds the batch of <paramref name="indices"/> (rows of <paramref name="data"/>).</summary>
    /// <param name="data">The encoded split.</param>
    /// <param name="indices">Row indices, any order.</param>
    /// <param name="classWeights">The class weights of the weighted heads (<see cref="CurriculumClassWeights.None"/> for none).</param>
    /// <param name="device">Where the tensors live.</param>
    /// <param name="dropout">Word dropout applied to the teacher and GALT rows' copies of their ids (null: none).</param>
    public CurriculumBatch(EncodedCurriculum data, IReadOnlyList<int> indices, CurriculumClassWeights classWeights, Device device, CurriculumTokenDropout? dropout = null)
    {
        if (indices.Count == 0) throw new ArgumentException("a batch needs at least one row.", nameof(indices));
        Rows = indices.Select(i => data.Rows[i]).ToArray();
        int length = indices.Max(i => Array.LastIndexOf(data.Tokens[i], CurriculumVocabulary.End) + 1);
        var ids = new long[indices.Count * length];
        for (int r = 0; r < indices.Count; r++)
        {
            Array.Copy(data.Tokens[indices[r]], 0, ids, r * length, length);
            if (dropout is not null && Rows[r].Stream != CurriculumStream.Language) dropout.Apply(ids.AsSpan(r * length, length));
        }
        Ids = tensor(ids, new long[] { indices.Count, length }, device: device);

        Tensor Positions(CurriculumStream s) => tensor(Enumerable.Range(0, Rows.Count).Where(i => Rows[i].Stream == s).Select(i => (long)i).ToArray(), device: device);
        LanguageRows = Positions(CurriculumStream.Language);
        TeacherRows = Positions(CurriculumStream.TeacherQuery);
        GaltRows = Positions(CurriculumStream.AdjudicatedMemory);

        var teacher = Rows.Where(r => r.Stream == CurriculumStream.TeacherQuery).Select(r => r.Teacher!).ToArray();
        TeacherAction = tensor(teacher.Select(t => (long)t.Action).ToArray(), device: device);
        TeacherState = tensor(teacher.Select(t => (long)t.KnowledgeState).ToArray(), device: device);
        TeacherResidual = tensor(teacher.Select(t => t.HasResidual ? 1L : 0L).ToArray(), device: device);

        var galt = Rows.Where(r => r.Stream == CurriculumStream.AdjudicatedMemory).Select(r => r.Adjudication!).ToArray();
        Gate = tensor(galt.SelectMany(g => g.Gate).ToArray(), new long[] { galt.Length, CurriculumLabels.GateBits }, device: device);
        Action = tensor(galt.Select(g => (long)g.Action).ToArray(), device: device);
        Memory = tensor(galt.Select(g => (long)g.Memory).ToArray(), device: device);
        Residual = tensor(galt.Select(g => (long)g.Residual).ToArray(), device: device);
        MemoryLayer = tensor(galt.Select(g => (long)(g.Layers?.MemoryLayer ?? 0)).ToArray(), device: device);
        ViolationLayer = tensor(galt.Select(g => (long)(g.Layers?.ViolationLayer ?? 0)).ToArray(), device: device);
        Access = tensor(galt.Select(g => g.Layers is { Access: true } ? 1L : 0L).ToArray(), device: device);
        LayerMask = tensor(galt.Select(g => g.Layers is null ? 0f : 1f).ToArray(), device: device);
        ViolationWeight = tensor(galt.Select(g => g.Layers is null ? 0f : (float)(classWeights.ViolationLayer?[g.Layers.ViolationLayer] ?? 1.0)).ToArray(), device: device);
        Tensor? PerRow(double[]? w, Func<AdjudicationTargets, int> label) => w is null ? null : tensor(galt.Select(g => (float)w[label(g)]).ToArray(), device: device);
        ActionWeight = PerRow(classWeights.Action, g => g.Action);
        MemoryWeight = PerRow(classWeights.Memory, g => g.Memory);
        ResidualWeight = PerRow(classWeights.Residual, g => g.Residual);
    }

    /// <summary>The rows, in batch order.</summary>
    public IReadOnlyList<CurriculumRow> Rows { get; }

    /// <summary>Token ids [rows, length].</summary>
    public Tensor Ids { get; }

    /// <summary>Batch positions of the language rows.</summary>
    public Tensor LanguageRows { get; }

    /// <summary>Batch positions of the teacher rows.</summary>
    public Tensor TeacherRows { get; }

    /// <summary>Batch positions of the GALT rows.</summary>
    public Tensor GaltRows { get; }

    /// <summary>Teacher action labels.</summary>
    public Tensor TeacherAction { get; }

    /// <summary>Teacher knowledge-state labels.</summary>
    public Tensor TeacherState { get; }

    /// <summary>Teacher residual labels (1 = some residual).</summary>
    public Tensor TeacherResidual { get; }

    /// <summary>Gate bits [GALT rows, 3].</summary>
    public Tensor Gate { get; }

    /// <summary>Adjudication action labels.</summary>
    public Tensor Action { get; }

    /// <summary>Memory outcome labels.</summary>
    public Tensor Memory { get; }

    /// <summary>Residual labels.</summary>
    public Tensor Residual { get; }

    /// <summary>Memory-layer labels (0 where masked out).</summary>
    public Tensor MemoryLayer { get; }

    /// <summary>Violation-layer labels (0 where masked out).</summary>
    public Tensor ViolationLayer { get; }

    /// <summary>Access labels (1 = access).</summary>
    public Tensor Access { get; }

    /// <summary>1 for contrast rows (layer targets present), else 0.</summary>
    public Tensor LayerMask { get; }

    /// <summary>Violation-layer class weight × mask.</summary>
    public Tensor ViolationWeight { get; }

    /// <summary>Action class weight per GALT row, or null when unweighted.</summary>
    public Tensor? ActionWeight { get; }

    /// <summary>Memory class weight per GALT row, or null when unweighted.</summary>
    public Tensor? MemoryWeight { get; }

    /// <summary>Residual class weight per GALT row, or null when unweighted.</summary>
    public Tensor? ResidualWeight { get; }

    /// <summary>Number of rows of <paramref name="stream"/>.</summary>
    public int Count(CurriculumStream stream) => Rows.Count(r => r.Stream == stream);
}
