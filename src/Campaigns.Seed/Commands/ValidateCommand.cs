using System.CommandLine;
using Campaigns.Api.Seeding;

namespace Campaigns.Seed.Commands;

public static class ValidateCommand
{
    public static Command Create()
    {
        var path = new Argument<string?>("path")
        {
            Description = "The canonical file to check (default: seed-data/campaigns.json next to the tool, then in the current directory).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("validate", "Check a canonical seed file: unique keys, no retired campaigns, active count, well-formed URLs.") { path };
        command.SetAction(parse => Run(parse.GetValue(path), Console.Out, Console.Error));
        return command;
    }

    public static int Run(string? path, TextWriter output, TextWriter error)
    {
        var file = Path.GetFullPath(path ?? DefaultFile());
        var result = CanonicalSeedFile.Load(file);
        if (!result.IsValid)
        {
            error.WriteLine($"{file}: {result.Problems.Count} problem(s)");
            foreach (var problem in result.Problems)
            {
                error.WriteLine($"  {file}: {problem.JsonPath}: {problem.Message} [{problem.Rule}]");
            }

            return ExitCodes.InvalidInput;
        }

        var seed = result.Seed!;
        output.WriteLine(
            $"{file}: valid: version {seed.Version}, {seed.Campaigns.Count} campaigns ({seed.Campaigns.Count(c => c.Active)} active, {seed.ExpectedActive} expected), " +
            $"{seed.Retired.Count} retired ({string.Join(", ", seed.Retired.Select(r => r.Key))}), sha256 {result.Sha256}");
        return ExitCodes.Ok;
    }

    private static string DefaultFile()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "seed-data", "campaigns.json");
        return File.Exists(beside) ? beside : Path.Combine("seed-data", "campaigns.json");
    }
}
