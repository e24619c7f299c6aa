using System.CommandLine;
using Campaigns.Seed.Commands;

namespace Campaigns.Seed;

// A named entry point: the API's top-level Program is public, and tests reference both assemblies.
public static class SeedProgram
{
    public static Task<int> Main(string[] args) => BuildRoot().Parse(args).InvokeAsync();

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Operator tool for the Campaigns service: validate the canonical seed, back up, restore and migrate data.")
        {
            ValidateCommand.Create(),
            MigrateCommand.Create(),
            DevCommands.Create(),
            OffSiteCommands.Create(),
        };
        foreach (var command in BackupCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
