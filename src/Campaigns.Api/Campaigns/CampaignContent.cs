using Campaigns.Api.Storage;

namespace Campaigns.Api.Campaigns;

/// <summary>
/// What a campaign says, whoever writes it down: the API's request and response, the canonical seed, a snapshot. Each
/// of those is this record plus what only it carries (an id, times, where it came from), so the fields, their defaults
/// and their copying to and from the entity live here once.
/// </summary>
public record CampaignContent
{
    public CampaignContent()
    {
    }

    protected CampaignContent(Campaign campaign)
    {
        Key = campaign.Key;
        Name = campaign.Name;
        Property = campaign.Property;
        Active = campaign.Active;
        Description = campaign.Description;
        OfferUrl = campaign.OfferUrl;
        ImageUrl = campaign.ImageUrl;
        CallToAction = campaign.CallToAction;
        Priority = campaign.Priority;
    }

    /// <summary>Stable slug; the canonical seed and every import match campaigns by it.</summary>
    public string Key { get; init; } = "";

    public string Name { get; init; } = "";
    public string Property { get; init; } = "";
    public bool Active { get; init; } = true;
    public string Description { get; init; } = "";
    public string OfferUrl { get; init; } = "";
    public string ImageUrl { get; init; } = "";
    public string CallToAction { get; init; } = "";
    public int Priority { get; init; }

    /// <summary>The content alone, for comparing two campaigns by what they say.</summary>
    public static CampaignContent Of(Campaign campaign) => new(campaign);

    /// <summary>Writes the content, key included, onto an entity; its id, source and times are the caller's.</summary>
    public void ApplyTo(Campaign campaign)
    {
        campaign.Key = Key;
        campaign.Name = Name;
        campaign.Property = Property;
        campaign.Active = Active;
        campaign.Description = Description;
        campaign.OfferUrl = OfferUrl;
        campaign.ImageUrl = ImageUrl;
        campaign.CallToAction = CallToAction;
        campaign.Priority = Priority;
    }

    public Campaign ToEntity(CampaignSource source, DateTime createdAt, DateTime updatedAt)
    {
        var campaign = new Campaign { Key = Key, Name = Name, Property = Property, Source = source, CreatedAt = createdAt, UpdatedAt = updatedAt };
        ApplyTo(campaign);
        return campaign;
    }
}
