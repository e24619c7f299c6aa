namespace Campaigns.Api.Backups;

/// <summary>
/// The sidecar <c>&lt;backup&gt;.json</c> written next to every backup. The sidecars are the catalog: they live on the
/// volume with the files, so they survive the loss of the database.
/// </summary>
public sealed record BackupEntry(
    string Name,
    DateTimeOffset CreatedAt,
    long SizeBytes,
    string Sha256,
    string SourcePath,
    string BackupPath,
    BackupTrigger Trigger,
    string SchemaVersion,
    int ActiveCampaigns,
    int TotalCampaigns,
    bool Verified)
{
    /// <summary>Good enough for recovery: verified, and it held at least the expected active campaigns.</summary>
    public bool IsGood(int expectedActive) => Verified && ActiveCampaigns >= expectedActive;
}
