namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// When the live database's data was last found sound in this process: by the start's quick_check, by the seal of the
/// previous clean stop, or by the quick_check that runs on every backup's snapshot of it. A failed check clears it, so
/// a clean stop leaves no seal and the next start checks the whole file before it serves.
/// </summary>
public sealed class LiveDatabaseSoundness
{
    private readonly object _lock = new();
    private DateTimeOffset? _checkedAt;

    public DateTimeOffset? CheckedAt
    {
        get
        {
            lock (_lock)
            {
                return _checkedAt;
            }
        }
    }

    public void Passed(DateTimeOffset at)
    {
        lock (_lock)
        {
            _checkedAt = _checkedAt is { } earlier && earlier > at ? earlier : at;
        }
    }

    public void Failed()
    {
        lock (_lock)
        {
            _checkedAt = null;
        }
    }
}
