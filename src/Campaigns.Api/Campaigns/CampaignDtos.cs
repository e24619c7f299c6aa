using Campaigns.Api.Storage;

namespace Campaigns.Api.Campaigns;

/// <summary>A campaign as the API returns it: its content between its id and its origin and times.</summary>
public sealed record CampaignDto : StoredCampaign
{
    public CampaignDto()
    {
    }

    private CampaignDto(Campaign campaign)
        : base(campaign)
    {
    }

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
