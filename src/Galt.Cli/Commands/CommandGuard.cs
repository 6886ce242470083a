using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary>Runs a command's action and turns the errors it expects into a red message and an exit code.</summary>
internal static class CommandGuard
{
    /// <summary>0 when <paramref name="action"/> finishes; 1, with the message printed, when it throws <typeparamref name="TException"/>.</summary>
    public static int Run<TException>(IAnsiConsole console, Action action) where TException : Exception =>
        Run<TException>(console, 1, () =>
        {
            action();
            return 0;
        });

    /// <summary><paramref name="action"/>'s exit code; <paramref name="failure"/>, with the message printed, when it throws <typeparamref name="TException"/>.</summary>
    public static int Run<TException>(IAnsiConsole console, int failure, Func<int> action) where TException : Exception
    {
        try
        {
            return action();
        }
        catch (TException e)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return failure;
        }
    }
}
