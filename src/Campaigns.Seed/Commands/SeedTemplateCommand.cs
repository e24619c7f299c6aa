using System.CommandLine;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;

namespace Campaigns.Seed.Commands;

/// <summary>
/// <c>seed-template --out PATH</c>: the image build's step that makes the database a new volume starts from
/// (<see cref="SeedTemplate"/>). It runs the service's own migrations and top-up on a throw-away data directory, so
/// the template is what a first start without it would build.
/// </summary>
public static class SeedTemplateCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out")
        {
            Description = "Where to write the template; the service looks for seed-data/campaigns.template.db next to itself (Seeding:TemplateFile).",
            Required = true,
        };
        var command = new Command("seed-template",
            "Build the database a new, empty data directory starts from: this build's migrations and the canonical campaigns, as a first start would make it.")
        {
            output,
        };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(output)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string outputPath, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var target = Path.GetFullPath(outputPath);
        if (Path.GetDirectoryName(target) is not { } directory || !Directory.Exists(directory))
        {
            error.WriteLine($"--out: the directory of {target} does not exist.");
            return ExitCodes.InvalidInput;
        }

        var scratch = Directory.CreateTempSubdirectory("campaigns-seed-template-");
        try
        {
            return await CliHost.RunAsync(scratch.FullName, output, error, async (services, _) =>
            {
                var summary = await SeedTemplate.BuildAsync(services, target, cancellationToken);
                if (!summary.Applied)
                {
                    error.WriteLine($"error: {summary.Error}");
                    return ExitCodes.InvalidInput;
                }

                output.WriteLine(
                    $"Wrote seed template {target}: {summary.ActiveAfter} active campaigns from seed version {summary.SeedVersion} " +
                    $"(canonical file sha256 {summary.FileSha256}), schema at {LiveSchema.Known(DatabaseProvider.Sqlite)[^1]}");
                return ExitCodes.Ok;
            });
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
