using Campaigns.Api.Backups;
using Campaigns.Api.Storage;
using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Jobs;

/// <summary>
/// The Hangfire server, started once the host has started, i.e. after the startup sequence has checked the volume,
/// migrated and topped up (the host waits for it). In order: jobs a previous process left unfinished are settled,
/// the server starts fetching, and the recurring jobs are (re)registered, which also rebuilds them in a new hangfire.db.
/// </summary>
internal sealed class JobServer(
    IServiceProvider services,
    JobStorage storage,
    DatabaseTarget database,
    InterruptedJobs interrupted,
    IRecurringJobManager recurring,
    IOptions<JobsOptions> jobs,
    IOptions<BackupOptions> backups,
    RestoreDrillScheduling drills,
    ILogger<JobServer> logger) : IHostedLifecycleService, IDisposable
{
    public const string BackupJobId = "backup-database";
    public const string CleanupJobId = "cleanup";

    private BackgroundJobServer? _server;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        interrupted.Recover(exclusive: database.Provider == DatabaseProvider.Sqlite);
        var options = new BackgroundJobServerOptions
        {
            WorkerCount = jobs.Value.WorkerCount,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            ServerTimeout = TimeSpan.FromMinutes(1),
            ServerCheckInterval = TimeSpan.FromMinutes(1),
            // Hangfire's statics (JobActivator.Current, the global filter provider) are process-wide; tests run several
            // hosts at once, so each server takes this host's own activator and filters.
            Activator = services.GetRequiredService<JobActivator>(),
            FilterProvider = services.GetRequiredService<IJobFilterProvider>(),
        };
        _server = new BackgroundJobServer(options, storage, services.GetServices<IBackgroundProcess>());

        var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        recurring.AddOrUpdate<CampaignJobs>(BackupJobId, j => j.ScheduledBackupAsync(null, CancellationToken.None), backups.Value.Schedule, utc);
        recurring.AddOrUpdate<CampaignJobs>(CleanupJobId, j => j.Cleanup(), Cron.Hourly(), utc);
        drills.Register(recurring, utc);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _server?.SendStop();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Running jobs see their cancellation token and get ShutdownTimeout to finish; what is still running is requeued.
        if (_server is { } server)
        {
            try
            {
                await server.WaitForShutdownAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                logger.LogWarning("The job server did not stop before the host's shutdown timeout");
            }
            catch (ObjectDisposedException)
            {
                // Already shut down and disposed (seen once in the test suite, a host stopped a second after it started):
                // there is nothing left to wait for, and the rest of the stop must still run.
            }
        }
    }

    public void Dispose() => _server?.Dispose();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
