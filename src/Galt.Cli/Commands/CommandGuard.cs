using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary>Runs a command's action and turns the file errors it expects into a red message and exit code 1.</summary>
internal static class CommandGuard
{
    /// <summary>0 when <paramref name="action"/> finishes; 1, with the message printed, when it throws <typeparamref name="TException"/>.</summary>
    public static int Run<TException>(IAnsiConsole console, Action action) where TException : Exception
    {
        try
        {
            action();
            return 0;
        }
        catch (TException e)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 1;
        }
    }
}
