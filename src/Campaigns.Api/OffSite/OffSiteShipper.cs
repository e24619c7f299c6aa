using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.OffSite;

/// <summary>
/// In the background, once the service is ready: ships the async queue in commit order (retrying with backoff),
/// takes a snapshot when the journal since the last one grows past its bound or is older than the interval (or one is
/// owed), and applies the retention once an hour.
/// </summary>
public sealed class OffSiteShipper(
    IOptions<OffSiteOptions> options,
    DatabaseTarget database,
    StorageState state,
    OffSiteStore store,
    OffSiteQueue queue,
    OffSiteCompactionQueue compaction,
    OffSiteLayout layout,
    OffSiteSnapshots snapshots,
    OffSiteRetention retention,
    OffSiteStatus status,
    TimeProvider time,
    ILogger<OffSiteShipper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || database.Provider != DatabaseProvider.Sqlite)
        {
            return;
        }

        var tick = TimeSpan.FromMilliseconds(Math.Min(1000, options.Value.MaxLagSeconds * 250));
        var failures = 0;
        var nextRetention = time.GetUtcNow().AddMinutes(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            await queue.WaitAsync(failures == 0 ? tick : TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, failures))), stoppingToken);
            if (!state.Ready)
            {
                continue;
            }

            try
            {
                await ShipQueueAsync(stoppingToken);
                await CompactWhenDueAsync(stoppingToken);
                await SnapshotWhenDueAsync(stoppingToken);
                if (time.GetUtcNow() >= nextRetention)
                {
                    await retention.ApplyAsync(stoppingToken);
                    nextRetention = time.GetUtcNow().AddHours(1);
                }

                failures = 0;
            }
            catch (OffSiteStoreException ex)
            {
                failures++;
                status.Failed(ex.Message);
                logger.LogError("Off-site shipping to {OffSiteStore} failed (attempt {Attempt}); retrying: {Reason}", store.Name, failures, ex.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Everything queued goes in as few objects as it can: one entry alone as itself, several as one batch under the
    /// first one's key. One PUT per entry could not keep up once writes came faster than the store's round trip (the
    /// queue, and with it what a crash loses, grew without bound: 226 of 460 writes in bench/offsite.sh).
    /// </summary>
    /// <remarks>One pass over what was queued when it began: under a steady stream of writes the queue never empties, and
    /// compaction and snapshots (after it in the loop) would never get their turn.</remarks>
    private async Task ShipQueueAsync(CancellationToken cancellationToken)
    {
        for (var left = queue.Count; left > 0 && queue.PeekBatch(Math.Min(left, MaxBatchEntries), MaxBatchSpan) is { Count: > 0 } batch; left -= batch.Count)
        {
            var first = batch[0];
            var key = batch.Count == 1 ? first.Key : layout.JournalBatchKey(first.Entry.Lineage, first.At.UtcTicks);
            var body = batch.Count == 1
                ? OffSiteRows.Encode(first.Entry)
                : OffSiteRows.Encode(new JournalBatch(JournalBatch.FormatName, 1, first.Entry.Lineage, [.. batch.Select(b => b.Entry)]));
            await store.PutAsync(key, body, cancellationToken);
            queue.Remove(batch.Count);
            status.Uploaded(key);
            foreach (var shipped in batch)
            {
                compaction.Stored(shipped with { Key = key });
            }
        }
    }

    /// <summary>
    /// Sync mode stores every transaction as its own object before its commit, async mode each shipment; a restore that
    /// had to read each of them took seconds for a few hundred (one round trip each). Once the oldest of them is a
    /// second old, the objects stored since go in again as one batch that names them, and a restore reads the batch
    /// instead. The objects it repeats stay, so nothing acknowledged depends on this step. An object's entries are
    /// never split between two batches (a batch that names an object holds all of it).
    /// </summary>
    private async Task CompactWhenDueAsync(CancellationToken cancellationToken)
    {
        while (compaction.PeekBatch(MaxBatchEntries, MaxBatchSpan) is { Count: > 0 } batch)
        {
            if (compaction.Count > batch.Count && batch.Any(b => b.Key != batch[^1].Key))
            {
                var cut = batch[^1].Key; // the next entry may belong to the same object: leave that object for the next batch
                batch = [.. batch.Where(b => b.Key != cut)];
            }

            var objects = batch.Select(b => b.Key).Distinct(StringComparer.Ordinal).ToList();
            var age = time.GetUtcNow() - batch[0].At;
            var full = compaction.Count > batch.Count;
            if (objects.Count > 1 && (full || age >= CompactAfter))
            {
                var first = batch[0];
                var key = layout.JournalCompactedKey(first.Entry.Lineage, first.At.UtcTicks);
                await store.PutAsync(key, OffSiteRows.Encode(new JournalBatch(JournalBatch.FormatName, 1, first.Entry.Lineage,
                    [.. batch.Select(b => b.Entry)], objects)), cancellationToken);
            }
            else if (objects.Count > 1 || (age <= MaxBatchSpan && !full))
            {
                return; // not due yet, or a lone object that later ones may still join
            }

            compaction.Remove(batch.Count); // compacted, or a lone object nothing can join any more: it stays as it is
        }
    }

    private static readonly TimeSpan CompactAfter = TimeSpan.FromSeconds(1);

    /// <summary>A batch's bounds: a few MiB at most, and well inside the replay overlap before a snapshot (<see cref="OffSiteHistory"/>).</summary>
    internal const int MaxBatchEntries = 1000;

    internal static readonly TimeSpan MaxBatchSpan = TimeSpan.FromMinutes(1);

    private async Task SnapshotWhenDueAsync(CancellationToken cancellationToken)
    {
        var now = status.Read();
        var interval = TimeSpan.FromMinutes(options.Value.SnapshotIntervalMinutes);
        var due = status.SnapshotWanted
                  || now.EntriesSinceSnapshot >= options.Value.SnapshotEveryEntries
                  || (now.EntriesSinceSnapshot > 0 && (now.LastSnapshot is null || time.GetUtcNow() - now.LastSnapshot > interval));
        if (due)
        {
            await snapshots.TakeAsync(status.SnapshotWanted ? "owed" : "journal bound", cancellationToken);
        }
    }
}
