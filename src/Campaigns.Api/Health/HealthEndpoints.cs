using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Health;

public static class HealthEndpoints
{
    public static IHostApplicationBuilder AddCampaignHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HealthTransitions>();
        builder.Services.AddSingleton<CampaignTotal>();
        builder.Services.AddHealthChecks()
            .AddCheck<BackupsHealthCheck>("backups")
            .AddCheck<StorageHealthCheck>("storage")
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<SeedFileHealthCheck>("seed");
        return builder;
    }

    /// <summary>
    /// The probes, answered here rather than as routed endpoints: a new deploy goes live on its first 200 from /health,
    /// and a first request that is routed pays for building the route table and for the first use of every middleware
    /// after this one, about 40 ms more downtime per deploy (docs/benchmarks.md, issue 12). Placed after the startup
    /// gate, so the first ready answer still releases the work held back until then. Read-only: any other method gets
    /// 405 with the methods allowed, as a routed endpoint would.
    /// </summary>
    public static IApplicationBuilder UseCampaignHealthProbes(this IApplicationBuilder app)
    {
        UseProbe(app, "/health", new HealthCheckOptions { ResponseWriter = WriteReport });
        UseProbe(app, "/health/live", new HealthCheckOptions { Predicate = _ => false });
        return app;
    }

    private static void UseProbe(IApplicationBuilder app, PathString path, HealthCheckOptions options) =>
        app.MapWhen(
            // As a route template matches: any case, with or without a trailing slash.
            context => context.Request.Path.StartsWithSegments(path, StringComparison.OrdinalIgnoreCase, out var rest) && rest.Value is null or "" or "/",
            probe => probe.Use((context, next) =>
            {
                if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                {
                    return next(context);
                }

                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET, HEAD";
                return Task.CompletedTask;
            }).UseMiddleware<HealthCheckMiddleware>(Options.Create(options)));

    /// <summary>
    /// One JSON document that an operator (or the dashboard) can read top to bottom: overall status, the reasons for
    /// anything short of healthy, then each check with its details.
    /// </summary>
    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.RequestServices.GetRequiredService<HealthTransitions>().Observe(report);
        var json = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["checkedAt"] = DateTimeOffset.UtcNow,
            ["durationMs"] = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            ["reasons"] = report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description).ToArray(),
        };
        foreach (var (name, entry) in report.Entries)
        {
            var check = new Dictionary<string, object?>
            {
                ["status"] = entry.Status.ToString(),
                ["description"] = entry.Description,
                ["durationMs"] = Math.Round(entry.Duration.TotalMilliseconds, 1),
            };
            foreach (var (key, value) in entry.Data)
            {
                check[key] = value;
            }

            body[name] = check;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return HealthReportWriter.WriteAsync(context.Response.Body, body, json, context.RequestAborted);
    }
}
