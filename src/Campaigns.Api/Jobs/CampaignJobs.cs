using System.Text.Json;
using Campaigns.Api.Backups;
using Campaigns.Api.Common;
using Campaigns.Api.OffSite;
using Campaigns.Api.Restores;
using Hangfire;
using Hangfire.Server;

namespace Campaigns.Api.Jobs;

/// <summary>
/// What Hangfire runs. The work itself is the same BackupService / RestoreService the CLI and startup use; Hangfire's
/// storage records each job's states, times and error, and the result document is kept beside them as a job parameter.
/// No automatic retries anywhere: a failed backup is reported, and a restore is never repeated unasked (an
/// interrupted one is failed, not re-run: <see cref="InterruptedJobs"/>).
/// </summary>
public sealed class CampaignJobs(
    RestoreService restores, BackupService backups, OffSitePostgresCopies offSite, BackupCleanup cleanup, ILogger<CampaignJobs> logger)
{
    /// <summary>The job parameter holding the result, as JSON in the API's own shape.</summary>
    public const string ResultParameter = "result";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <param name="source">The wire name ("canonical", "latest-backup", "backup"): job arguments are stored as JSON by
    /// Hangfire's serializer, which would write the enum as a number.</param>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("restore from {0} {1}")]
    public Task RestoreAsync(string source, string? backup, PerformContext? context, CancellationToken cancellationToken) =>
        RunAsync(JobKind.Restore, context, () => restores.RestoreAsync(
            WireNames.TryParse<RestoreSource>(source, out var named) ? named : throw new UnknownRestoreSourceException(), backup,
            cancellationToken: cancellationToken));

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("backup")]
    public Task BackupAsync(PerformContext? context, CancellationToken cancellationToken) =>
        RunAsync(JobKind.Backup, context, () => BackUpAsync(BackupTrigger.Manual, cancellationToken));

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [JobDisplayName("scheduled backup")]
    public Task ScheduledBackupAsync(PerformContext? context, CancellationToken cancellationToken) =>
        RunAsync(JobKind.Backup, context, () => BackUpAsync(BackupTrigger.Scheduled, cancellationToken));

    /// <summary>On PostgreSQL the scheduled and on-demand backups also go off-site (SQLite's journal and snapshots go on their own).</summary>
    private async Task<BackupDto> BackUpAsync(BackupTrigger trigger, CancellationToken cancellationToken)
    {
        var entry = await backups.CreateAsync(trigger, cancellationToken);
        await offSite.UploadAsync(entry, cancellationToken);
        return BackupDto.From(entry);
    }

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("cleanup")]
    public void Cleanup()
    {
        // Finished job records expire in Hangfire's storage (JobStorage.JobExpirationTimeout); only files are ours to remove.
        var summary = cleanup.Cleanup(atStartup: false);
        logger.LogInformation("Cleanup removed {RemovedFiles} files", summary.Removed.Count);
    }

    private async Task RunAsync<T>(JobKind kind, PerformContext? context, Func<Task<T>> work)
    {
        try
        {
            var result = await work();
            context?.Connection.SetJobParameter(context.BackgroundJob.Id, ResultParameter, JsonSerializer.Serialize(result, Json));
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {JobId} ({JobKind}) failed: {Reason}", context?.BackgroundJob.Id, kind.ToWire(), ex.Message);
            throw;
        }
    }
}
