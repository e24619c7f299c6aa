using System.ComponentModel.DataAnnotations;

namespace Campaigns.Api.Jobs;

/// <summary>The job server and its SQLite storage (<c>hangfire.db</c>); the defaults are what the soak in bench/ ran.</summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Jobs running at once. Two: a restore and a backup can overlap, and few writers keep hangfire.db calm.</summary>
    [Range(1, 20)]
    public int WorkerCount { get; set; } = 2;

    /// <summary>How often an idle worker looks for a queued job: a job started from the API begins within this.</summary>
    [Range(1, 60)]
    public int QueuePollIntervalSeconds { get; set; } = 1;

    /// <summary>
    /// How long a distributed lock lives without a heartbeat (it is renewed every fifth of this). Shorter than the 15 s
    /// Hangfire waits for a recurring job's lock, so a lock a killed process left behind expires before a new process
    /// that registers the recurring jobs gives up on it.
    /// </summary>
    [Range(5, 300)]
    public int DistributedLockLifetimeSeconds { get; set; } = 10;

    /// <summary>
    /// SQLite storage only: a job fetched by a process that died is fetched again after this. Restores are never re-run
    /// (<see cref="InterruptedJobs"/>); this only bounds how long a stale queue entry waits to be discarded.
    /// </summary>
    [Range(5, 86_400)]
    public int InvisibilityTimeoutSeconds { get; set; } = 1800;
}
