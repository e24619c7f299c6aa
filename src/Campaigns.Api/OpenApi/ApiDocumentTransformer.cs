using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Campaigns.Api.OpenApi;

/// <summary>Document-wide parts: title, servers, tag descriptions, the admin key's security scheme, the health probes.</summary>
internal sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    private static readonly (string Name, string Description)[] Tags =
    [
        ("Campaigns", "The campaigns: public reads for email generation and the dashboard; writes need the admin key."),
        ("Admin", "Operator actions behind the admin key."),
        ("Backups", "Backups and restores. Long operations run as jobs: a 202 whose Location is the job to follow."),
        ("Jobs", "The state and result of backup and restore jobs."),
        ("Health", "Probes for the platform and operators; never behind the admin key, never rate-limited."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Campaigns API",
            Version = "v1",
            Description = "Campaigns whose data survives every deploy. Errors are RFC 9457 problem documents "
                + "(`application/problem+json`); a 400 names each field at fault under `errors`. Admin operations need "
                + "`Authorization: Bearer <ADMIN_API_KEY>`; failed admin authentications are rate-limited per client address.",
        };
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[CampaignsOpenApi.AdminKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The admin key (ADMIN_API_KEY, at least 16 characters) as a bearer token.",
        };
        AddHealthPaths(document);
        return Task.CompletedTask;
    }

    /// <summary>The health probes are health-check endpoints, not route handlers, so the API explorer does not see them.</summary>
    private static void AddHealthPaths(OpenApiDocument document)
    {
        document.Components!.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas["HealthReport"] = HealthReportSchema();
        var report = new OpenApiSchemaReference("HealthReport", document);
        document.Paths ??= new OpenApiPaths();
        document.Paths["/health"] = HealthPath(
            "GetHealth", "The health report",
            "Overall status, one sentence per problem, and one block per check (storage, database, seed, backups, jobs).",
            new OpenApiResponses
            {
                ["200"] = JsonResponse("Healthy or Degraded.", report),
                ["503"] = JsonResponse("Unhealthy, or the service is still starting.", report),
            });
        document.Paths["/health/live"] = HealthPath(
            "GetLiveness", "Liveness probe", "200 while the process runs, whatever the state of its data.",
            new OpenApiResponses
            {
                ["200"] = new OpenApiResponse
                {
                    Description = "The process runs.",
                    Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("Healthy")] } } },
                },
            });
    }

    private static OpenApiPathItem HealthPath(string operationId, string summary, string description, OpenApiResponses responses) => new()
    {
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Get] = new()
            {
                OperationId = operationId,
                Summary = summary,
                Description = description,
                Tags = new HashSet<OpenApiTagReference> { new("Health") },
                Security = [],
                Responses = responses,
            },
        },
    };

    private static OpenApiResponse JsonResponse(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
    };

    private static OpenApiSchema HealthReportSchema()
    {
        var status = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("Healthy"), JsonValue.Create("Degraded"), JsonValue.Create("Unhealthy")] };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "Besides the fields below, one object per check, named after it.",
            Required = new HashSet<string> { "status", "checkedAt", "durationMs", "reasons" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = status,
                ["checkedAt"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
                ["durationMs"] = new OpenApiSchema { Type = JsonSchemaType.Number },
                ["reasons"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String }, Description = "One sentence per check that is not Healthy." },
            },
            AdditionalProperties = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "status" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    // A check's data may use the same key: the jobs check reports its server's state (running, stopped) here.
                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Healthy, Degraded or Unhealthy; for `jobs`, the job server's state (running, stopped)." },
                    ["description"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                },
            },
        };
    }
}
