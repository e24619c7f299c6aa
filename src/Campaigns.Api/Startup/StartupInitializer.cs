using Campaigns.Api.Backups;
using Campaigns.Api.Common;
using Campaigns.Api.Doctor;
using Campaigns.Api.Restores;
using Campaigns.Api.Seeding;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Startup;

/// <summary>
/// Begins as soon as the host is built and runs while the host starts and the server starts listening, and the host
/// waits for it: a deploy only goes live (Railway waits for /health 200) once the volume is checked (SQLite only), the
/// schema is migrated and the canonical campaigns are in place. Until then <see cref="StartupGate"/> answers 503 and
/// /health reports Unhealthy; a failure here still stops the process. The settings and the volume are checked first,
/// and the host waits for that before any hosted service starts, so before the server listens: a refusal stops the
/// start before "Now listening". On PostgreSQL the data lives in the server, so a local volume is neither needed nor
/// checked.
/// </summary>
public sealed class StartupInitializer(
    IServiceScopeFactory scopes,
    DataDirectory dataDirectory,
    DatabaseTarget database,
    LiveSchema liveSchema,
    StorageState state,
    SeedingState seeding,
    IOptions<StorageOptions> storageOptions,
    IOptions<BackupOptions> backupOptions,
    IConfiguration configuration,
    IHostEnvironment environment,
    IStartupValidator startupValidator,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<StartupInitializer> logger) : IHostedLifecycleService
{
    private readonly Lock _beginning = new();
    private Task? _volumeChecked;
    private Task? _initialized;

    // Resolved when a backup is due rather than with this service: its graph (the backup writer, its verifier and the
    // request validator, which compiles its rules) is CPU on the startup sequence's path to ready, and a redeploy's
    // backup runs after ready (docs/benchmarks.md, issue 12).
    private StartupBackup? _startupBackup;

    /// <summary>
    /// Starts the settings' validation, the volume check and then the startup sequence on another thread, now: called
    /// right after the host is built, while the main thread still builds the request pipeline and starts the host on
    /// one core and the other is idle (docs/benchmarks.md, issue 12). The host's lifecycle below waits for both parts
    /// as it did when it started them itself, so a bad setting or a refusal still stops the start before the server
    /// listens. Without a call (a host driven by a test) the lifecycle starts them.
    /// </summary>
    public void Begin()
    {
        lock (_beginning)
        {
            if (_initialized is not null)
            {
                return;
            }

            // Task.Run: SQLite's async calls complete synchronously, and the caller must not wait for any of it here.
            _volumeChecked = Task.Run(() =>
            {
                startupValidator.Validate();
                if (database.Provider == DatabaseProvider.Sqlite)
                {
                    state.Volume = CheckVolume();
                }
            });
            _initialized = InitializeAfterAsync(_volumeChecked);
        }
    }

    /// <summary>A bad setting or a refused volume is reported by <see cref="StartingAsync"/>, which stops the host; nothing further runs.</summary>
    private async Task InitializeAfterAsync(Task volumeChecked)
    {
        await volumeChecked.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (volumeChecked.IsCompletedSuccessfully)
        {
            await InitializeAsync(lifetime.ApplicationStopping);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        Begin();
        return _volumeChecked!.WaitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Begin();
        return _initialized!.WaitAsync(cancellationToken);
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Database provider {DatabaseProvider} at {DatabaseLocation} (chosen by {ChosenBy})",
            database.ProviderName, database.Location, database.ChosenBy);

        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await services.GetRequiredService<OffSiteStartup>().BeforeRecoveryAsync(cancellationToken);
        // Before migrations: bring back a missing or corrupt database from a backup.
        var backupDue = await services.GetRequiredService<DatabaseRecovery>().RecoverAsync(cancellationToken);

        if (database.Provider == DatabaseProvider.Sqlite)
        {
            SqliteFile.CreateInWalMode(database.FilePath!, storageOptions.Value.BusyTimeoutSeconds);
        }

        // EF's migrator (and its first use) only when the history table says a migration is pending.
        var applied = await liveSchema.AppliedAsync(cancellationToken);
        if (LiveSchema.Pending(database.Provider, applied).Count == 0)
        {
            DatabaseMigrator.LogUpToDate(logger, applied);
        }
        else
        {
            if (backupDue)
            {
                await StartupBackupFrom(services).BeforeMigrationAsync(cancellationToken);
                backupDue = false;
            }

            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        }

        seeding.LastTopUp = await services.GetRequiredService<CanonicalTopUp>().RunAsync(SeedTrigger.Startup, cancellationToken);
        await services.GetRequiredService<OffSiteStartup>().AfterTopUpAsync(cancellationToken);
        state.Ready = true;
        if (backupDue)
        {
            StartupBackupFrom(services).StartAfterReady();
        }
    }

    /// <summary>A startup backup still running is cancelled by the stopping host; waiting for it keeps its files consistent.</summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _startupBackup)?.Completion.WaitAsync(cancellationToken) ?? Task.CompletedTask;

    private StartupBackup StartupBackupFrom(IServiceProvider services)
    {
        var startupBackup = services.GetRequiredService<StartupBackup>();
        Volatile.Write(ref _startupBackup, startupBackup);
        return startupBackup;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The doctor's storage checks: a refusal names the real cause (a volume mounted elsewhere, an unwritable
    /// directory, no volume at all) and its fix; anything else short of ok is logged as a warning.
    /// </summary>
    private VolumeStatus CheckVolume()
    {
        var settings = StorageCheckSettings.From(configuration, environment.IsProduction(), storageOptions.Value.AllowEphemeral, backupOptions.Value.Keep);
        var (findings, volume) = StorageChecks.Run(dataDirectory, settings, time);
        logger.LogInformation(
            "Database {DatabasePath} (data directory chosen by {ChosenBy}); volume mounted {Mounted} at {MountPoint} ({FileSystemType}), persistent {Persistent}, writable {Writable}, free {FreeBytes} bytes, database exists {DatabaseExists}, checked at {CheckedAt}",
            volume.DatabasePath, volume.ChosenBy, volume.Mounted, volume.MountPoint, volume.FileSystemType, volume.Persistent,
            volume.Writable, volume.FreeBytes, volume.DatabaseExists, volume.CheckedAt);

        if (StorageChecks.Refusal(findings) is { } refusal)
        {
            var where = refusal.Check == StorageChecks.WritableCheck ? "Refusing to start" : $"Refusing to start in {environment.EnvironmentName}";
            throw new StorageNotSafeException($"{where}: {refusal.Detail} {refusal.Fix}");
        }

        foreach (var finding in findings.Where(f => f.State != DoctorState.Ok && f.Check != StorageChecks.VolumeCheck))
        {
            logger.LogWarning("Storage check {Check} is {State}: {Detail} {Fix}", finding.Check, finding.State.ToWire(), finding.Detail, finding.Fix);
        }

        if (!volume.Persistent)
        {
            logger.LogWarning(
                "STORAGE IS NOT PERSISTENT: {StorageProblem} Database {DatabasePath}. Allowed because environment is {Environment} / AllowEphemeral={AllowEphemeral}.",
                volume.PersistenceProblem, volume.DatabasePath, environment.EnvironmentName, storageOptions.Value.AllowEphemeral);
        }

        return volume;
    }
}
