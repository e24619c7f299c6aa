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

    private async Task ShipQueueAsync(CancellationToken cancellationToken)
    {
        while (queue.TryPeek(out var entry))
        {
            status.Queue(queue.Count, queue.Oldest);
            await store.PutAsync(entry.Key, entry.Body, cancellationToken);
            queue.Remove();
            status.Uploaded(entry.Key);
        }

        status.Queue(0, null);
    }

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
