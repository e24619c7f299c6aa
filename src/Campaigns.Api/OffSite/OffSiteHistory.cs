using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Campaigns.Api.Storage.CompiledModels.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Api.OffSite;

public sealed record LineageHistory(string Lineage, DateTimeOffset? StartedAt, IReadOnlyList<OffSitePoint> Snapshots, IReadOnlyList<OffSitePoint> Journal)
{
    public DateTimeOffset? Oldest => Snapshots.Count > 0 ? Snapshots[0].At : null;

    public DateTimeOffset? Newest => new[] { Snapshots.LastOrDefault()?.At, Journal.LastOrDefault()?.At }.Max();

    public long Bytes => Snapshots.Sum(s => s.Size) + Journal.Sum(j => j.Size);
}

/// <summary>What restoring "as of" a moment takes: one snapshot and the journal entries that follow it up to that moment.</summary>
public sealed record RestorePlan(string Lineage, OffSitePoint Snapshot, IReadOnlyList<OffSitePoint> Journal, DateTimeOffset? At)
{
    public DateTimeOffset StateAt => Journal.Count > 0 ? Journal[^1].At : Snapshot.At;
}

/// <summary>
/// Reads the off-site history: lineages, their snapshots and journals; plans a restore to a moment; and rebuilds that
/// state in a new SQLite file (current schema, then the snapshot's rows, then the journal's, in commit order).
/// </summary>
public sealed class OffSiteHistory(OffSiteStore store, OffSiteLayout layout, ILogger<OffSiteHistory> logger)
{
    /// <summary>
    /// Journal entries this much older than a snapshot are replayed on top of it too. Replaying rows already in the
    /// snapshot changes nothing (each entry holds whole rows, applied in order), and it covers a writer in another process
    /// whose clock stamped its entry a little before the snapshot.
    /// </summary>
    private static readonly TimeSpan ReplayOverlap = TimeSpan.FromMinutes(5);

    public async Task<List<LineageHistory>> ListAsync(CancellationToken cancellationToken)
    {
        var markers = await store.ListAsync(layout.LineagesPrefix, cancellationToken);
        var lineages = markers.Select(m => layout.LineageOf(m.Key)).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        var histories = new List<LineageHistory>();
        foreach (var lineage in lineages)
        {
            histories.Add(await ReadAsync(lineage, cancellationToken));
        }

        return histories;
    }

    public async Task<LineageHistory> ReadAsync(string lineage, CancellationToken cancellationToken)
    {
        var snapshots = (await store.ListAsync(layout.SnapshotsPrefix(lineage), cancellationToken))
            .Select(o => layout.Parse(lineage, o)).OfType<OffSitePoint>().OrderBy(p => p.Ticks).ToList();
        var journal = (await store.ListAsync(layout.JournalPrefix(lineage), cancellationToken))
            .Select(o => layout.Parse(lineage, o)).OfType<OffSitePoint>().OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        return new LineageHistory(lineage, OffSiteLayout.StartOf(lineage), snapshots, journal);
    }

    /// <summary>
    /// The state as of <paramref name="at"/> (null: the newest): in the newest lineage that has a snapshot at or before
    /// it, the newest such snapshot and the journal after it up to that moment. A later lineage began after the earlier
    /// one ended (a fresh start, an off-site restore), so it holds what was acknowledged from then on.
    /// </summary>
    public static RestorePlan? Plan(IReadOnlyList<LineageHistory> histories, DateTimeOffset? at, IReadOnlySet<string>? unusable = null)
    {
        foreach (var history in histories.OrderByDescending(h => h.Lineage, StringComparer.Ordinal))
        {
            var snapshot = history.Snapshots.LastOrDefault(s => (at is null || s.At <= at) && unusable?.Contains(s.Key) != true);
            if (snapshot is null)
            {
                continue;
            }

            var from = snapshot.At - ReplayOverlap;
            var journal = history.Journal.Where(j => j.At > from && (at is null || j.At <= at)).ToList();
            return new RestorePlan(history.Lineage, snapshot, journal, at);
        }

        return null;
    }

    /// <summary>The oldest moment a restore can go back to: the oldest snapshot kept in any lineage.</summary>
    public static DateTimeOffset? OldestPoint(IReadOnlyList<LineageHistory> histories) =>
        histories.Select(h => h.Oldest).Where(o => o is not null).Min();

    /// <summary>Builds the planned state into a new SQLite file at <paramref name="path"/> (which may exist and be empty).</summary>
    /// <summary>The snapshot a plan starts from, checked; throws <see cref="UnusableSnapshotException"/> when it fails its hash or format.</summary>
    public async Task<OffSiteSnapshot> ReadSnapshotAsync(RestorePlan plan, CancellationToken cancellationToken)
    {
        try
        {
            return OffSiteRows.Decode<OffSiteSnapshot>(await store.GetAsync(plan.Snapshot.Key, cancellationToken), plan.Snapshot.Key);
        }
        catch (OffSiteStoreException ex) when (ex.InnerException is not (Amazon.Runtime.AmazonServiceException or HttpRequestException or TaskCanceledException))
        {
            throw new UnusableSnapshotException(plan.Snapshot.Key, ex.Message);
        }
    }

    /// <summary>
    /// The plan's journal entries that pass their check. One that does not was never confirmed: a writer died while it
    /// was uploading (some servers show the partial object), so its write was never acknowledged; it is left out.
    /// </summary>
    /// <remarks>
    /// Compacted batches first, then the objects none of them covers (sync mode stores each transaction alone before its
    /// commit, async mode what it had queued, and both compact those into batches a second later, so a restore reads a
    /// few objects instead of one per write or per shipment). Objects are
    /// fetched <see cref="ParallelReads"/> at a time, then put back in commit order. A batch is keyed by its first entry,
    /// so the transactions in it after a restore's moment are left out here.
    /// </remarks>
    public async Task<(List<JournalEntry> Entries, List<string> Skipped)> ReadJournalAsync(RestorePlan plan, CancellationToken cancellationToken)
    {
        var entries = new System.Collections.Concurrent.ConcurrentBag<JournalEntry>();
        var skipped = new System.Collections.Concurrent.ConcurrentBag<string>();
        var covered = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        async Task ReadAllAsync(IEnumerable<OffSitePoint> points) =>
            await Parallel.ForEachAsync(points, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken }, async (point, token) =>
            {
                try
                {
                    var (read, covers) = OffSiteRows.DecodeJournal(await store.GetAsync(point.Key, token), point.Key);
                    foreach (var entry in read)
                    {
                        entries.Add(entry);
                    }

                    foreach (var key in covers)
                    {
                        covered[key] = true;
                    }
                }
                catch (OffSiteStoreException ex) when (ex.InnerException is not (Amazon.Runtime.AmazonServiceException or HttpRequestException or TaskCanceledException))
                {
                    logger.LogWarning("Journal entry {OffSiteKey} was never confirmed and is left out: {Reason}", point.Key, ex.Message);
                    skipped.Add(point.Key);
                }
            });

        await ReadAllAsync(plan.Journal.Where(p => OffSiteLayout.IsJournalCompacted(p.Key)));
        await ReadAllAsync(plan.Journal.Where(p => !OffSiteLayout.IsJournalCompacted(p.Key) && !covered.ContainsKey(p.Key)));
        var ordered = entries.Where(e => plan.At is null || e.At <= plan.At).OrderBy(e => e.At).ToList();
        return (ordered, [.. skipped.Order(StringComparer.Ordinal)]);
    }

    internal const int ParallelReads = 8;

    public async Task<(int Campaigns, int Active, int Skipped)> BuildAsync(RestorePlan plan, string path, CancellationToken cancellationToken)
    {
        var snapshot = await ReadSnapshotAsync(plan, cancellationToken);
        var (entries, skipped) = await ReadJournalAsync(plan, cancellationToken);

        var connectionString = StorageServiceCollectionExtensions.SqliteConnectionString(path);
        await using (var db = new SqliteCampaignsDbContext(new DbContextOptionsBuilder<SqliteCampaignsDbContext>()
            .UseSqlite(connectionString).UseModel(SqliteCampaignsDbContextModel.Instance).Options))
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var transaction = connection.BeginTransaction())
        {
            var columns = OffSiteRows.Tables.ToDictionary(t => t, t => OffSiteRows.ColumnsOf(connection, t));
            foreach (var (table, rows) in snapshot.Tables.Where(t => columns.ContainsKey(t.Key)))
            {
                foreach (var row in rows)
                {
                    OffSiteRows.Upsert(connection, table, columns[table], row);
                }
            }

            foreach (var change in entries.SelectMany(e => e.Changes.OrderBy(c => c.Row is null ? 0 : 1)).Where(c => columns.ContainsKey(c.Table)))
            {
                if (change.Row is null)
                {
                    using var delete = connection.CreateCommand();
                    delete.CommandText = $"DELETE FROM main.\"{change.Table}\" WHERE \"{OffSiteRows.IdColumn}\" = $id;";
                    delete.Parameters.AddWithValue("$id", change.Id);
                    delete.ExecuteNonQuery();
                }
                else
                {
                    OffSiteRows.Upsert(connection, change.Table, columns[change.Table], change.Row);
                }
            }

            transaction.Commit();
        }

        var total = SqliteFile.Scalar<long>(connection, "SELECT count(*) FROM campaigns;");
        var active = SqliteFile.Scalar<long>(connection, "SELECT count(*) FROM campaigns WHERE Active = 1;");
        connection.Close();
        SqliteConnection.ClearPool(connection);
        AtomicFile.FlushToDisk(path);
        logger.LogInformation("Rebuilt the off-site state of lineage {Lineage} as of {StateAt} from snapshot {OffSiteKey} and {JournalEntries} journal entries: {Campaigns} campaigns",
            plan.Lineage, plan.StateAt, plan.Snapshot.Key, entries.Count, total);
        return ((int)total, (int)active, skipped.Count);
    }
}

public sealed class UnusableSnapshotException(string key, string problem) : Exception($"Snapshot {key} cannot be used: {problem}")
{
    public string Key { get; } = key;
}
