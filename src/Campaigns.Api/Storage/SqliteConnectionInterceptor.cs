using System.Data.Common;
using Campaigns.Api.SqliteFiles;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Campaigns.Api.Storage;

/// <summary>
/// Every EF connection to the SQLite file: it passes the <see cref="LiveDatabaseGate"/> (so a restore can swap the file
/// under no open connection), waits for a busy writer (the CLI, a backup) instead of failing, and keeps foreign keys on.
/// WAL itself is persistent in the file and is switched on by the startup sequence and by a restore.
/// </summary>
public sealed class SqliteConnectionInterceptor(int busyTimeoutSeconds, LiveDatabaseGate gate) : DbConnectionInterceptor
{
    private readonly string _pragmas = $"PRAGMA busy_timeout = {busyTimeoutSeconds * 1000}; PRAGMA foreign_keys = ON;";

    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        gate.Enter(connection);
        return result;
    }

    public override async ValueTask<InterceptionResult> ConnectionOpeningAsync(
        DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        await gate.EnterAsync(connection, cancellationToken);
        return result;
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => gate.Exit(connection);

    public override Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        gate.Exit(connection);
        return Task.CompletedTask;
    }

    public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => gate.Exit(connection);

    public override Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        gate.Exit(connection);
        return Task.CompletedTask;
    }

    public override void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => gate.Exit(connection);

    public override Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        gate.Exit(connection);
        return Task.CompletedTask;
    }
}
