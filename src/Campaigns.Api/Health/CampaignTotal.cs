using Campaigns.Api.Storage;

namespace Campaigns.Api.Health;

/// <summary>
/// How many campaigns are stored, for /health. Counting them reads a whole index (40–70 ms on a gigabyte), and /health
/// is probed every few seconds and stands between a deploy and its first 200. So a probe reports the last count with
/// its time, and one that finds the count missing or older than <see cref="MaxAge"/> starts a new one in the background
/// instead of waiting for it.
/// </summary>
public sealed class CampaignTotal(LiveDatabaseConnections connections, TimeProvider time, ILogger<CampaignTotal> logger)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private Counted? _last;
    private Task _counting = Task.CompletedTask;

    public sealed record Counted(int Total, DateTimeOffset At);

    /// <summary>The count in progress, or a completed task when there is none.</summary>
    public Task Counting
    {
        get
        {
            lock (_gate)
            {
                return _counting;
            }
        }
    }

    /// <summary>The last count, null until the first has finished; starts a new count when it is missing or stale.</summary>
    public Counted? Read()
    {
        lock (_gate)
        {
            if ((_last is null || time.GetUtcNow() - _last.At > MaxAge) && _counting.IsCompleted)
            {
                _counting = Task.Run(CountAsync);
            }

            return _last;
        }
    }

    private async Task CountAsync()
    {
        var at = time.GetUtcNow();
        try
        {
            var total = await connections.ReadAsync(
                (connection, ct) => LiveDatabaseConnections.ScalarAsync<int>(connection, "SELECT count(*) FROM campaigns", ct), CancellationToken.None);
            lock (_gate)
            {
                _last = new Counted(total, at);
            }
        }
        catch (Exception ex)
        {
            // The database check reports an unreadable database; this only keeps its last count, and tries again on a later probe.
            logger.LogWarning("Could not count the stored campaigns for /health: {Reason}", ex.Message);
        }
    }
}
