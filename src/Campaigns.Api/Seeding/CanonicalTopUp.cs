using Campaigns.Api.Common;
using Campaigns.Api.Storage;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Api.Seeding;

public sealed record TopUpSummary(
    SeedTrigger Trigger,
    bool Applied,
    string? Error,
    int? SeedVersion,
    string? FileSha256,
    int ExpectedActive,
    int ActiveBefore,
    int ActiveAfter,
    IReadOnlyList<string> Inserted,
    IReadOnlyList<string> Reactivated,
    IReadOnlyList<string> Removed,
    DateTimeOffset At)
{
    public bool Changed => Inserted.Count + Reactivated.Count + Removed.Count > 0;
}

/// <summary>
/// Makes sure the canonical campaigns are there: removes retired ones, and when fewer than the expected number are
/// active, inserts the missing canonical campaigns and reactivates inactive ones. Campaigns users created are never
/// touched. Startup, the admin endpoints, restores and the CLI all come through here.
/// </summary>
public sealed class CanonicalTopUp(
    IServiceProvider services,
    CanonicalSeedSource seedSource,
    LiveDatabaseConnections connections,
    TimeProvider time,
    ILogger<CanonicalTopUp> logger)
{
    private CampaignsDbContext? _db;

    // Resolved on first use: creating the context builds EF's options (a tenth of a second the first time in a process),
    // and a redeploy's top-up finds nothing to do without it.
    private CampaignsDbContext Db => _db ??= services.GetRequiredService<CampaignsDbContext>();

    public async Task<TopUpSummary> RunAsync(SeedTrigger trigger, CancellationToken cancellationToken = default)
    {
        var load = seedSource.Load();
        var now = time.GetUtcNow();
        if (!load.IsValid)
        {
            var active = await Db.Campaigns.CountAsync(c => c.Active, cancellationToken);
            var error = $"Canonical seed file {load.Path} is invalid: {string.Join("; ", load.Problems)}";
            return new TopUpSummary(trigger, false, error, null, load.Sha256, 0, active, active, [], [], [], now);
        }

        var seed = load.Seed!;
        var expected = seedSource.ExpectedActive(seed);
        if (await NothingToDoAsync(seed.Retired, expected, cancellationToken) is { } healthy)
        {
            var unchanged = new TopUpSummary(trigger, true, null, seed.Version, load.Sha256, expected, healthy, healthy, [], [], [], now);
            Log(unchanged, newDatabase: false);
            return unchanged;
        }

        await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken);
        // Replicas starting together queue here; each then sees what the previous one committed and adds nothing twice.
        await DatabaseLocks.AcquireForTransactionAsync(Db.Database, DatabaseLocks.CanonicalTopUp, "canonical top-up", logger, cancellationToken);

        var removed = await RemoveRetiredAsync(seed.Retired, cancellationToken);
        var activeBefore = await Db.Campaigns.CountAsync(c => c.Active, cancellationToken);
        List<string> inserted = [];
        List<string> reactivated = [];
        var newDatabase = false;

        if (activeBefore < expected)
        {
            var canonicalKeys = seed.Campaigns.Select(c => c.Key).ToList();
            var existing = await Db.Campaigns
                .Where(c => canonicalKeys.Contains(c.Key))
                .Select(c => new { c.Key, c.Active })
                .ToDictionaryAsync(c => c.Key, c => c.Active, cancellationToken);
            newDatabase = existing.Count == 0 && removed.Count == 0 && !await Db.Campaigns.AnyAsync(cancellationToken);

            var nowUtc = now.UtcDateTime;
            foreach (var canonical in seed.Campaigns.Where(c => !existing.ContainsKey(c.Key)))
            {
                Db.Campaigns.Add(canonical.ToEntity(CampaignSource.Canonical, nowUtc, nowUtc));
                inserted.Add(canonical.Key);
            }

            await Db.SaveChangesAsync(cancellationToken);

            reactivated = seed.Campaigns
                .Where(c => c.Active && existing.TryGetValue(c.Key, out var isActive) && !isActive)
                .Select(c => c.Key)
                .ToList();
            if (reactivated.Count > 0)
            {
                await Db.Campaigns
                    .Where(c => reactivated.Contains(c.Key))
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Active, true).SetProperty(c => c.UpdatedAt, nowUtc), cancellationToken);
            }
        }

        var activeAfter = await Db.Campaigns.CountAsync(c => c.Active, cancellationToken);
        var summary = new TopUpSummary(trigger, true, null, seed.Version, load.Sha256, expected, activeBefore, activeAfter, inserted, reactivated, removed, now);

        if (summary.Changed)
        {
            Db.SeedHistory.Add(new SeedHistoryEntry
            {
                SeedVersion = seed.Version,
                FileSha256 = load.Sha256!,
                Trigger = trigger.ToWire(),
                Inserted = inserted.Count,
                Reactivated = reactivated.Count,
                Removed = removed.Count,
                At = now.UtcDateTime,
            });
            await Db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        Log(summary, newDatabase);
        return summary;
    }

    /// <summary>
    /// The active count when no retired campaign is stored and enough are active, else null. Asked with plain commands
    /// before EF is used at all: this is what every redeploy finds, and EF's first queries would cost it a few tenths of
    /// a second before it serves. Whatever it misses (a replica adding at the same moment) the full pass repeats.
    /// </summary>
    private async Task<int?> NothingToDoAsync(IReadOnlyList<RetiredCampaign> retired, int expected, CancellationToken cancellationToken) =>
        await connections.ReadAsync(async (connection, ct) =>
        {
            var active = await LiveDatabaseConnections.ActiveCampaignsAsync(connection, ct);
            if (active < expected)
            {
                return (int?)null;
            }

            foreach (var campaign in retired)
            {
                var stored = await LiveDatabaseConnections.ScalarAsync<int>(connection,
                    """SELECT count(*) FROM campaigns WHERE "Key" = @key OR lower("Name") = @name""", ct,
                    ("@key", campaign.Key.ToLowerInvariant()), ("@name", campaign.Name.ToLowerInvariant()));
                if (stored > 0)
                {
                    return null;
                }
            }

            return active;
        }, cancellationToken);

    private async Task<List<string>> RemoveRetiredAsync(IReadOnlyList<RetiredCampaign> retired, CancellationToken cancellationToken)
    {
        if (retired.Count == 0)
        {
            return [];
        }

        // Keys are lowercase slugs wherever they come from (the API, the canonical file, an import), so the unique index
        // on Key serves the first half; the index on lower(Name) serves the second.
        var keys = retired.Select(r => r.Key.ToLowerInvariant()).ToList();
        var names = retired.Select(r => r.Name.ToLowerInvariant()).ToList();
        var doomed = Db.Campaigns.Where(c => keys.Contains(c.Key) || names.Contains(c.Name.ToLower()));
        var removed = await doomed.Select(c => c.Key).ToListAsync(cancellationToken);
        if (removed.Count > 0)
        {
            await doomed.ExecuteDeleteAsync(cancellationToken);
            logger.LogWarning("Removed retired campaigns {RemovedCampaigns}", removed);
        }

        return removed;
    }

    /// <summary>Filling a new, empty database is what a first start does; campaigns missing from one in use are news.</summary>
    private void Log(TopUpSummary summary, bool newDatabase)
    {
        if (summary.Changed)
        {
            logger.Log(newDatabase ? LogLevel.Information : LogLevel.Warning,
                "Reseed ({Trigger}) from seed version {SeedVersion}: active {ActiveBefore} -> {ActiveAfter} of {ExpectedActive} expected; inserted {Inserted}, reactivated {Reactivated}, removed {Removed}",
                summary.Trigger.ToWire(), summary.SeedVersion, summary.ActiveBefore, summary.ActiveAfter, summary.ExpectedActive,
                summary.Inserted, summary.Reactivated, summary.Removed);
        }
        else
        {
            logger.LogInformation(
                "Campaigns healthy with {ActiveCampaigns} active campaigns ({ExpectedActive} expected); nothing to restore ({Trigger})",
                summary.ActiveAfter, summary.ExpectedActive, summary.Trigger.ToWire());
        }
    }
}
