using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
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
            ReleaseStaleLocks();
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
    /// The package's locks are rows with an expiry and no owner check, and a waiter looks again only every tenth of its
    /// timeout (90 s for a job's 15-minute state lock): a lock held by a killed process would stall the first state
    /// change at the next start. One process per volume uses this file, so every lock found before it opens is stale.
    /// </summary>
    private void ReleaseStaleLocks()
    {
        using var connection = SqliteFile.Open(Path, SqliteOpenMode.ReadWrite, storage.Value.BusyTimeoutSeconds);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'DistributedLock'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            return;
        }

        command.CommandText = "DELETE FROM DistributedLock";
        if (command.ExecuteNonQuery() is var released and > 0)
        {
            logger.LogInformation("Released {LockCount} job storage locks left by the previous process", released);
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
