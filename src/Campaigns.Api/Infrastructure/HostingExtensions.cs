using Campaigns.Api.Storage;
using Serilog;
using Serilog.Events;
using Serilog.Filters;
using Serilog.Formatting.Compact;
using Serilog.Settings.Configuration;

namespace Campaigns.Api.Infrastructure;

public static class HostingExtensions
{
    /// <summary>Railway (and most PaaS) hand us PORT; an explicit --urls / ASPNETCORE_URLS still wins.</summary>
    public static WebApplicationBuilder UsePlatformPort(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && builder.Configuration["PORT"] is { Length: > 0 } port)
        {
            if (!int.TryParse(port, out var number) || number is < 1 or > 65535)
            {
                throw new InvalidOperationException($"PORT must be a TCP port number (1-65535), not '{port}'.");
            }

            builder.WebHost.UseUrls($"http://0.0.0.0:{number}");
        }

        builder.WebHost.UseRequestLimits();
        return builder;
    }

    private const string HealthCheckServiceCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    /// <summary>
    /// The sinks configuration may name: the ones this app ships. Without a list, Serilog scans every assembly in the
    /// dependency manifest for sinks at every start (60 ms of it, measured).
    /// </summary>
    private static readonly ConfigurationReaderOptions SinkAssemblies = new(
        typeof(ConsoleLoggerConfigurationExtensions).Assembly,
        typeof(FileLoggerConfigurationExtensions).Assembly,
        typeof(LoggerConfigurationAsyncExtensions).Assembly);

    /// <summary>Readable console lines while developing, compact JSON (one event a line) everywhere else.</summary>
    public static IHostApplicationBuilder AddCampaignLogging(this IHostApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(
            (services, logger) =>
            {
                // While the startup sequence runs the server already listens, and /health is Unhealthy by design: the
                // health check service's error line for each early probe would be a false alarm on every deploy.
                var state = services.GetRequiredService<StorageState>();
                logger.ReadFrom.Configuration(builder.Configuration, SinkAssemblies)
                    .ReadFrom.Services(services)
                    .Filter.ByExcluding(e => !state.Ready && Matching.FromSource(HealthCheckServiceCategory)(e))
                    .Enrich.FromLogContext()
                    .Enrich.WithProperty("Application", "Campaigns.Api");
                // Requests never wait for stdout: when the disk under the log is busy (a backup's fsync), a synchronous
                // console sink held every request behind one slow write. Lines queue instead; a full queue waits rather
                // than drops, and the queue is flushed when the host stops.
                logger.WriteTo.Async(
                    sink =>
                    {
                        if (development)
                        {
                            sink.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
                        }
                        else
                        {
                            sink.Console(new RenderedCompactJsonFormatter());
                        }
                    },
                    bufferSize: 10_000,
                    blockWhenFull: true);
            },
            // Each host keeps its own logger (tests run several at once); nothing relies on the static Log.Logger.
            preserveStaticLogger: true,
            writeToProviders: true);
        return builder;
    }

    /// <summary>
    /// One line per request. The middleware defaults to the static Log.Logger, which each host leaves alone, so it
    /// is handed the host's own logger. A 5xx is an error, except the 503s answered while the startup sequence runs:
    /// those are the startup gate and the health probes doing their job.
    /// </summary>
    public static IApplicationBuilder UseCampaignRequestLogging(this IApplicationBuilder app)
    {
        var state = app.ApplicationServices.GetRequiredService<StorageState>();
        return app.UseSerilogRequestLogging(options =>
        {
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
            options.GetLevel = (context, _, exception) =>
                exception is not null || (context.Response.StatusCode >= 500 && state.Ready) ? LogEventLevel.Error : LogEventLevel.Information;
        });
    }
}
