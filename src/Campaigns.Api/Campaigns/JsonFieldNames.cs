using System.Text.Json;
using FluentValidation;

namespace Campaigns.Api.Campaigns;

/// <summary>
/// Validation messages name a field the way the JSON spells it (<c>offerUrl</c>), everywhere: the API's field errors,
/// the canonical file check and snapshot imports. FluentValidation's defaults would say <c>'Offer Url'</c> in the text
/// and <c>OfferUrl</c> in the path. Its options are process-wide, so every entry point applies this once.
/// </summary>
public static class JsonFieldNames
{
    public static void Apply()
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
    }
}
