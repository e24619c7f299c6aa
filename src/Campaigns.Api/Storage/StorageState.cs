using Campaigns.Api.Seeding;

namespace Campaigns.Api.Storage;

/// <summary>What the startup sequence found and did, kept for the health report.</summary>
public sealed class StorageState
{
    private VolumeStatus? _volume;
    private TopUpSummary? _lastTopUp;

    public VolumeStatus? Volume
    {
        get => Volatile.Read(ref _volume);
        set => Volatile.Write(ref _volume, value);
    }

    public TopUpSummary? LastTopUp
    {
        get => Volatile.Read(ref _lastTopUp);
        set => Volatile.Write(ref _lastTopUp, value);
    }

    public bool Ready { get; set; }
}
