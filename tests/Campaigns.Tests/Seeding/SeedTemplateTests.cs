using System.Net.Http.Json;
using System.Security.Cryptography;
using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Campaigns.Tests.Seeding;

/// <summary>
/// The database a new volume starts from, built by the CLI as the image build does. A start on it must end up with the
/// database a start without it builds, and a template that does not fit this start must not be used.
/// </summary>
public sealed class SeedTemplateTests
{
    private const string TemplateSetting = "Seeding:TemplateFile";

    /// <summary>One template for the class, built from the shipped canonical file by the CLI process.</summary>
    private static readonly Lazy<Task<string>> Template = new(BuildTemplateAsync);

    private static async Task<string> BuildTemplateAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"campaigns-template-{Guid.NewGuid():N}.db");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        var (exit, output, error) = await SeedProcess.RunAsync(null, "seed-template", "--out", path);
        Assert.True(exit == 0, $"seed-template exited {exit}: {error}");
        Assert.Contains("Wrote seed template", output);
        return path;
    }

    [Fact]
    public async Task NewDataDirectoryStartsFromTheSeedTemplateWithTheDatabaseAStartWithoutItBuilds()
    {
        var template = await Template.Value;
        var templateSha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(template)));
        var builtAt = Dump(template).CampaignTimes.Max();
        using var withTemplate = new TempDirectory();
        using var without = new TempDirectory();

        await using (var fromTemplate = new CampaignsApiFactory(withTemplate.Path, new Dictionary<string, string?> { [TemplateSetting] = template }))
        await using (var built = new CampaignsApiFactory(without.Path, new Dictionary<string, string?> { [TemplateSetting] = without.Combine("none.db") }))
        {
            Assert.Equal(12, (await fromTemplate.CreateClient().GetCampaignsAsync()).Count(c => c.Active));
            Assert.Equal(12, (await built.CreateClient().GetCampaignsAsync()).Count(c => c.Active));
            Assert.True(fromTemplate.Logs.Contains("from the seed template"));
            Assert.False(fromTemplate.Logs.Contains("Applying migration"), "a start from the template runs no migration");
            Assert.True(built.Logs.Contains("Applying migration"));
            Assert.False(built.Logs.Contains("from the seed template"));
        }

        var placed = Dump(Path.Combine(withTemplate.Path, "campaigns.db"));
        var expected = Dump(Path.Combine(without.Path, "campaigns.db"));
        Assert.Equal(expected.Schema, placed.Schema);
        Assert.Equal(expected.Migrations, placed.Migrations);
        Assert.Equal(expected.Campaigns, placed.Campaigns);
        Assert.Equal(expected.SeedHistory, placed.SeedHistory);
        Assert.Equal("wal", placed.JournalMode);
        Assert.All(placed.CampaignTimes, at => Assert.True(at > builtAt, $"campaign stamped {at:O}, not after the template was built ({builtAt:O})"));
        Assert.Equal(templateSha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(template))));
    }

    public static TheoryData<string> UnfitTemplates => ["another canonical file", "not a database"];

    [Theory]
    [MemberData(nameof(UnfitTemplates))]
    public async Task SeedTemplateThatDoesNotFitThisStartIsNotUsed(string unfit)
    {
        using var dir = new TempDirectory();
        var template = dir.Combine("template.db");
        File.Copy(await Template.Value, template);
        var settings = new Dictionary<string, string?> { [TemplateSetting] = template };
        var canonicalDescription = SeedFiles.Canonical().Campaigns[0].Description;
        if (unfit == "another canonical file")
        {
            // An edited canonical file the template was not built from: its edit must reach the new database.
            var edited = dir.Combine("campaigns.json");
            var text = await File.ReadAllTextAsync(SeedFiles.CanonicalPath);
            await File.WriteAllTextAsync(edited, text.Replace(canonicalDescription, canonicalDescription + " (edited)"));
            settings["Seeding:CanonicalFile"] = edited;
        }
        else
        {
            await File.WriteAllTextAsync(template, "this is no SQLite database, though its name says so");
        }

        var data = dir.Combine("data");
        Directory.CreateDirectory(data);
        await using var api = new CampaignsApiFactory(data, settings);
        var campaigns = await api.CreateClient().GetCampaignsAsync();

        Assert.Equal(12, campaigns.Count(c => c.Active));
        Assert.True(api.Logs.Contains("not used", LogLevel.Warning));
        Assert.True(api.Logs.Contains("Applying migration"));
        Assert.False(api.Logs.Contains("from the seed template"));
        Assert.False(File.Exists(Path.Combine(data, "campaigns.db" + Api.Seeding.SeedTemplate.StagingExtension)));
        if (unfit == "another canonical file")
        {
            Assert.Contains(campaigns, c => c.Description == canonicalDescription + " (edited)");
        }
    }

    [Fact]
    public async Task MissingDatabaseWithABackupComesBackFromTheBackupNotTheTemplate()
    {
        using var dir = new TempDirectory();
        var settings = new Dictionary<string, string?> { [TemplateSetting] = await Template.Value };
        await using (var first = new CampaignsApiFactory(dir.Path, settings))
        {
            await first.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("user-made"));
            await first.Service<BackupService>().CreateAsync(BackupTrigger.Manual);
        }

        foreach (var file in Directory.GetFiles(dir.Path, "campaigns.db*"))
        {
            File.Delete(file);
        }

        await using var redeployed = new CampaignsApiFactory(dir.Path, settings);
        var campaigns = await redeployed.CreateClient().GetCampaignsAsync();

        Assert.Contains(campaigns, c => c.Key == "user-made");
        Assert.False(redeployed.Logs.Contains("from the seed template"));
    }

    private sealed record DatabaseDump(
        List<string> Schema, List<string> Migrations, List<string> Campaigns, List<string> SeedHistory, List<DateTime> CampaignTimes, string JournalMode);

    /// <summary>Everything but the moments of insertion, which are each start's own.</summary>
    private static DatabaseDump Dump(string databasePath)
    {
        using var connection = SqliteFile.Open(databasePath, SqliteOpenMode.ReadOnly);
        List<string> Rows(string sql) => [.. SqliteFile.Column(connection, sql)];
        return new DatabaseDump(
            Rows("SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name"),
            Rows("""SELECT "MigrationId" || ' ' || "ProductVersion" FROM "__EFMigrationsHistory" ORDER BY 1"""),
            Rows("""SELECT concat_ws('|', "Id", "Key", "Name", "Property", "Active", "Description", "OfferUrl", "ImageUrl", "CallToAction", "Priority", "Source") FROM campaigns ORDER BY "Id" """),
            Rows("""SELECT concat_ws('|', "Id", "SeedVersion", "FileSha256", "Trigger", "Inserted", "Reactivated", "Removed") FROM seed_history ORDER BY "Id" """),
            [.. Rows("""SELECT "CreatedAt" FROM campaigns UNION ALL SELECT "UpdatedAt" FROM campaigns UNION ALL SELECT "At" FROM seed_history""").Select(DateTime.Parse)],
            SqliteFile.Scalar<string>(connection, "PRAGMA journal_mode;"));
    }
}
