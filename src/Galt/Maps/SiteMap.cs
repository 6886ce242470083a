namespace Galt.Maps;

/// <summary>
/// What the neural map says about one site (a set of parameter tensors): can the targets be reached here, safely, with
/// what conditioning and what disturbance of the typed channels. Every quantity is computed from the site's Gram
/// G_s = J_s D_s⁻¹ J_sᵀ over the map's rows (D the optimizer's diagonal metric); docs/maps.md gives the definitions.
/// </summary>
public sealed record SiteMap
{
    /// <summary>The site's name.</summary>
    public required string Site { get; init; }

    /// <summary>Share of the target rows' metric sensitivity that lies in this site: Σ_T (G_s)_ii / Σ_s' Σ_T (G_s')_ii, in [0, 1].</summary>
    public required double Relevance { get; init; }

    /// <summary>
    /// Reachability residual e_s = ‖r − G_TT G_TT⁺ r‖ / ‖r‖: 0 when the site's Jacobian span holds the target correction,
    /// 1 when the site cannot move the target rows at all.
    /// </summary>
    public required double Reachability { get; init; }

    /// <summary>Coefficients y of the least-metric step that reaches the targets here, Δ* = D⁻¹ J_Tᵀ y (one per target row).</summary>
    public required IReadOnlyList<double> ReachCoefficients { get; init; }

    /// <summary>
    /// Admissibility residual a_s = ‖[J_T Δ − r; (J_I Δ − b)₊]‖ / ‖r‖ of the best step under the active protect rows (the
    /// least-metric step among those that minimise that residual): 0 when the safety stack admits the correction here.
    /// </summary>
    public required double Admissibility { get; init; }

    /// <summary>Coefficients of that admissible step, Δ = D⁻¹ Jᵀ y over the target and protect rows (in row order; 0 for channel rows).</summary>
    public required IReadOnlyList<double> AdmissibleCoefficients { get; init; }

    /// <summary>Whether the admissibility active set settled (it always has for the problems tested; false is reported, not hidden).</summary>
    public required bool AdmissibilityConverged { get; init; }

    /// <summary>2-norm condition number of the diagonally normalised Gram over the target and protect rows the site touches; ∞ when singular, NaN when it touches none.</summary>
    public required double Conditioning { get; init; }

    /// <summary>Per channel row (in row order of the channel rows): ι_c = ⟨J_c, Δ*⟩ / (‖J_c‖_{D⁻¹} ‖Δ*‖_D), the cosine between the reach step and the channel's gradient in the metric.</summary>
    public required IReadOnlyList<double> Interference { get; init; }

    /// <summary>ι⁺ = max over channel rows of max(0, ι_c); 0 without channel rows.</summary>
    public double InterferenceMax => Interference.Count == 0 ? 0 : Math.Max(0, Interference.Max());
}
