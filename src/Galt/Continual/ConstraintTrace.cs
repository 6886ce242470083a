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
