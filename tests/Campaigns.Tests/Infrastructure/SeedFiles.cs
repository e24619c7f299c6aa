using Campaigns.Api.Campaigns;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
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
        var campaign = CanonicalTopUp.ToEntity(canonical, DateTime.UtcNow);
        campaign.Active = active;
        return campaign;
    }
}
