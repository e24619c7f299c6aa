using Microsoft.Data.Sqlite;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// The way to another file in place of the live database while the service runs: a rename over the live file, which is
/// atomic (a crash leaves the old file or the new one, never a mix). A SQLite connection keeps the file it opened, so
/// this is only safe when no connection anywhere has the old file open. <see cref="TryTakeAsync"/> closes this process's
/// connections first (<see cref="LiveDatabaseGate"/>), then asks SQLite: leaving WAL mode needs every other connection,
/// in any process, to be gone, and it also checkpoints and removes the -wal file, which must not be replayed into the
/// new file. It then holds an exclusive lock on the old file, so a process that opened it at that moment gets "database
/// is locked" instead of using it. When another process keeps the file open, it declines and nothing has changed.
/// </summary>
public sealed class LiveDatabaseSwap(LiveDatabaseGate gate, IHostApplicationLifetime lifetime, ILogger<LiveDatabaseSwap> logger)
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SoleOwnershipTimeout = TimeSpan.FromSeconds(2);

    /// <param name="busyTimeoutSeconds">How long other connections wait for a lock: the old file stays locked that long after the swap.</param>
    /// <returns>Null when this process's connections stay in use or another process has the file open; nothing has changed then.</returns>
    public async Task<SoleOwnership?> TryTakeAsync(string livePath, int busyTimeoutSeconds, CancellationToken cancellationToken)
    {
        var closed = await gate.CloseAsync(DrainTimeout, cancellationToken);
        if (closed is null)
        {
            logger.LogWarning("Connections of this process to {DatabasePath} stayed in use for {DrainTimeout}; restoring through the online backup API instead",
                livePath, DrainTimeout);
            return null;
        }

        if (!File.Exists(livePath))
        {
            return new SoleOwnership(livePath, closed, null, busyTimeoutSeconds, lifetime.ApplicationStopping, logger);
        }

        if (LockOutEveryoneElse(livePath) is not { } old)
        {
            closed.Dispose();
            return null;
        }

        return new SoleOwnership(livePath, closed, old, busyTimeoutSeconds, lifetime.ApplicationStopping, logger);
    }

    /// <summary>The old file, locked exclusively, out of WAL mode and without a -wal file; null when another process has it open.</summary>
    private SqliteConnection? LockOutEveryoneElse(string live)
    {
        // One second, not the usual thirty: Microsoft.Data.Sqlite retries a busy command for the connection's timeout,
        // and each attempt here must give up quickly so the deadline holds.
        var connection = SqliteFile.Open(live, SqliteOpenMode.ReadWrite, busyTimeoutSeconds: 1);
        SqliteFile.Execute(connection, "PRAGMA busy_timeout = 100; PRAGMA locking_mode = EXCLUSIVE;");
        var locked = Retries.UntilValue(int.MaxValue, _ => TimeSpan.FromMilliseconds(50), _ => TryLeaveWal(connection, live), SoleOwnershipTimeout);
        if (locked is null)
        {
            logger.LogWarning("Another process keeps {DatabasePath} open; restoring through the online backup API instead", live);
            connection.Dispose();
        }

        return locked;
    }

    private static SqliteConnection? TryLeaveWal(SqliteConnection connection, string live)
    {
        try
        {
            if (SqliteFile.Scalar<string>(connection, "PRAGMA journal_mode = DELETE;") == "delete" && !File.Exists(live + "-wal"))
            {
                SqliteFile.Execute(connection, "BEGIN EXCLUSIVE; COMMIT;");
                return connection;
            }
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteFile.Busy)
        {
            // another connection still reads or writes it: try again until the deadline
        }

        return null;
    }
}
