using System.CommandLine;
using System.CommandLine.Parsing;

namespace KernelZones.Samples.SenderHost.Commands;

/// <summary>
/// A command line the declarations refuse, reported as zoneadm and zonecfg report usage errors: each problem on a line
/// of its own after the tool's name, then where the usage is (exit status 2).
/// </summary>
internal static class UsageErrors
{
    /// <summary>The tool the command line invokes (<c>zonecfg</c>, <c>zoneadm</c>), or the program's name before one is named.</summary>
    public static string Tool(ParseResult result)
    {
        Command? tool = null;
        for (SymbolResult? symbol = result.CommandResult; symbol is CommandResult { Parent: not null } command; symbol = command.Parent)
        {
            tool = command.Command;
        }

        return tool?.Name ?? result.RootCommandResult.Command.Name;
    }

    public static void Write(ParseResult result, TextWriter error)
    {
        string tool = Tool(result);
        foreach (ParseError problem in result.Errors)
        {
            error.WriteLine($"{tool}: {problem.Message}");
        }

        IEnumerable<string> path = Path(result.CommandResult).Select(c => c.Name);
        error.WriteLine($"usage: see '{string.Join(' ', path)} --help'");
    }

    private static IEnumerable<Command> Path(CommandResult command) =>
        command.Parent is CommandResult parent ? Path(parent).Append(command.Command) : [command.Command];
}
