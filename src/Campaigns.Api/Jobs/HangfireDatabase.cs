using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Hangfire.States;
using Hangfire.Storage.SQLite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SQLite;

namespace Campaigns.Api.Jobs;

/// <summary>
/// Hangfire's own SQLite file, <c>&lt;data dir&gt;/hangfire.db</c>: beside campaigns.db, never inside it, so a restore
/// (which replaces campaigns.db) never swaps the storage of the job that runs it, and backups never carry job history.
/// It holds job states, results, history, the recurring jobs' last runs and the dashboard's counters; all of it can be
/// lost without losing data (the recurring jobs are registered again at every start), so a missing file is recreated
/// and a corrupt one is moved to quarantine/ and recreated.
/// </summary>
public sealed class HangfireDatabase(DataDirectory dataDirectory, IOptions<JobsOptions> jobs, IOptions<StorageOptions> storage, TimeProvider time, ILogger<HangfireDatabase> logger)
{
    public const string FileName = "hangfire.db";

    private static readonly string[] Journals = ["-wal", "-shm"];

    public string Path => System.IO.Path.Combine(dataDirectory.Path, FileName);

    public SQLiteStorage Open()
    {
        Directory.CreateDirectory(dataDirectory.Path);
        if (!File.Exists(Path))
        {
            // A journal without its database belongs to a file that is gone: replaying it into a new one would corrupt it.
            var leftover = Journals.Any(j => File.Exists(Path + j)) ? MoveToQuarantine() : null;
            logger.LogInformation("Job storage {HangfireDatabasePath} not found; creating it (job history starts empty, recurring jobs are registered at start){LeftoverNote}",
                Path, leftover is null ? "" : $"; its leftover journal was moved to {leftover}");
        }
        else if (SqliteFile.FindCorruption(Path, storage.Value.BusyTimeoutSeconds) is { } problem)
        {
            var quarantined = MoveToQuarantine();
            logger.LogError("Job storage {HangfireDatabasePath} is corrupt ({Problem}); moved to {QuarantinePath} and recreated: job history is lost, recurring jobs are registered again",
                Path, problem, quarantined);
        }
        else
        {
            ReleaseWhatThePreviousProcessHeld();
        }

        var options = jobs.Value;
        var busyTimeout = TimeSpan.FromSeconds(storage.Value.BusyTimeoutSeconds);
        var storageOptions = new SQLiteStorageOptions
        {
            JournalMode = SQLiteStorageOptions.JournalModes.WAL,
            QueuePollInterval = TimeSpan.FromSeconds(options.QueuePollIntervalSeconds),
            DistributedLockLifetime = TimeSpan.FromSeconds(options.DistributedLockLifetimeSeconds),
            InvisibilityTimeout = TimeSpan.FromSeconds(options.InvisibilityTimeoutSeconds),
        };
        // FullMutex, not the package's NoMutex: a lock's heartbeat timer writes through the same connection the thread
        // holding the lock is using, and only a serialized connection makes that safe. The busy timeout lets a writer
        // wait for another instead of failing with "database is locked".
        var connections = new SQLiteDbConnectionFactory(() => new SQLiteConnection(
            new SQLiteConnectionString(Path, SQLiteOpenFlags.ReadWrite | SQLiteOpenFlags.Create | SQLiteOpenFlags.FullMutex, storeDateTimeAsTicks: true))
        {
            BusyTimeout = busyTimeout,
        });
        return new SQLiteStorage(connections, storageOptions);
    }

    /// <summary>
    /// One process per volume uses this file, so whatever the previous process held when it died is stale:
    /// <list type="bullet">
    /// <item>The package's locks are rows with an expiry and no owner check, and a waiter looks again only every tenth of
    /// its timeout (90 s for a job's 15-minute state lock): a lock held by a killed process would stall the first state
    /// change at the next start.</item>
    /// <item>A queue entry a worker had fetched just before the kill, when its job had not reached "processing" yet, stays
    /// hidden for the invisibility timeout (30 minutes): the job would read "enqueued" all that time. Released here the
    /// way the package releases an entry itself (<c>FetchedAt</c> = <c>DateTime.MinValue</c>, 0 in ticks), it is fetched
    /// at once (a restore among them is failed first, <see cref="InterruptedJobs"/>). Entries of "processing" jobs stay
    /// as they are: those jobs are queued again with an entry of their own.</item>
    /// </list>
    /// </summary>
    private void ReleaseWhatThePreviousProcessHeld()
    {
        using var connection = SqliteFile.Open(Path, SqliteOpenMode.ReadWrite, storage.Value.BusyTimeoutSeconds);
        if (SqliteFile.HasTable(connection, "DistributedLock") && SqliteFile.Execute(connection, "DELETE FROM DistributedLock") is var released and > 0)
        {
            logger.LogInformation("Released {LockCount} job storage locks left by the previous process", released);
        }

        if (SqliteFile.HasTable(connection, "JobQueue") && SqliteFile.HasTable(connection, "Job")
            && SqliteFile.Execute(connection, $"""
                UPDATE JobQueue SET FetchedAt = 0
                WHERE FetchedAt <> 0 AND JobId IN (SELECT Id FROM Job WHERE StateName = '{EnqueuedState.StateName}')
                """) is var fetched and > 0)
        {
            logger.LogWarning("Queued {JobCount} jobs again that the previous process had fetched but not started", fetched);
        }
    }

    /// <summary>Moves the file and its -wal/-shm into quarantine/ under one timestamped name, as a corrupt campaigns.db is.</summary>
    private string MoveToQuarantine()
    {
        Directory.CreateDirectory(dataDirectory.QuarantinePath);
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd_HHmmss_fff", System.Globalization.CultureInfo.InvariantCulture);
        var target = System.IO.Path.Combine(dataDirectory.QuarantinePath, $"hangfire_{stamp}.db");
        foreach (var suffix in Journals.Prepend(""))
        {
            if (File.Exists(Path + suffix))
            {
                File.Move(Path + suffix, target + suffix);
            }
        }

        return target;
    }
}
