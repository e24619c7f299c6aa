using Campaigns.Api.Infrastructure.Logging;
using Campaigns.Api.Storage;
using Serilog;
using Serilog.Events;
using Serilog.Filters;
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
                throw new InvalidSettingException($"PORT must be a TCP port number (1-65535), not '{port}'.");
            }

            builder.WebHost.UseUrls($"http://0.0.0.0:{number}");
        }

        builder.WebHost.UseRequestLimits();
        return builder;
    }

    private const string HealthCheckServiceCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

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
                // The health check service writes a line per check on every probe (20 probes of a degraded setup, 20
                // warnings; an error per early probe while the startup sequence runs). HealthTransitions logs what
                // changed instead, once.
                logger.ReadFrom.Configuration(builder.Configuration, SinkAssemblies)
                    .ReadFrom.Services(services)
                    .Filter.ByExcluding(Matching.FromSource(HealthCheckServiceCategory))
                    // A duplicate key is the client's mistake, answered 409 (and logged as such): EF Core's error lines
                    // would read as a server failure. Its "Failed executing DbCommand" line carries no exception to tell
                    // why, and every real failure is logged again with its exception (saving or querying failed), so
                    // that line goes.
                    .Filter.ByExcluding(e => e.Exception is { } ex && DatabaseErrors.IsUniqueViolation(ex) && Matching.FromSource("Microsoft.EntityFrameworkCore")(e))
                    .Filter.ByExcluding(e => Matching.FromSource("Microsoft.EntityFrameworkCore.Database.Command")(e) && IsEventId(e, 20102)) // RelationalEventId.CommandError
                    // A failed start is reported once, by StartupFailure (reason and fix, no stack trace for a refusal).
                    .Filter.ByExcluding(e => e.Exception is not null && e.Level >= LogEventLevel.Error && Matching.FromSource(HostCategory)(e))
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
                            sink.Console(
                                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                                formatProvider: IsoFormatProvider.Instance);
                        }
                        else
                        {
                            sink.Console(new PlainMessageJsonFormatter());
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

    private static bool IsEventId(LogEvent logEvent, int id) =>
        logEvent.Properties.TryGetValue("EventId", out var value)
        && value is StructureValue structure
        && structure.Properties.Any(p => p.Name == "Id" && p.Value is ScalarValue { Value: int found } && found == id);

    /// <summary>
    /// One line per request. The middleware defaults to the static Log.Logger, which each host leaves alone, so it
    /// is handed the host's own logger. A 5xx is an error, except the 503s answered while the startup sequence runs:
    /// those are the startup gate and the health probes doing their job. Placed before UseExceptionHandler, it logs the
    /// status the client got (a 409 from a domain exception, a 499 for a request its client abandoned), not a 500.
    /// </summary>
    public static IApplicationBuilder UseCampaignRequestLogging(this IApplicationBuilder app)
    {
        var state = app.ApplicationServices.GetRequiredService<StorageState>();
        return app.UseSerilogRequestLogging(options =>
        {
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
            options.GetLevel = (context, _, exception) => exception switch
            {
                _ when ClientAbandoned(context, exception) => LogEventLevel.Information,
                not null => LogEventLevel.Error,
                _ => context.Response.StatusCode >= 500 && state.Ready ? LogEventLevel.Error : LogEventLevel.Information,
            };
        });
    }

    /// <summary>The client went away before the answer: nothing failed on our side, and nobody is left to answer.</summary>
    internal static bool ClientAbandoned(HttpContext context, Exception? exception) =>
        context.RequestAborted.IsCancellationRequested && exception switch
        {
            OperationCanceledException or IOException => true,
            null => context.Response.StatusCode == StatusCodes.Status499ClientClosedRequest, // set by UseExceptionHandler
            _ => false,
        };
}
