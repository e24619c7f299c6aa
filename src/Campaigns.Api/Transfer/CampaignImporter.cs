using Campaigns.Api.Campaigns;
using Campaigns.Api.Storage;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Api.Transfer;

public sealed record TableCounts(int Read, int Inserted, int Updated, int Skipped, int Errors);

public sealed record ImportReport(TableCounts Campaigns, TableCounts SeedHistory, IReadOnlyList<string> Errors, bool DryRun)
{
    public bool Failed => Errors.Count > 0;
}

/// <summary>One step of the import, for a counter on the terminal.</summary>
public readonly record struct ImportProgress(string Table, int Done, int Total);

/// <summary>
/// Copies campaigns and seed history into a target database, matched by key, so running it again changes nothing.
/// The source wins for campaigns that differ; campaign ids are kept where the target has them free (links and
/// integrations use them). Each row is saved on its own, so one bad row is reported and the others still arrive.
/// The one importer behind both `migrate` (SQLite or snapshot into PostgreSQL) and `import` (a snapshot into the
/// configured database). A source row without timestamps (a hand-written snapshot) gets the import time on insert
/// and is compared by content only, so importing it again still changes nothing.
/// </summary>
public sealed class CampaignImporter(CampaignsDbContext target, IProgress<ImportProgress>? progress = null, TimeProvider? time = null)
{
    public async Task<ImportReport> ImportAsync(IReadOnlyList<Campaign> campaigns, IReadOnlyList<SeedHistoryEntry> history, bool dryRun, CancellationToken cancellationToken = default)
    {
        await using var transaction = await target.Database.BeginTransactionAsync(cancellationToken);
        List<string> errors = [];

        var campaignCounts = await ImportCampaignsAsync(campaigns, errors, cancellationToken);
        var historyCounts = await ImportHistoryAsync(history, errors, cancellationToken);

        if (dryRun)
        {
            await transaction.RollbackAsync(cancellationToken);
        }
        else
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return new ImportReport(campaignCounts, historyCounts, errors, dryRun);
    }

    private async Task<TableCounts> ImportCampaignsAsync(IReadOnlyList<Campaign> source, List<string> errors, CancellationToken cancellationToken)
    {
        var existing = await target.Campaigns.ToDictionaryAsync(c => c.Key, StringComparer.Ordinal, cancellationToken);
        var usedIds = existing.Values.Select(c => c.Id).ToHashSet();
        int inserted = 0, updated = 0, skipped = 0, failed = 0, done = 0;

        // Rows keeping their id go first; the identity sequence is moved past them before any id is generated.
        var ordered = source.OrderBy(c => existing.ContainsKey(c.Key) || usedIds.Contains(c.Id) ? 1 : 0).ToList();
        var sequenceMoved = false;
        foreach (var row in ordered)
        {
            var timesKnown = row.UpdatedAt != default;
            var incoming = Normalize(row, (time ?? TimeProvider.System).GetUtcNow().UtcDateTime);
            var current = existing.GetValueOrDefault(incoming.Key);
            if (current is not null && !timesKnown)
            {
                (incoming.CreatedAt, incoming.UpdatedAt) = (current.CreatedAt, current.UpdatedAt);
            }

            if (current is not null && SameContent(current, incoming))
            {
                skipped++;
            }
            else
            {
                var keepsId = current is null && incoming.Id > 0 && usedIds.Add(incoming.Id);
                if (current is null && !keepsId && !sequenceMoved)
                {
                    await IdentitySequences.MovePastExistingIdsAsync(target.Database, cancellationToken);
                    sequenceMoved = true;
                }

                var entity = current ?? new Campaign { Key = incoming.Key, Name = incoming.Name, Property = incoming.Property, Id = keepsId ? incoming.Id : 0 };
                CopyContent(incoming, entity);
                if (current is null)
                {
                    target.Campaigns.Add(entity);
                }

                if (await TrySaveAsync($"campaign '{incoming.Key}'", errors, cancellationToken))
                {
                    if (current is null) inserted++;
                    else updated++;
                }
                else
                {
                    failed++;
                }
            }

            progress?.Report(new ImportProgress("campaigns", ++done, source.Count));
        }

        await IdentitySequences.MovePastExistingIdsAsync(target.Database, cancellationToken);
        return new TableCounts(source.Count, inserted, updated, skipped, failed);
    }

    private async Task<TableCounts> ImportHistoryAsync(IReadOnlyList<SeedHistoryEntry> source, List<string> errors, CancellationToken cancellationToken)
    {
        // Seed history has no natural key: an entry is the same when it records the same reseed at the same moment.
        var existing = (await target.SeedHistory.AsNoTracking().ToListAsync(cancellationToken)).Select(HistoryKey).ToHashSet();
        int inserted = 0, skipped = 0, failed = 0, done = 0;
        foreach (var row in source)
        {
            var entry = new SeedHistoryEntry
            {
                SeedVersion = row.SeedVersion,
                FileSha256 = row.FileSha256,
                Trigger = row.Trigger,
                Inserted = row.Inserted,
                Reactivated = row.Reactivated,
                Removed = row.Removed,
                At = Utc(row.At),
            };

            if (!existing.Add(HistoryKey(entry)))
            {
                skipped++;
            }
            else
            {
                target.SeedHistory.Add(entry);
                if (await TrySaveAsync($"seed history entry of {entry.At:O}", errors, cancellationToken)) inserted++;
                else failed++;
            }

            progress?.Report(new ImportProgress("seed history", ++done, source.Count));
        }

        return new TableCounts(source.Count, inserted, 0, skipped, failed);
    }

    /// <summary>SaveChanges inside our transaction rolls back to its own savepoint on failure, so the import carries on.</summary>
    private async Task<bool> TrySaveAsync(string what, List<string> errors, CancellationToken cancellationToken)
    {
        try
        {
            await target.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex)
        {
            errors.Add($"{what}: {(ex.InnerException ?? ex).Message}");
            foreach (var entry in target.ChangeTracker.Entries().Where(e => e.State != EntityState.Unchanged).ToList())
            {
                if (entry.State == EntityState.Added) entry.State = EntityState.Detached;
                else await entry.ReloadAsync(cancellationToken);
            }

            return false;
        }
    }

    private static (DateTime, string, int, string) HistoryKey(SeedHistoryEntry e) => (Utc(e.At), e.Trigger, e.SeedVersion, e.FileSha256);

    private static Campaign Normalize(Campaign c, DateTime nowUtc)
    {
        var copy = CampaignContent.Of(c).ToEntity(c.Source, Utc(c.CreatedAt == default ? nowUtc : c.CreatedAt), Utc(c.UpdatedAt == default ? nowUtc : c.UpdatedAt));
        copy.Id = c.Id;
        return copy;
    }

    private static void CopyContent(Campaign from, Campaign to)
    {
        CampaignContent.Of(from).ApplyTo(to);
        (to.Source, to.CreatedAt, to.UpdatedAt) = (from.Source, from.CreatedAt, from.UpdatedAt);
    }

    private static bool SameContent(Campaign a, Campaign b) =>
        CampaignContent.Of(a) == CampaignContent.Of(b) && (a.Source, Utc(a.CreatedAt), Utc(a.UpdatedAt)) == (b.Source, Utc(b.CreatedAt), Utc(b.UpdatedAt));

    /// <summary>
    /// SQLite hands back unspecified-kind times with 100 ns ticks; PostgreSQL stores UTC to the microsecond. Comparing
    /// and writing the rounded UTC value is what makes a second run find nothing to change.
    /// </summary>
    private static DateTime Utc(DateTime value) => new(value.Ticks - value.Ticks % 10, DateTimeKind.Utc);
}
