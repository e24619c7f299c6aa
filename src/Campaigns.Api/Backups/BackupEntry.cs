namespace Campaigns.Api.Backups;

/// <summary>
/// The sidecar <c>&lt;backup&gt;.json</c> written next to every backup. The sidecars are the catalog: they live on the
/// volume with the files, so they survive the loss of the database. <see cref="Sha256"/> is null only for a
/// pre-restore backup in the moment after its restore, while its bytes are hashed (or when a stop came first): its
/// bytes are the database as it was, so it is published at once, unverified.
/// </summary>
public sealed record BackupEntry(
    string Name,
    DateTimeOffset CreatedAt,
    long SizeBytes,
    string? Sha256,
    string SourcePath,
    string BackupPath,
    BackupTrigger Trigger,
    string SchemaVersion,
    int ActiveCampaigns,
    int TotalCampaigns,
    bool Verified,
    RestoreDrillOutcome? LastDrill = null,
    DateTimeOffset? RestoredAt = null)
{
    /// <summary>
    /// When what it holds was last the live state: when it was taken, or when it was last restored (the live data then
    /// is this backup plus the top-up, newer than the pre-restore backup taken just before, which holds what the admin
    /// rejected). Recovery, rotation and "latest" go by this, so a restore never needs a second copy of the database.
    /// </summary>
    public DateTimeOffset StateAt => RestoredAt is { } restored && restored > CreatedAt ? restored : CreatedAt;

    /// <summary>Good enough for recovery: verified, and it held at least the expected active campaigns.</summary>
    public bool IsGood(int expectedActive) => Verified && ActiveCampaigns >= expectedActive;
}
