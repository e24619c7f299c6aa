using System.Text.Json.Serialization;
using Campaigns.Api.Common;

namespace Campaigns.Api.Campaigns;

/// <summary>A campaign as the API returns it: its content between its id and its origin and times.</summary>
public sealed record CampaignDto : CampaignContent
{
    public CampaignDto()
    {
    }

    private CampaignDto(Campaign campaign)
        : base(campaign)
    {
        Id = campaign.Id;
        Source = campaign.Source.ToWire();
        CreatedAt = DateTime.SpecifyKind(campaign.CreatedAt, DateTimeKind.Utc);
        UpdatedAt = DateTime.SpecifyKind(campaign.UpdatedAt, DateTimeKind.Utc);
    }

    [JsonPropertyOrder(-1)]
    public int Id { get; init; }

    [JsonPropertyOrder(1)]
    public string Source { get; init; } = "user";

    [JsonPropertyOrder(1)]
    public DateTime CreatedAt { get; init; }

    [JsonPropertyOrder(1)]
    public DateTime UpdatedAt { get; init; }

    public static CampaignDto From(Campaign campaign) => new(campaign);
}

/// <summary>Body of POST and PUT. Everything but the key and name has a sensible default.</summary>
public sealed record CampaignRequest : CampaignContent
{
    public CampaignRequest()
    {
    }

    public CampaignRequest(CampaignContent content)
        : base(content)
    {
    }
}
