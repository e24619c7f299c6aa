using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Campaigns.Api.OpenApi;

/// <summary>A string property limited by <see cref="AllowedValuesAttribute"/> is an enum in the document.</summary>
internal sealed class AllowedValuesSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if ((context.JsonPropertyInfo?.AttributeProvider as MemberInfo)?.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
        {
            schema.Enum = allowed.Values.Select(v => JsonSerializer.SerializeToNode(v)).OfType<JsonNode>().ToList();
            schema.Type &= ~JsonSchemaType.Null; // null is not among the allowed values
        }

        return Task.CompletedTask;
    }
}
