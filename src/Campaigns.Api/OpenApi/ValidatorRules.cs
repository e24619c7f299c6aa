using System.Globalization;
using Campaigns.Api.Infrastructure;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.OpenApi;

namespace Campaigns.Api.OpenApi;

/// <summary>
/// Reads a FluentValidation validator's unconditional rules for one member into its JSON schema (required, lengths,
/// pattern, range), so the document states exactly what the validators enforce and cannot drift from them.
/// </summary>
internal static class ValidatorRules
{
    public static IValidator? For(IServiceProvider services, Type type) => ValidationFilter.ValidatorFor(services, type);

    /// <param name="member">As the validators name it: the JSON property name (see AddCampaignValidators).</param>
    /// <returns>Whether the member is required (a NotEmpty rule that always applies).</returns>
    public static bool Apply(IValidator validator, string member, OpenApiSchema schema)
    {
        var required = false;
        foreach (var (rule, component) in validator.CreateDescriptor().GetValidatorsForMember(member))
        {
            if (component.HasCondition || component.HasAsyncCondition)
            {
                continue;
            }

            switch (rule)
            {
                case INotEmptyValidator:
                    required = true;
                    if (schema.Type?.HasFlag(JsonSchemaType.String) == true)
                    {
                        schema.MinLength = Math.Max(schema.MinLength ?? 0, 1);
                    }

                    break;
                case ILengthValidator length:
                    if (length.Max > 0)
                    {
                        schema.MaxLength = length.Max;
                    }

                    if (length.Min > 0)
                    {
                        schema.MinLength = length.Min;
                    }

                    break;
                case IRegularExpressionValidator pattern:
                    schema.Pattern = pattern.Expression;
                    break;
                case IBetweenValidator { Name: "InclusiveBetweenValidator" } between:
                    schema.Minimum = Number(between.From);
                    schema.Maximum = Number(between.To);
                    break;
                case IComparisonValidator { Comparison: Comparison.GreaterThanOrEqual, ValueToCompare: { } minimum }:
                    schema.Minimum = Number(minimum);
                    break;
                case IComparisonValidator { Comparison: Comparison.LessThanOrEqual, ValueToCompare: { } maximum }:
                    schema.Maximum = Number(maximum);
                    break;
            }
        }

        return required;
    }

    private static string? Number(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture);
}
