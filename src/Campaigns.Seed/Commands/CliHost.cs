using System.CommandLine;
using Campaigns.Api.Backups;
using Campaigns.Api.CampaignsApi;
using Campaigns.Api.Common;
using Campaigns.Api.Doctor;
using Campaigns.Api.Infrastructure;
using Campaigns.Api.OffSite;
using Campaigns.Api.Restores;
using Campaigns.Api.Seeding;
using Campaigns.Api.Transfer;
using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Campaigns.Seed.Commands;

/// <summary>
/// The API's own services (same extension methods, same code paths) on a host that is built but never started: no web
/// server, no startup sequence, no Hangfire. SQLite locking makes it safe next to a running API on the same directory.
/// </summary>
public static class CliHost
{
    public const string DataDirectoryOptionName = "--data-dir";

    public static Option<string?> DataDirectoryOption() => new(DataDirectoryOptionName)
    {
        Description = "The data directory holding campaigns.db and backups/ (default: as for the service: DATA_DIR, Storage:DataDirectory, " +
            "RAILWAY_VOLUME_MOUNT_PATH, then ./data; from a source checkout, data/ at the repository root).",
    };

    public static IHost Build(string? dataDirectory)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        if (!string.IsNullOrWhiteSpace(dataDirectory))
        {
            builder.Configuration["DATA_DIR"] = Path.GetFullPath(dataDirectory);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None); // its failures reach the user as the command's error
        builder.AddCampaignStorage();
        builder.AddOffSite();
        builder.AddCanonicalSeed();
        builder.AddCampaignValidators();
        builder.AddCampaignBackups();
        builder.AddCampaignRestores();
        if (!string.IsNullOrWhiteSpace(dataDirectory))
        {
            // Registered last, so it wins: messages then name the option the operator typed, not DATA_DIR.
            builder.Services.AddSingleton(new DataDirectory(Path.GetFullPath(dataDirectory), DataDirectoryOptionName));
        }

        builder.AddCampaignDoctor();
        var host = builder.Build();
        host.Services.GetRequiredService<IStartupValidator>().Validate(); // bad settings fail as they do in the API
        return host;
    }

    /// <summary>Runs a command body on the CLI host and turns failures into a message and an exit code.</summary>
    public static Task<int> RunAsync(ParseResult parse, Option<string?> dataDirectory, Func<IServiceProvider, TextWriter, Task<int>> body) =>
        RunAsync(parse.GetValue(dataDirectory), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, body);

    /// <summary>As above, on a data directory the command chose itself (null: the service's default).</summary>
    public static async Task<int> RunAsync(string? dataDirectory, TextWriter output, TextWriter error, Func<IServiceProvider, TextWriter, Task<int>> body)
    {
        DatabaseTarget? target = null;
        try
        {
            using var host = Build(dataDirectory);
            var data = host.Services.GetRequiredService<DataDirectory>();
            target = host.Services.GetRequiredService<DatabaseTarget>();
            if (!Directory.Exists(data.Path))
            {
                // A typo in --data-dir must not quietly create a new, empty database somewhere else.
                error.WriteLine($"error: the data directory {data.Path} (chosen by {data.ChosenBy}) does not exist. " +
                    (data.ChosenBy == DataDirectoryOptionName
                        ? $"Check the path given to {DataDirectoryOptionName}."
                        : $"Start the service once to create it, or name the right one with {DataDirectoryOptionName}."));
                return ExitCodes.InvalidInput;
            }

            await using var scope = host.Services.CreateAsyncScope();
            return await body(scope.ServiceProvider, output);
        }
        catch (Exception ex) when (ConnectionErrors.Describe(ex, target) is { } unreachable)
        {
            error.WriteLine($"error: {unreachable}");
            return ExitCodes.Failed;
        }
        catch (Exception ex) when (ExitCodeFor(ex) is { } code)
        {
            error.WriteLine($"error: {ex.Message}");
            return code;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>The same domain exceptions the API maps to its statuses (404, 400, 409/422) map to these exit codes.</summary>
    private static int? ExitCodeFor(Exception exception) => exception switch
    {
        NotFoundException => ExitCodes.NotFound,
        InvalidInputException or SnapshotFormatException or OptionsValidationException => ExitCodes.InvalidInput,
        DomainException or Api.OffSite.OffSiteStoreException or BackupFailedException or SqliteException or IOException or UnauthorizedAccessException => ExitCodes.Failed,
        _ => null,
    };
}
