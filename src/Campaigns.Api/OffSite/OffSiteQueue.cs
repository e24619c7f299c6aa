using System.Collections.Concurrent;

namespace Campaigns.Api.OffSite;

public sealed record QueuedEntry(string Key, byte[] Body, DateTimeOffset At);

/// <summary>Async mode: journal entries committed locally and not yet in the store, oldest first.</summary>
public sealed class OffSiteQueue
{
    private readonly ConcurrentQueue<QueuedEntry> _entries = new();
    private readonly SemaphoreSlim _signal = new(0);

    public int Count => _entries.Count;

    public DateTimeOffset? Oldest => _entries.TryPeek(out var oldest) ? oldest.At : null;

    public void Enqueue(QueuedEntry entry)
    {
        _entries.Enqueue(entry);
        _signal.Release();
    }

    public bool TryPeek(out QueuedEntry entry) => _entries.TryPeek(out entry!);

    public void Remove() => _entries.TryDequeue(out _);

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _signal.WaitAsync(timeout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
