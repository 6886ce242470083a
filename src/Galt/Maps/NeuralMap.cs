using Galt.Solve;
using static TorchSharp.torch;

namespace Galt.Maps;

/// <summary>
/// A neural map (paper §3.5): per site — a set of parameter tensors such as the output head, one layer's LoRA pair, the
/// embedding rows — whether a correction of the target rows can be made there (reachability), whether the active
/// protect and hard rows admit it (admissibility), with what conditioning, and how much it would disturb each typed
/// channel (interference); and which site to make it at (<see cref="Select"/>). Everything comes from the per-site Grams
/// G_s = J_s D_s⁻¹ J_sᵀ over the rows (D the optimizer's diagonal metric), whose sum over sites is the Gram the GALT
/// solve forms. Definitions and the closed-form checks they meet: docs/maps.md.
/// </summary>
public sealed class NeuralMap
{
    private readonly IReadOnlyList<MapRow> _rows;
    private readonly IReadOnlyList<double[,]> _grams;

    private NeuralMap(IReadOnlyList<MapRow> rows, IReadOnlyList<string> siteNames, IReadOnlyList<double[,]> grams, IReadOnlyList<SiteMap> sites)
    {
        _rows = rows;
        _grams = grams;
        SiteNames = siteNames;
        Sites = sites;
    }

    /// <summary>Set by the optimizer that computed the map (<c>optimizer.Map</c>): its rows' constraints and each site's tensor indices, for a map step.</summary>
    internal MapOrigin? Origin { get; set; }

    /// <summary>The rows the map was computed for.</summary>
    public IReadOnlyList<MapRow> Rows => _rows;

    /// <summary>The sites' names, in the order given (input to output).</summary>
    public IReadOnlyList<string> SiteNames { get; }

    /// <summary>The map of every site, in the order given.</summary>
    public IReadOnlyList<SiteMap> Sites { get; }

    /// <summary>The map of the site named <paramref name="site"/>.</summary>
    /// <exception cref="KeyNotFoundException">No site has that name; the message lists the sites.</exception>
    public SiteMap this[string site] => Sites.FirstOrDefault(s => s.Site == site)
        ?? throw new KeyNotFoundException($"the map has no site '{site}'; its sites are {string.Join(", ", SiteNames)}.");

    /// <summary>
    /// Computes the map from each site's Gram over <paramref name="rows"/> (<paramref name="grams"/>[s] is k×k,
    /// k = rows.Count, symmetric positive semidefinite: (G_s)_ij = Σ over the site's tensors of ⟨J_i, J_j / D⟩).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, a Gram is not finite, or names repeat; the message says which.</exception>
    public static NeuralMap Compute(IReadOnlyList<MapRow> rows, IReadOnlyList<string> siteNames, IReadOnlyList<double[,]> grams)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(siteNames);
        ArgumentNullException.ThrowIfNull(grams);
        if (siteNames.Count != grams.Count) throw new ArgumentException($"{siteNames.Count} site names but {grams.Count} Grams.", nameof(grams));
        if (siteNames.Count == 0) throw new ArgumentException("a map needs at least one site.", nameof(siteNames));
        if (siteNames.Distinct().Count() != siteNames.Count) throw new ArgumentException($"site names repeat: {string.Join(", ", siteNames)}.", nameof(siteNames));
        int k = rows.Count;
        for (int s = 0; s < grams.Count; s++)
        {
            if (grams[s].GetLength(0) != k || grams[s].GetLength(1) != k)
                throw new ArgumentException($"the Gram of site '{siteNames[s]}' is {grams[s].GetLength(0)}×{grams[s].GetLength(1)}; the map has {k} rows.", nameof(grams));
            foreach (double g in grams[s])
                if (!double.IsFinite(g)) throw new ArgumentException($"the Gram of site '{siteNames[s]}' holds {g}.", nameof(grams));
        }
        foreach (var row in rows)
            if (row.Role != MapRowRole.Channel && !double.IsFinite(row.Value)) throw new ArgumentException($"row '{row.Name}' has value {row.Value}.", nameof(rows));
        var targets = Indices(rows, MapRowRole.Target);
        double totalTrace = grams.Sum(g => targets.Sum(i => g[i, i]));
        var sites = siteNames.Select((name, s) => Site(name, rows, grams[s], totalTrace)).ToArray();
        return new NeuralMap(rows, siteNames, grams, sites);
    }

    /// <summary>
    /// The per-site Grams from the rows' Jacobians and the metric: <paramref name="jacobians"/>[i][p] is ∂C_i/∂θ_p (null
    /// where row i does not touch tensor p), <paramref name="metric"/>[p] the diagonal metric D_p (positive, θ_p's shape),
    /// <paramref name="siteTensors"/>[s] the tensor indices of site s. In float64; the tensors are only read.
    /// </summary>
    public static double[][,] Grams(IReadOnlyList<IReadOnlyList<Tensor?>> jacobians, IReadOnlyList<Tensor> metric, IReadOnlyList<IReadOnlyList<int>> siteTensors)
    {
        ArgumentNullException.ThrowIfNull(jacobians);
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(siteTensors);
        int k = jacobians.Count;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var perTensor = new double[metric.Count][,];
        // Only the tensors some site holds: a model's other tensors cost nothing.
        var used = new HashSet<int>(siteTensors.SelectMany(t => t).Where(p => p >= 0 && p < metric.Count));
        for (int p = 0; p < metric.Count; p++)
        {
            if (!used.Contains(p)) continue;
            var d = metric[p].detach().to_type(ScalarType.Float64).reshape(-1);
            var m = zeros(k, d.shape[0], ScalarType.Float64, d.device);
            for (int i = 0; i < k; i++)
            {
                if (jacobians[i].Count != metric.Count) throw new ArgumentException($"row {i} has {jacobians[i].Count} Jacobian tensors; the metric has {metric.Count}.", nameof(jacobians));
                if (jacobians[i][p] is { } j)
                {
                    if (j.numel() != d.shape[0]) throw new ArgumentException($"row {i}'s Jacobian for tensor {p} has {j.numel()} entries; the metric {d.shape[0]}.", nameof(jacobians));
                    m[i].copy_(j.detach().reshape(-1));
                }
            }
            var g = m.div(d).matmul(m.t()).cpu();
            var values = g.data<double>().ToArray();
            var gram = new double[k, k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++) gram[i, j] = values[i * k + j];
            perTensor[p] = gram;
        }
        return siteTensors.Select(tensors =>
        {
            var sum = new double[k, k];
            foreach (int p in tensors)
            {
                if (p < 0 || p >= metric.Count) throw new ArgumentException($"a site names tensor {p}; there are {metric.Count}.", nameof(siteTensors));
                Add(sum, perTensor[p]);
            }
            return sum;
        }).ToArray();
    }

    /// <summary>
    /// The site to make the correction at. A site is eligible when its relevance is at least <paramref name="minRelevance"/>,
    /// its admissibility residual at most <paramref name="maxAdmissibility"/> and its conditioning at most
    /// <paramref name="maxConditioning"/>; among eligible sites the lowest interference ι⁺ wins, then the highest relevance,
    /// then the one nearest the output (last in order). With no eligible site, sites are joined in order of falling
    /// relevance until their union is eligible; when even all together are not, the selection says so (nothing found).
    /// </summary>
    public SiteSelection Select(double minRelevance = 0.01, double maxAdmissibility = 1e-3, double maxConditioning = 1e6)
    {
        bool Eligible(SiteMap m) => m.Relevance >= minRelevance && m.Admissibility <= maxAdmissibility && m.Conditioning <= maxConditioning;
        var eligible = Sites.Select((m, s) => (m, s)).Where(x => Eligible(x.m)).ToArray();
        if (eligible.Length > 0)
        {
            var best = eligible.OrderBy(x => Math.Round(x.m.InterferenceMax, 12)).ThenByDescending(x => x.m.Relevance).ThenByDescending(x => x.s).First();
            return new SiteSelection(new[] { best.m.Site }, best.m,
                eligible.Length == 1 ? $"the only eligible site (of {Sites.Count})" : $"the lowest interference ι⁺ = {best.m.InterferenceMax:G3} of {eligible.Length} eligible sites");
        }
        var byRelevance = Enumerable.Range(0, Sites.Count).OrderByDescending(s => Sites[s].Relevance).ThenByDescending(s => s).ToArray();
        var union = new double[_rows.Count, _rows.Count];
        var names = new List<string>();
        double totalTrace = Indices(_rows, MapRowRole.Target).Sum(i => _grams.Sum(g => g[i, i]));
        foreach (int s in byRelevance)
        {
            if (Sites[s].Relevance <= 0) break;
            Add(union, _grams[s]);
            names.Add(Sites[s].Site);
            if (names.Count < 2) continue;
            var joined = Site(string.Join("+", names), _rows, union, totalTrace);
            if (Eligible(joined))
                return new SiteSelection(names.ToArray(), joined, $"no single site is eligible; the union of the {names.Count} most relevant is");
        }
        var worst = Sites.OrderBy(m => m.Admissibility).First();
        return new SiteSelection(Array.Empty<string>(), null,
            $"no admissible site: no site alone or in union meets relevance ≥ {minRelevance}, admissibility ≤ {maxAdmissibility}, conditioning ≤ {maxConditioning} " +
            $"(the most admissible, '{worst.Site}', leaves a residual of {worst.Admissibility:G3})");
    }

    private static SiteMap Site(string name, IReadOnlyList<MapRow> rows, double[,] g, double totalTrace)
    {
        var targets = Indices(rows, MapRowRole.Target);
        var protect = Indices(rows, MapRowRole.Protect);
        var channels = Indices(rows, MapRowRole.Channel);
        int k = rows.Count;
        double rNorm = Math.Sqrt(targets.Sum(i => rows[i].Value * rows[i].Value));
        double Relative(double residual) => rNorm > 0 ? residual / rNorm : residual;

        // Reach: the least-metric step whose target rows move by r as nearly as the span allows.
        var reach = AdmissibleStep.Coefficients(g, rows, targets, k);
        var moved = AdmissibleStep.Multiply(g, reach);
        double reachResidual = Math.Sqrt(targets.Sum(i => (moved[i] - rows[i].Value) * (moved[i] - rows[i].Value)));
        double stepNormSquared = 0;
        foreach (int i in targets) stepNormSquared += reach[i] * moved[i];

        var (admissible, residual, converged) = AdmissibleStep.Solve(g, rows);

        // Conditioning over the target and protect rows the site touches, diagonally normalised.
        var touched = targets.Concat(protect).Where(i => g[i, i] > 0).OrderBy(i => i).ToArray();
        double conditioning = double.NaN;
        if (touched.Length > 0)
        {
            var normalised = new double[touched.Length, touched.Length];
            for (int a = 0; a < touched.Length; a++)
                for (int b = 0; b < touched.Length; b++)
                    normalised[a, b] = g[touched[a], touched[b]] / Math.Sqrt(g[touched[a], touched[a]] * g[touched[b], touched[b]]);
            conditioning = SymmetricSystem.ConditionNumber(normalised);
        }

        // Interference of the reach step with each channel: ⟨J_c, Δ*⟩ = (G y)_c, ‖J_c‖_{D⁻¹} = √G_cc, ‖Δ*‖_D = √(yᵀ G y).
        double stepNorm = Math.Sqrt(Math.Max(0, stepNormSquared));
        var interference = channels.Select(c => g[c, c] > 0 && stepNorm > 0 ? moved[c] / (Math.Sqrt(g[c, c]) * stepNorm) : 0).ToArray();

        return new SiteMap
        {
            Site = name,
            Relevance = totalTrace > 0 ? targets.Sum(i => g[i, i]) / totalTrace : 0,
            Reachability = Relative(reachResidual),
            ReachCoefficients = targets.Select(i => reach[i]).ToArray(),
            Admissibility = Relative(residual),
            AdmissibleCoefficients = admissible,
            AdmissibilityConverged = converged,
            Conditioning = conditioning,
            Interference = interference,
        };
    }

    private static int[] Indices(IReadOnlyList<MapRow> rows, MapRowRole role) => Enumerable.Range(0, rows.Count).Where(i => rows[i].Role == role).ToArray();

    private static void Add(double[,] sum, double[,] g)
    {
        for (int i = 0; i < sum.GetLength(0); i++)
            for (int j = 0; j < sum.GetLength(1); j++) sum[i, j] += g[i, j];
    }
}

/// <summary>Where an optimizer's map came from: the optimizer, the rows' constraints, each site's tensor indices.</summary>
internal sealed record MapOrigin(object Optimizer, IReadOnlyList<Galt.Constraints.Constraint> Constraints, IReadOnlyList<int[]> SiteTensors);
