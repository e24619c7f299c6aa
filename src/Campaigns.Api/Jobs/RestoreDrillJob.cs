using Campaigns.Api.Backups;
using Campaigns.Api.Startup;
using Campaigns.Api.Doctor;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Jobs;

/// <summary>The recurring <c>restore-drill</c> job: the newest backup restored into a temporary file, outcome in its sidecar.</summary>
public sealed class RestoreDrillJob(RestoreDrill drill)
{
    public const string JobId = "restore-drill";

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [JobDisplayName("restore drill")]
    public Task RunAsync(CancellationToken cancellationToken) => drill.RunOnNewestAsync(cancellationToken);

    /// <summary>The drill a start queues after its backup: once per backup, however many starts queued it.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [JobDisplayName("restore drill of a start's backup")]
    public Task RunOnStartBackupAsync(CancellationToken cancellationToken) => drill.RunOnNewestUnlessDrilledAsync(cancellationToken);
}

/// <summary>
/// Registers the weekly drill with the other recurring jobs and, when this start took a backup, drills it once in the
/// background.
/// </summary>
public sealed class RestoreDrillScheduling(
    IOptions<RestoreDrillOptions> options, BackupService backups, StartupBackup startupBackup, IBackgroundJobClient background)
{
    public void Register(IRecurringJobManager recurring, RecurringJobOptions utc)
    {
        recurring.AddOrUpdate<RestoreDrillJob>(RestoreDrillJob.JobId, j => j.RunAsync(CancellationToken.None), options.Value.DrillSchedule, utc);
        // The start's own backup follows readiness, in the background: drill it once it is written.
        _ = startupBackup.Completion.ContinueWith(_ =>
        {
            if (backups.LastAttempt is { Trigger: BackupTrigger.Startup, Succeeded: true })
            {
                background.Enqueue<RestoreDrillJob>(j => j.RunOnStartBackupAsync(CancellationToken.None));
            }
        }, TaskScheduler.Default);
    }
}
