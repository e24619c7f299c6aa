using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Campaigns.Api.Storage;

/// <summary>
/// Per-connection settings: wait for a busy writer (the CLI, a backup) instead of failing, and keep foreign keys on.
/// WAL itself is persistent in the file and is switched on once by the startup sequence.
/// </summary>
public sealed class SqlitePragmaInterceptor(int busyTimeoutSeconds) : DbConnectionInterceptor
{
    private readonly string _pragmas = $"PRAGMA busy_timeout = {busyTimeoutSeconds * 1000}; PRAGMA foreign_keys = ON;";

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
}
