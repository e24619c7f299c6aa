using System.Text.Json.Serialization;
using Campaigns.Api.Common;

namespace Campaigns.Api.Storage;

public sealed class Campaign
{
    public int Id { get; set; }

    /// <summary>Stable slug; the canonical seed and every import match campaigns by it.</summary>
    public required string Key { get; set; }

    public required string Name { get; set; }
    public required string Property { get; set; }
    public bool Active { get; set; } = true;
    public string Description { get; set; } = "";
    public string OfferUrl { get; set; } = "";
    public string ImageUrl { get; set; } = "";
    public string CallToAction { get; set; } = "";
    public int Priority { get; set; }
    public CampaignSource Source { get; set; } = CampaignSource.User;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Who a campaign belongs to; "user" or "canonical" in responses and snapshots.</summary>
[JsonConverter(typeof(WireEnumConverter<CampaignSource>))]
public enum CampaignSource
{
    User = 0,
    Canonical = 1,
}
