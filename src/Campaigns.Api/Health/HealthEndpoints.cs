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

    public static IEndpointRouteBuilder MapCampaignHealth(this IEndpointRouteBuilder app)
    {
        // Read-only probes: any other method is a client mistake and gets 405.
        var readOnly = new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]);
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteReport }).WithTags("Health").WithMetadata(readOnly);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Health").WithMetadata(readOnly);
        return app;
    }

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
