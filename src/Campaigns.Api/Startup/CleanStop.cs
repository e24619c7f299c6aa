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
    private readonly Lock _once = new();
    private bool _stopped;

    /// <summary>
    /// Seals once. A host can be stopped twice (under WebApplicationFactory: by the factory and by Program's own run
    /// loop, concurrently or one after the other); a second seal, written after the first caller went on, would describe
    /// whatever the file had become by then, and the next start would skip its check of a file nothing vouched for. A
    /// caller that arrives while the first seals waits for it.
    /// </summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        lock (_once)
        {
            if (!_stopped)
            {
                _stopped = true;
                Seal();
            }
        }

        return Task.CompletedTask;
    }

    private void Seal()
    {
        if (database.Provider != DatabaseProvider.Sqlite || !state.Ready || soundness.CheckedAt is not { } checkedAt || !File.Exists(dataDirectory.DatabasePath))
        {
            return;
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
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
