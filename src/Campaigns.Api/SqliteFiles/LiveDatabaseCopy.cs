using Microsoft.Data.Sqlite;

namespace Campaigns.Api.SqliteFiles;

/// <summary>The copy's sha256, and what quick_check and the campaign counts found in the snapshot it was copied from.</summary>
public sealed record SnapshotCopy(string Sha256, string QuickCheck, SqliteContents? Contents);

/// <summary>
/// A consistent copy of the live SQLite database at the speed of a file copy, taken without holding writers up.
/// A FULL checkpoint copies every page of the WAL into the database file; a read transaction that begins before anyone
/// commits again reads the database file alone (SQLite's read-mark 0), and no checkpoint may write into that file until
/// the transaction ends (backfilling needs the lock such a reader holds). So the file's bytes are that snapshot for as
/// long as the transaction stays open, while writers carry on appending to the WAL. "Before anyone commits again" is
/// what <c>PRAGMA data_version</c> tells: unchanged from before the checkpoint to inside the transaction. The WAL is not
/// truncated, which would move every connection's data_version and make the API's cached list look stale. In
/// rollback-journal mode the reader's SHARED lock keeps writers out of the file instead.
/// </summary>
public static class LiveDatabaseCopy
{
    private const int Attempts = 5;
    private const int AttemptBusyTimeoutMilliseconds = 250;
    private const int CheckCachePages = 64;
    private const int CheckStepsPerCallback = 1000;

    /// <summary>
    /// Copies the database into <paramref name="destinationPath"/>, or returns null when in every attempt a commit landed
    /// between the checkpoint and the start of the read, or a reader on an older snapshot kept the checkpoint from
    /// finishing (the caller then uses <c>VACUUM INTO</c>). While the bytes are copied, quick_check runs on the other
    /// core through the transaction that pins them, so it checks exactly what is copied, and the sha256 is taken from
    /// the very buffers written. The copy's header says rollback-journal mode, as <c>PRAGMA journal_mode = DELETE</c>
    /// leaves it after a checkpoint: a backup is one self-contained file that opens read-only without -wal/-shm files.
    /// </summary>
    /// <param name="whileServing">Give way to requests while the service serves them (a backup taken by the service).</param>
    public static SnapshotCopy? TryCopy(string databasePath, string destinationPath, GiveWay? whileServing = null)
    {
        // One second, not the usual thirty (Microsoft.Data.Sqlite retries a busy command that long): a busy attempt is retried here.
        using var live = SqliteFile.Open(databasePath, SqliteOpenMode.ReadWrite, busyTimeoutSeconds: 1);
        // Short: a reader still on an older snapshot keeps the checkpoint from finishing, and waiting for it is pointless.
        SqliteFile.Execute(live, $"PRAGMA busy_timeout = {AttemptBusyTimeoutMilliseconds};");
        // quick_check reads each page once: a small cache checks a gigabyte as fast as the default 2 MiB (measured), and
        // the backup adds less to the service's peak memory.
        SqliteFile.Execute(live, $"PRAGMA cache_size = {CheckCachePages};");
        return Retries.UntilValue(Attempts, next => TimeSpan.FromMilliseconds((next + 1) * 20), _ => TryCopyOnce(live, databasePath, destinationPath, whileServing));
    }

    /// <summary>Null when a commit landed between the checkpoint and the read, or the checkpoint was held up.</summary>
    private static SnapshotCopy? TryCopyOnce(SqliteConnection live, string databasePath, string destinationPath, GiveWay? whileServing)
    {
        var inTransaction = false;
        try
        {
            var versionBefore = SqliteFile.Scalar<long>(live, "PRAGMA data_version;");
            if (!CheckpointedEveryFrame(live))
            {
                return null;
            }

            SqliteFile.Execute(live, "BEGIN;");
            inTransaction = true;
            SqliteFile.Execute(live, "SELECT count(*) FROM sqlite_schema;"); // the first read takes the snapshot
            if (SqliteFile.Scalar<long>(live, "PRAGMA data_version;") != versionBefore)
            {
                return null;
            }

            var length = SqliteFile.Scalar<long>(live, "PRAGMA page_count;") * SqliteFile.Scalar<long>(live, "PRAGMA page_size;");
            var checking = LowPriority.Run(() => Check(live, whileServing), "campaigns-backup-check");
            string sha256;
            try
            {
                sha256 = KernelCopy.TryCopyWithSha256(databasePath, length, destinationPath, SwitchHeaderToRollbackJournal, whileServing)
                    ?? SqliteFile.CopyWithSha256(databasePath, length, destinationPath, patchFirstBuffer: SwitchHeaderToRollbackJournal);
            }
            catch
            {
                // The connection is the check's until it is done, even when the copy failed.
                Task.WhenAny(checking).Wait();
                throw;
            }

            var (quickCheck, contents) = checking.GetAwaiter().GetResult();
            return new SnapshotCopy(sha256, quickCheck, contents);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteFile.Busy)
        {
            // a writer held the file (rollback-journal mode) through the short timeout: try again
            return null;
        }
        finally
        {
            if (inTransaction)
            {
                SqliteFile.Execute(live, "COMMIT;");
            }
        }
    }

    private static (string QuickCheck, SqliteContents? Contents) Check(SqliteConnection live, GiveWay? whileServing)
    {
        using var pace = whileServing?.Join();
        if (pace is not null)
        {
            // SQLite calls back every so many steps of its virtual machine: the only place inside quick_check to pause.
            SQLitePCL.raw.sqlite3_progress_handler(live.Handle, CheckStepsPerCallback, _ =>
            {
                pace.Step();
                return 0;
            }, null);
        }

        try
        {
            return (SqliteFile.Check(live, quick: true), SqliteFile.Inspect(live));
        }
        finally
        {
            if (pace is not null)
            {
                SQLitePCL.raw.sqlite3_progress_handler(live.Handle, 0, null, null);
            }
        }
    }

    /// <summary>True when the checkpoint was not held up and the WAL holds no page the database file lacks.</summary>
    private static bool CheckpointedEveryFrame(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(FULL);"; // busy, frames in the WAL, frames checkpointed (-1, -1 without a WAL)
        using var result = command.ExecuteReader();
        return result.Read() && result.GetInt64(0) == 0 && result.GetInt64(1) == result.GetInt64(2);
    }

    /// <summary>Header bytes 18 and 19 (file format write/read version): 2 means WAL, 1 rollback journal.</summary>
    private static void SwitchHeaderToRollbackJournal(byte[] firstPage)
    {
        if (firstPage[18] == 2 && firstPage[19] == 2)
        {
            firstPage[18] = 1;
            firstPage[19] = 1;
        }
    }
}
