using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Campaigns.Api.OpenApi;

/// <summary>Query parameters bound from a validated type (<c>[AsParameters]</c>): their ranges and lengths from its validator.</summary>
internal sealed class ValidatorParameterTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var description in context.Description.ParameterDescriptions)
        {
            if (description.ModelMetadata is not { ContainerType: { } container, PropertyName: { } member }
                || ValidatorRules.For(context.ApplicationServices, container) is not { } validator
                || operation.Parameters?.FirstOrDefault(p => p.Name == description.Name) is not OpenApiParameter { Schema: OpenApiSchema schema } parameter)
            {
                continue;
            }

            parameter.Required |= ValidatorRules.Apply(validator, JsonNamingPolicy.CamelCase.ConvertName(member), schema);
        }

        return Task.CompletedTask;
    }
}
