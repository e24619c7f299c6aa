using Campaigns.Api.Backups;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Common;
using Campaigns.Api.Storage;
using Campaigns.Api.Transfer;
using Campaigns.Seed.Commands;
using Campaigns.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using SeedTriggers = Campaigns.Api.Seeding.SeedTrigger;

namespace Campaigns.Tests.Cli;

public sealed class MigrateCommandTests
{
    [PostgresFact]
    public async Task MigratingTwiceCopiesEveryRowOnceAndKeepsIds()
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("campaigns.db");
        await ArrangeSourceAsync(source);
        using var database = TestPostgres.Instance.CreateOwnedDatabase();
        var url = database.Url;
        var first = await MigrateAsync(source, url);
        var afterFirst = await RowsAsync(url);
        var second = await MigrateAsync(source, url);
        var afterSecond = await RowsAsync(url);

        Assert.Equal(ExitCodes.Ok, first.Exit);
        Assert.Contains("campaigns: read 13, inserted 13, updated 0, skipped 0 (unchanged), errors 0", first.Output);
        Assert.Contains("seed history: read 1, inserted 1", first.Output);
        Assert.Equal(ExitCodes.Ok, second.Exit);
        Assert.Contains("campaigns: read 13, inserted 0, updated 0, skipped 13 (unchanged), errors 0", second.Output);
        Assert.Contains("seed history: read 1, inserted 0, updated 0, skipped 1", second.Output);
        Assert.Equal(await RowsAsync(CampaignsApiFactory.CreateDbContext(source)), afterFirst);
        Assert.Equal(afterFirst, afterSecond);

        // The identity sequence was moved past the copied ids, so the API's next insert does not collide.
        await using var db = CampaignsApiFactory.CreatePostgresDbContext(url);
        db.Campaigns.Add(SeedFiles.UserCampaign("after-migration"));
        await db.SaveChangesAsync();
    }

    [PostgresFact]
    public async Task DryRunChangesNothingAndBadRowsAreReportedWithoutStoppingTheRest()
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("campaigns.db");
        await ArrangeSourceAsync(source);
        var tooLong = new string('x', CampaignLimits.NameLength + 1); // SQLite does not enforce lengths; PostgreSQL does
        await using (var sqlite = CampaignsApiFactory.CreateDbContext(source))
        {
            await sqlite.Campaigns.Where(c => c.Key == "user-paused").ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, tooLong));
        }

        using var database = TestPostgres.Instance.CreateOwnedDatabase();
        var url = database.Url;
        var dryRun = await MigrateAsync(source, url, "--dry-run");
        var real = await MigrateAsync(source, url);

        Assert.Equal(ExitCodes.Ok, dryRun.Exit);
        Assert.Contains("campaigns: read 13, would be inserted 13", dryRun.Output);
        Assert.Equal(ExitCodes.Failed, real.Exit);
        Assert.Contains("campaigns: read 13, inserted 12, updated 0, skipped 0 (unchanged), errors 1", real.Output);
        Assert.Contains("campaign 'user-paused'", real.Error);
        Assert.Equal(12, (await RowsAsync(url)).Count);
    }

    [PostgresFact]
    public async Task MigratingAJsonSnapshotTwiceCopiesItsRowsOnce()
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("campaigns.db");
        await ArrangeSourceAsync(source);
        var snapshotPath = dir.Combine("campaigns_backup_20261123_020000_000.snapshot.json");
        await using (var sqlite = CampaignsApiFactory.CreateDbContext(source))
        {
            CampaignSnapshotFile.Write(snapshotPath, new CampaignSnapshot
            {
                Campaigns = [.. (await sqlite.Campaigns.AsNoTracking().ToListAsync()).Select(SnapshotCampaign.From)],
                SeedHistory = [.. (await sqlite.SeedHistory.AsNoTracking().ToListAsync()).Select(SnapshotSeedHistory.From)],
            });
        }

        using var database = TestPostgres.Instance.CreateOwnedDatabase();
        var url = database.Url;
        var first = await MigrateAsync(snapshotPath, url);
        var second = await MigrateAsync(snapshotPath, url);

        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok), (first.Exit, second.Exit));
        Assert.Contains("campaigns: read 13, inserted 13, updated 0, skipped 0 (unchanged), errors 0", first.Output);
        Assert.Contains("seed history: read 1, inserted 1", first.Output);
        Assert.Contains("campaigns: read 13, inserted 0, updated 0, skipped 13 (unchanged), errors 0", second.Output);
        Assert.Equal(await RowsAsync(CampaignsApiFactory.CreateDbContext(source)), await RowsAsync(url));
    }

    [Fact]
    public async Task MalformedTargetUrlExitsWithInvalidInputWithoutThePassword()
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("campaigns.db");
        await SeedFiles.ArrangeDatabaseAsync(source);

        var result = await MigrateAsync(source, "postgresql://app:Hidden-Pa55@db:port/campaigns");

        Assert.Equal(ExitCodes.InvalidInput, result.Exit);
        Assert.Contains("--to is not a valid PostgreSQL connection setting", result.Error);
        Assert.DoesNotContain("Hidden-Pa55", result.Error + result.Output);
    }

    private static async Task ArrangeSourceAsync(string path)
    {
        var canonical = SeedFiles.Canonical().Campaigns.Select(c => SeedFiles.FromCanonical(c));
        await SeedFiles.ArrangeDatabaseAsync(path, [.. canonical, SeedFiles.UserCampaign("user-paused", active: false)]);
        await using var db = CampaignsApiFactory.CreateDbContext(path);
        db.SeedHistory.Add(new SeedHistoryEntry { SeedVersion = 1, FileSha256 = new string('a', 64), Trigger = SeedTriggers.Startup.ToWire(), Inserted = 12, At = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    private static async Task<(int Exit, string Output, string Error)> MigrateAsync(string from, string to, params string[] options)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await MigrateCommand.RunAsync(from, to, options.Contains("--dry-run"), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static Task<List<(int, string, string, bool, DateTime)>> RowsAsync(string url) => RowsAsync(CampaignsApiFactory.CreatePostgresDbContext(url));

    private static async Task<List<(int, string, string, bool, DateTime)>> RowsAsync(Api.Storage.CampaignsDbContext db)
    {
        await using (db)
        {
            var rows = await db.Campaigns.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
            return rows.Select(c => (c.Id, c.Key, c.Name, c.Active, new DateTime(c.UpdatedAt.Ticks - c.UpdatedAt.Ticks % 10))).ToList();
        }
    }
}
