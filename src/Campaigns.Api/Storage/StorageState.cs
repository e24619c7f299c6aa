namespace Campaigns.Api.Storage;

/// <summary>What the startup sequence found and did, kept for the health report.</summary>
public sealed class StorageState
{
    private VolumeStatus? _volume;

    public VolumeStatus? Volume
    {
        get => Volatile.Read(ref _volume);
        set => Volatile.Write(ref _volume, value);
    }

    private volatile bool _ready;

    /// <summary>Set once the startup sequence has finished; requests other than the health probes wait for it.</summary>
    public bool Ready
    {
        get => _ready;
        set
        {
            ReadyAt = value ? DateTimeOffset.UtcNow : null;
            _ready = value;
        }
    }

    /// <summary>When the startup sequence finished: the job server registers itself in the seconds around it.</summary>
    public DateTimeOffset? ReadyAt { get; private set; }
}
