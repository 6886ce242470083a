using Galt.Experiments.Data;

namespace Galt.Experiments.CurriculumGate;

/// <summary>A phase of the curriculum: its name and the streams sampled in it.</summary>
/// <param name="Name">Phase name as the release logs it.</param>
/// <param name="Streams">Active streams, in sampling order (LM, teacher, GALT).</param>
public sealed record CurriculumPhase(string Name, IReadOnlyList<CurriculumStream> Streams);

/// <summary>
/// Which streams train at a step (spec §6.6 "Schedule"). Staged: steps 1–80 language only, 81–160 language + teacher
/// queries, 161–600 all three (stage D), then all three as mixed replay (stage E). Mixed: all three at every step.
/// Each active stream gets batch_size / #active rows.
/// </summary>
public sealed class CurriculumSchedule
{
    private static readonly CurriculumStream[] All = { CurriculumStream.Language, CurriculumStream.TeacherQuery, CurriculumStream.AdjudicatedMemory };

    /// <summary>Creates a schedule; <paramref name="staged"/> = false gives the mixed schedule.</summary>
    public CurriculumSchedule(bool staged = true, int languageSteps = 80, int teacherSteps = 160, int galtSteps = 600)
    {
        if (languageSteps < 0 || teacherSteps < languageSteps || galtSteps < teacherSteps)
            throw new ArgumentException($"stage ends must be non-decreasing: language {languageSteps}, teacher {teacherSteps}, galt {galtSteps}.");
        Staged = staged;
        LanguageSteps = languageSteps;
        TeacherSteps = teacherSteps;
        GaltSteps = galtSteps;
    }

    /// <summary>Name of stage E, the mixed replay after stage D.</summary>
    public const string ReplayPhase = "stage_e_mixed_replay";

    /// <summary>Staged (true) or mixed (false).</summary>
    public bool Staged { get; }

    /// <summary>Last step of stage A (language only).</summary>
    public int LanguageSteps { get; }

    /// <summary>Last step of stage C (language + teacher).</summary>
    public int TeacherSteps { get; }

    /// <summary>Last step of stage D (all streams); later steps are stage E, mixed replay.</summary>
    public int GaltSteps { get; }

    /// <summary>The phase of 1-based step <paramref name="step"/>.</summary>
    public CurriculumPhase At(int step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), $"steps count from 1; got {step}.");
        if (!Staged) return new CurriculumPhase("mixed", All);
        if (step <= LanguageSteps) return new CurriculumPhase("stage_a_lm", All[..1]);
        if (step <= TeacherSteps) return new CurriculumPhase("stage_c_teacher_query", All[..2]);
        return new CurriculumPhase(step <= GaltSteps ? "stage_d_galt" : ReplayPhase, All);
    }

    /// <summary>Rows per active stream at a step: batch_size / #active (integer division, at least 1).</summary>
    public static int RowsPerStream(int batchSize, CurriculumPhase phase) => Math.Max(1, batchSize / phase.Streams.Count);
}
