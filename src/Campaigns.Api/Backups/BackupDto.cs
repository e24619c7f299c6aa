namespace Campaigns.Api.Backups;

/// <summary>What the admin API shows for a backup (no server paths). <c>sha256</c> is null only in the moment after a
/// restore, while the pre-restore backup is hashed.</summary>
public sealed record BackupDto(
    string Name,
    DateTimeOffset CreatedAt,
    long SizeBytes,
    string? Sha256,
    BackupTrigger Trigger,
    string SchemaVersion,
    int ActiveCampaigns,
    bool Verified,
    string DownloadUrl,
    DateTimeOffset? RestoredAt)
{
    public static BackupDto From(BackupEntry entry) =>
        new(entry.Name, entry.CreatedAt, entry.SizeBytes, entry.Sha256, entry.Trigger, entry.SchemaVersion, entry.ActiveCampaigns,
            entry.Verified, $"/api/admin/backups/{entry.Name}", entry.RestoredAt);
}
