using Hangfire.Server;

namespace Campaigns.Tests.Infrastructure;

/// <summary>
/// Holds jobs "processing" deterministically (no sleeps): a Hangfire server filter the test host registers in its
/// container, which the service adds to its own job filters. Open unless a test holds it.
/// </summary>
public sealed class JobGate : IServerFilter
{
    private volatile TaskCompletionSource? _held;

    /// <summary>Jobs that start from now on wait in "processing" until the returned handle is disposed.</summary>
    public IDisposable Hold()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _held = held;
        return new Release(this, held);
    }

    public void OnPerforming(PerformingContext context) => _held?.Task.Wait(TimeSpan.FromMinutes(2));

    public void OnPerformed(PerformedContext context)
    {
    }

    private sealed class Release(JobGate gate, TaskCompletionSource held) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.CompareExchange(ref gate._held, null, held);
            held.TrySetResult();
        }
    }
}
