using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Campaigns.Api.Health;

/// <summary>Is the database on storage that survives a deploy?</summary>
public sealed class StorageHealthCheck(StorageState state, DatabaseTarget database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            return Task.FromResult(HealthCheckResult.Healthy(
                $"The data lives in PostgreSQL at {database.Location}; no local volume is needed.",
                data: ServerData(database)));
        }

        if (state.Volume is not { } volume)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Storage has not been checked yet: startup is still running."));
        }

        var data = new Dictionary<string, object>
        {
            ["dataDirectory"] = volume.DataDirectory,
            ["chosenBy"] = volume.ChosenBy,
            ["databasePath"] = volume.DatabasePath,
            ["mounted"] = volume.Mounted,
            ["mountPoint"] = volume.MountPoint ?? "",
            ["fileSystemType"] = volume.FileSystemType ?? "",
            ["persistent"] = volume.Persistent,
            ["writable"] = volume.Writable,
            ["freeBytes"] = volume.FreeBytes ?? -1,
            ["databaseExistedAtStart"] = volume.DatabaseExists,
            ["checkedAt"] = volume.CheckedAt,
        };

        return Task.FromResult(volume switch
        {
            { Writable: false } => HealthCheckResult.Unhealthy($"Storage at {volume.DataDirectory} is not writable: {volume.WriteError}", data: data),
            { Persistent: false } => HealthCheckResult.Degraded(volume.PersistenceProblem, data: data),
            _ => HealthCheckResult.Healthy($"Storage at {volume.DataDirectory} is a mounted {volume.FileSystemType} volume.", data: data),
        });
    }

    /// <summary>Where a PostgreSQL database is, without the credentials.</summary>
    internal static Dictionary<string, object> ServerData(DatabaseTarget database) => new()
    {
        ["provider"] = database.ProviderName,
        ["host"] = database.Host ?? "",
        ["port"] = database.Port ?? 0,
        ["database"] = database.Database ?? "",
    };
}

/// <summary>
/// Can we read the database, and does it hold the campaigns the canonical file promises? Read with plain commands
/// (<see cref="LiveDatabaseConnections"/>): this check is on the way to the first 200 of every deploy.
/// </summary>
public sealed class DatabaseHealthCheck(
    LiveDatabaseConnections connections, DatabaseTarget database, StorageState state, SeedingState seeding, CanonicalSeedSource seed, CampaignTotal stored)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = database.Provider == DatabaseProvider.PostgreSql
            ? StorageHealthCheck.ServerData(database)
            : new Dictionary<string, object> { ["provider"] = database.ProviderName, ["databasePath"] = database.FilePath ?? "" };

        if (!state.Ready)
        {
            // Not queried yet: the schema may not exist, and the startup sequence must not wait on a health probe.
            return HealthCheckResult.Unhealthy("Startup has not finished.", data: data);
        }

        try
        {
            var (active, schemaVersion, lastReseed) = await connections.ReadAsync(ReadAsync, cancellationToken);
            var load = seed.LastLoad;
            var expected = load?.Seed is { } canonical ? seed.ExpectedActive(canonical) : seeding.LastTopUp?.ExpectedActive ?? 0;
            data["activeCampaigns"] = active;
            if (stored.Read() is { } total)
            {
                data["totalCampaigns"] = total.Total;
                data["totalCountedAt"] = total.At;
            }

            data["expectedActive"] = expected;
            data["schemaVersion"] = schemaVersion;
            if (lastReseed is not null)
            {
                data["lastReseed"] = lastReseed;
            }

            return expected > 0 && active < expected
                ? HealthCheckResult.Unhealthy($"Only {active} of {expected} expected campaigns are active after the top-up.", data: data)
                : HealthCheckResult.Healthy($"{active} of {expected} expected campaigns are active.", data: data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The database cannot be read: {ex.Message}", data: data);
        }
    }

    private static async Task<(int Active, string SchemaVersion, Dictionary<string, object?>? LastReseed)> ReadAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var active = await LiveDatabaseConnections.ActiveCampaignsAsync(connection, cancellationToken);
        var schemaVersion = LiveSchema.Newest(await LiveSchema.ReadAppliedAsync(connection, cancellationToken)) ?? "";
        await using var command = LiveDatabaseConnections.Command(connection,
            """SELECT "SeedVersion", "Trigger", "Inserted", "Reactivated", "Removed", "At" FROM seed_history ORDER BY "Id" DESC LIMIT 1""");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lastReseed = await reader.ReadAsync(cancellationToken)
            ? HealthDetails.Of(("seedVersion", reader.GetInt32(0)), ("trigger", reader.GetString(1)), ("inserted", reader.GetInt32(2)),
                ("reactivated", reader.GetInt32(3)), ("removed", reader.GetInt32(4)), ("at", DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc)))
            : null;
        return (active, schemaVersion, lastReseed);
    }
}

/// <summary>Is the canonical file usable? A broken file does not stop the service, but someone must fix it.</summary>
public sealed class SeedFileHealthCheck(CanonicalSeedSource seed) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var load = seed.LastLoad ?? seed.Load();
        var data = new Dictionary<string, object>
        {
            ["path"] = load.Path,
            ["sha256"] = load.Sha256 ?? "",
            ["version"] = load.Seed?.Version ?? 0,
            ["problems"] = load.Problems.Select(p => p.ToString()).ToArray(),
        };

        return Task.FromResult(load.IsValid
            ? HealthCheckResult.Healthy($"Canonical seed version {load.Seed!.Version} is valid.", data: data)
            : HealthCheckResult.Degraded($"The canonical seed file {load.Path} has problems; campaigns cannot be restored from it until it is fixed.", data: data));
    }
}
