using Campaigns.Api.Admin;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Campaigns.Api.Jobs;

/// <summary>Following a job started by the backups and restores endpoints (202 + statusUrl).</summary>
public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/jobs").WithTags("Jobs").RequireAuthorization(AdminAuthentication.Policy);
        admin.MapGet("/{jobId}", GetJob).WithName("GetJob")
            .WithSummary("Follow a backup or restore job")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<JobDto>> GetJob(string jobId, JobStatusReader jobs, CancellationToken cancellationToken) =>
        TypedResults.Ok(await jobs.GetAsync(jobId, cancellationToken));
}
