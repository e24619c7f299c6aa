using Campaigns.Api.Admin;
using Campaigns.Api.Storage;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Api.Campaigns;

public static class CampaignsApi
{
    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/api/campaigns").WithTags("Campaigns");

        campaigns.MapGet("/", ListCampaigns).WithName("ListCampaigns")
            .Produces<List<CampaignDto>>(StatusCodes.Status200OK, "application/json");
        campaigns.MapGet("/{id:int}", GetCampaign).WithName("GetCampaign");

        var admin = campaigns.MapGroup("").RequireAuthorization(AdminAuthentication.Policy);
        admin.MapPost("/", CreateCampaign).WithName("CreateCampaign");
        admin.MapPut("/{id:int}", UpdateCampaign).WithName("UpdateCampaign");
        admin.MapDelete("/{id:int}", DeleteCampaign).WithName("DeleteCampaign");
        return app;
    }

    /// <summary>Served from <see cref="CampaignListCache"/>: the same bytes until the database changes.</summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem>> ListCampaigns(
        [AsParameters] CampaignQuery query, CampaignListCache cache, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!query.TryParse(out var active, out var limit, out var offset, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = new CampaignPage(active, string.IsNullOrEmpty(query.Property) ? null : query.Property, limit, offset);
        var json = await cache.GetOrLoadAsync(page, services, LoadPageAsync, cancellationToken);
        return TypedResults.Bytes(json, "application/json; charset=utf-8");
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

    public static async Task<Results<Created<CampaignDto>, ValidationProblem>> CreateCampaign(
        CampaignRequest request, IValidator<CampaignRequest> validator, CampaignsDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.ToDictionary());
        }

        var now = time.GetUtcNow().UtcDateTime;
        var campaign = request.ToEntity(CampaignSource.User, now, now);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync(cancellationToken); // a duplicate key becomes 409 in DomainExceptionHandler
        return TypedResults.Created($"/api/campaigns/{campaign.Id}", CampaignDto.From(campaign));
    }

    public static async Task<Results<Ok<CampaignDto>, NotFound, ValidationProblem>> UpdateCampaign(
        int id, CampaignRequest request, IValidator<CampaignRequest> validator, CampaignsDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.ToDictionary());
        }

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
