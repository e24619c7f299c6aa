using Campaigns.Api.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Campaigns.Api.OpenApi;

/// <summary>
/// A type without a validator is a response (requests are validated): the serializer writes every one of its
/// properties, nulls included, so each is required; a generated client then types them as always present.
/// </summary>
internal sealed class ResponseSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is null && schema.Properties is { Count: > 0 } properties
            && context.JsonTypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object
            && ValidationFilter.ValidatorFor(context.ApplicationServices, context.JsonTypeInfo.Type) is null
            && !context.JsonTypeInfo.Type.Namespace!.StartsWith("Microsoft.", StringComparison.Ordinal))
        {
            schema.Required ??= new HashSet<string>();
            foreach (var name in properties.Keys)
            {
                schema.Required.Add(name);
            }
        }

        return Task.CompletedTask;
    }
}
