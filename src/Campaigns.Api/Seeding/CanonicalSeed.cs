using Campaigns.Api.Campaigns;

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

/// <summary>A campaign that must always be there; matched by key.</summary>
public sealed record CanonicalCampaign : CampaignContent;
