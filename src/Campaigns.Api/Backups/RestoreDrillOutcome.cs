namespace Campaigns.Api.Backups;

/// <summary>
/// What the last restore drill of a backup found, kept in the backup's sidecar: a backup that was never restored is not
/// yet a backup.
/// </summary>
public sealed record RestoreDrillOutcome(
    DateTimeOffset At,
    bool Ok,
    string? Problem,
    int ActiveCampaigns,
    int TotalCampaigns,
    long DurationMs);
