namespace Campaigns.Api.Storage;

/// <summary>One row per reseed, so "who put these campaigns back, and from which file" is always answerable.</summary>
public sealed class SeedHistoryEntry
{
    public int Id { get; set; }
    public int SeedVersion { get; set; }
    public required string FileSha256 { get; set; }
    public required string Trigger { get; set; }
    public int Inserted { get; set; }
    public int Reactivated { get; set; }
    public int Removed { get; set; }
    public DateTime At { get; set; }
}
