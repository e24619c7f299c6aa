using Campaigns.Api.Backups;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Seeding;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Tests.Infrastructure;

public static class SeedFiles
{
    public static string CanonicalPath => Path.Combine(SolutionPaths.Root, "seed-data", "campaigns.json");

    public static CanonicalSeed Canonical() => CanonicalSeedFile.Load(CanonicalPath).Seed!;

    /// <summary>Builds a database the way an older deploy left it: migrated schema, then the given rows.</summary>
    public static async Task ArrangeDatabaseAsync(string databasePath, params Campaign[] campaigns)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
        await using var db = CampaignsApiFactory.CreateDbContext(databasePath);
        await db.Database.MigrateAsync();
        db.Campaigns.AddRange(campaigns);
        await db.SaveChangesAsync();
    }

    /// <summary>Makes the file big enough (random, incompressible) that a backup or restore takes a while to catch in the act.</summary>
    public static void AddBallast(string databasePath, int megabytes)
    {
        using var connection = SqliteFile.Open(databasePath, SqliteOpenMode.ReadWrite);
        SqliteFile.Execute(connection, "CREATE TABLE IF NOT EXISTS ballast (data BLOB NOT NULL);");
        SqliteFile.Execute(connection, $"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {megabytes * 4}) INSERT INTO ballast SELECT randomblob(256 * 1024) FROM n;");
    }

    public static Campaign UserCampaign(string key, bool active = true) => new()
    {
        Key = key,
        Name = $"User {key}",
        Property = "usr",
        Active = active,
        OfferUrl = $"https://offers.example.com/{key}",
        Source = CampaignSource.User,
        CreatedAt = DateTime.UtcNow,
        UpdatedAt = DateTime.UtcNow,
    };

    public static Campaign FromCanonical(CanonicalCampaign canonical, bool active = true)
    {
        var campaign = canonical.ToEntity(CampaignSource.Canonical, DateTime.UtcNow, DateTime.UtcNow);
        campaign.Active = active;
        return campaign;
    }
}
