using Galt.Experiments.Data;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// A training split and a split to score, encoded with the vocabulary of the training rows only (spec §6.6): what one
/// curriculum run needs, for the release's train/validation pair or for a cross-validation fold.
/// </summary>
public sealed class CurriculumData
{
    /// <summary>Builds the vocabulary from <paramref name="train"/> and encodes both splits.</summary>
    public CurriculumData(IReadOnlyList<CurriculumRow> train, IReadOnlyList<CurriculumRow> scored, CurriculumOptions options)
    {
        Vocabulary = new CurriculumVocabulary(train.Select(r => r.Text), options.VocabularySize, options.Tokenizer);
        Train = new EncodedCurriculum(train, Vocabulary, options.MaxLength);
        Scored = new EncodedCurriculum(scored, Vocabulary, options.MaxLength);
    }

    /// <summary>The training rows' vocabulary.</summary>
    public CurriculumVocabulary Vocabulary { get; }

    /// <summary>The encoded training split.</summary>
    public EncodedCurriculum Train { get; }

    /// <summary>The encoded split that is scored.</summary>
    public EncodedCurriculum Scored { get; }

    /// <summary>
    /// The curriculum folder: --data-dir when given, else <c>curriculum/</c> of the release data found by
    /// <see cref="ReleaseData"/>; a clear error when neither exists.
    /// </summary>
    public static string Folder(RunContext context) =>
        context.DataDir ?? (ReleaseData.Find() is { } release ? Path.Combine(release, "curriculum")
            : throw new GaltDataException("the teacher-mode curriculum was not found: pass --data-dir with the folder holding train.jsonl and validation.jsonl, or set GALT_RELEASE_DATA to the GALT release data folder."));

    /// <summary>"N rows (a language, b teacher, c adjudicated-memory of which d contrast)".</summary>
    public static string Describe(IReadOnlyList<CurriculumRow> rows) =>
        $"{rows.Count} rows ({rows.Count(r => r.Stream == CurriculumStream.Language)} language, {rows.Count(r => r.Stream == CurriculumStream.TeacherQuery)} teacher, " +
        $"{rows.Count(r => r.Stream == CurriculumStream.AdjudicatedMemory)} adjudicated-memory of which {rows.Count(r => r.Adjudication?.Layers is not null)} contrast)";
}
