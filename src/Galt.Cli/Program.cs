using Galt.Cli;
using Spectre.Console;

return GaltCommandLine.Invoke(args, AnsiConsole.Console);
