using System.Data.Common;
using System.Runtime.CompilerServices;
using Campaigns.Api.SqliteFiles;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Campaigns.Api.Storage;

/// <summary>
/// Plain ADO.NET reads of the live database, for what a start asks before it serves and what /health asks on every
/// probe. EF's first use (its internal services, then a compilation for each new query) is about half a second of CPU,
/// and on a redeploy none of it is needed before the first 200; it is paid after ready instead (StartupWarmup).
/// A SQLite connection passes the <see cref="LiveDatabaseGate"/> as EF's do, so a restore's swap waits for it.
/// </summary>
public sealed class LiveDatabaseConnections(DatabaseTarget database, LiveDatabaseGate gate, IOptions<StorageOptions> storage)
{
    private bool IsSqlite => database.Provider == DatabaseProvider.Sqlite;

    public async Task<T> ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = IsSqlite ? new SqliteConnection(database.ConnectionString) : PostgresConnection();
        if (!IsSqlite)
        {
            await connection.OpenAsync(cancellationToken);
            return await read(connection, cancellationToken);
        }

        await gate.EnterAsync(connection, cancellationToken);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using (var busy = connection.CreateCommand())
            {
                busy.CommandText = $"PRAGMA busy_timeout = {storage.Value.BusyTimeoutSeconds * 1000};";
                await busy.ExecuteNonQueryAsync(cancellationToken);
            }

            return await read(connection, cancellationToken);
        }
        finally
        {
            await connection.CloseAsync();
            gate.Exit(connection);
        }
    }

    // On its own, and never inlined into ReadAsync, so that a SQLite start does not load Npgsql for ReadAsync's sake.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private DbConnection PostgresConnection() => new NpgsqlConnection(database.ConnectionString);

    /// <summary>The active campaigns, an index search on either provider (<c>TRUE</c> is 1 in SQLite).</summary>
    public static Task<int> ActiveCampaignsAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ScalarAsync<int>(connection, """SELECT count(*) FROM campaigns WHERE "Active" = TRUE""", cancellationToken);

    /// <summary>One value; a missing row or NULL reads as <c>default</c>.</summary>
    public static async Task<T> ScalarAsync<T>(DbConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, typeof(T));
    }

    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
