namespace Campaigns.Api.Jobs;

/// <summary>No job with this id in the job storage (never existed, expired, or the storage was recreated).</summary>
public sealed class JobNotFoundException(string jobId) : Exception($"There is no job '{jobId}'.")
{
    public string JobId { get; } = jobId;
}

/// <summary>Only one restore runs at a time; this names the one that is enqueued or running.</summary>
public sealed class RestoreAlreadyRunningException(string jobId, JobState state)
    : Exception($"Restore job {jobId} is {state.Name()}; only one restore runs at a time. Follow it at {JobAccepted.StatusUrlOf(jobId)}.")
{
    public string JobId { get; } = jobId;
}

/// <summary>The reason recorded on a job the process stopped under: Hangfire shows it as the failure's exception.</summary>
public sealed class JobInterruptedException(string message) : Exception(message);
