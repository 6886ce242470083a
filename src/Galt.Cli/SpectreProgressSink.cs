using Galt.Continual;
using Spectre.Console;

namespace Galt.Cli;

/// <summary>Shows library progress as Spectre.Console progress bars (a spinner when the total is unknown).</summary>
public sealed class SpectreProgressSink : IProgressSink
{
    private readonly ProgressContext _context;

    /// <summary>Wraps a running Spectre progress display.</summary>
    public SpectreProgressSink(ProgressContext context) => _context = context;

    /// <inheritdoc />
    public IProgressTask Start(string description, double total)
    {
        var task = _context.AddTask(Markup.Escape(description), maxValue: total > 0 ? total : 1);
        task.IsIndeterminate = total <= 0;
        return new Task(task);
    }

    private sealed class Task : IProgressTask
    {
        private readonly ProgressTask _task;

        public Task(ProgressTask task) => _task = task;

        public void Advance(double amount) => _task.Increment(amount);

        public void Describe(string description) => _task.Description = Markup.Escape(description);

        public void Dispose()
        {
            _task.IsIndeterminate = false;
            _task.Value = _task.MaxValue;
            _task.StopTask();
        }
    }
}
