using Campaigns.Api.Common;
using Campaigns.Api.Restores;
using Hangfire;

namespace Campaigns.Api.Jobs;

/// <summary>The 202 body: where to follow the job.</summary>
public sealed record JobAccepted(string JobId, string Kind, string State, string StatusUrl)
{
    public static JobAccepted From(JobRecord record) => new(record.JobId, record.Kind, record.State, StatusUrlOf(record.JobId));

    public static string StatusUrlOf(string jobId) => $"/api/admin/jobs/{jobId}";
}

/// <summary>Records a job in our store, then hands it to Hangfire. Everything that can be refused is refused before queueing.</summary>
public sealed class JobLauncher(JobStore jobs, RestoreService restores, IBackgroundJobClient hangfire, JobQueues queues, ILogger<JobLauncher> logger)
{
    public JobAccepted StartRestore(RestoreSource source, string? backup)
    {
        restores.ResolveBackup(source, backup); // refused before anything is queued
        var record = jobs.Create(JobKinds.Restore, source.ToWire(), backup);
        Enqueue(record, () => hangfire.Enqueue<CampaignJobs>(queues.ThisProcess, j => j.RestoreAsync(record.JobId, CancellationToken.None)));
        logger.LogWarning("Restore job {JobId} queued: source {RestoreSource} {BackupName}", record.JobId, source.ToWire(), backup);
        return JobAccepted.From(record);
    }

    public JobAccepted StartBackup()
    {
        var record = jobs.Create(JobKinds.Backup, null);
        Enqueue(record, () => hangfire.Enqueue<CampaignJobs>(queues.ThisProcess, j => j.BackupAsync(record.JobId, CancellationToken.None)));
        logger.LogInformation("Backup job {JobId} queued", record.JobId);
        return JobAccepted.From(record);
    }

    private void Enqueue(JobRecord record, Func<string> enqueue)
    {
        try
        {
            enqueue();
        }
        catch (Exception ex)
        {
            jobs.MarkFailed(record.JobId, $"Could not be queued: {ex.Message}");
            throw;
        }
    }
}
