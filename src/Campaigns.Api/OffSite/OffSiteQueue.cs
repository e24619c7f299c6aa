using System.Collections.Concurrent;

namespace Campaigns.Api.OffSite;

public sealed record QueuedEntry(string Key, JournalEntry Entry)
{
    public DateTimeOffset At => Entry.At;
}

/// <summary>Async mode: journal entries committed locally and not yet in the store, oldest first.</summary>
public sealed class OffSiteQueue : JournalEntryQueue;

/// <summary>Sync mode: journal entries already stored one by one, oldest first, waiting to be compacted into a batch.</summary>
public sealed class OffSiteCompactionQueue : JournalEntryQueue
{
    /// <summary>Beyond this (the store took single entries but refuses batches) the oldest stay single: a restore reads them one by one.</summary>
    private const int Bound = 20_000;

    public void Stored(QueuedEntry entry)
    {
        Enqueue(entry);
        if (Count > Bound)
        {
            Remove(1);
        }
    }
}

public abstract class JournalEntryQueue
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

    /// <summary>
    /// The oldest entries that can go as one object: of one lineage, at most <paramref name="max"/> of them, none
    /// more than <paramref name="span"/> after the first (a restore replays a little before a snapshot, not hours).
    /// Empty when nothing is queued. The queue has one reader (the shipper), so what this returns is still at the front
    /// when it calls <see cref="Remove"/>.
    /// </summary>
    public List<QueuedEntry> PeekBatch(int max, TimeSpan span)
    {
        var batch = new List<QueuedEntry>();
        foreach (var entry in _entries)
        {
            if (batch.Count == max || (batch.Count > 0 && (entry.Entry.Lineage != batch[0].Entry.Lineage || entry.At - batch[0].At > span)))
            {
                break;
            }

            batch.Add(entry);
        }

        return batch;
    }

    public void Remove(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _entries.TryDequeue(out _);
        }
    }

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
