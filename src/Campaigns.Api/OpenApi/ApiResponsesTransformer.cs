using Campaigns.Api.Admin;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Campaigns.Api.OpenApi;

/// <summary>
/// The answers every operation can give besides its own, from the pipeline in front of the handlers: the startup gate
/// (503 Starting, Retry-After), the admin key (401, and 429 once failed attempts run out), the body limit (413) and
/// content type (415). Errors without a declared body get the problem document the service always writes for them.
/// </summary>
internal sealed class ApiResponsesTransformer(IOptions<RateLimitOptions> rateLimits) : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        var problem = await CampaignsOpenApi.ProblemReferenceAsync(document, Create(context), cancellationToken);
        var responses = operation.Responses ??= new OpenApiResponses();
        var admin = AdminApi.RequiresAdminKey(context.Description.ActionDescriptor.EndpointMetadata);

        if (admin)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(CampaignsOpenApi.AdminKeyScheme, document)] = [] }];
            Add(responses, 401, "The admin key is missing or wrong (`WWW-Authenticate: Bearer`).", problem);
            Add(responses, 429, $"Too many failed admin authentications from this client address (default {RateLimitOptions.DefaultFailedAdminAuthPerMinute} a minute); retry after `Retry-After` seconds. The right key is never limited.", problem, RetryAfter());
        }
        else
        {
            operation.Security = [];
            if (rateLimits.Value.PublicRequestsPerMinute is { } perMinute)
            {
                Add(responses, 429, $"More than {perMinute} requests a minute from this client address; retry after `Retry-After` seconds.", problem, RetryAfter());
            }
        }

        if (operation.RequestBody is not null)
        {
            Add(responses, 413, "The body is larger than 64 KiB.", problem);
            Add(responses, 415, "The body is not `application/json`.", problem);
        }

        Add(responses, 503, "`Starting`: the service is still checking, migrating and topping up its database; retry after `Retry-After` seconds.", problem, RetryAfter());
        if (responses.TryGetValue("503", out var unavailable) && unavailable is OpenApiResponse declared)
        {
            declared.Headers ??= new Dictionary<string, IOpenApiHeader>();
            declared.Headers.TryAdd("Retry-After", RetryAfter()["Retry-After"]);
        }

        foreach (var (status, response) in responses)
        {
            if (response is not OpenApiResponse error || !status.StartsWith('4') && !status.StartsWith('5'))
            {
                continue;
            }

            // The status-code pages and the exception handler turn every bodiless error into a problem document.
            if (error.Content is null || error.Content.Count == 0)
            {
                error.Content = ProblemContent(problem);
            }

            if (status == "400" && (string.IsNullOrEmpty(error.Description) || error.Description == "Bad Request"))
            {
                error.Description = "Invalid input: `errors` names each field at fault.";
            }
        }

        foreach (var (status, response) in responses)
        {
            if (status == "202" && response is OpenApiResponse accepted)
            {
                accepted.Headers ??= new Dictionary<string, IOpenApiHeader>();
                accepted.Headers["Location"] = new OpenApiHeader { Description = "The job to follow (GET).", Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }
            else if (status == "201" && response is OpenApiResponse created)
            {
                created.Headers ??= new Dictionary<string, IOpenApiHeader>();
                created.Headers["Location"] = new OpenApiHeader { Description = "The new resource (GET).", Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }
        }
    }

    private static Func<Type, CancellationToken, Task<OpenApiSchema>> Create(OpenApiOperationTransformerContext context) =>
        (type, cancellationToken) => context.GetOrCreateSchemaAsync(type, null, cancellationToken);

    private static void Add(OpenApiResponses responses, int status, string description, IOpenApiSchema problem, Dictionary<string, IOpenApiHeader>? headers = null) =>
        responses.TryAdd(status.ToString(), new OpenApiResponse { Description = description, Content = ProblemContent(problem), Headers = headers });

    private static Dictionary<string, OpenApiMediaType> ProblemContent(IOpenApiSchema problem) =>
        new() { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } };

    private static Dictionary<string, IOpenApiHeader> RetryAfter() => new()
    {
        ["Retry-After"] = new OpenApiHeader
        {
            Description = "Seconds to wait before retrying.",
            Required = true,
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
        },
    };
}
