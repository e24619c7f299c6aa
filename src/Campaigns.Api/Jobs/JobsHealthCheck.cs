using Campaigns.Api.Storage;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Campaigns.Api.Jobs;

/// <summary>Is a Hangfire server running, so that queued restores and backups will actually run?</summary>
public sealed class JobsHealthCheck(JobStorage storage, StorageState state, TimeProvider time) : IHealthCheck
{
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromMinutes(1);

    /// <summary>How long after the startup sequence a server that has not announced itself yet counts as starting.</summary>
    internal static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(30);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.Ready)
        {
            // The job storage opens, and the server starts, once the startup sequence is done.
            return Task.FromResult(HealthCheckResult.Degraded("The job server starts once the startup sequence is done.",
                data: new Dictionary<string, object> { ["status"] = "starting", ["storage"] = storage.ToString() ?? "" }));
        }

        // The server opens the storage when it starts, after the service's first answer. Until then there is nothing
        // to ask it, and asking would open it (and create hangfire.db) on the way to the deploy's first 200.
        var monitoring = storage is DeferredJobStorage { IsOpen: false } ? null : storage.GetMonitoringApi();
        var now = time.GetUtcNow().UtcDateTime;
        var alive = monitoring?.Servers().Where(s => s.Heartbeat is { } beat && now - beat < HeartbeatTimeout).ToList() ?? [];
        // Hangfire's server starts beside the startup sequence and announces itself with its first heartbeat: during a
        // normal start "no server yet" is not a problem, only when it stays that way.
        var starting = alive.Count == 0 && (state.ReadyAt is not { } readyAt || time.GetUtcNow() - readyAt < StartGrace);
        var data = new Dictionary<string, object>
        {
            ["status"] = alive.Count > 0 ? "running" : starting ? "starting" : "stopped",
            ["servers"] = alive.Count,
            ["workers"] = alive.Sum(s => s.WorkersCount),
            ["storage"] = storage.ToString() ?? storage.GetType().Name,
        };
        if (monitoring?.GetStatistics() is { } statistics)
        {
            data["enqueued"] = statistics.Enqueued;
            data["processing"] = statistics.Processing;
            data["failed"] = statistics.Failed;
            data["recurring"] = statistics.Recurring;
        }

        return Task.FromResult(alive.Count > 0 ? HealthCheckResult.Healthy($"{alive.Count} job server(s) running.", data: data)
            : starting ? HealthCheckResult.Healthy("The job server is starting.", data: data)
            : HealthCheckResult.Degraded("No job server is running: restores and backups queued now will wait.", data: data));
    }
}
