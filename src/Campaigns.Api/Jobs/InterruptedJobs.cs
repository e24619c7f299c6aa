using Campaigns.Api.Common;
using Campaigns.Api.Storage;
using Hangfire;
using Hangfire.States;

namespace Campaigns.Api.Jobs;

/// <summary>
/// Jobs a process left unfinished when it died. Hangfire by itself would leave them "processing" until their queue
/// entry is fetched again (after the invisibility timeout on SQLite) and then run them a second time. At start this
/// fails restores (never repeated unasked: the admin looks at the data and decides) and queues backups and cleanups
/// again (running one twice is harmless). <see cref="RestoreRunsOnce"/> catches a restore fetched again any other way.
/// </summary>
public sealed class InterruptedJobs(JobStorage storage, IBackgroundJobClient client, AfterFirstAnswer afterFirstAnswer, ILogger<InterruptedJobs> logger)
{
    public const string InterruptedRestore =
        "Interrupted: the service stopped while this restore ran. Restores are never re-run automatically; check the data and start it again if still needed.";

    public const string UnstartedRestore =
        "Not started: the service stopped before this restore began. Restores never start on their own after a restart; start it again if still needed.";

    private static readonly TimeSpan ServerTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SettleWait = TimeSpan.FromSeconds(30);
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Waits (briefly) until the jobs of the previous process are settled: the API opens when the startup sequence is
    /// done, a moment before the job server starts, and no one should read a dead job as "processing" in between.
    /// The job server waits for the service's first answer, which a request reading a job would otherwise be itself.
    /// </summary>
    public Task WhenSettledAsync(CancellationToken cancellationToken) =>
        afterFirstAnswer.ReleaseAndWaitAsync(_settled.Task, SettleWait, cancellationToken);

    /// <param name="exclusive">True when no other process shares the storage (SQLite: one process per volume), so every
    /// unfinished job is an orphan; on PostgreSQL only jobs of servers that stopped beating are.</param>
    public void Recover(bool exclusive)
    {
        try
        {
            Settle(exclusive);
        }
        finally
        {
            _settled.TrySetResult();
        }
    }

    private void Settle(bool exclusive)
    {
        var monitoring = storage.GetMonitoringApi();
        var now = DateTime.UtcNow;
        var alive = exclusive ? [] : monitoring.Servers().Where(s => s.Heartbeat is { } beat && now - beat < ServerTimeout).Select(s => s.Name).ToHashSet();
        foreach (var (jobId, job) in monitoring.ProcessingJobs(0, 1000))
        {
            if (alive.Contains(job.ServerId))
            {
                continue;
            }

            var kind = CampaignJobKinds.Of(job.Job);
            if (kind == JobKind.Restore)
            {
                Fail(jobId, ProcessingState.StateName, InterruptedRestore);
            }
            else if (client.ChangeState(jobId, new EnqueuedState { Reason = "Interrupted by a restart; queued to run again" }, ProcessingState.StateName))
            {
                logger.LogWarning("Job {JobId} ({JobKind}) was interrupted by a restart and runs again", jobId, kind?.ToWire() ?? "unknown");
            }
        }

        if (exclusive)
        {
            using var connection = storage.GetConnection();
            if (JobLauncher.ActiveRestore(connection) is ({ } jobId, JobState.Enqueued))
            {
                Fail(jobId, EnqueuedState.StateName, UnstartedRestore);
            }
        }
    }

    private void Fail(string jobId, string expectedState, string reason)
    {
        if (client.ChangeState(jobId, Failed(reason), expectedState))
        {
            logger.LogWarning("Restore job {JobId} marked failed: {Reason}", jobId, reason);
        }
    }

    public static FailedState Failed(string reason) => new(new JobInterruptedException(reason)) { Reason = reason };
}

/// <summary>
/// A Hangfire filter: a restore about to run a second time (a worker fetched it while its state is already
/// "processing": its process died, or stopped, mid-run) is failed instead. Covers PostgreSQL replicas too, where a
/// dead server's jobs are only noticed once its queue entries come back.
/// </summary>
public sealed class RestoreRunsOnce(ILogger<RestoreRunsOnce> logger) : IElectStateFilter
{
    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is ProcessingState && context.CurrentState == ProcessingState.StateName
            && CampaignJobKinds.Of(context.BackgroundJob.Job) == JobKind.Restore)
        {
            logger.LogWarning("Restore job {JobId} was fetched again after an interruption; failing it instead of running it twice", context.BackgroundJob.Id);
            context.CandidateState = InterruptedJobs.Failed(InterruptedJobs.InterruptedRestore);
        }
    }
}
