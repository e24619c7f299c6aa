using System.CommandLine;
using Campaigns.Seed.Commands;

namespace Campaigns.Seed;

// A named entry point: the API's top-level Program is public, and tests reference both assemblies.
public static class SeedProgram
{
    public static async Task<int> Main(string[] args)
    {
        var parse = BuildRoot().Parse(args);
        var exitCode = await parse.InvokeAsync();
        // A command line that does not parse is a usage error (2), as for every command's own invalid input.
        return parse.Errors.Count > 0 ? ExitCodes.InvalidInput : exitCode;
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Operator tool for the Campaigns service: validate the canonical seed, back up, restore and migrate data.")
        {
            ValidateCommand.Create(),
            MigrateCommand.Create(),
            DoctorCommand.Create(),
            DevCommands.Create(),
        };
        foreach (var command in BackupCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
