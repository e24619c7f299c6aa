namespace Campaigns.Api.Seeding;

/// <summary>What the last top-up did (at startup, after a restore, on request), kept for the health report.</summary>
public sealed class SeedingState
{
    private TopUpSummary? _lastTopUp;

    public TopUpSummary? LastTopUp
    {
        get => Volatile.Read(ref _lastTopUp);
        set => Volatile.Write(ref _lastTopUp, value);
    }
}
