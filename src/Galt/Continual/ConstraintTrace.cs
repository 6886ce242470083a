using Galt.Optim;

namespace Galt.Continual;

/// <summary>Per-constraint λ, ρ and value after every step of a GALT strategy, and the final certificate.</summary>
public sealed class ConstraintTrace
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

    /// <summary>Records how a step's local system was solved.</summary>
    public void RecordSolve(int step, StepResult result)
    {
        SolvePaths[result.Path] = SolvePaths.GetValueOrDefault(result.Path) + 1;
        Solves.Add((step, result.Path, result.ConditionNumber));
    }

    /// <summary>Feasibility restorations at task ends: (task index, result), in order.</summary>
    public List<(int Task, RestorationResult Result)> Restorations { get; } = new();

    /// <summary>Restoration steps over the run.</summary>
    public int RestorationSteps => Restorations.Sum(r => r.Result.Steps);

    /// <summary>Records a restoration at the end of task <paramref name="task"/>.</summary>
    public void RecordRestoration(int task, RestorationResult result) => Restorations.Add((task, result));

    /// <summary>The certificate at the end of the run.</summary>
    public FeasibilityCertificate? Certificate { get; set; }

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
