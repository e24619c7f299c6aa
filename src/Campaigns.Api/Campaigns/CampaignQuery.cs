namespace Campaigns.Api.Campaigns;

/// <summary>
/// Query string of GET /api/campaigns. Kept as strings so a bad value yields a ValidationProblem naming the field
/// instead of a bare binding failure.
/// </summary>
public sealed record CampaignQuery(string? Active, string? Property, string? Limit, string? Offset)
{
    public const int MaxLimit = 1000;

    public bool TryParse(out bool? active, out int limit, out int offset, out Dictionary<string, string[]> errors)
    {
        errors = [];
        active = null;
        limit = MaxLimit;
        offset = 0;

        if (Active is not null)
        {
            if (bool.TryParse(Active, out var parsed)) active = parsed;
            else errors["active"] = ["'active' must be true or false."];
        }

        if (Limit is not null && (!int.TryParse(Limit, out limit) || limit is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"'limit' must be a whole number from 1 to {MaxLimit}."];
        }

        if (Offset is not null && (!int.TryParse(Offset, out offset) || offset < 0))
        {
            errors["offset"] = ["'offset' must be a whole number of 0 or more."];
        }

        if (Property is { Length: > CampaignLimits.PropertyLength })
        {
            errors["property"] = [$"'property' must be at most {CampaignLimits.PropertyLength} characters."];
        }

        return errors.Count == 0;
    }
}
