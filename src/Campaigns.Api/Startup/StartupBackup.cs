using Campaigns.Api.Backups;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Startup;

/// <summary>
/// The backup every start takes of the data it found. When a migration is about to change the schema it runs first, so
/// the old schema's data is saved exactly as it was; otherwise it runs once the service is ready and has answered its
/// first request (<see cref="AfterFirstAnswer"/>), in the background, so a redeploy's downtime no longer includes
/// copying the database (seconds on a gigabyte).
/// </summary>
public sealed class StartupBackup(BackupService backups, AfterFirstAnswer afterFirstAnswer, IHostApplicationLifetime lifetime, ILogger<StartupBackup> logger)
{
    private Task _background = Task.CompletedTask;

    /// <summary>The background backup, once started; complete when there is none. The host waits for it when stopping.</summary>
    public Task Completion => _background;

    public Task BeforeMigrationAsync(CancellationToken cancellationToken) => backups.TryCreateAsync(BackupTrigger.Startup, cancellationToken);

    public void StartAfterReady() => _background = Task.Run(async () =>
    {
        try
        {
            await afterFirstAnswer.WaitAsync(lifetime.ApplicationStopping);
            await backups.TryCreateAsync(BackupTrigger.Startup, lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException)
        {
            // Its temporary file is removed by the next start's cleanup, like any interrupted backup's.
            logger.LogInformation("The startup backup was cancelled: the service is stopping");
        }
    });
}
