using System.Text.Json;
using Campaigns.Api.Backups;
using Campaigns.Api.Common;
using Campaigns.Api.Restores;
using Hangfire;

namespace Campaigns.Api.Jobs;

/// <summary>A seam for tests only: lets a test hold a job "running" deterministically (no sleeps).</summary>
public sealed class JobHooks
{
    public Func<JobRecord, Task>? WhileProcessing { get; set; }
}

/// <summary>
/// What Hangfire runs. Every job records its state in our <see cref="JobStore"/>; the work itself is the same
/// BackupService / RestoreService the CLI and startup use. No automatic retries: a restore must not repeat by itself.
/// </summary>
public sealed class CampaignJobs(JobStore jobs, RestoreService restores, BackupService backups, BackupCleanup cleanup, JobHooks hooks, ILogger<CampaignJobs> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("restore {0}")]
    public Task RestoreAsync(string jobId, CancellationToken cancellationToken) =>
        RunAsync(jobId, async record => await restores.RestoreAsync(RestoreSourceOf(record), record.Backup, cancellationToken: cancellationToken));

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("backup {0}")]
    public Task BackupAsync(string jobId, CancellationToken cancellationToken) =>
        RunAsync(jobId, async _ => BackupDto.From(await backups.CreateAsync(BackupTrigger.Manual, cancellationToken)));

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task ScheduledBackupAsync(CancellationToken cancellationToken) =>
        backups.CreateAsync(BackupTrigger.Scheduled, cancellationToken);

    [AutomaticRetry(Attempts = 0)]
    public void Cleanup()
    {
        var summary = cleanup.Cleanup(atStartup: false);
        var pruned = jobs.Prune(TimeSpan.FromDays(30));
        logger.LogInformation("Cleanup removed {RemovedFiles} files and {PrunedJobs} old job records", summary.Removed.Count, pruned);
    }

    private static RestoreSource RestoreSourceOf(JobRecord record) =>
        WireNames.TryParse<RestoreSource>(record.Source, out var source) ? source : throw new UnknownRestoreSourceException();

    private async Task RunAsync<T>(string jobId, Func<JobRecord, Task<T>> work)
    {
        var record = jobs.MarkProcessing(jobId);
        try
        {
            if (hooks.WhileProcessing is { } hook)
            {
                await hook(record);
            }

            var result = await work(record);
            jobs.MarkSucceeded(jobId, JsonSerializer.SerializeToElement(result, Json));
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {JobId} ({JobKind}) failed: {Reason}", jobId, record.Kind, ex.Message);
            jobs.MarkFailed(jobId, ex.Message);
            throw;
        }
    }
}
