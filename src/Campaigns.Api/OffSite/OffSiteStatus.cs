namespace Campaigns.Api.OffSite;

/// <summary>
/// What the off-site copies did last, for /health and the dashboard. Never holds a credential. The async queue is read
/// as it is now: an entry counts as pending from its commit, not from the shipper's next pass a second later.
/// </summary>
public sealed class OffSiteStatus(TimeProvider time, OffSiteQueue queue)
{
    private readonly object _lock = new();
    private DateTimeOffset? _lastUpload;
    private string? _lastUploadKey;
    private DateTimeOffset? _lastSnapshot;
    private DateTimeOffset? _lastErrorAt;
    private string? _lastError;
    private int _entriesSinceSnapshot;

    /// <summary>Why the service is not ready yet (waiting for the store on an empty volume), or null.</summary>
    public string? StartupBlockedBy { get; set; }

    /// <summary>
    /// Set by the startup sequence until it is done: nothing has been answered yet, so a journal entry the store cannot
    /// take then (the top-up of an empty start the operator allowed) is queued for the shipper instead of failing the start.
    /// </summary>
    public bool Starting { get; set; }

    /// <summary>A snapshot is owed (one after a restore failed, or the lineage has none yet).</summary>
    public bool SnapshotWanted { get; set; }

    public void Uploaded(string key)
    {
        lock (_lock)
        {
            _lastUpload = time.GetUtcNow();
            _lastUploadKey = key;
            _lastError = null;
            _entriesSinceSnapshot++;
        }
    }

    public void Snapshotted(string key)
    {
        lock (_lock)
        {
            _lastUpload = _lastSnapshot = time.GetUtcNow();
            _lastUploadKey = key;
            _lastError = null;
            _entriesSinceSnapshot = 0;
            SnapshotWanted = false;
        }
    }

    /// <summary>
    /// What the last refused write was told: the commit hook can only veto (SQLite raises a bare constraint error), so the
    /// exception handler takes the explanation from here.
    /// </summary>
    public string? LastRefusal { get; private set; }

    public void Refused(string explanation, string error)
    {
        LastRefusal = explanation;
        Failed(error);
    }

    /// <summary>The store answered a probe: an earlier failure is over (what failed was retried or refused meanwhile).</summary>
    public void Answered()
    {
        lock (_lock)
        {
            _lastError = null;
        }
    }

    public void Failed(string error)
    {
        lock (_lock)
        {
            _lastError = error;
            _lastErrorAt = time.GetUtcNow();
        }
    }

    public OffSiteStatusSnapshot Read()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            return new OffSiteStatusSnapshot(_lastUpload, _lastUploadKey, _lastSnapshot, _lastError, _lastErrorAt, queue.Count,
                queue.Oldest is { } oldest ? now - oldest : TimeSpan.Zero, _entriesSinceSnapshot, StartupBlockedBy);
        }
    }
}

public sealed record OffSiteStatusSnapshot(
    DateTimeOffset? LastUpload, string? LastUploadKey, DateTimeOffset? LastSnapshot, string? LastError, DateTimeOffset? LastErrorAt,
    int Pending, TimeSpan Lag, int EntriesSinceSnapshot, string? StartupBlockedBy);
