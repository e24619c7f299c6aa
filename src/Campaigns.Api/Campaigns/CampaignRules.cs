using Campaigns.Api.Storage;
using FluentValidation;

namespace Campaigns.Api.Campaigns;

/// <summary>Field rules shared by the API's request validator and the canonical file's validator.</summary>
public static partial class CampaignRules
{
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial System.Text.RegularExpressions.Regex Slug();

    public static IRuleBuilderOptions<T, string> CampaignKey<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty()
            .MaximumLength(CampaignLimits.KeyLength)
            .Matches(Slug()).WithErrorCode("LowercaseSlug").WithMessage("'{PropertyName}' must be a lowercase slug: letters, digits and single dashes (for example 'trading-tips').");

    public static IRuleBuilderOptions<T, string> CampaignProperty<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty()
            .MaximumLength(CampaignLimits.PropertyLength)
            .Matches(Slug()).WithErrorCode("SiteCode").WithMessage("'{PropertyName}' must be a lowercase site code such as 'mmm'.");

    public static IRuleBuilderOptions<T, string> AbsoluteHttpUrl<T>(this IRuleBuilder<T, string> rule) =>
        rule.MaximumLength(CampaignLimits.UrlLength)
            .Must(value => string.IsNullOrEmpty(value) || IsAbsoluteHttpUrl(value))
            .WithErrorCode("AbsoluteHttpUrl")
            .WithMessage("'{PropertyName}' must be an absolute http or https URL.");

    public static bool IsAbsoluteHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
