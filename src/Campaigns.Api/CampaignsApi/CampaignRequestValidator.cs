using Campaigns.Api.Campaigns;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using FluentValidation;

namespace Campaigns.Api.CampaignsApi;

public sealed class CampaignRequestValidator : AbstractValidator<CampaignRequest>
{
    private const string NullText = "'{PropertyName}' must be a string; send \"\" or leave it out for none.";

    public CampaignRequestValidator(CanonicalSeedSource seed)
    {
        RuleFor(r => r.Key).CampaignKey()
            .Must((request, key) => !seed.Retired().Any(r => CanonicalSeedValidator.IsRetired(r, key, request.Name)))
            .WithErrorCode("Retired")
            .WithMessage((request, key) => $"'{key}' / '{request.Name}' is a retired campaign and cannot be brought back.");
        RuleFor(r => r.Name).NotEmpty().MaximumLength(CampaignLimits.NameLength);
        RuleFor(r => r.Property).CampaignProperty();
        // Optional text is "" when absent; an explicit JSON null would reach the NOT NULL column as a 500.
        RuleFor(r => r.Description).NotNull().WithMessage(NullText).MaximumLength(CampaignLimits.DescriptionLength);
        RuleFor(r => r.OfferUrl).NotEmpty().AbsoluteHttpUrl();
        RuleFor(r => r.ImageUrl).NotNull().WithMessage(NullText).AbsoluteHttpUrl();
        RuleFor(r => r.CallToAction).NotNull().WithMessage(NullText).MaximumLength(CampaignLimits.CallToActionLength);
        RuleFor(r => r.Priority).InclusiveBetween(0, 1_000_000);
    }
}
