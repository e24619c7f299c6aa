using System.CommandLine;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;

namespace Campaigns.Seed.Commands;

public static class ValidateCommand
{
    public static Command Create()
    {
        var path = new Argument<string?>("path")
        {
            Description = "The canonical file to check (default: seed-data/campaigns.json in the current directory or the repository, else the copy shipped with the tool).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("validate", "Check a canonical seed file: unique keys, no retired campaigns, active count, well-formed URLs.") { path };
        command.SetAction(parse => Run(parse.GetValue(path), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Problems name the file as the user named it (or the seed-data/ file they edit), never a build copy.</summary>
    public static int Run(string? path, TextWriter output, TextWriter error)
    {
        var file = path ?? DefaultFile();
        var result = CanonicalSeedFile.Load(Path.GetFullPath(file));
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

    /// <summary>
    /// The file a developer edits: seed-data/ here, or at the root of the checkout; in a container (no checkout) the
    /// copy shipped beside the tool, which is the one the service reads there.
    /// </summary>
    internal static string DefaultFile()
    {
        var relative = Path.Combine("seed-data", "campaigns.json");
        if (File.Exists(relative))
        {
            return relative;
        }

        if (SourceCheckout.RootFor(Directory.GetCurrentDirectory()) is { } checkout && File.Exists(Path.Combine(checkout, relative)))
        {
            return Path.Combine(checkout, relative);
        }

        var beside = Path.Combine(AppContext.BaseDirectory, relative);
        return File.Exists(beside) ? beside : relative;
    }
}
