using Galt.Optim;

namespace Galt.Continual;

/// <summary>Per-constraint λ, ρ and value after every step of a GALT strategy, and the final certificate.</summary>
public sealed class ConstraintTrace : Galt.Checkpoints.ICheckpointable
{
    private readonly Dictionary<string, List<(int Step, double Lambda, double Rho, double Value)>> _series = new();

    /// <summary>Constraint names in the order they appeared.</summary>
    public List<string> Names { get; } = new();

    /// <summary>The series of one constraint.</summary>
    public IReadOnlyList<(int Step, double Lambda, double Rho, double Value)> Of(string name) => _series[name];

    /// <summary>How many steps took each solve path (Sherman–Morrison, Woodbury, the sequential fallback, ...).</summary>
    public Dictionary<Galt.Solve.SolvePath, int> SolvePaths { get; } = new();

    /// <summary>Step number, path and condition number of every step, in order.</summary>
    public List<(int Step, Galt.Solve.SolvePath Path, double Condition)> Solves { get; } = new();

    /// <summary>Records how a step's local system was solved and what its step contract did.</summary>
    public void RecordSolve(int step, StepResult result)
    {
        SolvePaths[result.Path] = SolvePaths.GetValueOrDefault(result.Path) + 1;
        Solves.Add((step, result.Path, result.ConditionNumber));
        Contract = new ContractTally(Contract.Evaluations + result.Evaluations, Contract.Corrections + result.Corrections,
            Contract.Halvings + result.Halvings, Contract.HeldSteps + (result.Held ? 1 : 0));
    }

    /// <summary>What the step contract did over every recorded step: its constraint evaluations, corrections, halvings and held steps.</summary>
    public ContractTally Contract { get; private set; }

    /// <summary>Mean contract evaluations per recorded step (1 when every step was kept on its first try; NaN before any step).</summary>
    public double EvaluationsPerStep => Solves.Count == 0 ? double.NaN : (double)Contract.Evaluations / Solves.Count;

    /// <summary>Feasibility restorations at task ends: (task index, result), in order.</summary>
    public List<(int Task, RestorationResult Result)> Restorations { get; } = new();

    /// <summary>Restoration steps over the run.</summary>
    public int RestorationSteps => Restorations.Sum(r => r.Result.Steps);

    /// <summary>Records a restoration at the end of task <paramref name="task"/>.</summary>
    public void RecordRestoration(int task, RestorationResult result) => Restorations.Add((task, result));

    /// <summary>The certificate at the end of the run.</summary>
    public FeasibilityCertificate? Certificate { get; set; }

    /// <summary>Writes every series, solve record, restoration and the certificate when there is one.</summary>
    public void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        writer.Bool("has_certificate", Certificate is not null);
        if (Certificate is { } c)
        {
            writer.Double("certificate/tolerance", c.Tolerance);
            writer.Strings("certificate/names", c.Rows.Select(r => r.Name).ToArray());
            writer.Longs("certificate/kinds", c.Rows.Select(r => (long)r.Kind).ToArray());
            writer.Doubles("certificate/values", c.Rows.SelectMany(r => new[] { r.Margin, r.Value, r.Lambda, r.Rho, r.HeldOutValue }).ToArray());
        }
        writer.Strings("names", Names);
        for (int i = 0; i < Names.Count; i++)
        {
            var series = _series[Names[i]];
            writer.Longs($"series/{i}/steps", series.Select(e => (long)e.Step).ToArray());
            writer.Doubles($"series/{i}/values", series.SelectMany(e => new[] { e.Lambda, e.Rho, e.Value }).ToArray());
        }
        writer.Longs("solves", Solves.SelectMany(s => new long[] { s.Step, (long)s.Path, BitConverter.DoubleToInt64Bits(s.Condition) }).ToArray());
        writer.Longs("contract", new[] { Contract.Evaluations, Contract.Corrections, Contract.Halvings, Contract.HeldSteps });
        writer.Longs("restorations", Restorations.SelectMany(r => new long[] { r.Task, r.Result.Steps, r.Result.Evaluations, r.Result.Feasible ? 1 : 0 }).ToArray());
        for (int i = 0; i < Restorations.Count; i++) writer.Doubles($"restoration/{i}", Restorations[i].Result.Values);
    }

    /// <summary>Reads what <see cref="Save"/> wrote; the returned action replaces this trace's contents with it.</summary>
    public Action Prepare(Galt.Checkpoints.CheckpointReader reader)
    {
        var names = reader.Strings("names");
        var series = new List<(int, double, double, double)>[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            var steps = reader.Longs($"series/{i}/steps");
            var values = reader.Doubles($"series/{i}/values");
            if (values.Length != 3 * steps.Length) throw reader.Error($"series/{i}/values", $"{values.Length} values for {steps.Length} steps.");
            series[i] = steps.Select((s, k) => ((int)s, values[3 * k], values[3 * k + 1], values[3 * k + 2])).ToList();
        }
        var solves = reader.Longs("solves");
        var restorations = reader.Longs("restorations");
        var contract = reader.Longs("contract");
        if (contract.Length != 4 || contract.Any(c => c < 0)) throw reader.Error("contract", $"{contract.Length} counts (expected 4, none negative).");
        if (solves.Length % 3 != 0) throw reader.Error("solves", "not whole records.");
        if (restorations.Length % 4 != 0) throw reader.Error("restorations", "not whole records.");
        FeasibilityCertificate? certificate = null;
        if (reader.Bool("has_certificate"))
        {
            double tolerance = reader.Double("certificate/tolerance");
            var rowNames = reader.Strings("certificate/names");
            var kinds = reader.Longs("certificate/kinds");
            var v = reader.Doubles("certificate/values");
            if (kinds.Length != rowNames.Length || v.Length != 5 * rowNames.Length) throw reader.Error("certificate/values", "rows of unequal length.");
            certificate = new FeasibilityCertificate(rowNames.Select((n, i) =>
                CertificateRow.Of(n, (Galt.Constraints.ConstraintKind)kinds[i], v[5 * i], v[5 * i + 1], v[5 * i + 2], v[5 * i + 3], tolerance, v[5 * i + 4])).ToArray(), tolerance);
        }
        var restored = Enumerable.Range(0, restorations.Length / 4).Select(i => ((int)restorations[4 * i],
            new RestorationResult((int)restorations[4 * i + 1], (int)restorations[4 * i + 2], reader.Doubles($"restoration/{i}")) { Feasible = restorations[4 * i + 3] != 0 })).ToArray();
        return () =>
        {
            Names.Clear(); _series.Clear(); Solves.Clear(); SolvePaths.Clear(); Restorations.Clear();
            Contract = new ContractTally(contract[0], contract[1], contract[2], contract[3]);
            for (int i = 0; i < names.Length; i++) { Names.Add(names[i]); _series[names[i]] = series[i]; }
            for (int i = 0; i < solves.Length; i += 3)
            {
                var path = (Galt.Solve.SolvePath)solves[i + 1];
                Solves.Add(((int)solves[i], path, BitConverter.Int64BitsToDouble(solves[i + 2])));
                SolvePaths[path] = SolvePaths.GetValueOrDefault(path) + 1;
            }
            Restorations.AddRange(restored);
            Certificate = certificate;
        };
    }

    /// <summary>Records the optimizer's constraint states after step <paramref name="step"/>.</summary>
    public void Record(int step, IEnumerable<ConstraintStatus> states)
    {
        foreach (var s in states)
        {
            if (!_series.TryGetValue(s.Name, out var list))
            {
                _series[s.Name] = list = new();
                Names.Add(s.Name);
            }
            list.Add((step, s.Lambda, s.Rho, s.Value));
        }
    }
}

/// <summary>Counts of what a step contract did over many steps.</summary>
/// <param name="Evaluations">Evaluations of every constraint after a step was written (1 per step in the common case; each correction or halving adds one; the Jacobian pass before the step is not counted).</param>
/// <param name="Corrections">Corrections from measured values.</param>
/// <param name="Halvings">Halvings of the step.</param>
/// <param name="HeldSteps">Steps held where they started.</param>
public readonly record struct ContractTally(long Evaluations, long Corrections, long Halvings, long HeldSteps);
