using Campaigns.Api.Campaigns;
using Campaigns.Api.Storage;
using FluentValidation;

namespace Campaigns.Api.Seeding;

public sealed class CanonicalSeedValidator : AbstractValidator<CanonicalSeed>
{
    public CanonicalSeedValidator()
    {
        RuleFor(s => s.Version).GreaterThan(0);
        RuleFor(s => s.ExpectedActive).GreaterThan(0);
        RuleFor(s => s.Campaigns).NotEmpty();
        RuleForEach(s => s.Retired).ChildRules(retired =>
        {
            retired.RuleFor(r => r.Key).NotEmpty();
            retired.RuleFor(r => r.Name).NotEmpty();
            retired.RuleFor(r => r.Reason).NotEmpty();
        });
        RuleForEach(s => s.Campaigns).ChildRules(campaign =>
        {
            campaign.RuleFor(c => c.Key).CampaignKey();
            campaign.RuleFor(c => c.Name).NotEmpty().MaximumLength(CampaignLimits.NameLength);
            campaign.RuleFor(c => c.Property).CampaignProperty();
            campaign.RuleFor(c => c.Description).MaximumLength(CampaignLimits.DescriptionLength);
            campaign.RuleFor(c => c.OfferUrl).NotEmpty().AbsoluteHttpUrl();
            campaign.RuleFor(c => c.ImageUrl).NotEmpty().AbsoluteHttpUrl();
            campaign.RuleFor(c => c.CallToAction).NotEmpty().MaximumLength(CampaignLimits.CallToActionLength);
            campaign.RuleFor(c => c.Priority).GreaterThanOrEqualTo(0);
        });

        RuleFor(s => s.Campaigns)
            .Must(campaigns => campaigns.Select(c => c.Key).Distinct(StringComparer.OrdinalIgnoreCase).Count() == campaigns.Count)
            .WithErrorCode("UniqueKeys")
            .WithMessage(s => $"Campaign keys must be unique; repeated: {string.Join(", ", Repeated(s.Campaigns.Select(c => c.Key)))}.");

        RuleForEach(s => s.Campaigns)
            .Must((seed, campaign) => !seed.Retired.Any(r => IsRetired(r, campaign.Key, campaign.Name)))
            .WithErrorCode("NotRetired")
            .WithMessage((_, campaign) => $"'{campaign.Name}' ({campaign.Key}) is retired and must not be among the campaigns.");

        RuleFor(s => s)
            .Must(s => s.Campaigns.Count(c => c.Active) == s.ExpectedActive)
            .OverridePropertyName("ExpectedActive")
            .WithErrorCode("ActiveCount")
            .WithMessage(s => $"expectedActive is {s.ExpectedActive} but the file lists {s.Campaigns.Count(c => c.Active)} active campaigns.");
    }

    public static bool IsRetired(RetiredCampaign retired, string key, string name) =>
        string.Equals(retired.Key, key, StringComparison.OrdinalIgnoreCase)
        || string.Equals(retired.Name, name, StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> Repeated(IEnumerable<string> keys) =>
        keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key);
}
