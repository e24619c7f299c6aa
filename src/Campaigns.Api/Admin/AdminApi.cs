using Campaigns.Api.Infrastructure;
using Campaigns.Api.Seeding;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Campaigns.Api.Admin;

public static class AdminApi
{
    /// <summary>
    /// The one group of admin routes: behind the admin key (and so its rate limit on failed attempts), with validated
    /// input. Program.cs maps each feature's admin routes onto it (features depend on Admin, never the reverse).
    /// </summary>
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("").RequireAuthorization(AdminAuthentication.Policy).WithValidation();
        admin.MapPost("/api/admin/reseed", Reseed).WithName("Reseed").WithTags("Admin")
            .WithSummary("Run the canonical top-up now")
            .WithDescription("Inserts or reactivates whatever of the canonical campaigns is missing, as at startup, and returns what it did.");
        return admin;
    }

    /// <summary>Whether an endpoint is behind the admin key (an API route of the group above, or the Hangfire dashboard).</summary>
    public static bool RequiresAdminKey(IEnumerable<object>? endpointMetadata) =>
        endpointMetadata?.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any(a => a.Policy == AdminAuthentication.Policy) == true;

    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json",
        Description = "The canonical seed file is unusable (the problem says why), or the service is still starting (with Retry-After).")]
    public static async Task<Results<Ok<TopUpSummary>, ProblemHttpResult>> Reseed(
        CanonicalTopUp topUp, SeedingState seeding, CancellationToken cancellationToken)
    {
        var summary = await topUp.RunAsync(SeedTrigger.Manual, cancellationToken);
        seeding.LastTopUp = summary;
        return summary.Applied
            ? TypedResults.Ok(summary)
            : TypedResults.Problem(summary.Error, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Canonical seed file unusable");
    }
}
