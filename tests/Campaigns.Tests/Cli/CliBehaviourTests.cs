using Campaigns.Api.Storage;
using Campaigns.Seed.Commands;
using Campaigns.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Campaigns.Tests.Cli;

/// <summary>The CLI does what the README says: defaults, messages, exit codes and progress.</summary>
public sealed class CliBehaviourTests
{
    [Fact]
    public async Task AUsageMistakeExitsTwoWithAShortMessageNotTheWholeHelp()
    {
        var export = await Run("export");
        var unknown = await Run("bakup");

        Assert.Equal(ExitCodes.InvalidInput, export.Exit);
        Assert.Contains("--out", export.Error);
        Assert.Contains("Run 'campaigns-seed export --help' for usage.", export.Error);
        Assert.DoesNotContain("Usage:", export.Error + export.Output);
        Assert.True(export.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 3, export.Error);
        Assert.Equal(ExitCodes.InvalidInput, unknown.Exit);
        Assert.Contains("Run 'campaigns-seed --help' for usage.", unknown.Error);
    }

    [Fact]
    public async Task AMissingDataDirectoryIsBlamedOnTheOptionThatChoseIt()
    {
        using var dir = new TempDirectory();

        var missing = await Run("backups", "list", "--data-dir", dir.Combine("typo"));

        Assert.Equal(ExitCodes.InvalidInput, missing.Exit);
        Assert.Contains($"the data directory {dir.Combine("typo")} (chosen by --data-dir) does not exist", missing.Error);
        Assert.DoesNotContain("DATA_DIR", missing.Error);
    }

    [Fact]
    public async Task FromASourceCheckoutTheCliAndTheServiceDefaultToTheSameDataDirectory()
    {
        using var checkout = new TempDirectory();
        await File.WriteAllTextAsync(checkout.Combine(SourceCheckout.SolutionFile), "");
        var project = Directory.CreateDirectory(checkout.Combine("src", "Campaigns.Api")).FullName;
        await File.WriteAllTextAsync(Path.Combine(project, "Campaigns.Api.csproj"), "<Project />");
        Directory.CreateDirectory(checkout.Combine("data"));

        // `dotnet run --project src/Campaigns.Api` runs the service with its project folder as the content root.
        var service = DataDirectory.Resolve(new ConfigurationBuilder().Build(), project);
        // The README's CLI commands run from the repository root.
        var cli = await CliProcess.RunAsync(checkout.Path, null, "backups", "list");

        Assert.Equal(checkout.Combine("data"), service.Path);
        Assert.Equal(ExitCodes.Ok, cli.Exit);
        Assert.Contains($"No backups in {checkout.Combine("data", "backups")}", cli.Output);
        // Anywhere else, ./data is beside the content root, as before (the container, a published app).
        Assert.Equal(checkout.Combine("src", "data"), DataDirectory.Resolve(new ConfigurationBuilder().Build(), checkout.Combine("src")).Path);
    }

    [Fact]
    public async Task ValidateNamesTheSeedDataFileOfTheCheckoutOrTheFileAsTyped()
    {
        var byDefault = await CliProcess.RunAsync(SolutionPaths.Root, null, "validate");
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("mine.json"), """
            {"version":1,"expectedActive":1,"retired":[],"campaigns":[{"key":"a","name":"A","property":"mmm","active":true,"description":"","offerUrl":"not a url","imageUrl":"https://a.example/i.png","callToAction":"Go","priority":1}]}
            """);
        var named = await CliProcess.RunAsync(dir.Path, null, "validate", "mine.json");

        Assert.Equal(ExitCodes.Ok, byDefault.Exit);
        Assert.StartsWith(Path.Combine("seed-data", "campaigns.json") + ": valid", byDefault.Output);
        Assert.DoesNotContain("bin", byDefault.Output);
        Assert.Equal(ExitCodes.InvalidInput, named.Exit);
        Assert.Contains("  mine.json: $.campaigns[0].offerUrl: 'offerUrl' must be an absolute http or https URL. [AbsoluteHttpUrl]", named.Error);
    }

    [Fact]
    public async Task ProblemsSpellFieldsAsTheJsonDoesWithReadableRuleNames()
    {
        using var dir = new TempDirectory();
        var file = dir.Combine("campaigns.json");
        await File.WriteAllTextAsync(file, """
            {"version":1,"expectedActive":1,"retired":[],"campaigns":[{"key":"Bad Key","name":"","property":"MMM","active":true,"description":"","offerUrl":"ftp://x","imageUrl":"https://a.example/i.png","callToAction":"Go","priority":1}]}
            """);

        var result = await Run("validate", file);

        Assert.Equal(ExitCodes.InvalidInput, result.Exit);
        Assert.Contains("$.campaigns[0].key: 'key' must be a lowercase slug", result.Error);
        Assert.Contains("[LowercaseSlug]", result.Error);
        Assert.Contains("$.campaigns[0].name: 'name' must not be empty. [NotEmpty]", result.Error);
        Assert.Contains("$.campaigns[0].property: 'property' must be a lowercase site code such as 'mmm'. [SiteCode]", result.Error);
        Assert.Contains("$.campaigns[0].offerUrl: 'offerUrl' must be an absolute http or https URL. [AbsoluteHttpUrl]", result.Error);
        Assert.DoesNotContain("Offer Url", result.Error);
        Assert.DoesNotContain("Predicate", result.Error);
        Assert.DoesNotContain("RegularExpression", result.Error);
    }

    [Fact]
    public async Task AnUnreachableDatabaseIsNamedWithHostPortAndTheSystemsAnswer()
    {
        using var dir = new TempDirectory();
        await Run("reseed", "--data-dir", dir.Path);
        var output = new StringWriter();
        var error = new StringWriter();

        // Nothing listens on port 1 of the loopback interface: the connection is refused at once.
        var exit = await MigrateCommand.RunAsync(dir.Combine("campaigns.db"), "postgresql://user:secret-pw@127.0.0.1:1/campaigns", false, output, error);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("cannot connect to PostgreSQL at 127.0.0.1:1 (chosen by --to)", error.ToString());
        Assert.Contains("refused", error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("transient", error.ToString());
        Assert.DoesNotContain("secret-pw", error.ToString() + output);
    }

    [Fact]
    public async Task ARestoreWhoseTopUpFailsExitsNonZero()
    {
        using var dir = new TempDirectory();
        Assert.Equal(ExitCodes.Ok, (await Run("reseed", "--data-dir", dir.Path)).Exit);
        Assert.Equal(ExitCodes.Ok, (await Run("backup", "--data-dir", dir.Path)).Exit);
        var broken = dir.Combine("broken-campaigns.json");
        await File.WriteAllTextAsync(broken, """{"version":1,""");

        var restored = await CliProcess.RunAsync(dir.Path, new Dictionary<string, string> { ["Seeding__CanonicalFile"] = broken },
            "restore", "latest", "--data-dir", dir.Path);

        Assert.Equal(ExitCodes.Failed, restored.Exit);
        Assert.Contains("error: the canonical top-up after the restore failed", restored.Error);
        Assert.Contains(broken, restored.Error);
    }

    [Fact]
    public async Task LongCommandsReportProgressAsPlainLinesWhenNotOnATerminal()
    {
        using var source = new TempDirectory();
        using var target = new TempDirectory();
        await Run("reseed", "--data-dir", source.Path);
        var snapshot = source.Combine("snapshot.json");

        var backup = await Run("backup", "--data-dir", source.Path);
        var verify = await Run("backups", "verify", "--data-dir", source.Path);
        var restore = await Run("restore", "latest", "--data-dir", source.Path);
        var export = await Run("export", "--out", snapshot, "--data-dir", source.Path);
        var import = await Run("import", snapshot, "--data-dir", target.Path);

        Assert.Matches(@"^backup: \d+\.\d/\d+\.\d MB \(100%\) done in \d+\.\d s, \d+\.\d MB/s", backup.Error);
        Assert.StartsWith("Backup campaigns_backup_", backup.Output); // stdout keeps only the result
        Assert.Matches(@"^verify: \d+\.\d/\d+\.\d MB \(100%\) done in ", verify.Error);
        Assert.Matches(@"^restore: \d+\.\d/\d+\.\d MB \(100%\) done in ", restore.Error);
        Assert.StartsWith("export: 12/12 rows (100%) done in ", export.Error);
        Assert.StartsWith("import: 12/12 rows (100%) done in ", import.Error);
        Assert.All(new[] { backup, verify, restore, export, import }, r => Assert.Equal(ExitCodes.Ok, r.Exit));
    }

    private static Task<(int Exit, string Output, string Error)> Run(params string[] args) => CliProcess.InProcessAsync(args);
}
