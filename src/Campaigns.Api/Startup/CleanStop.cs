using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;

namespace Campaigns.Api.Startup;

/// <summary>
/// After everything else has stopped (the server, the job server, the startup backup), seals the SQLite file when this
/// process last found its data sound, so the next start (the redeploy) can skip reading it all again before serving:
/// see <see cref="CleanStopSeal"/>.
/// </summary>
public sealed class CleanStop(
    DatabaseTarget database,
    DataDirectory dataDirectory,
    LiveDatabaseSoundness soundness,
    StorageState state,
    ILogger<CleanStop> logger) : IHostedLifecycleService
{
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (database.Provider != DatabaseProvider.Sqlite || !state.Ready || soundness.CheckedAt is not { } checkedAt || !File.Exists(dataDirectory.DatabasePath))
        {
            return Task.CompletedTask;
        }

        try
        {
            using (var pooled = new SqliteConnection(database.ConnectionString))
            {
                SqliteConnection.ClearPool(pooled);
            }

            using (var connection = SqliteFile.Open(dataDirectory.DatabasePath, SqliteOpenMode.ReadWrite, busyTimeoutSeconds: 1))
            {
                SqliteFile.Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
            }

            CleanStopSeal.Write(dataDirectory.DatabasePath, checkedAt);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            // Without a seal the next start checks the whole file first: slower, never less safe.
            logger.LogWarning("Could not seal {DatabasePath} at the clean stop: {Reason}", dataDirectory.DatabasePath, ex.Message);
        }

        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
