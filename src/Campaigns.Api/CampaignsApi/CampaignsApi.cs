using Campaigns.Api.Campaigns;
using Campaigns.Api.Infrastructure;
using Campaigns.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Api.CampaignsApi;

public static class CampaignsApi
{
    /// <summary>The public reads; the writes are admin routes, mapped onto the admin group through <see cref="MapCampaignWrites"/>.</summary>
    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/api/campaigns").WithTags("Campaigns").WithValidation();

        // Bound at run time, not by the request delegate generator (which binds every other route): for an
        // [AsParameters] query it accepts an empty value and answers a bad one with a 400 naming no field.
        Delegate list = ListCampaigns;
#pragma warning disable RDG002 // "generated at runtime": what this endpoint needs
        campaigns.MapGet("/", list).WithName("ListCampaigns")
#pragma warning restore RDG002
            .WithSummary("List campaigns")
            .WithDescription("Ordered by priority, then name. Filter by site (`property`) and state (`active`); page with `limit` and `offset`.")
            .Produces<List<CampaignDto>>(StatusCodes.Status200OK, "application/json");
        campaigns.MapGet("/{id:int}", GetCampaign).WithName("GetCampaign")
            .WithSummary("Get one campaign")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static IEndpointRouteBuilder MapCampaignWrites(this IEndpointRouteBuilder admin)
    {
        var campaigns = admin.MapGroup("/api/campaigns").WithTags("Campaigns")
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        campaigns.MapPost("/", CreateCampaign).WithName("CreateCampaign")
            .WithSummary("Create a campaign")
            .ProducesProblem(StatusCodes.Status409Conflict);
        campaigns.MapPut("/{id:int}", UpdateCampaign).WithName("UpdateCampaign")
            .WithSummary("Replace a campaign")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        campaigns.MapDelete("/{id:int}", DeleteCampaign).WithName("DeleteCampaign")
            .WithSummary("Delete a campaign")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return admin;
    }

    /// <summary>Served from <see cref="CampaignListCache"/>: the same bytes until the database changes.</summary>
    public static async Task<FileContentHttpResult> ListCampaigns(
        [AsParameters] CampaignQuery query, CampaignListCache cache, IServiceProvider services, CancellationToken cancellationToken)
    {
        var json = await cache.GetOrLoadAsync(query.ToPage(), services, LoadPageAsync, cancellationToken);
        return TypedResults.Bytes(json, "application/json; charset=utf-8");
    }

    /// <summary>The unfiltered first page into the cache, as GET /api/campaigns would put it there.</summary>
    internal static async Task PreloadFirstPageAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var cache = scope.ServiceProvider.GetRequiredService<CampaignListCache>();
        await cache.GetOrLoadAsync(new CampaignQuery(null, null, null, null).ToPage(), scope.ServiceProvider, LoadPageAsync, cancellationToken);
    }

    private static async Task<List<CampaignDto>> LoadPageAsync(CampaignsDbContext db, CampaignPage page, CancellationToken cancellationToken)
    {
        var campaigns = db.Campaigns.AsNoTracking();
        if (page.Active is { } isActive)
        {
            campaigns = campaigns.Where(c => c.Active == isActive);
        }

        if (page.Property is { } property)
        {
            campaigns = campaigns.Where(c => c.Property == property);
        }

        var rows = await campaigns
            .OrderBy(c => c.Priority).ThenBy(c => c.Name).ThenBy(c => c.Id)
            .Skip(page.Offset).Take(page.Limit)
            .ToListAsync(cancellationToken);
        return rows.Select(CampaignDto.From).ToList();
    }

    public static async Task<Results<Ok<CampaignDto>, NotFound>> GetCampaign(
        int id, CampaignsDbContext db, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        return campaign is null ? TypedResults.NotFound() : TypedResults.Ok(CampaignDto.From(campaign));
    }

    public static async Task<Created<CampaignDto>> CreateCampaign(
        CampaignRequest request, CampaignsDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var campaign = request.ToEntity(CampaignSource.User, now, now);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync(cancellationToken); // a duplicate key becomes 409 in DomainExceptionHandler
        return TypedResults.Created($"/api/campaigns/{campaign.Id}", CampaignDto.From(campaign));
    }

    public static async Task<Results<Ok<CampaignDto>, NotFound>> UpdateCampaign(
        int id, CampaignRequest request, CampaignsDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (campaign is null)
        {
            return TypedResults.NotFound();
        }

        request.ApplyTo(campaign);
        campaign.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(CampaignDto.From(campaign));
    }

    public static async Task<Results<NoContent, NotFound>> DeleteCampaign(
        int id, CampaignsDbContext db, CancellationToken cancellationToken)
    {
        var deleted = await db.Campaigns.Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }
}
