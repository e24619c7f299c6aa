using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Campaigns.Api.OpenApi;

/// <summary>
/// The OpenAPI document at /openapi/v1.json, written for client generators: every admin operation carries the bearer
/// security scheme, every status an endpoint can answer is listed with its body, and the request schemas say what the
/// validators require. The contract tests check the service's real responses against it.
/// </summary>
public static class CampaignsOpenApi
{
    public const string AdminKeyScheme = "adminKey";

    public static IServiceCollection AddCampaignsOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<ApiDocumentTransformer>();
            options.AddOperationTransformer<ApiResponsesTransformer>();
            options.AddOperationTransformer<ValidatorParameterTransformer>();
            options.AddSchemaTransformer<ValidatorSchemaTransformer>();
            options.AddSchemaTransformer<AllowedValuesSchemaTransformer>();
            options.AddSchemaTransformer<ResponseSchemaTransformer>();
            options.AddDocumentTransformer<JobResultSchemaTransformer>();
        });

    /// <summary>A reference to the component schema of <typeparamref name="T"/>, adding the component when missing.</summary>
    internal static async Task<IOpenApiSchema> SchemaReferenceAsync<T>(
        OpenApiDocument document, Func<Type, CancellationToken, Task<OpenApiSchema>> create, CancellationToken cancellationToken)
    {
        var name = typeof(T).Name;
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(name))
        {
            document.AddComponent(name, await create(typeof(T), cancellationToken));
        }

        return new OpenApiSchemaReference(name, document);
    }

    internal static Task<IOpenApiSchema> ProblemReferenceAsync(
        OpenApiDocument document, Func<Type, CancellationToken, Task<OpenApiSchema>> create, CancellationToken cancellationToken) =>
        SchemaReferenceAsync<ProblemDetails>(document, create, cancellationToken);
}
