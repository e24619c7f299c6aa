namespace Campaigns.Api.Storage;

/// <summary>Column sizes, shared by the EF model and the validators so the two can never disagree.</summary>
public static class CampaignLimits
{
    public const int KeyLength = 64;
    public const int NameLength = 120;
    public const int PropertyLength = 32;
    public const int DescriptionLength = 2000;
    public const int UrlLength = 2048;
    public const int CallToActionLength = 120;
}
