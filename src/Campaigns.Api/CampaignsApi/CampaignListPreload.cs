using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;

namespace Campaigns.Api.CampaignsApi;

/// <summary>
/// Once the host has started (the startup sequence is done) and the service has answered its first request
/// (<see cref="AfterFirstAnswer"/>), the first page of the list is loaded into the cache on a thread of its own at low
/// priority. On a redeploy the path to ready reads with plain
/// commands, so this is the start's first use of EF Core (its internal services, the list query's compilation): done
/// here, the platform's health probes are served first and the first reader does not wait for it.
/// </summary>
internal sealed class CampaignListPreload(
    IServiceProvider services,
    AfterFirstAnswer afterFirstAnswer,
    IHostApplicationLifetime lifetime,
    ILogger<CampaignListPreload> logger) : IHostedLifecycleService
{
    private Task _preload = Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _preload = PreloadAfterFirstAnswerAsync();
        return Task.CompletedTask;
    }

    private async Task PreloadAfterFirstAnswerAsync()
    {
        try
        {
            await afterFirstAnswer.WaitAsync(lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException)
        {
            return; // stopped before anyone asked: nothing to warm
        }

        await LowPriority.Run(() =>
        {
            try
            {
                // SQLite's async calls complete synchronously, so this holds the low-priority thread, not the pool's.
                CampaignsApi.PreloadFirstPageAsync(services, lifetime.ApplicationStopping).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Only a head start: the first request loads the page itself.
                logger.LogInformation("The campaign list was not preloaded after the start: {Reason}", ex.Message);
            }

            return true;
        }, "campaigns-preload");
    }

    /// <summary>A preload still running sees the stopping token; waiting keeps it from outliving the container.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _preload.WaitAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
