using Campaigns.Api.Seeding;
using FluentValidation;

namespace Campaigns.Api.Campaigns;

public sealed class CampaignRequestValidator : AbstractValidator<CampaignRequest>
{
    public CampaignRequestValidator(CanonicalSeedSource seed)
    {
        RuleFor(r => r.Key).CampaignKey()
            .Must((request, key) => !seed.Retired().Any(r => CanonicalSeedValidator.IsRetired(r, key, request.Name)))
            .WithErrorCode("Retired")
            .WithMessage((request, key) => $"'{key}' / '{request.Name}' is a retired campaign and cannot be brought back.");
        RuleFor(r => r.Name).NotEmpty().MaximumLength(CampaignLimits.NameLength);
        RuleFor(r => r.Property).CampaignProperty();
        RuleFor(r => r.Description).MaximumLength(CampaignLimits.DescriptionLength);
        RuleFor(r => r.OfferUrl).NotEmpty().AbsoluteHttpUrl();
        RuleFor(r => r.ImageUrl).AbsoluteHttpUrl();
        RuleFor(r => r.CallToAction).MaximumLength(CampaignLimits.CallToActionLength);
        RuleFor(r => r.Priority).InclusiveBetween(0, 1_000_000);
    }
}
