using Campaigns.Api.Backups;
using Campaigns.Api.Common;
using Campaigns.Api.Restores;
using Campaigns.Api.Jobs;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Campaigns.Api.OpenApi;

/// <summary>
/// A job's <c>result</c> is stored as raw JSON, but each kind has one fixed shape: a backup job's is the new backup, a
/// restore job's the restore's summary. The document says so, so a generated client gets typed results. A document
/// transformer, because it runs once every component schema exists.
/// </summary>
internal sealed class JobResultSchemaTransformer : IOpenApiDocumentTransformer
{
    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas is not { } schemas || !schemas.TryGetValue(nameof(JobDto), out var job) || job is not OpenApiSchema { Properties: { } properties })
        {
            return;
        }

        Task<OpenApiSchema> Create(Type type, CancellationToken token) => context.GetOrCreateSchemaAsync(type, null, token);
        properties["result"] = new OpenApiSchema
        {
            Description = $"Null until the job succeeds; then a {nameof(BackupDto)} for kind `{JobKind.Backup.ToWire()}`, a {nameof(RestoreResult)} for kind `{JobKind.Restore.ToWire()}`.",
            OneOf =
            [
                await CampaignsOpenApi.SchemaReferenceAsync<BackupDto>(document, Create, cancellationToken),
                await CampaignsOpenApi.SchemaReferenceAsync<RestoreResult>(document, Create, cancellationToken),
                new OpenApiSchema { Type = JsonSchemaType.Null },
            ],
        };
        schemas.Remove("JsonElement");
    }
}
