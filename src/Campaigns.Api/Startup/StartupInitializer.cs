using Campaigns.Api.Restores;
using Campaigns.Api.Seeding;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Startup;

/// <summary>
/// Runs while the server starts listening (hosted services start concurrently), and the host waits for it: a deploy only
/// goes live (Railway waits for /health 200) once the volume is checked (SQLite only), the schema is migrated and the
/// canonical campaigns are in place. Until then <see cref="StartupGate"/> answers 503 and /health reports Unhealthy; a
/// failure here still stops the process.
/// </summary>
public sealed class StartupInitializer(
    IServiceScopeFactory scopes,
    StartupBackup startupBackup,
    DataDirectory dataDirectory,
    DatabaseTarget database,
    StorageState state,
    IOptions<StorageOptions> storageOptions,
    IHostEnvironment environment,
    TimeProvider time,
    ILogger<StartupInitializer> logger) : IHostedService
{
    // The host runs the synchronous part of each hosted service's StartAsync in turn, and SQLite's async calls complete
    // synchronously: without Task.Run the whole sequence would run before Kestrel is even asked to start.
    public Task StartAsync(CancellationToken cancellationToken) => Task.Run(() => InitializeAsync(cancellationToken), cancellationToken);

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Database provider {DatabaseProvider} at {DatabaseLocation} (chosen by {ChosenBy})",
            database.ProviderName, database.Location, database.ChosenBy);

        // On PostgreSQL the data lives in the server, so a local volume is neither needed nor checked.
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            state.Volume = CheckVolume();
        }

        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        // Before migrations: bring back a missing or corrupt database from a backup.
        var backupDue = await services.GetRequiredService<DatabaseRecovery>().RecoverAsync(cancellationToken);

        var db = services.GetRequiredService<CampaignsDbContext>();

        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // Through EF, which creates a brand-new file; see SqliteFile.UseWal for why WAL.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync(SqliteFile.WalPragma, cancellationToken);
            await db.Database.CloseConnectionAsync();
        }

        var migrator = services.GetRequiredService<DatabaseMigrator>();
        if (backupDue && (await migrator.PendingAsync(cancellationToken)).Count > 0)
        {
            await startupBackup.BeforeMigrationAsync(cancellationToken);
            backupDue = false;
        }

        await migrator.MigrateAsync(cancellationToken);
        state.LastTopUp = await services.GetRequiredService<CanonicalTopUp>().RunAsync(SeedTrigger.Startup, cancellationToken);
        state.Ready = true;
        if (backupDue)
        {
            startupBackup.StartAfterReady();
        }
    }

    /// <summary>A startup backup still running is cancelled by the stopping host; waiting for it keeps its files consistent.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => startupBackup.Completion.WaitAsync(cancellationToken);

    private VolumeStatus CheckVolume()
    {
        var volume = VolumeStatus.Inspect(dataDirectory, time);
        logger.LogInformation(
            "Database {DatabasePath} (data directory chosen by {ChosenBy}); volume mounted {Mounted} at {MountPoint} ({FileSystemType}), persistent {Persistent}, writable {Writable}, free {FreeBytes} bytes, database exists {DatabaseExists}, checked at {CheckedAt}",
            volume.DatabasePath, volume.ChosenBy, volume.Mounted, volume.MountPoint, volume.FileSystemType, volume.Persistent,
            volume.Writable, volume.FreeBytes, volume.DatabaseExists, volume.CheckedAt);

        if (!volume.Writable)
        {
            var permissions = VolumeStatus.DescribePermissions(volume.DataDirectory);
            var message =
                $"Refusing to start: the data directory {volume.DataDirectory} is not writable ({volume.WriteError}); {permissions}. " +
                "Fix the mount or its ownership (on Railway a non-root image needs RAILWAY_RUN_UID=0). The database is never created anywhere else.";
            logger.LogCritical("Data directory {DataDirectory} is not writable: {WriteError}; {Permissions}", volume.DataDirectory, volume.WriteError, permissions);
            throw new StorageNotSafeException(message);
        }

        if (volume.Persistent)
        {
            return volume;
        }

        if (environment.IsProduction() && !storageOptions.Value.AllowEphemeral)
        {
            var message =
                $"Refusing to start in Production: {volume.PersistenceProblem} " +
                $"Attach a persistent volume at {volume.DataDirectory} (Railway: add a volume with mount path {volume.DataDirectory}), " +
                "or set Storage__AllowEphemeral=true if you knowingly accept losing the data.";
            logger.LogCritical("{StorageProblem} Refusing to start: {DatabasePath}", volume.PersistenceProblem, volume.DatabasePath);
            throw new StorageNotSafeException(message);
        }

        logger.LogWarning(
            "STORAGE IS NOT PERSISTENT: {StorageProblem} Database {DatabasePath}. Allowed because environment is {Environment} / AllowEphemeral={AllowEphemeral}.",
            volume.PersistenceProblem, volume.DatabasePath, environment.EnvironmentName, storageOptions.Value.AllowEphemeral);
        return volume;
    }
}
