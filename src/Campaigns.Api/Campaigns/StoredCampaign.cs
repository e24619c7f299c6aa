using System.Text.Json.Serialization;
using Campaigns.Api.Common;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Campaigns;

/// <summary>A campaign's content with what the database adds to it: its id, its origin and its times (responses, snapshots).</summary>
public abstract record StoredCampaign : CampaignContent
{
    protected StoredCampaign()
    {
    }

    protected StoredCampaign(Campaign campaign)
        : base(campaign)
    {
        Id = campaign.Id;
        Source = campaign.Source.ToWire();
        CreatedAt = DateTime.SpecifyKind(campaign.CreatedAt, DateTimeKind.Utc);
        UpdatedAt = DateTime.SpecifyKind(campaign.UpdatedAt, DateTimeKind.Utc);
    }

    /// <summary>Links and integrations use it; a restore keeps it, an import matches by key instead. 0 when unknown.</summary>
    [JsonPropertyOrder(-1)]
    public int Id { get; init; }

    /// <summary>"user" or "canonical".</summary>
    [JsonPropertyOrder(1)]
    public string Source { get; init; } = "user";

    [JsonPropertyOrder(1)]
    public DateTime CreatedAt { get; init; }

    [JsonPropertyOrder(1)]
    public DateTime UpdatedAt { get; init; }
}
