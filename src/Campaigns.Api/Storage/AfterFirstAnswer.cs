using Microsoft.Extensions.Options;

namespace Campaigns.Api.Storage;

/// <summary>
/// Holds back what a start does once it is ready (the startup backup, the job server, the list's preload) until the
/// service has answered its first request as ready. On a redeploy that request is the platform's health probe, and
/// the deploy goes live (the users' downtime ends) only once it is answered: until then the cores are the probe's
/// (docs/benchmarks.md, issue 12). Without any request (no health check configured) the work waits at most
/// <c>Storage:FirstAnswerWaitMilliseconds</c> (a second); a request that needs the held-back work itself (a job's
/// status) releases it at once.
/// </summary>
public sealed class AfterFirstAnswer(IOptions<StorageOptions> options)
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReleased => _released.Task.IsCompleted;

    public void Release() => _released.TrySetResult();

    /// <summary>
    /// For a request that reads what the held-back work writes: that request is an answer itself, so the work is
    /// released now rather than after it, and the request waits (at most <paramref name="atMost"/>) for
    /// <paramref name="done"/>.
    /// </summary>
    public Task ReleaseAndWaitAsync(Task done, TimeSpan atMost, CancellationToken cancellationToken)
    {
        Release();
        return Task.WhenAny(done, Task.Delay(atMost, cancellationToken));
    }

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _released.Task.WaitAsync(TimeSpan.FromMilliseconds(options.Value.FirstAnswerWaitMilliseconds), cancellationToken);
        }
        catch (TimeoutException)
        {
            // Nobody asked within the wait: go ahead, the service is ready either way.
        }
    }
}
