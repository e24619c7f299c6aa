using Campaigns.Api.Common;
using Campaigns.Api.Restores;
using Hangfire;
using Hangfire.Storage;

namespace Campaigns.Api.Jobs;

/// <summary>The 202 body: where to follow the job.</summary>
public sealed record JobAccepted(string JobId, JobKind Kind, JobState State, string StatusUrl)
{
    public static string StatusUrlOf(string jobId) => $"/api/admin/jobs/{jobId}";
}

/// <summary>Hands jobs to Hangfire. Everything that can be refused is refused before queueing.</summary>
public sealed class JobLauncher(RestoreService restores, IBackgroundJobClient hangfire, JobStorage storage, InterruptedJobs interrupted, ILogger<JobLauncher> logger)
{
    // The one thing Hangfire's storage does not know by itself: "one restore at a time". The id of the latest restore
    // is kept in a hash in that same storage, so the rule holds across restarts and (on PostgreSQL) across replicas.
    private const string ActiveRestoreHash = "campaigns:restore";
    private const string ActiveRestoreField = "jobId";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    public JobAccepted StartRestore(RestoreSource source, string? backup)
    {
        restores.ResolveBackup(source, backup); // a missing backup is refused before anything is queued
        // A restore the previous process left queued is failed at start; until then it would look active. Done at once
        // except in the second after a start.
        interrupted.WhenSettledAsync(CancellationToken.None).Wait();
        using var connection = storage.GetConnection();
        using (connection.AcquireDistributedLock("campaigns:start-restore", LockTimeout))
        {
            if (ActiveRestore(connection) is { } active)
            {
                throw new RestoreAlreadyRunningException(active.JobId, active.State.ToWire());
            }

            var wireSource = source.ToWire();
            var jobId = hangfire.Enqueue<CampaignJobs>(j => j.RestoreAsync(wireSource, backup, null, CancellationToken.None));
            RecordActiveRestore(connection, jobId);
            logger.LogWarning("Restore job {JobId} queued: source {RestoreSource} {BackupName}", jobId, wireSource, backup);
            return Accepted(jobId, JobKind.Restore);
        }
    }

    public JobAccepted StartBackup()
    {
        var jobId = hangfire.Enqueue<CampaignJobs>(j => j.BackupAsync(null, CancellationToken.None));
        logger.LogInformation("Backup job {JobId} queued", jobId);
        return Accepted(jobId, JobKind.Backup);
    }

    /// <summary>The restore every other restore is refused behind while it is queued or running.</summary>
    public static void RecordActiveRestore(IStorageConnection connection, string jobId) =>
        connection.SetRangeInHash(ActiveRestoreHash, [new(ActiveRestoreField, jobId)]);

    /// <summary>The latest restore while it is enqueued or running; null once it has finished.</summary>
    public static (string JobId, JobState State)? ActiveRestore(IStorageConnection connection)
    {
        if (connection.GetAllEntriesFromHash(ActiveRestoreHash)?.GetValueOrDefault(ActiveRestoreField) is not { } jobId)
        {
            return null;
        }

        var state = JobStatusReader.StateOf(connection.GetJobData(jobId)?.State ?? Hangfire.States.SucceededState.StateName);
        return state is JobState.Enqueued or JobState.Processing ? (jobId, state) : null;
    }

    private static JobAccepted Accepted(string jobId, JobKind kind) => new(jobId, kind, JobState.Enqueued, JobAccepted.StatusUrlOf(jobId));
}
