using Campaigns.Api.Backups;
using Campaigns.Api.Storage;
using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Jobs;

/// <summary>
/// The Hangfire server, started once the host has started, i.e. after the startup sequence has checked the volume,
/// migrated and topped up (the host waits for it), and once the service has answered its first request
/// (<see cref="AfterFirstAnswer"/>): opening the job storage and starting the server's threads are not needed for a
/// deploy's first 200. In order: jobs a previous process left unfinished are settled, the server starts fetching, and
/// the recurring jobs are (re)registered, which also rebuilds them in a new hangfire.db. A failure stops the service,
/// as it did when this ran before "Application started".
/// </summary>
internal sealed class JobServer(
    IServiceProvider services,
    JobStorage storage,
    DatabaseTarget database,
    IOptions<JobsOptions> jobs,
    IOptions<BackupOptions> backups,
    AfterFirstAnswer afterFirstAnswer,
    IHostApplicationLifetime lifetime,
    ILogger<JobServer> logger) : IHostedLifecycleService, IDisposable
{
    public const string BackupJobId = "backup-database";
    public const string CleanupJobId = "cleanup";

    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _start = Task.CompletedTask;
    private BackgroundJobServer? _server;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _start = StartAfterFirstAnswerAsync();
        return Task.CompletedTask;
    }

    /// <summary>For a reader of what the server's start writes (the dashboard's recurring jobs): starts it now, waits at most 30 s.</summary>
    public Task WhenStartedAsync(CancellationToken cancellationToken) =>
        afterFirstAnswer.ReleaseAndWaitAsync(_started.Task, TimeSpan.FromSeconds(30), cancellationToken);

    private async Task StartAfterFirstAnswerAsync()
    {
        try
        {
            await afterFirstAnswer.WaitAsync(_stopping.Token);
            Start();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped before the server started: there is nothing to stop.
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "The job server did not start: {Reason}; stopping the service", ex.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    // Hangfire's job client, recurring-job manager and filters are resolved here, when the server starts, not when the
    // host builds its hosted services before the first 200.
    private void Start()
    {
        services.GetRequiredService<InterruptedJobs>().Recover(exclusive: database.Provider == DatabaseProvider.Sqlite);
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
        var recurring = services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<CampaignJobs>(BackupJobId, j => j.ScheduledBackupAsync(null, CancellationToken.None), backups.Value.Schedule, utc);
        recurring.AddOrUpdate<CampaignJobs>(CleanupJobId, j => j.Cleanup(), Cron.Hourly(), utc);
        services.GetRequiredService<RestoreDrillScheduling>().Register(recurring, utc);
        _started.TrySetResult();
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _start.WaitAsync(cancellationToken);
        _server?.SendStop();
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

    public void Dispose()
    {
        _server?.Dispose();
        _stopping.Dispose();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
