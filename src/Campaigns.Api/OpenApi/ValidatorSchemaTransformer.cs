using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Campaigns.Api.OpenApi;

/// <summary>Request bodies: each property's schema and the object's <c>required</c> list come from the type's validator.</summary>
internal sealed class ValidatorSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is not null || ValidatorRules.For(context.ApplicationServices, context.JsonTypeInfo.Type) is not { } validator)
        {
            return Task.CompletedTask;
        }

        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (schema.Properties is null || !schema.Properties.TryGetValue(property.Name, out var found) || found is not OpenApiSchema propertySchema)
            {
                continue;
            }

            if (ValidatorRules.Apply(validator, property.Name, propertySchema))
            {
                schema.Required ??= new HashSet<string>();
                schema.Required.Add(property.Name);
            }
        }

        return Task.CompletedTask;
    }
}
