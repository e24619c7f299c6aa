using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Api.Transfer;

public sealed record ImportSummary(int Inserted, int Updated, int Unchanged, IReadOnlyList<string> SkippedRetired, IReadOnlyList<string> Errors);

public sealed class CampaignSnapshotService(CampaignsDbContext db, CanonicalSeedSource seed, TimeProvider time, ILogger<CampaignSnapshotService> logger)
{
    public async Task<CampaignSnapshot> ExportAsync(CancellationToken cancellationToken = default)
    {
        var campaigns = await db.Campaigns.AsNoTracking().OrderBy(c => c.Key).ToListAsync(cancellationToken);
        return new CampaignSnapshot
        {
            ExportedAt = time.GetUtcNow(),
            Provider = db.Database.ProviderName ?? "",
            SchemaVersion = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "",
            Campaigns = [.. campaigns.Select(SnapshotCampaign.From)],
            SeedHistory = [.. (await db.SeedHistory.AsNoTracking().OrderBy(h => h.Id).ToListAsync(cancellationToken)).Select(SnapshotSeedHistory.From)],
        };
    }

    /// <summary>
    /// Inserts missing campaigns and updates changed ones, by key, through the same importer as `migrate`; never
    /// deletes, never revives a retired campaign.
    /// </summary>
    public async Task<ImportSummary> ImportAsync(CampaignSnapshot snapshot, CancellationToken cancellationToken = default, IProgress<ImportProgress>? progress = null)
    {
        var retired = seed.Retired();
        var skipped = snapshot.Campaigns.Where(c => retired.Any(r => CanonicalSeedValidator.IsRetired(r, c.Key, c.Name))).Select(c => c.Key).ToList();
        var wanted = snapshot.Campaigns.Where(c => !skipped.Contains(c.Key)).Select(c => c.ToEntity()).ToList();

        var report = await new CampaignImporter(db, progress, time)
            .ImportAsync(wanted, [.. snapshot.SeedHistory.Select(h => h.ToEntity())], dryRun: false, cancellationToken);
        var summary = new ImportSummary(report.Campaigns.Inserted, report.Campaigns.Updated, report.Campaigns.Skipped, skipped, report.Errors);
        logger.LogInformation("Imported snapshot from {ExportedAt}: {Inserted} inserted, {Updated} updated, {Unchanged} unchanged, retired skipped {SkippedRetired}, errors {ImportErrors}",
            snapshot.ExportedAt, summary.Inserted, summary.Updated, summary.Unchanged, skipped, report.Errors);
        return summary;
    }
}
