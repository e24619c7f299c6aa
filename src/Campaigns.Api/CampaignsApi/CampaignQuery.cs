using System.ComponentModel;
using Campaigns.Api.Storage;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Campaigns.Api.CampaignsApi;

/// <summary>
/// Query string of GET /api/campaigns, bound and typed by minimal APIs (so the OpenAPI document says boolean and
/// integer); ranges are checked by <see cref="CampaignQueryValidator"/>, and a value that is not a boolean or a
/// whole number becomes a 400 naming the field in <c>DomainExceptionHandler</c>.
/// </summary>
public sealed record CampaignQuery(
    [property: FromQuery(Name = "active"), Description("Only active (true) or only inactive (false) campaigns; both when absent.")]
    bool? Active,
    [property: FromQuery(Name = "property"), Description("Only the campaigns of this site code, for example 'mmm'.")]
    string? Property,
    [property: FromQuery(Name = "limit"), Description("At most this many campaigns (1 to 1000; 1000 when absent).")]
    int? Limit,
    [property: FromQuery(Name = "offset"), Description("Skip this many campaigns of the ordered list first (0 when absent).")]
    int? Offset)
{
    public const int MaxLimit = 1000;

    public CampaignPage ToPage() =>
        new(Active, string.IsNullOrEmpty(Property) ? null : Property, Limit ?? MaxLimit, Offset ?? 0);
}

public sealed class CampaignQueryValidator : AbstractValidator<CampaignQuery>
{
    public CampaignQueryValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, CampaignQuery.MaxLimit)
            .WithMessage($"'limit' must be a whole number from 1 to {CampaignQuery.MaxLimit}.");
        RuleFor(q => q.Offset).GreaterThanOrEqualTo(0)
            .WithMessage("'offset' must be a whole number of 0 or more.");
        RuleFor(q => q.Property).MaximumLength(CampaignLimits.PropertyLength)
            .WithMessage($"'property' must be at most {CampaignLimits.PropertyLength} characters.");
    }
}
