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
        var lastDrill = entries.Where(e => e.LastDrill is not null).MaxBy(e => e.LastDrill!.At);
        var data = new Dictionary<string, object>
        {
            ["count"] = entries.Count,
            ["newest"] = newest is null
                ? null!
                : HealthDetails.Of(("name", newest.Name), ("createdAt", newest.CreatedAt), ("ageSeconds", (long)(now - newest.CreatedAt).TotalSeconds), ("verified", newest.Verified)),
            ["lastRecovery"] = recovery is null ? null! : HealthDetails.Of(("at", recovery.At), ("kind", recovery.Kind.ToWire()), ("detail", recovery.Detail)),
            ["schedule"] = schedule.Expression,
            ["nextScheduled"] = schedule.NextAfter(now)!,
            ["directory"] = catalog.Directory,
            ["lastAttempt"] = attempt is null
                ? null!
                : HealthDetails.Of(("at", attempt.At), ("trigger", attempt.Trigger.ToWire()), ("name", attempt.Name), ("succeeded", attempt.Succeeded), ("error", attempt.Error)),
            ["lastDrill"] = lastDrill?.LastDrill is not { } drill
                ? null!
                : HealthDetails.Of(("backup", lastDrill.Name), ("at", drill.At), ("ok", drill.Ok), ("problem", drill.Problem), ("activeCampaigns", drill.ActiveCampaigns),
                    ("durationMs", drill.DurationMs), ("newest", lastDrill.Name == newest?.Name)),
        };

        // With no backup yet, the clock starts when the service did: a fresh install is not overdue.
        var since = newest?.CreatedAt ?? state.Volume?.CheckedAt ?? now;
        if (attempt is { Succeeded: false })
        {
            return Task.FromResult(HealthCheckResult.Degraded($"The last backup ({attempt.Trigger.ToWire()}, {attempt.At:O}) failed: {attempt.Error}", data: data));
        }

        if (newest?.LastDrill is { Ok: false } failedDrill)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"The newest backup {newest.Name} failed its restore drill ({failedDrill.At:O}): {failedDrill.Problem}", data: data));
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
