using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Campaigns.Api.Admin;

/// <summary>Settings of the <c>RateLimits</c> section.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";
    public const int DefaultFailedAdminAuthPerMinute = 10;

    /// <summary>Admin requests without the right key allowed per client address and minute; then 429.</summary>
    [Range(1, 1_000_000, ErrorMessage = "RateLimits:FailedAdminAuthPerMinute must be a whole number from 1 to 1000000 (failed admin attempts per client address and minute).")]
    public int FailedAdminAuthPerMinute { get; set; } = DefaultFailedAdminAuthPerMinute;

    /// <summary>Unset (the default): public reads are not limited. Set: requests per client address and minute.</summary>
    [Range(1, 1_000_000, ErrorMessage = "RateLimits:PublicRequestsPerMinute must be a whole number from 1 to 1000000 (requests per client address and minute), or unset for no limit.")]
    public int? PublicRequestsPerMinute { get; set; }
}

/// <summary>
/// ASP.NET Core's rate limiter, keyed by client address (from the forwarded headers behind a proxy). A request to an
/// admin endpoint that did not authenticate with the right key takes a permit from its address's window; a request with
/// the right key takes none, so guessing is slowed and the operator never is. Health probes are never limited.
/// </summary>
public static class AdminRateLimiting
{
    public static IHostApplicationBuilder AddAdminRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<Microsoft.Extensions.Options.IOptions<RateLimitOptions>>((limiter, settings) =>
        {
            var limits = settings.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, limits));
            limiter.OnRejected = WriteTooManyRequestsAsync;
        });
        return builder;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitOptions limits)
    {
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (AdminApi.RequiresAdminKey(context.GetEndpoint()?.Metadata))
        {
            return context.User.Identity?.IsAuthenticated == true
                ? RateLimitPartition.GetNoLimiter("admin")
                : PerMinute($"failed-admin:{client}", limits.FailedAdminAuthPerMinute);
        }

        return limits.PublicRequestsPerMinute is { } perMinute && !context.Request.Path.StartsWithSegments("/health")
            ? PerMinute($"public:{client}", perMinute)
            : RateLimitPartition.GetNoLimiter("unlimited");
    }

    private static RateLimitPartition<string> PerMinute(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static async ValueTask WriteTooManyRequestsAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminRateLimiting))
            .LogWarning("Rate limit reached for {ClientAddress} on {Method} {Path}", context.Connection.RemoteIpAddress?.ToString(), context.Request.Method, context.Request.Path);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = AdminApi.RequiresAdminKey(context.GetEndpoint()?.Metadata)
                    ? $"Too many failed admin authentications from this address; retry in {seconds} s with the right key."
                    : $"Too many requests from this address; retry in {seconds} s.",
            },
        });
    }
}
