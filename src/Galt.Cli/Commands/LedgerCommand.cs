using System.CommandLine;
using Galt.Memory;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary><c>galt ledger</c>: inspect a trace ledger (and a hidden writer used by the crash-safety tests).</summary>
public static class LedgerCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("ledger", "Inspect a safety-indexed trace ledger (SQLite): traces, quarantines, residual debt.");
        var path = new Argument<string>("ledger") { Description = "The ledger file." };
        var show = new Command("show", "Show a ledger's traces and residual items (refuses corrupt or foreign files).") { path };
        show.SetAction(parse => CommandGuard.Run<LedgerException>(console, () =>
        {
            using var ledger = TraceLedger.Open(parse.GetValue(path)!);
            var traces = ledger.Traces();
            var residuals = ledger.Residuals();
            var table = new Table().AddColumn("id").AddColumn("candidate").AddColumn("layer").AddColumn("decision").AddColumn("quarantined");
            foreach (var t in traces.TakeLast(20)) table.AddRow(t.Id.ToString(), Markup.Escape(t.Candidate), t.Layer.ToString(), t.Decision.ToString(), t.Quarantined ? "yes" : "no");
            console.Write(table);
            console.MarkupLine($"{traces.Count} traces ({traces.Count(t => t.Quarantined)} quarantined), {residuals.Count} residual items, debt {residuals.Sum(r => r.Debt):0.###}.");
        }));
        command.Subcommands.Add(show);

        var writePath = new Argument<string>("ledger") { Description = "The ledger file." };
        var count = new Option<int>("--count") { Description = "Traces to append, one transaction each.", DefaultValueFactory = _ => 1000 };
        var write = new Command("write-test", "Append synthetic traces one transaction at a time, printing each committed id (crash-safety tests).") { writePath, count };
        write.Hidden = true;
        write.SetAction(parse => CommandGuard.Run<LedgerException>(console, () =>
        {
            using var ledger = TraceLedger.Open(parse.GetValue(writePath)!);
            for (int i = 0; i < parse.GetValue(count); i++)
            {
                long id = ledger.AppendTrace(new TraceRecord(0, $"candidate {i}", (SafetyLayer)(i % 4), TraceDecision.Accepted, SafetyLayer.None,
                    new[] { -1.0, -0.5, -0.2, 0.1 }, false, DateTime.UtcNow));
                Console.Out.WriteLine(id);
                Console.Out.Flush();
            }
        }));
        command.Subcommands.Add(write);
        return command;
    }
}
