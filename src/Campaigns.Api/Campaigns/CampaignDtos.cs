namespace Campaigns.Api.Campaigns;

public sealed record CampaignDto(
    int Id,
    string Key,
    string Name,
    string Property,
    bool Active,
    string Description,
    string OfferUrl,
    string ImageUrl,
    string CallToAction,
    int Priority,
    string Source,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static CampaignDto From(Campaign c) =>
        new(c.Id, c.Key, c.Name, c.Property, c.Active, c.Description, c.OfferUrl, c.ImageUrl, c.CallToAction, c.Priority,
            c.Source == CampaignSource.Canonical ? "canonical" : "user",
            DateTime.SpecifyKind(c.CreatedAt, DateTimeKind.Utc), DateTime.SpecifyKind(c.UpdatedAt, DateTimeKind.Utc));
}

/// <summary>Body of POST and PUT. Everything but the key and name has a sensible default.</summary>
public sealed record CampaignRequest
{
    public string Key { get; init; } = "";
    public string Name { get; init; } = "";
    public string Property { get; init; } = "";
    public bool Active { get; init; } = true;
    public string Description { get; init; } = "";
    public string OfferUrl { get; init; } = "";
    public string ImageUrl { get; init; } = "";
    public string CallToAction { get; init; } = "";
    public int Priority { get; init; }
}
