namespace Campaigns.Api.OffSite;

/// <summary>
/// Asks the store whether it answers when /health is read, at most every <see cref="Every"/>: an idle service (no write,
/// nothing queued) would otherwise not notice a store that went away until the next write is refused. A quick,
/// bounded call (one-key listing), so a store that hangs cannot hold /health up.
/// </summary>
public sealed class OffSiteProbe(OffSiteStore store, OffSiteStatus status, TimeProvider time)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly Lock _lock = new();
    private DateTimeOffset _last = DateTimeOffset.MinValue;

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (now - _last < Every)
            {
                return;
            }

            _last = now;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Timeout);
        try
        {
            await store.ProbeAsync(bounded.Token);
            status.Answered();
        }
        catch (OffSiteStoreException ex)
        {
            status.Failed(ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            status.Failed($"The store {store.Name} did not answer within {Timeout.TotalSeconds:F0} s.");
        }
    }
}
