using Campaigns.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.OffSite;

/// <summary>The off-site restore points, for the dashboard's backups panel and scripts; restoring is POST /api/admin/restore.</summary>
public static class OffSiteApi
{
    /// <param name="admin">The admin group (<c>MapAdminApi</c>): the key, its rate limit.</param>
    public static IEndpointRouteBuilder MapOffSiteApi(this IEndpointRouteBuilder admin)
    {
        admin.MapGet("/api/admin/offsite", ListRestorePoints).WithTags("Backups").WithName("ListOffSiteRestorePoints")
            .WithSummary("List the off-site restore points")
            .WithDescription("The lineages in the off-site store, newest first, with their snapshots (newest first) and journal span, and the oldest and newest moment a restore with `{\"source\":\"offsite\",\"at\":...}` can ask for. `configured` is false while off-site copies are off.");
        return admin;
    }

    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json",
        Description = "The off-site store cannot be reached (the problem names it), or the service is still starting (with Retry-After).")]
    public static async Task<Ok<OffSiteRestorePointsDto>> ListRestorePoints(
        IOptions<OffSiteOptions> options, DatabaseTarget database, OffSiteHistory history, OffSiteLineage lineage, OffSiteStatus status,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return TypedResults.Ok(OffSiteRestorePointsDto.Off);
        }

        var sqlite = database.Provider == DatabaseProvider.Sqlite;
        List<LineageHistory> histories;
        try
        {
            histories = sqlite ? await history.ListAsync(cancellationToken) : [await history.ReadAsync(OffSiteLayout.PostgresLineage, cancellationToken)];
        }
        catch (OffSiteStoreException ex)
        {
            status.Failed(ex.Message);
            throw new OffSiteStoreUnavailableException(ex.Message);
        }

        var current = sqlite ? lineage.Current : OffSiteLayout.PostgresLineage;
        var lineages = histories.Where(h => h.Snapshots.Count > 0 || h.Journal.Count > 0)
            .OrderByDescending(h => h.Lineage, StringComparer.Ordinal).Select(h => OffSiteLineageDto.From(h, current)).ToList();
        return TypedResults.Ok(new OffSiteRestorePointsDto(true, settings.Mode.ToLowerInvariant(), settings.StoreName, database.ProviderName, sqlite,
            OffSiteHistory.OldestPoint(histories), histories.Select(h => h.Newest).Max(), lineages));
    }
}
