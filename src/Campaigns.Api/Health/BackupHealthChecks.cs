using Campaigns.Api.Backups;
using Campaigns.Api.Common;
using Campaigns.Api.Restores;
using Campaigns.Api.Storage;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Health;

/// <summary>Is there a recent, verified backup? Degraded when the newest is older than twice the schedule's interval.</summary>
public sealed class BackupsHealthCheck(
    BackupCatalog catalog, BackupService backups, RecoveryLog recoveries, StorageState state, IOptions<BackupOptions> options, TimeProvider time)
    : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var schedule = CronSchedule.Parse(options.Value.Schedule);
        var allowedAge = 2 * schedule.Interval(now);
        var entries = catalog.List();
        var newest = entries.FirstOrDefault();
        var recovery = recoveries.Last;
        var attempt = backups.LastAttempt;
        var data = new Dictionary<string, object>
        {
            ["count"] = entries.Count,
            ["newest"] = newest is null
                ? null!
                : new { newest.Name, newest.CreatedAt, AgeSeconds = (long)(now - newest.CreatedAt).TotalSeconds, newest.Verified },
            ["lastRecovery"] = recovery is null ? null! : new { recovery.At, recovery.Kind, recovery.Detail },
            ["schedule"] = schedule.Expression,
            ["nextScheduled"] = schedule.NextAfter(now)!,
            ["directory"] = catalog.Directory,
            ["lastAttempt"] = attempt is null ? null! : new { attempt.At, attempt.Trigger, attempt.Name, attempt.Succeeded, attempt.Error },
        };

        // With no backup yet, the clock starts when the service did: a fresh install is not overdue.
        var since = newest?.CreatedAt ?? state.Volume?.CheckedAt ?? now;
        if (attempt is { Succeeded: false })
        {
            return Task.FromResult(HealthCheckResult.Degraded($"The last backup ({attempt.Trigger.ToWire()}, {attempt.At:O}) failed: {attempt.Error}", data: data));
        }

        if (now - since > allowedAge)
        {
            var what = newest is null ? "No backup has been taken" : $"The newest backup {newest.Name} is {(now - since).TotalHours:F1} hours old";
            return Task.FromResult(HealthCheckResult.Degraded($"{what}; the schedule '{schedule.Expression}' expects one at least every {allowedAge.TotalHours / 2:F1} hours.", data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy(
            newest is null ? "No backup yet; the first is scheduled." : $"{entries.Count} backups; the newest is {newest.Name}.", data: data));
    }
}

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

        var monitoring = storage.GetMonitoringApi();
        var now = time.GetUtcNow().UtcDateTime;
        var alive = monitoring.Servers().Where(s => s.Heartbeat is { } beat && now - beat < HeartbeatTimeout).ToList();
        var statistics = monitoring.GetStatistics();
        // Hangfire's server starts beside the startup sequence and announces itself with its first heartbeat: during a
        // normal start "no server yet" is not a problem, only when it stays that way.
        var starting = alive.Count == 0 && (state.ReadyAt is not { } readyAt || time.GetUtcNow() - readyAt < StartGrace);
        var data = new Dictionary<string, object>
        {
            ["status"] = alive.Count > 0 ? "running" : starting ? "starting" : "stopped",
            ["servers"] = alive.Count,
            ["workers"] = alive.Sum(s => s.WorkersCount),
            ["enqueued"] = statistics.Enqueued,
            ["processing"] = statistics.Processing,
            ["failed"] = statistics.Failed,
            ["recurring"] = statistics.Recurring,
            ["storage"] = storage.ToString() ?? storage.GetType().Name,
        };

        return Task.FromResult(alive.Count > 0 ? HealthCheckResult.Healthy($"{alive.Count} job server(s) running.", data: data)
            : starting ? HealthCheckResult.Healthy("The job server is starting.", data: data)
            : HealthCheckResult.Degraded("No job server is running: restores and backups queued now will wait.", data: data));
    }
}
