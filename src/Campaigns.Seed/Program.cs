using System.CommandLine;
using System.CommandLine.Parsing;
using Campaigns.Api.Campaigns;
using Campaigns.Seed.Commands;

namespace Campaigns.Seed;

// A named entry point: the API's top-level Program is public, and tests reference both assemblies.
public static class SeedProgram
{
    public static Task<int> Main(string[] args) => InvokeAsync(args);

    /// <summary>
    /// Parses and runs a command line. A usage mistake (a missing option, an unknown command) exits 2 with the problem
    /// and where to find the help, not the whole help text and 1.
    /// </summary>
    public static Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        JsonFieldNames.Apply();
        configuration ??= new InvocationConfiguration();
        var parse = BuildRoot().Parse(args);
        if (parse.Errors.Count == 0)
        {
            return parse.InvokeAsync(configuration);
        }

        foreach (var error in parse.Errors)
        {
            configuration.Error.WriteLine($"error: {error.Message}");
        }

        var command = string.Join(' ', CommandPath(parse.CommandResult));
        configuration.Error.WriteLine($"Run '{command} --help' for usage.");
        return Task.FromResult(ExitCodes.InvalidInput);
    }

    private static IEnumerable<string> CommandPath(CommandResult? result)
    {
        var names = new Stack<string>();
        for (; result is not null; result = result.Parent as CommandResult)
        {
            names.Push(result.Parent is null ? "campaigns-seed" : result.Command.Name);
        }

        return names;
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Operator tool for the Campaigns service: validate the canonical seed, back up, restore and migrate data.")
        {
            ValidateCommand.Create(),
            MigrateCommand.Create(),
            DoctorCommand.Create(),
            DevCommands.Create(),
            OffSiteCommands.Create(),
            SeedTemplateCommand.Create(),
        };
        foreach (var command in BackupCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
