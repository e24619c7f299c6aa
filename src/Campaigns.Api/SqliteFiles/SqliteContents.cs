namespace Campaigns.Api.SqliteFiles;

/// <summary>What a SQLite file holds: the newest migration applied, and its active and total campaigns.</summary>
public sealed record SqliteContents(string SchemaVersion, int ActiveCampaigns, int TotalCampaigns)
{
    public bool HoldsData => TotalCampaigns > 0;
}
