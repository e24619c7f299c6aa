using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Campaigns.Api.Admin;

public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api").WithTags("Admin").RequireAuthorization(AdminAuthentication.Policy);
        admin.MapPost("/admin/reseed", Reseed).WithName("Reseed");
        return app;
    }

    public static async Task<Results<Ok<TopUpSummary>, ProblemHttpResult>> Reseed(
        CanonicalTopUp topUp, StorageState state, CancellationToken cancellationToken)
    {
        var summary = await topUp.RunAsync(SeedTrigger.Manual, cancellationToken);
        state.LastTopUp = summary;
        return summary.Applied
            ? TypedResults.Ok(summary)
            : TypedResults.Problem(summary.Error, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Canonical seed file unusable");
    }
}
