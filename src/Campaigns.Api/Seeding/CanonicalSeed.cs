namespace Campaigns.Api.Seeding;

/// <summary>The versioned file in seed-data/: the campaigns that must always be there, and those that must never return.</summary>
public sealed record CanonicalSeed
{
    public int Version { get; init; }
    public int ExpectedActive { get; init; }
    public IReadOnlyList<RetiredCampaign> Retired { get; init; } = [];
    public IReadOnlyList<CanonicalCampaign> Campaigns { get; init; } = [];
}

public sealed record RetiredCampaign
{
    public string Key { get; init; } = "";
    public string Name { get; init; } = "";
    public string Reason { get; init; } = "";
}

public sealed record CanonicalCampaign
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
