using System.CommandLine;
using Galt.Checkpoints;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary><c>galt checkpoint</c>: check a checkpoint file (and a hidden writer used by the crash-safety tests).</summary>
public static class CheckpointCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("checkpoint", "Check a Galt checkpoint file: its format version, checksum and entries.");
        var path = new Argument<string>("file") { Description = "The checkpoint file." };
        var show = new Command("show", "List a checkpoint's entries (refuses truncated, corrupt, foreign or newer files).") { path };
        show.SetAction(parse => CommandGuard.Run<CheckpointException>(console, () =>
        {
            var entries = CheckpointFile.Read(parse.GetValue(path)!);
            var table = new Table().AddColumn("entry").AddColumn("bytes");
            foreach (var (name, data) in entries) table.AddRow(Markup.Escape(name), data.Length.ToString());
            console.Write(table);
            console.MarkupLine($"{entries.Count} entries, format version {CheckpointFile.FormatVersion}, checksum verified.");
        }));
        command.Subcommands.Add(show);

        var writePath = new Argument<string>("file") { Description = "The checkpoint file." };
        var count = new Option<int>("--count") { Description = "Checkpoints to write in turn.", DefaultValueFactory = _ => 1000 };
        var write = new Command("write-test", "Write numbered 8 MB checkpoints over one file in turn, printing each number once written (crash-safety tests).") { writePath, count };
        write.Hidden = true;
        write.SetAction(parse => CommandGuard.Run<CheckpointException>(console, () =>
        {
            var bulk = new byte[8 << 20];
            for (int i = 0; i < parse.GetValue(count); i++)
            {
                Array.Fill(bulk, (byte)i);
                CheckpointFile.Write(parse.GetValue(writePath)!, new Dictionary<string, byte[]> { ["number"] = BitConverter.GetBytes(i), ["bulk"] = bulk });
                Console.Out.WriteLine(i);
                Console.Out.Flush();
            }
        }));
        command.Subcommands.Add(write);
        return command;
    }
}
