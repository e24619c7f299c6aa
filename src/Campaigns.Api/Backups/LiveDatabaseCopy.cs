using Microsoft.Data.Sqlite;

namespace Campaigns.Api.Backups;

/// <summary>
/// A consistent copy of the live SQLite database at the speed of a file copy, taken without holding writers up.
/// A TRUNCATE checkpoint moves the WAL into the database file and empties it; a read transaction that begins while the
/// WAL is still empty reads the database file alone, and no checkpoint may write into that file until the transaction
/// ends (backfilling needs the read-mark-0 lock such a reader holds). So the file's bytes are that snapshot for as long
/// as the transaction stays open, while writers carry on appending to the WAL. In rollback-journal mode the reader's
/// SHARED lock keeps writers out of the file instead.
/// </summary>
/// <summary>The copy's sha256, and what quick_check and the campaign counts found in the snapshot it was copied from.</summary>
public sealed record SnapshotCopy(string Sha256, string QuickCheck, SqliteContents? Contents);

public static class LiveDatabaseCopy
{
    private const int Attempts = 5;
    private const int AttemptBusyTimeoutMilliseconds = 250;
    private const int SqliteBusy = 5;

    /// <summary>
    /// Copies the database into <paramref name="destinationPath"/>, or returns null when the WAL was not empty when the
    /// read began in any attempt: a commit landed in between, or a reader on an older snapshot kept the checkpoint from
    /// emptying it (the caller then uses <c>VACUUM INTO</c>). While the bytes are copied, quick_check runs on the other
    /// core through the transaction that pins them, so it checks exactly what is copied, and the sha256 is taken from
    /// the very buffers written. The copy's header says rollback-journal mode, as <c>PRAGMA journal_mode = DELETE</c>
    /// leaves it after a checkpoint: a backup is one self-contained file that opens read-only without -wal/-shm files.
    /// </summary>
    public static SnapshotCopy? TryCopy(string databasePath, string destinationPath)
    {
        using var live = SqliteFile.Open(databasePath, SqliteOpenMode.ReadWrite);
        // Short: a reader still on an older snapshot keeps the WAL from being emptied, and waiting for it is pointless.
        SqliteFile.Execute(live, $"PRAGMA busy_timeout = {AttemptBusyTimeoutMilliseconds};");
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var inTransaction = false;
            try
            {
                SqliteFile.Execute(live, "PRAGMA wal_checkpoint(TRUNCATE);");
                SqliteFile.Execute(live, "BEGIN;");
                inTransaction = true;
                // The first read takes the snapshot; only then does an empty WAL prove the snapshot is the file alone.
                SqliteFile.Execute(live, "SELECT count(*) FROM sqlite_schema;");
                var length = SqliteFile.Scalar<long>(live, "PRAGMA page_count;") * SqliteFile.Scalar<long>(live, "PRAGMA page_size;");
                if (WalIsEmpty(databasePath))
                {
                    var checking = Task.Run(() => (SqliteFile.Check(live, quick: true), SqliteFile.Inspect(live)));
                    string sha256;
                    try
                    {
                        sha256 = SqliteFile.CopyWithSha256(databasePath, length, destinationPath, SwitchHeaderToRollbackJournal);
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
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteBusy)
            {
                // a writer held the file (rollback-journal mode) through the short timeout: try again
            }
            finally
            {
                if (inTransaction)
                {
                    SqliteFile.Execute(live, "COMMIT;");
                }
            }

            Thread.Sleep(attempt * 20);
        }

        return null;
    }

    private static bool WalIsEmpty(string databasePath) => new FileInfo(databasePath + "-wal") is not { Exists: true, Length: > 0 };

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
